"""electorates: owners and their flats, residents' groups and representatives, household representatives;
the flat's area in exact hundredths of m²

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 10:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'resident_group',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['community.id'],
                                name=op.f('fk_resident_group_community_id_community')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_group')),
        sa.UniqueConstraint('community_id', 'name', name=op.f('uq_resident_group_community_id')),
    )
    op.create_index(op.f('ix_resident_group_community_id'), 'resident_group', ['community_id'], unique=False)

    op.create_table(
        'owner',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=True),
        sa.Column('is_developer', sa.Boolean(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_owner_community_id_community')),
        sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_owner_resident_id_resident')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_owner')),
        sa.UniqueConstraint('community_id', 'key', name=op.f('uq_owner_community_id')),
    )
    op.create_index(op.f('ix_owner_community_id'), 'owner', ['community_id'], unique=False)
    op.create_index(op.f('ix_owner_resident_id'), 'owner', ['resident_id'], unique=False)

    op.create_table(
        'ownership',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('household_id', sa.Integer(), nullable=False),
        sa.Column('share_note', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(['household_id'], ['household.id'],
                                name=op.f('fk_ownership_household_id_household')),
        sa.ForeignKeyConstraint(['owner_id'], ['owner.id'], name=op.f('fk_ownership_owner_id_owner')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ownership')),
        sa.UniqueConstraint('owner_id', 'household_id', name=op.f('uq_ownership_owner_id')),
    )
    op.create_index(op.f('ix_ownership_household_id'), 'ownership', ['household_id'], unique=False)
    op.create_index(op.f('ix_ownership_owner_id'), 'ownership', ['owner_id'], unique=False)

    op.create_table(
        'group_representative',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('seat', sa.Integer(), nullable=False),
        sa.Column('since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint('seat BETWEEN 1 AND 3', name=op.f('ck_group_representative_seat_range')),
        sa.ForeignKeyConstraint(['community_id'], ['community.id'],
                                name=op.f('fk_group_representative_community_id_community')),
        sa.ForeignKeyConstraint(['group_id'], ['resident_group.id'],
                                name=op.f('fk_group_representative_group_id_resident_group')),
        sa.ForeignKeyConstraint(['resident_id'], ['resident.id'],
                                name=op.f('fk_group_representative_resident_id_resident')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_group_representative')),
        sa.UniqueConstraint('group_id', 'seat', name=op.f('uq_group_representative_group_id')),
        sa.UniqueConstraint('resident_id', name=op.f('uq_group_representative_resident_id')),
    )
    op.create_index(op.f('ix_group_representative_community_id'), 'group_representative', ['community_id'],
                    unique=False)
    op.create_index(op.f('ix_group_representative_group_id'), 'group_representative', ['group_id'], unique=False)

    op.create_table(
        'representative',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['community.id'],
                                name=op.f('fk_representative_community_id_community')),
        sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_representative_resident_id_resident')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_representative')),
        sa.UniqueConstraint('resident_id', name=op.f('uq_representative_resident_id')),
    )
    op.create_index(op.f('ix_representative_community_id'), 'representative', ['community_id'], unique=False)

    op.create_table(
        'household_representative',
        sa.Column('household_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('set_by', sa.Integer(), nullable=True),
        sa.Column('how', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('set_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['household_id'], ['household.id'],
                                name=op.f('fk_household_representative_household_id_household')),
        sa.ForeignKeyConstraint(['resident_id'], ['resident.id'],
                                name=op.f('fk_household_representative_resident_id_resident')),
        sa.PrimaryKeyConstraint('household_id', name=op.f('pk_household_representative')),
    )
    op.create_index(op.f('ix_household_representative_resident_id'), 'household_representative', ['resident_id'],
                    unique=False)

    # The flat's area, exact: hundredths of m² from the float the roster stored (rounded half up).
    op.add_column('household', sa.Column('area_hundredths', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE household SET area_hundredths = CAST(ROUND(CAST(floor_area AS NUMERIC) * 100) AS INTEGER)")

    # Buildings belong to a residents' group. SQLite cannot add a constraint to a table, but can add a column
    # that carries one (a table rebuild would trip over the households referring to the buildings).
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("ALTER TABLE building ADD COLUMN group_id INTEGER "
                   "CONSTRAINT fk_building_group_id_resident_group REFERENCES resident_group (id)")
    else:
        op.add_column('building', sa.Column('group_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_building_group_id_resident_group'), 'building', 'resident_group',
                              ['group_id'], ['id'])
    # Groups named in the roster become residents' groups.
    op.execute("INSERT INTO resident_group (community_id, name, created_at) "
               "SELECT DISTINCT b.community_id, b.group_name, c.created_at FROM building b "
               "JOIN community c ON c.id = b.community_id WHERE b.group_name IS NOT NULL AND b.group_name <> ''")
    op.execute("UPDATE building SET group_id = (SELECT g.id FROM resident_group g "
               "WHERE g.community_id = building.community_id AND g.name = building.group_name) "
               "WHERE group_name IS NOT NULL AND group_name <> ''")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("ALTER TABLE building DROP COLUMN group_id")
    else:
        op.drop_constraint(op.f('fk_building_group_id_resident_group'), 'building', type_='foreignkey')
        op.drop_column('building', 'group_id')
    op.drop_column('household', 'area_hundredths')
    op.drop_index(op.f('ix_household_representative_resident_id'), table_name='household_representative')
    op.drop_table('household_representative')
    op.drop_index(op.f('ix_representative_community_id'), table_name='representative')
    op.drop_table('representative')
    op.drop_index(op.f('ix_group_representative_group_id'), table_name='group_representative')
    op.drop_index(op.f('ix_group_representative_community_id'), table_name='group_representative')
    op.drop_table('group_representative')
    op.drop_index(op.f('ix_ownership_owner_id'), table_name='ownership')
    op.drop_index(op.f('ix_ownership_household_id'), table_name='ownership')
    op.drop_table('ownership')
    op.drop_index(op.f('ix_owner_resident_id'), table_name='owner')
    op.drop_index(op.f('ix_owner_community_id'), table_name='owner')
    op.drop_table('owner')
    op.drop_index(op.f('ix_resident_group_community_id'), table_name='resident_group')
    op.drop_table('resident_group')
