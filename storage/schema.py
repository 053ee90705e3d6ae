"""Every table module, imported once so SQLModel.metadata (and Alembic) know them all.

A feature with tables adds its module here.
"""

from sqlmodel import SQLModel

from storage import (  # noqa: F401
    audit,
    ballot_chain,
    ballots,
    community,
    conversations,
    councils,
    electorates,
    event_checkin,
    event_programme,
    event_volunteers,
    events,
    inbox,
    meetings,
    outbox,
    paper,
    proxies,
    quick_polls,
    registration,
    residents,
    topic_comments,
    topics,
)
from storage.exports import sends  # noqa: F401

metadata = SQLModel.metadata
