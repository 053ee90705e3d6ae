"""trust in the count: receipts on every ballot, the ballot record (hash chain), the secret box waiting to be
sealed, paper ballots (scrutineers, the hall's register, entries), written proxies, the community's trust settings

Ballots cast before this revision get a receipt each (unique per meeting) and the online channel; they have no
events on the record (a meeting counted before it verifies as "no record").

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 19:40:44

"""
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

ALPHABET = "ACDEFGHJKMNPRTUVWXY3479"  # core.receipts (a migration does not import the application)


revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('secret_box',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('marks', sa.BigInteger(), nullable=False),
    sa.Column('receipt', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_secret_box')),
    sa.UniqueConstraint('meeting_id', 'receipt', name=op.f('uq_secret_box_meeting_id')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('secret_box', schema=None) as batch_op:
        batch_op.create_index('ix_secret_box_item_id', ['item_id', 'round'], unique=False)

    op.create_table('trust_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('proxy_limit', sa.Integer(), nullable=False),
    sa.Column('bulletin_households', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_trust_setting_community_id_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trust_setting')),
    sa.UniqueConstraint('community_id', name=op.f('uq_trust_setting_community_id'))
    )
    op.create_table('ballot_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('prev', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_ballot_event_meeting_id_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_event'))
    )
    with op.batch_alter_table('ballot_event', schema=None) as batch_op:
        batch_op.create_index('ix_ballot_event_meeting_id', ['meeting_id', 'seq'], unique=False)

    op.create_table('meeting_proxy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('grantor_id', sa.Integer(), nullable=False),
    sa.Column('proxy_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('form_file_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('registered_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['grantor_id'], ['resident.id'], name=op.f('fk_meeting_proxy_grantor_id_resident')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_proxy_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['proxy_id'], ['resident.id'], name=op.f('fk_meeting_proxy_proxy_id_resident')),
    sa.ForeignKeyConstraint(['registered_by'], ['resident.id'], name=op.f('fk_meeting_proxy_registered_by_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_proxy')),
    sa.UniqueConstraint('meeting_id', 'grantor_id', name='uq_meeting_proxy_grantor'),
    sa.UniqueConstraint('meeting_id', 'proxy_id', 'slot', name='uq_meeting_proxy_slot')
    )
    with op.batch_alter_table('meeting_proxy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_proxy_proxy_id'), ['proxy_id'], unique=False)

    op.create_table('meeting_scrutineer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('named_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_scrutineer_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_meeting_scrutineer_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_scrutineer')),
    sa.UniqueConstraint('meeting_id', 'resident_id', name=op.f('uq_meeting_scrutineer_meeting_id'))
    )
    op.create_table('paper_voter',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('elector_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['elector_id'], ['meeting_elector.id'], name=op.f('fk_paper_voter_elector_id_meeting_elector')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_paper_voter_meeting_id_meeting')),
    sa.PrimaryKeyConstraint('meeting_id', 'round', 'elector_id', name=op.f('pk_paper_voter')),
    sqlite_with_rowid=False
    )
    op.create_table('paper_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('elector_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('marks_json', sa.Text(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('receipts_json', sa.Text(), nullable=True),
    sa.Column('entered_by', sa.Integer(), nullable=False),
    sa.Column('confirmed_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by'], ['resident.id'], name=op.f('fk_paper_entry_confirmed_by_resident')),
    sa.ForeignKeyConstraint(['elector_id'], ['meeting_elector.id'], name=op.f('fk_paper_entry_elector_id_meeting_elector')),
    sa.ForeignKeyConstraint(['entered_by'], ['resident.id'], name=op.f('fk_paper_entry_entered_by_resident')),
    sa.ForeignKeyConstraint(['item_id'], ['meeting_item.id'], name=op.f('fk_paper_entry_item_id_meeting_item')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_paper_entry_meeting_id_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_entry'))
    )
    with op.batch_alter_table('paper_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_entry_meeting_id'), ['meeting_id'], unique=False)

    with op.batch_alter_table('meeting_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_head', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('paper_closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    for table in ('open_ballot', 'secret_ballot'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('meeting_id', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('receipt', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
            batch_op.add_column(sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
        _fill(table)
    with op.batch_alter_table('open_ballot', schema=None) as batch_op:
        for name in ('meeting_id', 'receipt', 'channel'):
            batch_op.alter_column(name, nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_open_ballot_meeting_id'), ['meeting_id', 'receipt'])
        batch_op.create_foreign_key(batch_op.f('fk_open_ballot_meeting_id_meeting'), 'meeting', ['meeting_id'], ['id'])

    with op.batch_alter_table('secret_ballot', schema=None) as batch_op:
        for name in ('meeting_id', 'receipt', 'channel'):
            batch_op.alter_column(name, nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_secret_ballot_meeting_id'), ['meeting_id', 'receipt'])



def _fill(table: str) -> None:
    """Existing ballots: their meeting (from the item), the online channel, a fresh receipt unique per meeting."""
    bind = op.get_bind()
    bind.execute(sa.text(f"UPDATE {table} SET channel = 'online', meeting_id = "
                         f"(SELECT meeting_item.meeting_id FROM meeting_item WHERE meeting_item.id = {table}.item_id)"))
    rows = bind.execute(sa.text(f"SELECT id, meeting_id FROM {table}")).all()
    taken: set[tuple[int, str]] = set()
    for row_id, meeting_id in rows:
        receipt = ''.join(secrets.choice(ALPHABET) for _ in range(8))
        while (meeting_id, receipt) in taken:
            receipt = ''.join(secrets.choice(ALPHABET) for _ in range(8))
        taken.add((meeting_id, receipt))
        bind.execute(sa.text(f"UPDATE {table} SET receipt = :receipt WHERE id = :id"), {"receipt": receipt, "id": row_id})


def downgrade() -> None:
    with op.batch_alter_table('secret_ballot', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_secret_ballot_meeting_id'), type_='unique')
        batch_op.drop_column('channel')
        batch_op.drop_column('receipt')
        batch_op.drop_column('meeting_id')

    with op.batch_alter_table('open_ballot', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_open_ballot_meeting_id_meeting'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_open_ballot_meeting_id'), type_='unique')
        batch_op.drop_column('channel')
        batch_op.drop_column('receipt')
        batch_op.drop_column('meeting_id')

    with op.batch_alter_table('meeting_round', schema=None) as batch_op:
        batch_op.drop_column('paper_closed_at')
        batch_op.drop_column('chain_head')

    with op.batch_alter_table('paper_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_entry_meeting_id'))

    op.drop_table('paper_entry')
    op.drop_table('paper_voter')
    op.drop_table('meeting_scrutineer')
    with op.batch_alter_table('meeting_proxy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_proxy_proxy_id'))

    op.drop_table('meeting_proxy')
    with op.batch_alter_table('ballot_event', schema=None) as batch_op:
        batch_op.drop_index('ix_ballot_event_meeting_id')

    op.drop_table('ballot_event')
    op.drop_table('trust_setting')
    with op.batch_alter_table('secret_box', schema=None) as batch_op:
        batch_op.drop_index('ix_secret_box_item_id')

    op.drop_table('secret_box')
