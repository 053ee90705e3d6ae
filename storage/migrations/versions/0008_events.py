"""events (the table shared by RSVP, programme, volunteers and check-in)

Revision ID: 0008
Revises: 0003e
Create Date: 2026-12-05 19:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0008'
down_revision: str | None = '0003e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column('starts_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('ends_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('venue', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('rain_venue', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column('rain_plan', sa.Boolean(), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=True),
        sa.Column('reserved', sa.Integer(), nullable=False),
        sa.Column('rsvp_deadline', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('families', sa.Boolean(), nullable=False),
        sa.Column('household_max', sa.Integer(), nullable=False),
        sa.Column('check_in_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('template_id', sa.Integer(), nullable=True),
        sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_event_community_id_community')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event')),
        sa.UniqueConstraint('template_id', 'month', name=op.f('uq_event_template_id')),
    )
    op.create_index(op.f('ix_event_community_id'), 'event', ['community_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_event_community_id'), table_name='event')
    op.drop_table('event')
