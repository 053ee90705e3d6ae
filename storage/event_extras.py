"""An event's extras (issue 10, items 5–7), the part they share: reading the event, the upcoming list, the summary.

The event table belongs to ``storage.events``; the extras read it with their own small queries (and write only
``check_in_code``, in ``storage.event_checkin``). Programme, volunteers and check-in live in
``storage.event_programme``, ``storage.event_volunteers`` and ``storage.event_checkin``; who hears what in
``storage.event_extras_notices``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import NotFound
from storage.community import Building, Household
from storage.events import Event, EventStatus
from storage.unit import Unit

UPCOMING_SHOWN = 8


@dataclass(frozen=True, slots=True)
class EventInfo:
    """What the extras need of an event. ``venue`` is where it happens now (the rain venue under the rain plan)."""

    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    cancelled: bool
    families: bool
    household_max: int
    check_in_code: str

    def over(self, now: datetime) -> bool:
        return now > self.ends_at

    def started(self, now: datetime) -> bool:
        return now >= self.starts_at


def info(event: Event) -> EventInfo:
    venue = event.rain_venue if event.rain_plan and event.rain_venue else event.venue
    return EventInfo(id=event.id or 0, title=event.title, starts_at=event.starts_at, ends_at=event.ends_at,
                     venue=venue, cancelled=event.status == EventStatus.CANCELLED.value, families=event.families,
                     household_max=max(event.household_max, 1), check_in_code=event.check_in_code)


async def event_row(session: AsyncSession, community_id: int, event_id: int, *, lock: bool = False) -> Event:
    """The community's event ``event_id`` (another community's is not found). ``lock``: its row lock (PostgreSQL)."""
    statement = select(Event).where(col(Event.id) == event_id, col(Event.community_id) == community_id)
    if lock:
        statement = statement.with_for_update()
    found = (await session.exec(statement)).first()
    if found is None:
        raise NotFound()
    return found


async def event_info(unit: Unit, community_id: int, event_id: int) -> EventInfo:
    return info(await event_row(unit.session, community_id, event_id))


async def upcoming(unit: Unit, community_id: int, now: datetime, limit: int = UPCOMING_SHOWN) -> list[EventInfo]:
    """Scheduled events not yet over, soonest first."""
    statement = (select(Event)
                 .where(col(Event.community_id) == community_id, col(Event.status) == EventStatus.SCHEDULED.value,
                        col(Event.ends_at) > now)
                 .order_by(col(Event.starts_at), col(Event.id)).limit(limit))
    return [info(event) for event in (await unit.session.exec(statement)).all()]


def address_column() -> Any:
    """``building-unit-room`` of a household, as SQL (for lists that show where people live)."""
    return Building.name + "-" + Household.unit + "-" + Household.room  # type: ignore[operator]


async def address_of(session: AsyncSession, household_id: int | None) -> str:
    if household_id is None:
        return ""
    statement: Any = (sa_select(address_column()).select_from(Household)
                      .join(Building, col(Building.id) == Household.building_id)
                      .where(col(Household.id) == household_id))
    return str((await session.exec(statement)).scalar_one_or_none() or "")


async def saved(session: AsyncSession, row: Any) -> bool:
    """Insert ``row`` in a savepoint; False (nothing written) if a unique constraint refused it."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return False
    return True
