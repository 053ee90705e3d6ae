"""Events for the extras' tests (the event table is the events feature's; a row is all the extras need)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.app import Linli
from storage.events import Event, EventStatus
from storage.residents import Resident
from storage.unit import Unit


async def make_event(app: Linli, *, title: str = "相约九号", starts_in: timedelta = timedelta(days=2),
                     hours: float = 2, code: str = "", families: bool = True, household_max: int = 6,
                     status: str = EventStatus.SCHEDULED.value, community_id: int | None = None) -> int:
    now = app.clock.now()
    starts_at = now + starts_in
    async with app.sessions() as session:
        event = Event(community_id=community_id or app.community_id or 0, title=title, starts_at=starts_at,
                      ends_at=starts_at + timedelta(hours=hours), venue="中心花园", rain_venue="社区活动室",
                      check_in_code=code, families=families, household_max=household_max, status=status,
                      created_at=now, updated_at=now)
        session.add(event)
        await session.commit()
        return event.id or 0


async def resident_id(app: Linli, telegram_user_id: int) -> int:
    from storage.residents import by_telegram_id

    async with app.sessions() as session:
        found = await by_telegram_id(session, app.community_id or 0, telegram_user_id)
        assert found is not None
        return found.id or 0


async def many_residents(app: Linli, count: int, *, first_user_id: int = 50_000) -> list[int]:
    """``count`` verified residents without a household, in one transaction; their resident ids."""
    now = app.clock.now()
    async with app.sessions() as session:
        rows = [Resident(community_id=app.community_id or 0, telegram_user_id=first_user_id + i,
                         display_name=f"Volunteer {i}", verified=True, created_at=now) for i in range(count)]
        session.add_all(rows)
        await session.commit()
        return [row.id or 0 for row in rows]


class Units:
    """A unit of work per call, committed (or rolled back on an error), like the app does around an update."""

    def __init__(self, app: Linli) -> None:
        self.app = app

    async def run(self, use_case, *args, **kwargs):  # type: ignore[no-untyped-def]
        async with self.app.sessions() as session:
            try:
                result = await use_case(Unit(session), *args, **kwargs)
            except BaseException:
                await session.rollback()
                raise
            await session.commit()
            return result


def at(app: Linli, moment: datetime) -> None:
    app.clock.set(moment)  # type: ignore[attr-defined]
