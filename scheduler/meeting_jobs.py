"""Meetings on a clock: open at ``opens_at``, close (count, publish) at ``closes_at``, remind 24 h before closing,
and seal the secret contents waiting in the box once an item has a batch of them (storage.ballot_chain), each batch
in a transaction of its own — never a voter's.

Thin on purpose: the use cases say what is due and claim it (a conditional UPDATE moves the meeting, a marker row
with a unique key stands for a sent reminder), the notifier queues the notices in the same transaction. Each
meeting is handled in its own unit of work, so one that fails (say, an empty electorate) does not hold up the
others, and a restart or a second worker neither loses nor repeats anything.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from core.errors import DomainError
from scheduler.notifier import Notifier
from storage import meeting_notices, meetings, trust
from storage.community import get_community
from storage.unit import Unit

log = logging.getLogger(__name__)


async def run_meetings(sessions: async_sessionmaker[AsyncSession], notifier: Notifier, clock: Clock) -> int:
    """One tick: returns how many meetings were opened, closed or reminded."""
    now = clock.now()
    async with sessions() as session:
        opening, closing = await meetings.due(Unit(session), now)
        reminding = await meetings.due_reminders(Unit(session), now)
        sealing = await trust.due_seals(Unit(session))
        await session.rollback()
    done = 0
    for community_id, meeting_id in sealing:
        async with sessions() as session:
            sealed = await trust.seal_batches(Unit(session), community_id, meeting_id)
            await session.commit()
        log.info("meeting %s: %s secret contents sealed", meeting_id, sealed)
    for community_id, meeting_id in closing:
        done += await _one(sessions, notifier, community_id, meeting_id, "close", clock)
    for community_id, meeting_id in opening:
        done += await _one(sessions, notifier, community_id, meeting_id, "open", clock)
    for community_id, meeting_id in reminding:
        done += await _one(sessions, notifier, community_id, meeting_id, "remind", clock)
    return done


async def _one(sessions: async_sessionmaker[AsyncSession], notifier: Notifier, community_id: int, meeting_id: int,
               what: str, clock: Clock) -> int:
    now = clock.now()
    async with sessions() as session:
        unit = Unit(session)
        try:
            community = await get_community(session, community_id)
            if what == "close":
                counted = await meetings.close(unit, community_id=community_id, meeting_id=meeting_id, now=now,
                                               due_only=True)
                notices = await meeting_notices.results(unit, community, counted)
            elif what == "open":
                moved = await meetings.open_voting(unit, community_id=community_id, meeting_id=meeting_id, now=now)
                notices = [await meeting_notices.opened(unit, moved)]
            else:
                reminder = await meetings.claim_reminder(unit, community_id=community_id, meeting_id=meeting_id,
                                                         now=now)
                if reminder is None:
                    await session.rollback()
                    return 0
                notices = [await meeting_notices.closing_soon(unit, reminder)] if reminder.told else []
            await notifier.queue(session, community, notices, now)
            await session.commit()
            return 1
        except DomainError as error:  # another worker did it first, or it cannot be done (logged, not retried hot)
            await session.rollback()
            log.info("meeting %s: %s not done (%s)", meeting_id, what, error.key)
            return 0
