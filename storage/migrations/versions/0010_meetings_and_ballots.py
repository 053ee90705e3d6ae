"""meetings and ballots (issue 8): meetings, items, versions, amendments, rounds, the register, ballots

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 18:55:36.698176

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('secret_ballot',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('marks', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_secret_ballot')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('secret_ballot', schema=None) as batch_op:
        batch_op.create_index('ix_secret_ballot_item_id', ['item_id', 'round'], unique=False)

    op.create_table('voting_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('quorum', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('passing', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('further', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('tie_break', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_voting_rule_community_id_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voting_rule')),
    sa.UniqueConstraint('community_id', 'kind', name=op.f('uq_voting_rule_community_id'))
    )
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('mode', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('rule_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('quorum', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('passing', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('further', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('tie_break', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('opens_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('closes_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('postpone_reason', sa.Text(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_meeting_community_id_community')),
    sa.ForeignKeyConstraint(['created_by'], ['resident.id'], name=op.f('fk_meeting_created_by_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_closes_at'), ['closes_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_opens_at'), ['opens_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_status'), ['status'], unique=False)

    op.create_table('meeting_elector',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('building', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('grp', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('area', sa.BigInteger(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=True),
    sa.Column('late_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['holder_id'], ['resident.id'], name=op.f('fk_meeting_elector_holder_id_resident')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_elector_meeting_id_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_elector')),
    sa.UniqueConstraint('meeting_id', 'round', 'key', name=op.f('uq_meeting_elector_meeting_id'))
    )
    op.create_table('meeting_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_reminder_meeting_id_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_reminder')),
    sa.UniqueConstraint('meeting_id', 'round', 'kind', name=op.f('uq_meeting_reminder_meeting_id'))
    )
    op.create_table('meeting_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('register_size', sa.Integer(), nullable=False),
    sa.Column('register_area', sa.BigInteger(), nullable=False),
    sa.Column('bases_json', sa.Text(), nullable=False),
    sa.Column('turnout_json', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('opened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_round_meeting_id_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_round')),
    sa.UniqueConstraint('meeting_id', 'number', name=op.f('uq_meeting_round_meeting_id'))
    )
    op.create_table('meeting_caster',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('elector_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['elector_id'], ['meeting_elector.id'], name=op.f('fk_meeting_caster_elector_id_meeting_elector')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_caster_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_meeting_caster_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_caster')),
    sa.UniqueConstraint('meeting_id', 'round', 'resident_id', name=op.f('uq_meeting_caster_meeting_id'))
    )
    with op.batch_alter_table('meeting_caster', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_caster_elector_id'), ['elector_id'], unique=False)

    op.create_table('meeting_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('secret', sa.Boolean(), nullable=False),
    sa.Column('matter', sa.Integer(), nullable=True),
    sa.Column('max_marks', sa.Integer(), nullable=False),
    sa.Column('write_in', sa.Boolean(), nullable=False),
    sa.Column('further_round', sa.Boolean(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_item_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_meeting_item_topic_id_topic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_item')),
    sa.UniqueConstraint('meeting_id', 'position', name=op.f('uq_meeting_item_meeting_id'))
    )
    with op.batch_alter_table('meeting_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_item_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('amendment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['resident.id'], name=op.f('fk_amendment_author_id_resident')),
    sa.ForeignKeyConstraint(['decided_by'], ['resident.id'], name=op.f('fk_amendment_decided_by_resident')),
    sa.ForeignKeyConstraint(['item_id'], ['meeting_item.id'], name=op.f('fk_amendment_item_id_meeting_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendment'))
    )
    with op.batch_alter_table('amendment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_amendment_item_id'), ['item_id'], unique=False)

    op.create_table('item_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['meeting_item.id'], name=op.f('fk_item_version_item_id_meeting_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_version')),
    sa.UniqueConstraint('item_id', 'number', name=op.f('uq_item_version_item_id'))
    )
    op.create_table('meeting_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=True),
    sa.Column('written_in', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['resident.id'], name=op.f('fk_meeting_option_candidate_id_resident')),
    sa.ForeignKeyConstraint(['item_id'], ['meeting_item.id'], name=op.f('fk_meeting_option_item_id_meeting_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_option')),
    sa.UniqueConstraint('item_id', 'position', name=op.f('uq_meeting_option_item_id'))
    )
    with op.batch_alter_table('meeting_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_option_item_id'), ['item_id'], unique=False)

    op.create_table('meeting_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('outcome_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['meeting_item.id'], name=op.f('fk_meeting_result_item_id_meeting_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_result')),
    sa.UniqueConstraint('item_id', 'round', name=op.f('uq_meeting_result_item_id'))
    )
    op.create_table('open_ballot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('elector_id', sa.Integer(), nullable=False),
    sa.Column('marks', sa.BigInteger(), nullable=False),
    sa.Column('building', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('grp', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('area', sa.BigInteger(), nullable=False),
    sa.Column('cast_by', sa.Integer(), nullable=False),
    sa.Column('changes', sa.Integer(), nullable=False),
    sa.Column('cast_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cast_by'], ['resident.id'], name=op.f('fk_open_ballot_cast_by_resident')),
    sa.ForeignKeyConstraint(['elector_id'], ['meeting_elector.id'], name=op.f('fk_open_ballot_elector_id_meeting_elector')),
    sa.ForeignKeyConstraint(['item_id'], ['meeting_item.id'], name=op.f('fk_open_ballot_item_id_meeting_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_ballot')),
    sa.UniqueConstraint('item_id', 'round', 'elector_id', name=op.f('uq_open_ballot_item_id'))
    )
    with op.batch_alter_table('open_ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open_ballot_elector_id'), ['elector_id'], unique=False)

    op.create_table('secret_participation',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('elector_id', sa.Integer(), nullable=False),
    sa.Column('building', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('grp', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.ForeignKeyConstraint(['elector_id'], ['meeting_elector.id'], name=op.f('fk_secret_participation_elector_id_meeting_elector')),
    sa.ForeignKeyConstraint(['item_id'], ['meeting_item.id'], name=op.f('fk_secret_participation_item_id_meeting_item')),
    sa.PrimaryKeyConstraint('item_id', 'round', 'elector_id', name=op.f('pk_secret_participation')),
    sqlite_with_rowid=False
    )


def downgrade() -> None:
    op.drop_table('secret_participation')
    with op.batch_alter_table('open_ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_ballot_elector_id'))

    op.drop_table('open_ballot')
    op.drop_table('meeting_result')
    with op.batch_alter_table('meeting_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_option_item_id'))

    op.drop_table('meeting_option')
    op.drop_table('item_version')
    with op.batch_alter_table('amendment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendment_item_id'))

    op.drop_table('amendment')
    with op.batch_alter_table('meeting_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_item_meeting_id'))

    op.drop_table('meeting_item')
    with op.batch_alter_table('meeting_caster', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_caster_elector_id'))

    op.drop_table('meeting_caster')
    op.drop_table('meeting_round')
    op.drop_table('meeting_reminder')
    op.drop_table('meeting_elector')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_status'))
        batch_op.drop_index(batch_op.f('ix_meeting_opens_at'))
        batch_op.drop_index(batch_op.f('ix_meeting_community_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_closes_at'))

    op.drop_table('meeting')
    op.drop_table('voting_rule')
    with op.batch_alter_table('secret_ballot', schema=None) as batch_op:
        batch_op.drop_index('ix_secret_ballot_item_id')

    op.drop_table('secret_ballot')
