"""The monthly workbook sent to the committee chat on the 1st: due once per (community, month), claimed by a row.

At 09:00 community time on the 1st (and at any later tick of that month, should the bot have been down) the
previous month is due for a community with a bound committee chat, unless a ``monthly_export_send`` row says it
was sent. :func:`send_due` inserts that row first (its unique key decides: a second worker, or a second run after a
restart, inserts nothing), then writes the workbook, queues it to the committee chat through the outbox and records
the export in the audit log — all in one unit of work: a crash before the commit leaves no row, so the next tick
sends it; after the commit the outbox delivers it.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel, select

from core.monthly import Month
from handlers.port import SendDocument
from locales.catalogs import DEFAULT_LANGUAGE, Translator
from storage import outbox
from storage.community import Community
from storage.exports.monthly_data import Format, Source, month_of, previous, write_month
from storage.exports.tables import labels
from storage.unit import Unit

SEND_AT = time(9, 0)  # community time, on the 1st
OUTBOX_PREFIX = "exports-monthly"


class MonthlyExportSend(SQLModel, table=True):
    """One month's workbook sent (queued) to one community's committee chat: the row is the claim."""

    __tablename__ = "monthly_export_send"
    __table_args__ = (UniqueConstraint("community_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    period: str = Field(max_length=7)  # "2026-11"
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    file_name: str = Field(max_length=80)
    size: int = Field(default=0)  # bytes of the workbook
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class Sent:
    community_id: int
    period: str
    chat_id: int
    file_name: str
    size: int


def due_month(now: datetime, timezone: str) -> Month | None:
    """The month whose workbook is due at ``now`` (the previous one, from the 1st at 09:00 on); None before that on
    the 1st."""
    local = now.astimezone(ZoneInfo(timezone))
    if local.day == 1 and local.time() < SEND_AT:
        return None
    return previous(month_of(now, timezone))


async def _already(unit: Unit, community_id: int, period: str) -> bool:
    statement = select(MonthlyExportSend.id).where(MonthlyExportSend.community_id == community_id,
                                                   MonthlyExportSend.period == period)
    return (await unit.session.exec(statement)).first() is not None


async def _claim(unit: Unit, community_id: int, period: str, chat_id: int, now: datetime) -> bool:
    session = unit.session
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (insert(MonthlyExportSend)
                 .values(community_id=community_id, period=period, chat_id=chat_id, file_name="", size=0, sent_at=now)
                 .on_conflict_do_nothing(index_elements=["community_id", "period"]))
    result = await session.exec(statement)  # type: ignore[call-overload]
    return bool(result.rowcount == 1)


async def send_due(unit: Unit, community_id: int, now: datetime, *, language: str = DEFAULT_LANGUAGE,
                   translator: Translator | None = None) -> Sent | None:
    """Send the month that is due (if any, and not sent yet) to the committee chat; None when there was nothing to
    do. The caller commits."""
    session = unit.session
    community = await session.get(Community, community_id)
    if community is None or community.committee_chat_id is None:
        return None
    month = due_month(now, community.timezone)
    if month is None or await _already(unit, community_id, str(month)):
        return None
    if not await _claim(unit, community_id, str(month), community.committee_chat_id, now):
        return None
    buffer = io.BytesIO()
    written = await write_month(unit, community_id, month, Format.XLSX, buffer, now=now, actor=None,
                                source=Source.SCHEDULED, language=language, translator=translator)
    content = buffer.getvalue()
    t: Callable[..., str] = labels(language, translator)
    caption = t("exports.scheduled_caption", community=html.escape(community.name, quote=False), month=str(month))
    await outbox.enqueue(session, SendDocument(community.committee_chat_id, written.file_name, content, caption),
                         f"{OUTBOX_PREFIX}:{community_id}:{month}", now, community_id=community_id)
    row = (await session.exec(select(MonthlyExportSend).where(MonthlyExportSend.community_id == community_id,
                                                              MonthlyExportSend.period == str(month)))).one()
    row.file_name, row.size = written.file_name, len(content)
    session.add(row)
    return Sent(community_id, str(month), community.committee_chat_id, written.file_name, len(content))
