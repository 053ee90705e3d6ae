"""form identity: every form instance gets an id that is never reused

Revision ID: 0003a
Revises: 0002
Create Date: 2026-11-23 14:50:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003a'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Half-filled forms from before carry no identity: their buttons become stale, the form itself goes on.
    with op.batch_alter_table('conversation_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form_id', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('conversation_state', schema=None) as batch_op:
        batch_op.drop_column('form_id')
