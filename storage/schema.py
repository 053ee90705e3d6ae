"""Every table module, imported once so SQLModel.metadata (and Alembic) know them all.

A feature with tables adds its module here.
"""

from sqlmodel import SQLModel

from storage import (  # noqa: F401
    audit,
    ballots,
    community,
    conversations,
    councils,
    events,
    inbox,
    meetings,
    outbox,
    registration,
    residents,
    topic_comments,
    topics,
)

metadata = SQLModel.metadata
