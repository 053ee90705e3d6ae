"""Event jobs: make the month's 相约九号 ahead of time, and send the reminders that are due.

Thin on purpose: the use cases (storage.event_schedule) claim what is due in the database and say who must hear
it; the notifier renders and queues it in the same transaction. Run every minute, on any number of workers, after
any restart: each month's event is made once and each reminder sent once (see storage.event_schedule).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from scheduler.notifier import Notifier
from storage import event_schedule
from storage.community import Community
from storage.unit import Unit


async def make_monthly_events(sessions: async_sessionmaker[AsyncSession], notifier: Notifier, clock: Clock) -> int:
    """Make (and announce) the months' events that are due; returns how many outbox rows were queued."""
    now = clock.now()
    queued = 0
    async with sessions() as session:
        for community in (await session.exec(select(Community))).all():
            notices = await event_schedule.make_monthly(Unit(session), community.id or 0, now)
            queued += await notifier.queue(session, community, notices, now)
        await session.commit()
    return queued


async def send_event_reminders(sessions: async_sessionmaker[AsyncSession], notifier: Notifier, clock: Clock,
                               offsets: Sequence[int]) -> int:
    """Claim the reminders that are due and queue them to everyone going; returns how many rows were queued."""
    now = clock.now()
    queued = 0
    async with sessions() as session:
        for community in (await session.exec(select(Community))).all():
            notices = await event_schedule.due_reminders(Unit(session), community.id or 0, offsets, now)
            queued += await notifier.queue(session, community, notices, now)
        await session.commit()
    return queued
