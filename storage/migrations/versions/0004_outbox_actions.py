"""outbox rows carry any port action: JSON action, upload bytes, the sent message's id

Revision ID: 0003d
Revises: 0003a
Create Date: 2026-11-24 10:00:00

"""
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003d'
down_revision: str | None = '0003a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action_json', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('content', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('sent_message_id', sa.BigInteger(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.text('SELECT id, chat_id, text, buttons_json FROM outbox_message')).all()
    for row_id, chat_id, text, buttons_json in rows:
        action = {'type': 'send_text', 'chat_id': chat_id, 'text': text}
        if buttons_json:
            action['buttons'] = [[{k: v for k, v in button.items() if v is not None} for button in line]
                                 for line in json.loads(buttons_json)]
        connection.execute(sa.text('UPDATE outbox_message SET action_json = :action WHERE id = :id'),
                           {'action': json.dumps(action, ensure_ascii=False), 'id': row_id})
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('action_json', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('text')
        batch_op.drop_column('buttons_json')


def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('buttons_json', sa.Text(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.text('SELECT id, action_json FROM outbox_message')).all()
    for row_id, action_json in rows:
        action = json.loads(action_json)
        text = action.get('text') or action.get('caption') or action.get('question') or ''
        buttons = action.get('buttons')
        connection.execute(sa.text('UPDATE outbox_message SET text = :text, buttons_json = :buttons WHERE id = :id'),
                           {'text': text, 'buttons': json.dumps(buttons, ensure_ascii=False) if buttons else None,
                            'id': row_id})
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('text', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('sent_message_id')
        batch_op.drop_column('content')
        batch_op.drop_column('action_json')
