"""The monthly workbook on the 1st: at 09:00 community time the previous month goes to the committee chat.

Thin on purpose: ``storage.exports.sends.send_due`` claims the (community, month) row, writes the workbook and
queues it through the outbox in one unit of work. Run every few minutes, on any number of workers, after any
restart: each month is sent once.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from locales.catalogs import Translator
from storage.community import Community
from storage.exports import sends
from storage.unit import Unit


async def send_monthly_exports(sessions: async_sessionmaker[AsyncSession], clock: Clock, translator: Translator,
                               language: str) -> int:
    """Send every community's due workbook; returns how many were queued."""
    now = clock.now()
    async with sessions() as session:
        communities = list((await session.exec(select(Community.id).where(
            col(Community.committee_chat_id).is_not(None)))).all())
    queued = 0
    for community_id in communities:
        async with sessions() as session:
            sent = await sends.send_due(Unit(session), community_id or 0, now, language=language,
                                        translator=translator)
            if sent is None:
                await session.rollback()
                continue
            await session.commit()
            queued += 1
    return queued
