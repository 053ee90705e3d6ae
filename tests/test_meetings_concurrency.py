"""1,000 voters casting and changing their ballots at once (SQLite and PostgreSQL): the tally equals each voter's last
ballot; two adults of a household racing for its one vote: it is counted once."""

from __future__ import annotations

import asyncio
import random

from sqlalchemy import insert

from bot.app import Linli
from core.errors import DomainError
from core.voting import ItemKind, MeetingKind, Mode
from storage import voting
from storage.community import Building, Household
from storage.meetings import DraftItem
from storage.residents import Resident
from storage.unit import Unit
from tests.support.meetings import close, create

VOTERS = 1000


async def _residents(app: Linli, count: int, *, households: int = 0, first_user: int = 100_000) -> list[int]:
    """``count`` verified adults (spread over ``households`` households of building "1" if any); their ids."""
    now = app.clock.now()
    community = app.community_id or 0
    async with app.sessions() as session:
        household_ids: list[int] = []
        if households:
            building = Building(community_id=community, name="1")
            session.add(building)
            await session.flush()
            for n in range(households):
                household = Household(community_id=community, building_id=building.id or 0, unit="1", room=str(n))
                session.add(household)
                await session.flush()
                household_ids.append(household.id or 0)
        rows = [{"community_id": community, "telegram_user_id": first_user + n, "display_name": f"V{n}",
                 "language": "zh-Hans", "is_adult": True, "verified": True, "created_at": now,
                 "household_id": household_ids[n % households] if households else None} for n in range(count)]
        await session.exec(insert(Resident), params=rows)  # type: ignore[call-overload]
        await session.commit()
        from sqlmodel import col, select

        found = (await session.exec(select(Resident.id).where(col(Resident.telegram_user_id) >= first_user)
                                    .order_by(col(Resident.id)))).all()
        return [int(i or 0) for i in found]


async def test_a_thousand_voters_casting_and_changing_at_once(app: Linli) -> None:
    ids = await _residents(app, VOTERS)
    choice = DraftItem(ItemKind.MULTIPLE, "绿化方案", "可多选", ("甲", "乙", "丙", "丁"), max_marks=2)
    meeting = await create(app, choice, kind=MeetingKind.ADVISORY, mode=Mode.VERIFIED, open_now=True)
    item = meeting.items[0]
    rng = random.Random(8)
    plans = {rid: [rng.choice([1, 2, 4, 8, 3, 5, 6, 9, 12]) for _ in range(rng.randint(1, 3))] for rid in ids}

    async def voter(rid: int) -> None:
        for marks in plans[rid]:
            for attempt in range(20):
                try:
                    async with app.sessions() as session:
                        await voting.cast(Unit(session), community_id=app.community_id or 0, meeting_id=meeting.id,
                                          item_id=item.id, round_no=meeting.round, resident_id=rid, marks=marks,
                                          now=app.clock.now())
                        await session.commit()
                    break
                except DomainError:
                    raise
                except Exception:  # a deadlock or busy database: the voter taps again
                    if attempt == 19:
                        raise
                    await asyncio.sleep(0.01 * (attempt + 1))

    await asyncio.gather(*(voter(rid) for rid in ids))
    ((_, result),) = (await close(app, meeting.id)).results
    expected = [0, 0, 0, 0]
    for rid in ids:
        last = plans[rid][-1]
        for position in range(4):
            expected[position] += last >> position & 1
    assert [o.heads for o in result.options] == expected
    assert (result.took_part, result.eligible) == (VOTERS, VOTERS)


async def test_two_adults_of_each_household_racing_count_once(app: Linli) -> None:
    ids = await _residents(app, 200, households=100, first_user=200_000)
    meeting = await create(app, mode=Mode.HOUSEHOLDS, open_now=True)

    async def try_vote(rid: int) -> bool:
        try:
            async with app.sessions() as session:
                await voting.cast(Unit(session), community_id=app.community_id or 0, meeting_id=meeting.id,
                                  item_id=meeting.items[0].id, round_no=meeting.round, resident_id=rid, marks=1,
                                  now=app.clock.now())
                await session.commit()
            return True
        except DomainError as error:
            assert error.key == "voting.err.household_held"
            return False

    cast = await asyncio.gather(*(try_vote(rid) for rid in ids))
    assert sum(cast) == 100
    ((_, result),) = (await close(app, meeting.id)).results
    assert (result.eligible, result.took_part, result.options[0].heads) == (100, 100, 100)
