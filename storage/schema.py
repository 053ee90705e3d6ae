"""Every table module, imported once so SQLModel.metadata (and Alembic) know them all.

A feature with tables adds its module here.
"""

from sqlmodel import SQLModel

from storage import audit, community, conversations, outbox, registration, residents  # noqa: F401

metadata = SQLModel.metadata
