"""event extras: programme items, volunteer roles and sign-ups, attendance and check-in code tries

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 19:30:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('event_volunteer_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('slots', sa.Integer(), nullable=False),
    sa.Column('taken', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint('taken >= 0 AND taken <= slots', name=op.f('ck_event_volunteer_role_taken_within_slots')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_volunteer_role_event_id_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_volunteer_role')),
    sa.UniqueConstraint('event_id', 'name', name=op.f('uq_event_volunteer_role_event_id'))
    )
    with op.batch_alter_table('event_volunteer_role', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_volunteer_role_event_id'), ['event_id'], unique=False)

    op.create_table('event_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('adults', sa.Integer(), nullable=False),
    sa.Column('children', sa.Integer(), nullable=False),
    sa.Column('by_committee', sa.Boolean(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_attendance_event_id_event')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_event_attendance_household_id_household')),
    sa.ForeignKeyConstraint(['recorded_by'], ['resident.id'], name=op.f('fk_event_attendance_recorded_by_resident')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_event_attendance_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_attendance')),
    sa.UniqueConstraint('household_id', 'event_id', name=op.f('uq_event_attendance_household_id')),
    sa.UniqueConstraint('resident_id', 'event_id', name=op.f('uq_event_attendance_resident_id'))
    )
    with op.batch_alter_table('event_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_attendance_event_id'), ['event_id'], unique=False)

    op.create_table('event_checkin_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_checkin_attempt_event_id_event')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_event_checkin_attempt_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_checkin_attempt'))
    )
    with op.batch_alter_table('event_checkin_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_checkin_attempt_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_checkin_attempt_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_checkin_attempt_resident_id'), ['resident_id'], unique=False)

    op.create_table('event_programme_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('proposer_id', sa.Integer(), nullable=True),
    sa.Column('resident_planned', sa.Boolean(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('performers', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('needs', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('decline_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['resident.id'], name=op.f('fk_event_programme_item_decided_by_resident')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_programme_item_event_id_event')),
    sa.ForeignKeyConstraint(['proposer_id'], ['resident.id'], name=op.f('fk_event_programme_item_proposer_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_programme_item'))
    )
    with op.batch_alter_table('event_programme_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_programme_item_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_programme_item_proposer_id'), ['proposer_id'], unique=False)

    op.create_table('event_volunteer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_volunteer_event_id_event')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_event_volunteer_resident_id_resident')),
    sa.ForeignKeyConstraint(['role_id'], ['event_volunteer_role.id'], name=op.f('fk_event_volunteer_role_id_event_volunteer_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_volunteer')),
    sa.UniqueConstraint('resident_id', 'event_id', name=op.f('uq_event_volunteer_resident_id'))
    )
    with op.batch_alter_table('event_volunteer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_volunteer_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_volunteer_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_volunteer_role_id'), ['role_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('event_volunteer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_volunteer_role_id'))
        batch_op.drop_index(batch_op.f('ix_event_volunteer_resident_id'))
        batch_op.drop_index(batch_op.f('ix_event_volunteer_event_id'))

    op.drop_table('event_volunteer')
    with op.batch_alter_table('event_programme_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_programme_item_proposer_id'))
        batch_op.drop_index(batch_op.f('ix_event_programme_item_event_id'))

    op.drop_table('event_programme_item')
    with op.batch_alter_table('event_checkin_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_checkin_attempt_resident_id'))
        batch_op.drop_index(batch_op.f('ix_event_checkin_attempt_event_id'))
        batch_op.drop_index(batch_op.f('ix_event_checkin_attempt_at'))

    op.drop_table('event_checkin_attempt')
    with op.batch_alter_table('event_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_attendance_event_id'))

    op.drop_table('event_attendance')
    with op.batch_alter_table('event_volunteer_role', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_volunteer_role_event_id'))

    op.drop_table('event_volunteer_role')
