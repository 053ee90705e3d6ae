"""one pending join request per person and community (a partial unique index)

Revision ID: 0003e
Revises: 0003c
Create Date: 2026-11-23 15:10:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003e'
down_revision: str | None = '0003c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Keep the newest of any duplicates the old check-then-insert let through, reject the others.
    op.execute("""
        UPDATE join_request SET status = 'rejected'
        WHERE status = 'pending' AND id NOT IN (
            SELECT max_id FROM (SELECT max(id) AS max_id FROM join_request WHERE status = 'pending'
                                GROUP BY community_id, telegram_user_id) AS newest)
    """)
    op.create_index('uq_join_request_pending', 'join_request', ['community_id', 'telegram_user_id'], unique=True,
                    sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))


def downgrade() -> None:
    op.drop_index('uq_join_request_pending', table_name='join_request',
                  sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
