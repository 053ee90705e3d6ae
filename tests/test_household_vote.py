"""A household's vote is one rule (issue 8, item 1): the representative designated in /household when voting opened
holds it; if none, the first adult who opens the ballot claims it for good (and /household shows it). Both
databases."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from bot.app import Linli
from core.voting import Mode, VoteError
from storage import voting
from storage.community import find_household
from storage.electorates import HoldHow, HouseholdRepresentative, household_holder, set_holder
from storage.unit import Unit
from tests.support.meetings import YES_MARKS, cast, close, create, resident_id
from tests.support.seed import Seed

ROSTER = [("1", "1", "101", 80.0, True), ("1", "1", "102", 95.5, True)]


async def _household(app: Linli, seed: Seed) -> int:
    await seed.roster(ROSTER, codes_per_household=0)
    await seed.resident(1, "Alice", household=("1", "1", "101"))
    await seed.resident(2, "Bob", household=("1", "1", "101"))
    await seed.resident(3, "Carol", household=("1", "1", "102"))
    async with app.sessions() as session:
        found = await find_household(session, app.community_id or 0, "1", "1", "101")
        assert found is not None and found.id is not None
        return found.id


async def _open_ballot(app: Linli, user_id: int, meeting_id: int) -> voting.BallotView:
    rid = await resident_id(app, user_id)
    async with app.sessions() as session:
        shown = await voting.ballot(Unit(session), community_id=app.community_id or 0, meeting_id=meeting_id,
                                    item_id=None, resident_id=rid, now=app.clock.now())
        await session.commit()
        return shown


async def _holder(app: Linli, household_id: int) -> tuple[int | None, str | None]:
    async with app.sessions() as session:
        holder = await household_holder(session, household_id)
        row = await session.get(HouseholdRepresentative, household_id)
        return holder, row.how if row is not None else None


async def test_two_adults_opening_the_ballot_at_once_one_holds_it_for_good(app: Linli, seed: Seed) -> None:
    household_id = await _household(app, seed)
    meeting = await create(app, mode=Mode.HOUSEHOLDS, open_now=True)

    async def opens(user_id: int) -> int | str:
        for attempt in range(20):
            try:
                await _open_ballot(app, user_id, meeting.id)
                return user_id
            except VoteError as refused:
                assert refused.key == "voting.err.household_held"
                return str(refused.params["name"])
            except Exception:  # a busy database: the voter taps again
                if attempt == 19:
                    raise
                await asyncio.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    first, second = await asyncio.gather(opens(1), opens(2))
    winners = [who for who in (first, second) if isinstance(who, int)]
    assert len(winners) == 1  # exactly one holds it; the other was told who
    winner = winners[0]
    told = second if winner == 1 else first
    assert told == ("Alice" if winner == 1 else "Bob")
    holder, how = await _holder(app, household_id)
    assert holder == await resident_id(app, winner) and how == HoldHow.CLAIMED.value  # /household shows it
    loser = 2 if winner == 1 else 1
    with pytest.raises(VoteError) as refused:
        await cast(app, loser, meeting, YES_MARKS)
    assert refused.value.key == "voting.err.household_held"
    await cast(app, winner, meeting, YES_MARKS)
    await cast(app, 3, meeting, YES_MARKS)
    ((_, result),) = (await close(app, meeting.id)).results
    assert (result.eligible, result.took_part) == (2, 2)

    # the claim persists: in the next vote the same adult holds the household's vote from the start
    later = await create(app, mode=Mode.HOUSEHOLDS, open_now=True)
    with pytest.raises(VoteError) as again:
        await _open_ballot(app, loser, later.id)
    assert again.value.params == {"name": "Alice" if winner == 1 else "Bob"}


async def test_the_designated_representative_holds_it_and_the_other_adult_is_told(app: Linli, seed: Seed) -> None:
    household_id = await _household(app, seed)
    alice, bob = await resident_id(app, 1), await resident_id(app, 2)
    async with app.sessions() as session:  # the household chose Bob in /household before the vote
        await set_holder(session, household_id, bob, set_by=alice, how=HoldHow.HOUSEHOLD, now=app.clock.now())
        await session.commit()
    meeting = await create(app, mode=Mode.HOUSEHOLDS, open_now=True)
    with pytest.raises(VoteError) as refused:  # Alice opens the ballot first: Bob holds it all the same
        await _open_ballot(app, 1, meeting.id)
    assert refused.value.key == "voting.err.household_held" and refused.value.params == {"name": "Bob"}
    assert await _holder(app, household_id) == (bob, HoldHow.HOUSEHOLD.value)

    # handed to Alice after voting opened: this round's register keeps Bob
    async with app.sessions() as session:
        await set_holder(session, household_id, alice, set_by=bob, how=HoldHow.HOUSEHOLD, now=app.clock.now())
        await session.commit()
    with pytest.raises(VoteError):
        await cast(app, 1, meeting, YES_MARKS)
    await cast(app, 2, meeting, YES_MARKS)
    ((_, result),) = (await close(app, meeting.id)).results
    assert (result.eligible, result.took_part) == (2, 1)
    async with app.sessions() as session:
        rows = (await session.exec(select(HouseholdRepresentative))).all()
    assert [(r.household_id, r.resident_id) for r in rows] == [(household_id, alice)]


async def test_the_reminder_before_closing_goes_to_who_may_cast_the_household_vote(app: Linli, seed: Seed) -> None:
    from storage import ballots

    household_id = await _household(app, seed)
    alice, bob, carol = [await resident_id(app, n) for n in (1, 2, 3)]
    async with app.sessions() as session:
        await set_holder(session, household_id, bob, set_by=None, how=HoldHow.COMMITTEE, now=app.clock.now())
        await session.commit()
    meeting = await create(app, mode=Mode.HOUSEHOLDS, open_now=True)
    async with app.sessions() as session:
        everyone = await ballots.casters(session, meeting.id, meeting.round)
        to_remind = await ballots.casters(session, meeting.id, meeting.round, not_voted_items=[meeting.items[0].id])
    assert sorted(everyone) == sorted([alice, bob, carol])  # every adult hears that voting opened
    assert sorted(to_remind) == sorted([bob, carol])  # not Alice: Bob holds her household's vote
