"""Paper ballots and proxies refuse what the law refuses (SQLite and PostgreSQL), and the record stays one chain when
many write at once: a scrutineer confirming their own entry, someone not a scrutineer, a paper ballot entered twice,
someone not on the register, more marks than allowed; a proxy for someone who already voted, beyond the maximum, to
oneself, twice; 200 voters and a sealing job at once leave a chain that verifies clean."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import Linli
from core.errors import DomainError
from core.voting import ItemKind, VoteError
from storage import paper, proxies, trust
from storage.meetings import DraftItem, MeetingView
from storage.unit import Unit
from tests.support.meetings import MOTION, cast, close, create, resident_id
from tests.support.seed import Seed

YES, NO = 1, 2
SECRET = DraftItem(ItemKind.SINGLE, "方案", "选一个", ("甲", "乙"), secret=True)


async def _people(seed: Seed, count: int = 6) -> None:
    await seed.committee(900, "委员")
    await seed.resident(901, "监票甲")
    for n in range(1, count + 1):
        await seed.resident(n, f"R{n}")


async def _enter(app: Linli, meeting: MeetingView, line: str, by: int) -> paper.EntryView:
    async with app.sessions() as session:
        entry = await paper.enter_voter(Unit(session), community_id=app.community_id or 0, meeting_id=meeting.id,
                                        text=line, entered_by=by, actor=None, now=app.clock.now())
        await session.commit()
        return entry


async def _decide(app: Linli, entry_id: int, by: int, confirm: bool = True) -> paper.EntryView:
    async with app.sessions() as session:
        entry = await paper.decide(Unit(session), community_id=app.community_id or 0, entry_id=entry_id,
                                   resident_id=by, confirm=confirm, actor=None, now=app.clock.now())
        await session.commit()
        return entry


async def _proxy(app: Linli, meeting: MeetingView, grantor: str, holder: str) -> proxies.ProxyView:
    async with app.sessions() as session:
        found = await proxies.register(Unit(session), community_id=app.community_id or 0, meeting_id=meeting.id,
                                       grantor=grantor, holder=holder, form_file_id="photo-1", registered_by=None,
                                       actor=None, now=app.clock.now())
        await session.commit()
        return found


async def test_paper_entries_are_confirmed_by_another_named_scrutineer(app: Linli, seed: Seed) -> None:
    await _people(seed)
    meeting = await create(app, MOTION, SECRET, open_now=True)
    member, checker = await resident_id(app, 900), await resident_id(app, 901)
    async with app.sessions() as session:
        await paper.name_scrutineer(Unit(session), community_id=app.community_id or 0, meeting_id=meeting.id,
                                    who="监票甲", actor=None, now=app.clock.now())
        await paper.name_scrutineer(Unit(session), community_id=app.community_id or 0, meeting_id=meeting.id,
                                    who="委员", actor=None, now=app.clock.now())
        await session.commit()
    entry = await _enter(app, meeting, "R1 1", member)
    with pytest.raises(VoteError) as own:
        await _decide(app, entry.id, member)
    assert own.value.key == "trust.err.own_entry"
    with pytest.raises(VoteError) as stranger:
        await _decide(app, entry.id, await resident_id(app, 2))
    assert stranger.value.key == "trust.err.not_scrutineer"
    confirmed = await _decide(app, entry.id, checker)
    assert confirmed.status == "confirmed" and len(confirmed.receipts) == 1
    with pytest.raises(VoteError) as again:
        await _decide(app, entry.id, checker)
    assert again.value.key == "trust.err.decided"
    twice = await _enter(app, meeting, "R1 2", member)  # the same voter again: refused and kept
    assert twice.status == "refused" and twice.note == "paper_twice"
    with pytest.raises(VoteError) as online:  # on paper now: not online as well
        await cast(app, 1, meeting, YES)
    assert online.value.key == "trust.err.on_paper"
    await cast(app, 2, meeting, NO)
    late = await _enter(app, meeting, "R2 1", member)
    assert late.status == "refused" and late.note == "voted_online"
    for line, key in (("无名氏 1", "trust.err.not_on_register"), ("R3 4", "trust.err.choice"),
                      ("R3", "trust.err.voter_line")):
        with pytest.raises(VoteError) as bad:
            await _enter(app, meeting, line, member)
        assert bad.value.key == key, line
    with pytest.raises(VoteError) as early:  # the box only after the hall's register is closed
        async with app.sessions() as session:
            await paper.enter_box(Unit(session), community_id=app.community_id or 0, meeting_id=meeting.id,
                                  item_id=meeting.items[1].id, text="1", entered_by=member, actor=None,
                                  now=app.clock.now())
    assert early.value.key == "trust.err.register_open"


async def test_proxies_are_refused_beyond_the_rules(app: Linli, seed: Seed) -> None:
    await _people(seed)
    meeting = await create(app, MOTION, open_now=True)
    async with app.sessions() as session:
        await proxies.configure(Unit(session), app.community_id or 0, now=app.clock.now(), actor=None, proxy_limit=2)
        await session.commit()
    await cast(app, 1, meeting, YES)
    for grantor, holder, key in (("R1", "R2", "trust.err.proxy_voted"), ("R3", "R3", "trust.err.proxy_self"),
                                 ("无名氏", "R2", "trust.err.nobody")):
        with pytest.raises(VoteError) as refused:
            await _proxy(app, meeting, grantor, holder)
        assert refused.value.key == key
    await _proxy(app, meeting, "R3", "R2")
    await _proxy(app, meeting, "R4", "R2")
    with pytest.raises(VoteError) as full:
        await _proxy(app, meeting, "R5", "R2")
    assert full.value.key == "trust.err.proxy_limit"
    with pytest.raises(VoteError) as twice:
        await _proxy(app, meeting, "R3", "R6")
    assert twice.value.key == "trust.err.proxy_twice"
    with pytest.raises(VoteError) as chain:
        await _proxy(app, meeting, "R2", "R6")  # a holder cannot give a proxy on
    assert chain.value.key == "trust.err.proxy_chain"
    with pytest.raises(VoteError) as own:  # the grantor no longer votes themselves
        await cast(app, 3, meeting, NO)
    assert own.value.key == "trust.err.proxy_given"


async def test_two_registrations_racing_for_the_last_slot(app: Linli, seed: Seed) -> None:
    await _people(seed)
    meeting = await create(app, MOTION, open_now=True)
    async with app.sessions() as session:
        await proxies.configure(Unit(session), app.community_id or 0, now=app.clock.now(), actor=None, proxy_limit=1)
        await session.commit()

    async def attempt(grantor: str) -> bool:
        for _ in range(20):
            try:
                await _proxy(app, meeting, grantor, "R2")
                return True
            except DomainError:
                return False
            except Exception:  # a busy database: try again
                await asyncio.sleep(0.01)
        raise AssertionError("never finished")

    outcomes = await asyncio.gather(*(attempt(f"R{n}") for n in (3, 4, 5, 6)))
    assert sum(outcomes) == 1


async def test_many_voters_and_the_sealing_job_at_once_leave_one_clean_chain(app: Linli) -> None:
    from tests.test_meetings_concurrency import _residents

    ids = await _residents(app, 200)
    meeting = await create(app, MOTION, SECRET, open_now=True)

    async def voter(n: int, rid: int) -> None:
        from storage import voting

        for item, marks in ((0, YES if n % 3 else NO), (1, 1 + n % 2), (0, YES)):
            for _ in range(40):
                try:
                    async with app.sessions() as session:
                        await voting.cast(Unit(session), community_id=app.community_id or 0, meeting_id=meeting.id,
                                          item_id=meeting.items[item].id, round_no=1, resident_id=rid, marks=marks,
                                          now=app.clock.now())
                        await session.commit()
                    break
                except DomainError:
                    raise
                except Exception:  # a deadlock or busy database: the voter taps again
                    await asyncio.sleep(0.01)

    async def sealer() -> None:
        for _ in range(10):
            async with app.sessions() as session:
                for community_id, meeting_id in await trust.due_seals(Unit(session)):
                    await trust.seal_batches(Unit(session), community_id, meeting_id)
                await session.commit()
            await asyncio.sleep(0)

    await asyncio.gather(*(voter(n, rid) for n, rid in enumerate(ids)), sealer())
    counted = await close(app, meeting.id)
    async with app.sessions() as session:
        report = await trust.verify(Unit(session), meeting.id)
    assert report.clean, (report.chain[:5], report.tables[:5], report.tally[:5])
    (_, motion), (_, plan) = counted.results
    assert motion.took_part == plan.took_part == 200 and [o.heads for o in motion.options] == [200, 0, 0]
    assert report.events == 200 * 2 + 200 + 1  # cast + changed per open ballot, a cast per secret one, closed


async def test_the_bulletin_shows_households_of_open_ballots_only_when_the_committee_says_so(
        app: Linli, seed: Seed) -> None:
    await seed.roster([("1", "1", "101", 80.0, True), ("2", "1", "201", 60.0, True)], codes_per_household=0)
    await seed.resident(1, "R1", household=("1", "1", "101"))
    await seed.resident(2, "R2", household=("2", "1", "201"))
    meeting = await create(app, MOTION, SECRET, open_now=True)
    for user_id in (1, 2):
        await cast(app, user_id, meeting, YES)
        await cast(app, user_id, meeting, 1, item=1)
    await close(app, meeting.id)
    async with app.sessions() as session:
        unit, community = Unit(session), app.community_id or 0
        plain = await trust.bulletin(unit, community, meeting.id)
        await proxies.configure(unit, community, now=app.clock.now(), actor=None, bulletin_households=True)
        shown = await trust.bulletin(unit, community, meeting.id)
    assert {e.household for e in plain.entries} == {None}
    assert {e.household for e in shown.entries if e.item == 1} == {"1-1-101", "2-1-201"}
    assert {e.household for e in shown.entries if e.item == 2} == {None}  # never for a secret item
    assert b"1-1-101" in shown.csv() and b"1-1-101" not in plain.csv()


async def test_deleting_ones_data_drops_the_photo_of_their_proxy_form_and_keeps_the_proxy(app: Linli,
                                                                                         seed: Seed) -> None:
    from sqlmodel import select

    from storage import privacy
    from storage.proxies import MeetingProxy

    await _people(seed)
    meeting = await create(app, MOTION, open_now=True)
    await _proxy(app, meeting, "R1", "R2")
    async with app.sessions() as session:
        await privacy.forget(Unit(session), community_id=app.community_id or 0, telegram_user_id=1,
                             now=app.clock.now())
        await session.commit()
    async with app.sessions() as session:
        kept = (await session.exec(select(MeetingProxy))).all()
    assert [(row.form_file_id, row.meeting_id) for row in kept] == [("", meeting.id)]
