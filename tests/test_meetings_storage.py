"""Meetings and ballots on SQLite and PostgreSQL: the lifecycle, secrecy, postponement, races, bad input."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.app import Linli
from core.errors import StaleButton
from core.voting import ItemKind, MeetingKind, Mode, Status, VoteError
from storage import audit, meetings, voting
from storage.meetings import Draft, DraftItem
from storage.unit import Unit
from tests.support.meetings import MOTION, cast, close, create, open_voting, read, resident_id
from tests.support.seed import Seed

YES, NO, ABSTAIN = 1, 2, 4
ROSTER = [("1", "1", "101", 80.0, True), ("1", "1", "102", 95.5, True), ("2", "1", "201", 60.0, False)]


async def _people(seed: Seed) -> None:
    await seed.roster(ROSTER, codes_per_household=0)
    await seed.resident(1, "Alice", household=("1", "1", "101"))
    await seed.resident(2, "Bob", household=("1", "1", "101"))
    await seed.resident(3, "Carol", household=("1", "1", "102"))
    await seed.resident(4, "Dan", household=("2", "1", "201"))
    await seed.resident(5, "Kid", household=("2", "1", "201"), adult=False)


async def test_lifecycle_amendment_versions_and_a_passed_motion(app: Linli, seed: Seed) -> None:
    await _people(seed)
    meeting = await create(app)
    assert meeting.status is Status.DISCUSSION
    community = app.community_id or 0
    async with app.sessions() as session:
        unit = Unit(session)
        amendment = await meetings.amend(unit, community_id=community, item_id=meeting.items[0].id,
                                         author_id=await resident_id(app, 3), text="第一条：爱护公共环境，不乱扔垃圾。",
                                         now=app.clock.now())
        decided = await meetings.decide_amendment(unit, community_id=community, amendment_id=amendment.id,
                                                  decision="accepted", by=None, now=app.clock.now())
        await session.commit()
    assert decided.status == "accepted" and decided.version == 2
    meeting = await read(app, meeting.id)
    assert meeting.items[0].text == "第一条：爱护公共环境，不乱扔垃圾。" and meeting.items[0].version == 2
    async with app.sessions() as session:
        kept = await meetings.versions(Unit(session), community, meeting.items[0].id)
    assert [(n, t) for n, t, _ in kept] == [(1, "第一条：爱护公共环境。"), (2, "第一条：爱护公共环境，不乱扔垃圾。")]
    moved = await open_voting(app, meeting.id)
    assert moved.register == 4  # verified adults; the child is not on it
    meeting = await read(app, meeting.id)
    await cast(app, 1, meeting, NO)
    changed = await cast(app, 1, meeting, YES)  # an open ballot may be changed: the last counts
    assert not changed.new
    await cast(app, 2, meeting, YES)
    await cast(app, 3, meeting, NO)
    counted = await close(app, meeting.id)
    ((_, result),) = counted.results
    assert (result.took_part, result.eligible, result.quorate, result.passed) == (3, 4, True, True)
    assert [o.heads for o in result.options] == [2, 1, 0]
    assert counted.turnout.by_building == {"1": (3, 3), "2": (0, 1)}
    assert (await read(app, meeting.id)).status is Status.PUBLISHED
    async with app.sessions() as session:
        published = await meetings.results(Unit(session), community, meeting.id)
        actions = [e.action for e in await audit.entries(session, community)]
    assert published.results[0][1] == result and published.turnout == counted.turnout
    assert {"meeting.created", "meeting.published", "amendment.accepted", "meeting.opened",
            "meeting.closed"} <= set(actions)


async def test_exactly_half_is_no_quorum(app: Linli, seed: Seed) -> None:
    await _people(seed)
    meeting = await create(app, open_now=True)
    await cast(app, 1, meeting, YES)
    await cast(app, 2, meeting, YES)
    ((_, result),) = (await close(app, meeting.id)).results
    assert (result.took_part, result.eligible, result.quorate, result.passed) == (2, 4, False, False)


async def test_secret_ballots_cannot_be_joined_to_voters(app: Linli, seed: Seed) -> None:
    await _people(seed)
    election = DraftItem(ItemKind.ELECTION, "居委会委员", "选两名", ("张三", "李四", "王五"), max_marks=2, secret=True)
    meeting = await create(app, election, kind=MeetingKind.ELECTION, open_now=True)
    first = await cast(app, 1, meeting, 0b011)
    again = await cast(app, 1, meeting, 0b100)  # final once confirmed: nothing changes
    assert first.receipt and first.new and again.already and again.receipt is None
    await cast(app, 3, meeting, 0b101)
    await cast(app, 4, meeting, 0b001)
    async with app.sessions() as session:
        participation = (await session.exec(text("SELECT * FROM secret_participation"))).mappings().all()
        waiting = (await session.exec(text("SELECT * FROM secret_box"))).mappings().all()
        sealed = (await session.exec(text("SELECT count(*) FROM secret_ballot"))).scalar_one()
    assert len(participation) == len(waiting) == 3 and sealed == 0  # contents wait to be sealed apart
    # nothing in common but the item and round: no id, no time, no voter on the content
    assert set(waiting[0].keys()) == {"id", "meeting_id", "item_id", "round", "marks", "receipt", "channel"}
    assert set(participation[0].keys()) == {"item_id", "round", "elector_id", "building", "grp"}
    assert {len(row["receipt"]) for row in waiting} == {8} and first.receipt in {row["receipt"] for row in waiting}
    assert not {str(row["id"]) for row in waiting} & {str(v) for row in participation for v in row.values()}
    ((_, result),) = (await close(app, meeting.id)).results
    async with app.sessions() as session:
        box = (await session.exec(text("SELECT * FROM secret_ballot"))).mappings().all()
        left = (await session.exec(text("SELECT count(*) FROM secret_box"))).scalar_one()
    assert len(box) == 3 and left == 0  # sealed at closing, under fresh random keys
    assert not {row["id"] for row in box} & {row["id"] for row in waiting}
    if app.settings.database_url.startswith("sqlite"):  # WITHOUT ROWID: stored in random-key order, not vote order
        keys_in_order = [row["id"] for row in box]
        assert keys_in_order == sorted(keys_in_order)
    assert {o.position: o.heads for o in result.options} == {0: 3, 1: 1, 2: 1}
    assert result.winners == (0,) and result.unfilled == 1  # 李四 and 王五: 1 of 3 each, not more than half


async def test_postponement_keeps_a_void_round_and_the_next_starts_clean(app: Linli, seed: Seed) -> None:
    await _people(seed)
    meeting = await create(app, open_now=True)
    await cast(app, 1, meeting, NO)
    await cast(app, 2, meeting, NO)
    async with app.sessions() as session:
        moved = await meetings.postpone(Unit(session), community_id=app.community_id or 0, meeting_id=meeting.id,
                                        reason="三位代表提出修改意见", actor=None, now=app.clock.now())
        await session.commit()
    assert moved.void_round == 1 and set(moved.told) == {await resident_id(app, u) for u in (1, 2, 3, 4)}
    again = await read(app, meeting.id)
    assert again.status is Status.DISCUSSION and again.round == 2 and again.postpone_reason == "三位代表提出修改意见"
    with pytest.raises(VoteError) as refused:  # a ballot of the void round
        await cast(app, 1, meeting, YES)
    assert refused.value.key == "voting.err.void_round"
    async with app.sessions() as session:
        await meetings.set_times(Unit(session), community_id=app.community_id or 0, meeting_id=meeting.id,
                                 opens_at=None, closes_at=app.clock.now() + timedelta(days=1), now=app.clock.now())
        await session.commit()
    await open_voting(app, meeting.id)
    again = await read(app, meeting.id)
    await cast(app, 1, again, YES)
    await cast(app, 3, again, YES)
    await cast(app, 4, again, YES)
    ((_, result),) = (await close(app, meeting.id)).results
    assert (result.took_part, result.passed) == (3, True)  # the void round's two "no" are not counted
    async with app.sessions() as session:
        rounds = (await session.exec(text("SELECT number, status FROM meeting_round ORDER BY number"))).all()
        kept = (await session.exec(text("SELECT round, count(*) FROM open_ballot GROUP BY round ORDER BY round"))
                ).all()
    assert [tuple(r) for r in rounds] == [(1, "void"), (2, "counted")]
    assert [tuple(r) for r in kept] == [(1, 2), (2, 3)]  # never deleted


async def test_a_double_tap_storm_leaves_one_ballot(app: Linli, seed: Seed) -> None:
    await _people(seed)
    secret = DraftItem(ItemKind.SINGLE, "方案", "选一个", ("甲", "乙"), secret=True)
    meeting = await create(app, MOTION, secret, open_now=True)
    outcomes = await asyncio.gather(*(cast(app, 1, meeting, YES if n % 2 else NO) for n in range(12)),
                                    *(cast(app, 1, meeting, 1 << (n % 2), item=1) for n in range(12)))
    assert sum(1 for o in outcomes[:12] if o.new) == 1
    assert sum(1 for o in outcomes[12:] if o.new) == 1
    async with app.sessions() as session:
        counts = [(await session.exec(text(f"SELECT count(*) FROM {table}"))).scalar_one()
                  for table in ("open_ballot", "secret_participation", "secret_box")]
    assert counts == [1, 1, 1]  # the secret content waits in the box until it is sealed


async def test_a_household_votes_once_and_the_second_adult_is_told_who_holds_it(app: Linli, seed: Seed) -> None:
    await _people(seed)
    meeting = await create(app, mode=Mode.HOUSEHOLDS, open_now=True)
    community = app.community_id or 0
    async with app.sessions() as session:
        shown = await voting.ballot(Unit(session), community_id=community, meeting_id=meeting.id, item_id=None,
                                    resident_id=await resident_id(app, 2))  # Bob opens first: he holds it
        await session.commit()
    assert shown.item.id == meeting.items[0].id
    with pytest.raises(VoteError) as refused:
        await cast(app, 1, meeting, YES)
    assert refused.value.key == "voting.err.household_held" and refused.value.params == {"name": "Bob"}
    await cast(app, 2, meeting, YES)
    await cast(app, 3, meeting, NO)
    with pytest.raises(VoteError) as child:
        await cast(app, 5, meeting, YES)
    assert child.value.key == "voting.err.not_adult"
    ((_, result),) = (await close(app, meeting.id)).results
    assert (result.eligible, result.took_part) == (3, 2)


async def test_bad_meetings_are_refused(app: Linli, seed: Seed) -> None:
    await _people(seed)
    with pytest.raises(VoteError) as no_matter:
        await create(app, DraftItem(ItemKind.MOTION, "加装电梯", "加装电梯"), kind=MeetingKind.OWNERS,
                     mode=Mode.OWNERS)
    assert no_matter.value.key == "voting.err.matter"
    with pytest.raises(VoteError) as few:
        await create(app, DraftItem(ItemKind.ELECTION, "委员", "", ("张三",), max_marks=2),
                     kind=MeetingKind.ELECTION)
    assert few.value.key == "voting.err.few_candidates"
    owners = await create(app, DraftItem(ItemKind.MOTION, "加装电梯", "加装电梯", matter=7), kind=MeetingKind.OWNERS,
                          mode=Mode.OWNERS)
    with pytest.raises(VoteError) as empty:  # nobody is on the owners' register yet
        await open_voting(app, owners.id)
    assert empty.value.key == "voting.err.empty_electorate"
    assert (await read(app, owners.id)).status is Status.DISCUSSION


async def test_closing_twice_and_voting_outside_the_window(app: Linli, seed: Seed) -> None:
    await _people(seed)
    meeting = await create(app)
    with pytest.raises(VoteError) as early:
        await cast(app, 1, meeting, YES)
    assert early.value.key == "voting.err.not_open"
    await open_voting(app, meeting.id)
    meeting = await read(app, meeting.id)
    with pytest.raises(StaleButton):  # two marks on a motion, or an option that is not there
        await cast(app, 1, meeting, YES | NO)
    with pytest.raises(StaleButton):
        await cast(app, 1, meeting, 1 << 5)
    await close(app, meeting.id)
    with pytest.raises(VoteError) as twice:
        await close(app, meeting.id)
    assert twice.value.key == "voting.err.closed_already"
    with pytest.raises(VoteError) as late:
        await cast(app, 1, meeting, YES)
    assert late.value.key == "voting.err.closed"


async def test_a_late_addition_needs_a_reason_and_is_audited(app: Linli, seed: Seed) -> None:
    await _people(seed)
    meeting = await create(app, open_now=True)
    await seed.resident(6, "Eve", household=("2", "1", "201"))  # verified after voting opened
    with pytest.raises(VoteError) as not_on:
        await cast(app, 6, meeting, YES)
    assert not_on.value.key == "voting.err.not_on_register"
    async with app.sessions() as session:
        added = await meetings.add_late_elector(Unit(session), community_id=app.community_id or 0,
                                                meeting_id=meeting.id, resident_id=await resident_id(app, 6),
                                                reason="登记遗漏", actor=99, now=app.clock.now())
        await session.commit()
        entries = await audit.entries(session, app.community_id or 0, "meeting.register_added")
    assert added and len(entries) == 1 and "登记遗漏" in entries[0].detail_json
    await cast(app, 6, meeting, YES)
    ((_, result),) = (await close(app, meeting.id)).results
    assert (result.eligible, result.took_part) == (5, 1)


async def test_draft_checks(app: Linli, seed: Seed) -> None:
    await _people(seed)
    now = app.clock.now()
    async with app.sessions() as session:
        with pytest.raises(VoteError) as past:
            await meetings.create(Unit(session), community_id=app.community_id or 0, created_by=None,
                                  draft=Draft(MeetingKind.RESIDENTS, Mode.ADULTS, "会议", (MOTION,), None,
                                              now - timedelta(hours=1)), now=now)
        with pytest.raises(VoteError) as mode:
            await meetings.create(Unit(session), community_id=app.community_id or 0, created_by=None,
                                  draft=Draft(MeetingKind.RESIDENTS, Mode.OWNERS, "会议", (MOTION,)), now=now)
    assert past.value.key == "voting.err.closes_past" and mode.value.key == "voting.err.mode"


async def test_the_24_hour_reminder_goes_once_and_only_to_those_who_have_not_voted(app: Linli, seed: Seed) -> None:
    from scheduler.meeting_jobs import run_meetings
    from storage import outbox

    await _people(seed)
    meeting = await create(app, open_now=True, hours=30)
    await cast(app, 1, meeting, YES)
    assert await run_meetings(app.sessions, app.notifier, app.clock) == 0  # 30 h before closing: not yet
    app.clock.advance(timedelta(hours=7))
    assert await run_meetings(app.sessions, app.notifier, app.clock) == 1
    assert await run_meetings(app.sessions, app.notifier, app.clock) == 0  # a second tick (or worker): nothing
    async with app.sessions() as session:
        rows = [r for r in await outbox.due(session, app.clock.now()) if r.dedupe_key.startswith("mt-closing:")]
    assert sorted(r.chat_id for r in rows) == [2, 3, 4]  # every adult but Alice, who voted
    postponed = await create(app, open_now=True, hours=20, title="另一个会议")
    async with app.sessions() as session:
        await meetings.postpone(Unit(session), community_id=app.community_id or 0, meeting_id=postponed.id,
                                reason="改期", actor=None, now=app.clock.now())
        await session.commit()
    assert await run_meetings(app.sessions, app.notifier, app.clock) == 0  # none for a postponed meeting


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_vote_keys_built_at_run_time_exist(language: str) -> None:
    from core.voting import ItemKind, key
    from handlers.voting_committee import Act
    from locales.catalogs import load_catalog

    catalog = load_catalog(language)
    keys = ([key("kind", k.value) for k in MeetingKind] + [key("mode", m.value) for m in Mode]
            + [key("status", s.value) for s in Status] + [key("item", i.value) for i in ItemKind]
            + [key("matter", n) for n in range(1, 10)] + [key("choice", c) for c in ("yes", "no", "abstain")]
            + [key("act", a.value) for a in Act] + [key("act", "refresh")]
            + [key("decide", d) for d in ("accepted", "merged", "rejected")]
            + [key("decide", f"ask_{d}") for d in ("merged", "rejected")]
            + [key("decide", f"done_{d}") for d in ("accepted", "merged", "rejected")]
            + [key("note", f"amendment_{d}") for d in ("accepted", "merged", "rejected")]
            + ["commands.votes", "offer.votes", "voting.help", "voting.help_committee"])
    assert [k for k in keys if k not in catalog] == []
