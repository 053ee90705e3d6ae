"""inbox: every incoming update, stored before it is acknowledged to Telegram

Revision ID: 0003c
Revises: 0003b
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003c'
down_revision: str | None = '0003b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'inbox_update',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('update_id', sa.BigInteger(), nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('payload', sa.Text(), nullable=True),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('done_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_inbox_update'),
        sa.UniqueConstraint('update_id', name='uq_inbox_update_update_id'),
    )
    with op.batch_alter_table('inbox_update', schema=None) as batch_op:
        batch_op.create_index('ix_inbox_update_status_user_id', ['status', 'user_id'], unique=False)
        batch_op.create_index('ix_inbox_update_done_at', ['done_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inbox_update', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_update_done_at')
        batch_op.drop_index('ix_inbox_update_status_user_id')
    op.drop_table('inbox_update')
