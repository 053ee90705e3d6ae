"""owners in the bot, further rounds and write-ins (issue 8 leftovers): an election's further round points at its
first round (once: unique), and a resident is one option of an item at most (write-ins of the same person at once)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-20 10:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('further_of', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_meeting_further_of'), ['further_of'])
        batch_op.create_foreign_key(batch_op.f('fk_meeting_further_of_meeting'), 'meeting', ['further_of'], ['id'])

    with op.batch_alter_table('meeting_option', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_meeting_option_candidate_id'), ['candidate_id', 'item_id'])


def downgrade() -> None:
    with op.batch_alter_table('meeting_option', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_meeting_option_candidate_id'), type_='unique')

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meeting_further_of_meeting'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_meeting_further_of'), type_='unique')
        batch_op.drop_column('further_of')
