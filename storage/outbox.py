"""The outbox: messages to other people, written in the same transaction as the change they report.

A row is sent once: its ``dedupe_key`` is unique, and the sender claims it (pending → sending)
with a conditional UPDATE before sending, so two workers or a restart never send it twice.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Column, Text, update
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession


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
    text: str = Field(sa_column=Column(Text, nullable=False))
    buttons_json: str | None = Field(default=None, sa_column=Column(Text))
    dedupe_key: str = Field(max_length=160, unique=True)
    status: str = Field(default=OutboxStatus.PENDING.value, max_length=10, index=True)
    attempts: int = Field(default=0)
    not_before: datetime = Field(index=True)
    created_at: datetime
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    error: str | None = Field(default=None, max_length=300)

    @property
    def buttons(self) -> list[list[dict[str, Any]]] | None:
        return json.loads(self.buttons_json) if self.buttons_json else None


async def enqueue(session: AsyncSession, *, chat_id: int, text: str, dedupe_key: str, now: datetime,
                  buttons: list[list[dict[str, Any]]] | None = None, community_id: int | None = None,
                  not_before: datetime | None = None) -> bool:
    """Queue a message unless one with the same key exists. Returns True if queued."""
    existing = (await session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))).first()
    if existing is not None:
        return False
    session.add(OutboxMessage(
        community_id=community_id, chat_id=chat_id, text=text, dedupe_key=dedupe_key,
        buttons_json=json.dumps(buttons, ensure_ascii=False) if buttons else None,
        not_before=not_before or now, created_at=now,
    ))
    await session.flush()
    return True


async def due(session: AsyncSession, now: datetime, limit: int = 50) -> list[OutboxMessage]:
    statement = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING.value, OutboxMessage.not_before <= now)
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    )
    return list((await session.exec(statement)).all())


async def claim(session: AsyncSession, message_id: int, now: datetime) -> bool:
    """Take a pending row for sending; False if another worker took it first."""
    result = await session.exec(  # type: ignore[call-overload]
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == OutboxStatus.PENDING.value)
        .values(status=OutboxStatus.SENDING.value, claimed_at=now, attempts=OutboxMessage.attempts + 1)
    )
    return bool(result.rowcount == 1)


async def mark_sent(session: AsyncSession, message_id: int, now: datetime) -> None:
    await session.exec(  # type: ignore[call-overload]
        update(OutboxMessage).where(col(OutboxMessage.id) == message_id)
        .values(status=OutboxStatus.SENT.value, sent_at=now, error=None)
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


async def release_stuck(session: AsyncSession, now: datetime, older_than: timedelta) -> int:
    """Rows claimed by a worker that died are put back (at-least-once after a crash mid-send)."""
    result = await session.exec(  # type: ignore[call-overload]
        update(OutboxMessage)
        .where(col(OutboxMessage.status) == OutboxStatus.SENDING.value,
               col(OutboxMessage.claimed_at) < now - older_than)
        .values(status=OutboxStatus.PENDING.value)
    )
    return int(result.rowcount or 0)


async def pending_count(session: AsyncSession) -> int:
    from sqlalchemy import func

    statement = select(func.count()).select_from(OutboxMessage).where(
        col(OutboxMessage.status).in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value])
    )
    return int((await session.exec(statement)).one())
