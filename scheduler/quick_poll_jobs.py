"""Quick polls whose time has come: close each once (stopPoll through the outbox) and post its count to its chat.

Thin on purpose: the use case claims the due polls with a conditional UPDATE (open → closed), queues their
stopPoll and counts them in one unit of work; the notifier renders and queues the counts. A restart loses
nothing (an open poll past its time is due until it is closed) and repeats nothing (a closed poll is not due),
and two workers close a poll once.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from scheduler.notifier import Notifier
from storage import quick_poll_notices, quick_polls
from storage.community import get_community
from storage.unit import Unit


async def close_due_polls(sessions: async_sessionmaker[AsyncSession], notifier: Notifier, clock: Clock) -> int:
    """Close the due polls; returns how many were closed."""
    now = clock.now()
    async with sessions() as session:
        closed = await quick_polls.close_due(Unit(session), now)
        for done in closed:
            community = await get_community(session, done.poll.community_id)
            await notifier.queue(session, community, [quick_poll_notices.result(done)], now)
        await session.commit()
    return len(closed)
