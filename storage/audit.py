"""The audit log: who did what, when. Rows are only ever added."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Text
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    actor_telegram_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    # Set when the actor deleted their data: their Telegram id is gone, their rows still belong together.
    actor_pseudonym: str | None = Field(default=None, max_length=24)
    action: str = Field(max_length=60, index=True)
    subject: str = Field(default="", max_length=120)
    detail_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    at: datetime


async def record(session: AsyncSession, *, community_id: int | None, actor: int | None, action: str,
                 subject: str = "", now: datetime, **detail: Any) -> None:
    session.add(AuditEntry(community_id=community_id, actor_telegram_id=actor, action=action,
                           subject=subject, detail_json=json.dumps(detail, ensure_ascii=False, default=str),
                           at=now))


async def entries(session: AsyncSession, community_id: int, action: str | None = None) -> list[AuditEntry]:
    statement = select(AuditEntry).where(AuditEntry.community_id == community_id)
    if action:
        statement = statement.where(AuditEntry.action == action)
    return list((await session.exec(statement.order_by(col(AuditEntry.id)))).all())
