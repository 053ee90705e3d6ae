"""The outbox: actions for other people, written in the same transaction as the change they report.

Any port action but a button answer can be queued (text with buttons, edit, photo, document, poll, stop
poll); :mod:`storage.action_codec` turns it into JSON, and an upload's bytes go to the ``content`` column.

Delivery is at least once, with a bounded number of duplicates. A row's ``dedupe_key`` is unique; the
sender claims a row (pending → sending, a conditional UPDATE) right before sending it and holds it for
:data:`LEASE`. A row whose lease ran out — its sender died, or hung past the send timeout — may be claimed
again. A message is therefore sent twice only when a sender sent it and then died (or gave up waiting)
before ``mark_sent`` committed: at most one duplicate per crash, since a sender has one row in flight.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import assert_never

from sqlalchemy import BigInteger, Column, LargeBinary, Text, and_, func, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.port import EditText, OutboxAction, SendDocument, SendPhoto, SendPoll, SendText, Sent, StopPoll
from storage import action_codec
from storage.unit import Unit

NORMAL, URGENT = 0, 1
"""Priorities: urgent rows (a change to an event about to start) go before every normal one, in any chat."""

LEASE = timedelta(seconds=60)
"""How long a claim holds. Longer than one send may take (the sender gives up on a send after 30 s)."""


SentHook = Callable[[Unit, str, Sent], Awaitable[None]]
"""What a feature does with the platform's answer to one of its rows (e.g. remember a sent poll's id), called with
the row's dedupe key in the unit of work that marks the row sent. Registered by the key's prefix (before ``:``)."""


def hook_prefix(dedupe_key: str) -> str:
    """The part of a dedupe key that picks its :data:`SentHook`."""
    return dedupe_key.split(":", 1)[0]


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    action_json: str = Field(sa_column=Column(Text, nullable=False))
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    dedupe_key: str = Field(max_length=160, unique=True)
    status: str = Field(default=OutboxStatus.PENDING.value, max_length=10, index=True)
    attempts: int = Field(default=0)
    not_before: datetime = Field(index=True)
    created_at: datetime
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    sent_message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    error: str | None = Field(default=None, max_length=300)
    priority: int = Field(default=NORMAL, sa_column_kwargs={"server_default": "0"})

    @property
    def action(self) -> OutboxAction:
        return action_codec.decode(self.action_json, self.content)

    @property
    def text(self) -> str:
        """What the recipient reads: the text, caption or poll question ("" for a stop)."""
        action = self.action
        match action:
            case SendText() | EditText():
                return action.text
            case SendDocument() | SendPhoto():
                return action.caption or ""
            case SendPoll():
                return action.question
            case StopPoll():
                return ""
            case _:
                assert_never(action)


async def enqueue(session: AsyncSession, action: OutboxAction, dedupe_key: str, now: datetime,
                  community_id: int | None = None, not_before: datetime | None = None,
                  priority: int = NORMAL) -> bool:
    """Queue ``action`` unless a row with the same key exists (one atomic insert). Returns True if queued."""
    payload, blob = action_codec.encode(action)
    values = {"community_id": community_id, "chat_id": action.chat_id, "action_json": payload, "content": blob,
              "dedupe_key": dedupe_key, "status": OutboxStatus.PENDING.value, "attempts": 0,
              "not_before": not_before or now, "created_at": now, "priority": priority}
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    result = await session.exec(statement)  # type: ignore[call-overload]
    return bool(result.rowcount == 1)


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Pending and due, or claimed by a sender whose lease ran out."""
    return or_(
        and_(col(OutboxMessage.status) == OutboxStatus.PENDING.value, col(OutboxMessage.not_before) <= now),
        and_(col(OutboxMessage.status) == OutboxStatus.SENDING.value, col(OutboxMessage.claimed_at) < now - LEASE),
    )


async def due(session: AsyncSession, now: datetime, limit: int = 100, per_chat: int = 5) -> list[OutboxMessage]:
    """Rows to send now, fairly: the oldest ``per_chat`` of each chat, round-robin across chats.

    The order is (position in its chat, id): every chat's first row, then every chat's second, …,
    so a backlog to one group cannot push a private notice out of the batch or behind itself.
    Urgent rows come first, in every chat and in the batch: a backlog of announcements never holds up
    the news that an event starting within hours has moved.
    """
    priority = col(OutboxMessage.priority).desc()
    position = func.row_number().over(partition_by=col(OutboxMessage.chat_id),
                                      order_by=(priority, col(OutboxMessage.id)))
    ranked = select(OutboxMessage, position.label("position")).where(_claimable(now)).subquery()
    row = aliased(OutboxMessage, ranked)
    statement = (select(row).where(ranked.c.position <= per_chat)
                 .order_by(ranked.c.priority.desc(), ranked.c.position, ranked.c.id).limit(limit))
    return list((await session.exec(statement)).all())


async def claim(session: AsyncSession, message_id: int, now: datetime) -> bool:
    """Take a due row for sending (or one whose lease ran out); False if another sender holds it."""
    result = await session.exec(  # type: ignore[call-overload]
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, _claimable(now))
        .values(status=OutboxStatus.SENDING.value, claimed_at=now, attempts=OutboxMessage.attempts + 1)
    )
    return bool(result.rowcount == 1)


async def mark_sent(session: AsyncSession, message_id: int, now: datetime, sent_message_id: int | None = None) -> None:
    await session.exec(  # type: ignore[call-overload]
        update(OutboxMessage).where(col(OutboxMessage.id) == message_id)
        .values(status=OutboxStatus.SENT.value, sent_at=now, sent_message_id=sent_message_id, error=None)
    )


async def mark_failed(session: AsyncSession, message_id: int, error: str) -> None:
    await session.exec(  # type: ignore[call-overload]
        update(OutboxMessage).where(col(OutboxMessage.id) == message_id)
        .values(status=OutboxStatus.FAILED.value, error=error[:300])
    )


async def postpone(session: AsyncSession, message_id: int, until: datetime, error: str) -> None:
    await session.exec(  # type: ignore[call-overload]
        update(OutboxMessage).where(col(OutboxMessage.id) == message_id)
        .values(status=OutboxStatus.PENDING.value, not_before=until, error=error[:300])
    )


async def sent_message_id(session: AsyncSession, dedupe_key: str) -> int | None:
    """The platform's message id of a sent row (to edit it or stop its poll later); None if not sent yet."""
    statement = select(OutboxMessage.sent_message_id).where(OutboxMessage.dedupe_key == dedupe_key,
                                                            OutboxMessage.status == OutboxStatus.SENT.value)
    return (await session.exec(statement)).first()


async def pending_count(session: AsyncSession) -> int:
    statement = select(func.count()).select_from(OutboxMessage).where(
        col(OutboxMessage.status).in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value])
    )
    return int((await session.exec(statement)).one())
