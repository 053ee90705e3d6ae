"""Overdue topics: once a day per topic, remind the committee that an answer is still owed.

Thin on purpose: the use case says what is due and who must hear it; the notifier renders and queues it. The
outbox key names the topic and the community's calendar day, so running the job every few minutes (or on two
workers) queues one alert per topic per day per chat; a topic answered in the meantime is no longer due.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from scheduler.notifier import Notifier
from storage.community import Community
from storage.topic_notices import overdue_alerts


async def alert_overdue_topics(sessions: async_sessionmaker[AsyncSession], notifier: Notifier, clock: Clock) -> int:
    """Queue the day's overdue alerts; returns how many outbox rows were newly queued."""
    now = clock.now()
    queued = 0
    async with sessions() as session:
        for community in (await session.exec(select(Community))).all():
            queued += await notifier.queue(session, community, await overdue_alerts(session, community, now), now)
        await session.commit()
    return queued
