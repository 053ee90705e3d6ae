"""quick polls (the committee's advisory native polls, their answers and the answers' history)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 19:30:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('quick_poll',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('question', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('options_json', sa.Text(), nullable=False),
    sa.Column('telegram_poll_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('closes_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by'], ['resident.id'], name=op.f('fk_quick_poll_closed_by_resident')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_quick_poll_community_id_community')),
    sa.ForeignKeyConstraint(['created_by'], ['resident.id'], name=op.f('fk_quick_poll_created_by_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quick_poll')),
    sa.UniqueConstraint('telegram_poll_id', name=op.f('uq_quick_poll_telegram_poll_id'))
    )
    with op.batch_alter_table('quick_poll', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quick_poll_closes_at'), ['closes_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_quick_poll_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quick_poll_status'), ['status'], unique=False)

    op.create_table('quick_poll_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telegram_poll_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('telegram_user_id', sa.BigInteger(), nullable=True),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('choice', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('update_id', sa.BigInteger(), nullable=False),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_quick_poll_answer_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quick_poll_answer')),
    sa.UniqueConstraint('telegram_poll_id', 'telegram_user_id', name=op.f('uq_quick_poll_answer_telegram_poll_id'))
    )
    op.create_table('quick_poll_answer_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telegram_poll_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('telegram_user_id', sa.BigInteger(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('choice', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('update_id', sa.BigInteger(), nullable=False),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_quick_poll_answer_change_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quick_poll_answer_change')),
    sa.UniqueConstraint('update_id', name=op.f('uq_quick_poll_answer_change_update_id'))
    )
    with op.batch_alter_table('quick_poll_answer_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quick_poll_answer_change_telegram_poll_id'), ['telegram_poll_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('quick_poll_answer_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quick_poll_answer_change_telegram_poll_id'))

    op.drop_table('quick_poll_answer_change')
    op.drop_table('quick_poll_answer')
    with op.batch_alter_table('quick_poll', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quick_poll_status'))
        batch_op.drop_index(batch_op.f('ix_quick_poll_community_id'))
        batch_op.drop_index(batch_op.f('ix_quick_poll_closes_at'))

    op.drop_table('quick_poll')
