"""privacy and legal thresholds: the demand's base and record, one threshold event per topic, forgetting

Revision ID: 0003b
Revises: 0003d
Create Date: 2026-11-24 09:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003b'
down_revision: str | None = '0003d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

THRESHOLD_EVENTS_SQL = "kind IN ('demanded', 'agenda_reached')"


def upgrade() -> None:
    with op.batch_alter_table('topic', schema=None) as batch_op:
        batch_op.add_column(sa.Column('demand_adults', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('demand_adult_base', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('demand_households', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('demand_household_base', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('demand_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('demand_noted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('demand_noted_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_topic_demand_noted_by_resident', 'resident', ['demand_noted_by'], ['id'])
    # Demands recorded before this revision keep their rule; their counts and bases were not kept.
    # Duplicate threshold events from the SQLite race (defect 1): keep the first of each.
    op.execute(
        "DELETE FROM topic_event WHERE " + THRESHOLD_EVENTS_SQL + " AND id NOT IN ("
        "SELECT MIN(id) FROM topic_event WHERE " + THRESHOLD_EVENTS_SQL + " GROUP BY topic_id, kind)")
    op.create_index('uq_topic_event_topic_id', 'topic_event', ['topic_id', 'kind'], unique=True,
                    sqlite_where=sa.text(THRESHOLD_EVENTS_SQL), postgresql_where=sa.text(THRESHOLD_EVENTS_SQL))

    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forgotten_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_pseudonym', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('actor_pseudonym')
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_column('forgotten_at')
    op.drop_index('uq_topic_event_topic_id', table_name='topic_event')
    with op.batch_alter_table('topic', schema=None) as batch_op:
        batch_op.drop_constraint('fk_topic_demand_noted_by_resident', type_='foreignkey')
        for name in ('demand_noted_by', 'demand_noted_at', 'demand_note', 'demand_household_base',
                     'demand_households', 'demand_adult_base', 'demand_adults'):
            batch_op.drop_column(name)
