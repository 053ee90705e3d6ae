"""monthly exports: the row that claims a month's workbook sent to the committee chat on the 1st

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 10:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('monthly_export_send',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'],
                            name=op.f('fk_monthly_export_send_community_id_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_export_send')),
    sa.UniqueConstraint('community_id', 'period', name=op.f('uq_monthly_export_send_community_id'))
    )


def downgrade() -> None:
    op.drop_table('monthly_export_send')
