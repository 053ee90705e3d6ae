"""Event scenarios the storage and flow tests share: households with residents, an event, replies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.app import Linli
from core.events import EventDraft
from storage import event_admin, events
from storage.residents import Role
from storage.unit import Unit
from tests.support.seed import Seed
from tests.support.topics import roster

DIRECTOR = 9001
FIRST = 1001  # residents 1001, 1002, … live in rooms 101, 102, …


@asynccontextmanager
async def unit(app: Linli) -> AsyncIterator[Unit]:
    """One committed unit of work (rolled back if the block raises)."""
    async with app.sessions() as session:
        try:
            yield Unit(session)
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


async def households(app: Linli, seed: Seed, count: int, *, language: str = "zh-Hans") -> dict[int, int]:
    """``count`` households, one verified adult each, and a committee member; Telegram id → resident id."""
    await seed.roster(roster(count), codes_per_household=0)
    ids = {}
    for n in range(count):
        resident = await seed.resident(FIRST + n, f"R{n}", household=("1", "1", str(101 + n)), language=language)
        ids[FIRST + n] = resident.id or 0
    director = await seed.resident(DIRECTOR, "Director", roles=(Role.COMMITTEE,))
    ids[DIRECTOR] = director.id or 0
    return ids


def draft(now: datetime, **fields: Any) -> EventDraft:
    start = now + timedelta(days=5)
    base = EventDraft(title="楼道音乐会", starts_at=start, ends_at=start + timedelta(hours=2), venue="中心花园",
                      description="邻里一起唱歌。", rain_venue="活动室", capacity=10, reserved=0, families=True,
                      household_max=6)
    return replace(base, **fields)


async def make_event(app: Linli, ids: dict[int, int], **fields: Any) -> int:
    async with unit(app) as work:
        change = await event_admin.create_event(work, app.community_id or 0, draft(app.clock.now(), **fields),
                                                ids[DIRECTOR], app.clock.now())
    return change.event.id


async def going(app: Linli, ids: dict[int, int], event_id: int, user: int, adults: int,
                children: int = 0) -> events.RsvpOutcome:
    async with unit(app) as work:
        return await events.rsvp(work, app.community_id or 0, event_id, ids[user], adults, children, app.clock.now())


async def not_going(app: Linli, ids: dict[int, int], event_id: int, user: int) -> events.RsvpOutcome:
    async with unit(app) as work:
        return await events.decline(work, app.community_id or 0, event_id, ids[user], app.clock.now())


async def seats(app: Linli, event_id: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(going, waiting) as (resident Telegram id, people), each in its order (waiting: the waitlist's)."""
    from sqlmodel import col, select

    from storage.events import EventReply
    from storage.residents import Resident

    async with app.sessions() as session:
        rows = (await session.exec(select(EventReply, Resident.telegram_user_id)
                                   .join(Resident, col(Resident.id) == EventReply.resident_id)
                                   .where(EventReply.event_id == event_id).order_by(col(EventReply.rank)))).all()
    return ([(t, r.people) for r, t in rows if r.status == "going"],
            [(t, r.people) for r, t in rows if r.status == "waiting"])
