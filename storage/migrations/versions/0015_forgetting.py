"""deleting one's data: the rows that must outlive the link to their author may lose it (event replies of the past,
open ballots, quick polls, amendments)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 20:30:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (('event_reply', 'resident_id'), ('open_ballot', 'cast_by'), ('quick_poll', 'created_by'),
           ('amendment', 'author_id'))


def upgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # fails while a forgotten person's row remains without its author (that is the point of the upgrade)
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.Integer(), nullable=False)
