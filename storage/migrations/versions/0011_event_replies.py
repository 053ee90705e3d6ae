"""event replies (RSVP and the waitlist), the monthly template and its months, due reminders; outbox priority

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 19:30:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('event_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('venue', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('rain_venue', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('reserved', sa.Integer(), nullable=False),
    sa.Column('lead_days', sa.Integer(), nullable=False),
    sa.Column('families', sa.Boolean(), nullable=False),
    sa.Column('household_max', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_event_template_community_id_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_template'))
    )
    with op.batch_alter_table('event_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_template_community_id'), ['community_id'], unique=False)

    op.create_table('event_month_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('skip', sa.Boolean(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=True),
    sa.Column('venue', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['event_template.id'], name=op.f('fk_event_month_change_template_id_event_template')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_month_change')),
    sa.UniqueConstraint('template_id', 'month', name=op.f('uq_event_month_change_template_id'))
    )
    op.create_table('event_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('offset_minutes', sa.Integer(), nullable=False),
    sa.Column('due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_reminder_event_id_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_reminder')),
    sa.UniqueConstraint('event_id', 'offset_minutes', name=op.f('uq_event_reminder_event_id'))
    )
    with op.batch_alter_table('event_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_reminder_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_reminder_status'), ['status'], unique=False)

    op.create_table('event_reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('party', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('adults', sa.Integer(), nullable=False),
    sa.Column('children', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_reply_event_id_event')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_event_reply_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_reply')),
    sa.UniqueConstraint('event_id', 'party', name=op.f('uq_event_reply_event_id'))
    )
    with op.batch_alter_table('event_reply', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_reply_resident_id'), ['resident_id'], unique=False)

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.Integer(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('priority')

    with op.batch_alter_table('event_reply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_reply_resident_id'))

    op.drop_table('event_reply')
    with op.batch_alter_table('event_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_reminder_status'))
        batch_op.drop_index(batch_op.f('ix_event_reminder_due_at'))

    op.drop_table('event_reminder')
    op.drop_table('event_month_change')
    with op.batch_alter_table('event_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_template_community_id'))

    op.drop_table('event_template')
