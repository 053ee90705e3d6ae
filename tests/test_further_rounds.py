"""Elections' further rounds, ties by lot, the community's and a meeting's voting rules, and write-ins (SQLite and
PostgreSQL): who the further round's candidates are, a lot drawn with ``secrets`` and recorded, starting a further
round once, rules stricter than the law but never weaker, write-ins counted like candidates and linked to no one."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from bot.app import Linli
from core.elections import further_candidates
from core.errors import DomainError, NotFound, StaleButton
from core.thresholds import AT_LEAST_ONE_THIRD, AT_LEAST_THREE_QUARTERS, AT_LEAST_TWO_THIRDS, MORE_THAN_HALF
from core.voting import ItemKind, MeetingKind, Mode, RuleSet, Status, VoteError
from core.voting import default_rules as law_of
from core.voting_rules import RuleField, RuleRefused, change
from storage import audit, meetings, voting_rules, write_ins
from storage.meetings import DraftItem, MeetingOption, VotingRule
from storage.unit import Unit
from tests.support.meetings import cast, close, create, read, resident_id
from tests.support.seed import Seed

ELECTION = DraftItem(ItemKind.ELECTION, "居委会委员", "选两名", ("张三", "李四", "王五", "赵六"), max_marks=2,
                     secret=True)


async def _run(app: Linli, use_case, *args, **kwargs):  # type: ignore[no-untyped-def]
    async with app.sessions() as session:
        result = await use_case(Unit(session), app.community_id or 0, *args, **kwargs)
        await session.commit()
        return result


async def _voters(seed: Seed, count: int) -> None:
    for n in range(1, count + 1):
        await seed.resident(n, f"V{n}")


# ---- pure rules ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("votes", "elected", "tied", "unfilled", "expected"), [
    ({0: 4, 1: 3, 2: 2, 3: 1}, (0,), (), 1, (1, 2)),  # the best placed of the others, one more than the seats
    ({0: 4, 1: 3, 2: 1, 3: 1}, (0,), (), 1, (1, 2, 3)),  # level with the last: nobody left out by list order
    ({0: 1, 1: 1, 2: 1, 3: 0}, (), (), 2, (0, 1, 2)),
    ({0: 3, 1: 3, 2: 3, 3: 0}, (0,), (1, 2), 1, (1, 2)),  # a tie broken by a further round: among the tied
    ({0: 4, 1: 3}, (0,), (), 1, (1, 2, 3)),  # fewer others than wanted: all of them (none had votes)
    ({0: 4}, (0, 1), (), 0, ()),
])
def test_further_round_candidates(votes: dict[int, int], elected: tuple[int, ...], tied: tuple[int, ...],
                                  unfilled: int, expected: tuple[int, ...]) -> None:
    assert further_candidates(votes, range(4), elected, tied, unfilled) == expected


def test_stricter_than_and_the_laws_floor() -> None:
    assert AT_LEAST_TWO_THIRDS.at_least_as_strict_as(MORE_THAN_HALF)
    assert MORE_THAN_HALF.at_least_as_strict_as(MORE_THAN_HALF)
    assert not AT_LEAST_ONE_THIRD.at_least_as_strict_as(MORE_THAN_HALF)
    assert AT_LEAST_THREE_QUARTERS.at_least_as_strict_as(AT_LEAST_TWO_THIRDS)
    law = law_of(MeetingKind.OWNERS, Mode.OWNERS)
    with pytest.raises(RuleRefused):  # Civil Code art. 278: 2/3 take part, never fewer
        change(MeetingKind.OWNERS, law, law, RuleField.QUORUM, ">1/2")
    assert change(MeetingKind.OWNERS, law, law, RuleField.QUORUM, ">=3/4").quorum == ">=3/4"
    with pytest.raises(VoteError):  # owners' majorities are the matter's, by law: not a field here
        change(MeetingKind.OWNERS, law, law, RuleField.PASSING, ">=2/3")
    reps = law_of(MeetingKind.REPRESENTATIVES, Mode.REPRESENTATIVES)
    assert change(MeetingKind.REPRESENTATIVES, reps, reps, RuleField.QUORUM, ">1/2").quorum == ">1/2"  # local rule
    election = law_of(MeetingKind.ELECTION, Mode.ADULTS)
    assert change(MeetingKind.ELECTION, election, election, RuleField.TIE_BREAK, "lot").tie_break == "lot"
    with pytest.raises(VoteError):
        change(MeetingKind.ELECTION, election, election, RuleField.TIE_BREAK, "coin")


# ---- ties by lot -------------------------------------------------------------------------------------------------


async def _tied_election(app: Linli, seed: Seed) -> int:
    """Two seats; 张三 4 of 5, 李四 and 王五 3 each: both more than half, one seat left between them."""
    await _voters(seed, 5)
    meeting = await create(app, ELECTION, kind=MeetingKind.ELECTION, open_now=True)
    for user, marks in ((1, 0b011), (2, 0b101), (3, 0b011), (4, 0b101), (5, 0b110)):
        await cast(app, user, meeting, marks)
    return meeting.id


async def test_a_tie_is_drawn_by_lot_when_the_rule_says_so_and_the_draw_is_recorded(app: Linli, seed: Seed) -> None:
    await _run(app, voting_rules.change_rule, MeetingKind.ELECTION, RuleField.TIE_BREAK, "lot", actor=9,
               now=app.clock.now())
    meeting_id = await _tied_election(app, seed)
    ((_, result),) = (await close(app, meeting_id)).results
    assert result.tied == () and result.unfilled == 0 and len(result.drawn) == 1
    assert result.winners[0] == 0 and set(result.winners) - {0} == set(result.drawn) and result.drawn[0] in (1, 2)
    async with app.sessions() as session:
        (entry,) = await audit.entries(session, app.community_id or 0, "meeting.lot_drawn")
        published = await meetings.results(Unit(session), app.community_id or 0, meeting_id)
    detail = json.loads(entry.detail_json)
    assert detail["tied"] == [1, 2] and sorted(detail["order"]) == [1, 2] and detail["drawn"] == list(result.drawn)
    assert published.results[0][1].drawn == result.drawn  # the result keeps it


async def test_a_tie_goes_to_a_further_round_among_the_tied_by_default(app: Linli, seed: Seed) -> None:
    meeting_id = await _tied_election(app, seed)
    ((_, result),) = (await close(app, meeting_id)).results
    assert result.winners == (0,) and result.tied == (1, 2) and result.unfilled == 1 and result.drawn == ()
    plan = await _run(app, voting_rules.further_plan, meeting_id)
    assert [(f.seats, f.candidates) for f in plan.items] == [(1, (1, 2))]


# ---- further rounds -----------------------------------------------------------------------------------------------


async def _first_round(app: Linli, seed: Seed) -> int:
    """Two seats, six voters: 张三 4 (elected), 李四 3 (exactly half: not), 王五 2, 赵六 1."""
    await _voters(seed, 6)
    meeting = await create(app, ELECTION, kind=MeetingKind.ELECTION, open_now=True)
    for user, marks in ((1, 0b0011), (2, 0b0011), (3, 0b0101), (4, 0b0011), (5, 0b0100), (6, 0b1000)):
        await cast(app, user, meeting, marks)
    ((_, result),) = (await close(app, meeting.id)).results
    assert result.winners == (0,) and result.unfilled == 1
    return meeting.id


async def test_a_further_round_fills_the_unfilled_seat_under_its_own_rule(app: Linli, seed: Seed) -> None:
    first = await _first_round(app, seed)
    now = app.clock.now()
    started = await _run(app, voting_rules.start_further_round, first, opens_at=None,
                         closes_at=now + timedelta(days=1), actor=9, created_by=None, now=now)
    further = started.meeting
    assert started.opened is not None and further.status is Status.OPEN and further.further_of == first
    (item,) = further.items
    assert item.further_round and item.max_marks == 1 and item.secret and not item.write_in
    assert [o.label for o in item.options] == ["李四", "王五"]  # the best placed of the others, one more than seats
    assert started.notices[0].text == "voting.note.opened" and len(started.notices[0].recipients) == 6
    for user, marks in ((1, 0b01), (2, 0b10), (3, 0b01)):
        await cast(app, user, further, marks)
    ((_, result),) = (await close(app, further.id)).results
    assert result.winners == (0,) and result.quorate and result.unfilled == 0  # 2 of 3: most votes, at least 1/3
    assert (result.rule_key, result.passing, result.quorum) == ("rule.election_further", ">=1/3", None)
    with pytest.raises(VoteError) as refused:  # once per election
        await _run(app, voting_rules.start_further_round, first, opens_at=None,
                   closes_at=now + timedelta(days=1), actor=9, created_by=None, now=now)
    assert refused.value.key == "voting_rules.err.further_exists"
    with pytest.raises(VoteError) as refused:  # the further round filled its seat: nothing is left
        await _run(app, voting_rules.start_further_round, further.id, opens_at=None,
                   closes_at=now + timedelta(days=1), actor=9, created_by=None, now=now)
    assert refused.value.key == "voting_rules.err.nothing_to_fill"


async def test_a_scheduled_further_round_is_announced_to_the_first_rounds_register(app: Linli, seed: Seed) -> None:
    first = await _first_round(app, seed)
    now = app.clock.now()
    started = await _run(app, voting_rules.start_further_round, first, opens_at=now + timedelta(hours=2),
                         closes_at=now + timedelta(days=1), actor=9, created_by=None, now=now)
    assert started.opened is None and started.meeting.status is Status.DISCUSSION
    (notice,) = started.notices
    assert notice.text == "voting_rules.note.further" and len(notice.recipients) == 6
    async with app.sessions() as session:
        due_open, _ = await meetings.due(Unit(session), now + timedelta(hours=3))
    assert (app.community_id, started.meeting.id) in due_open  # the job opens it at its time


async def test_two_members_starting_the_further_round_at_once_start_one(app: Linli, seed: Seed) -> None:
    first = await _first_round(app, seed)
    now = app.clock.now()

    async def start() -> str:
        for attempt in range(20):
            try:
                await _run(app, voting_rules.start_further_round, first, opens_at=now + timedelta(hours=1),
                           closes_at=now + timedelta(days=1), actor=9, created_by=None, now=now)
                return "started"
            except DomainError as error:
                return error.key
            except Exception:  # a busy database: the member taps again
                if attempt == 19:
                    raise
                await asyncio.sleep(0.01 * (attempt + 1))
        return "?"

    outcomes = await asyncio.gather(*(start() for _ in range(6)))
    assert sorted(outcomes) == ["started"] + ["voting_rules.err.further_exists"] * 5
    async with app.sessions() as session:
        found = (await session.exec(select(meetings.Meeting.id).where(meetings.Meeting.further_of == first))).all()
    assert len(found) == 1


async def test_no_further_round_for_a_filled_an_invalid_or_another_kind_of_meeting(app: Linli, seed: Seed) -> None:
    await _voters(seed, 4)
    meeting = await create(app, DraftItem(ItemKind.ELECTION, "委员", "", ("张三", "李四"), max_marks=1),
                           kind=MeetingKind.ELECTION, open_now=True)
    await cast(app, 1, meeting, 0b01)  # one of four voted: not a valid election
    await close(app, meeting.id)
    with pytest.raises(VoteError) as refused:
        await _run(app, voting_rules.start_further_round, meeting.id, opens_at=None,
                   closes_at=app.clock.now() + timedelta(days=1), actor=9, created_by=None, now=app.clock.now())
    assert refused.value.key == "voting_rules.err.nothing_to_fill"
    motion = await create(app, open_now=True)
    await close(app, motion.id)
    with pytest.raises(StaleButton):
        await _run(app, voting_rules.further_plan, motion.id)
    still_open = await create(app, ELECTION, kind=MeetingKind.ELECTION, open_now=True)
    with pytest.raises(VoteError):
        await _run(app, voting_rules.further_plan, still_open.id)


# ---- the community's rules and a meeting's own ------------------------------------------------------------------


async def test_community_rules_apply_to_new_meetings_and_a_meeting_may_have_its_own(app: Linli, seed: Seed) -> None:
    await _voters(seed, 3)
    found = await _run(app, voting_rules.change_rule, MeetingKind.RESIDENTS, RuleField.PASSING, ">=2/3", actor=9,
                       now=app.clock.now())
    assert found.own and found.rules.passing == ">=2/3" and found.law.passing == ">1/2"
    with pytest.raises(RuleRefused):
        await _run(app, voting_rules.change_rule, MeetingKind.OWNERS, RuleField.QUORUM, ">1/2", actor=9,
                   now=app.clock.now())
    meeting = await create(app)
    assert meeting.rules.passing == ">=2/3"
    mine = await _run(app, voting_rules.change_meeting_rule, meeting.id, RuleField.QUORUM, ">=3/4", actor=9,
                      now=app.clock.now())
    assert mine.meeting.rules == RuleSet("rule.residents_meeting", ">=3/4", ">=2/3")
    assert (await read(app, meeting.id)).rules.quorum == ">=3/4"
    async with app.sessions() as session:
        await meetings.open_voting(Unit(session), community_id=app.community_id or 0, meeting_id=meeting.id,
                                   now=app.clock.now())
        await session.commit()
    with pytest.raises(VoteError) as refused:  # voting opened: the rule it is counted under stays
        await _run(app, voting_rules.change_meeting_rule, meeting.id, RuleField.QUORUM, ">1/2", actor=9,
                   now=app.clock.now())
    assert refused.value.key == "voting.err.status"
    for user in (1, 2, 3):
        await cast(app, user, await read(app, meeting.id), 0b001)
    ((_, result),) = (await close(app, meeting.id)).results
    assert (result.quorum, result.passing, result.rule_key, result.passed) == (">=3/4", ">=2/3",
                                                                              "rule.residents_meeting", True)
    reset = await _run(app, voting_rules.reset_rule, MeetingKind.RESIDENTS, actor=9, now=app.clock.now())
    assert not reset.own and reset.rules == reset.law
    async with app.sessions() as session:
        actions = [e.action for e in await audit.entries(session, app.community_id or 0)]
    assert {"voting_rule.changed", "meeting.rule_changed", "voting_rule.reset"} <= set(actions)


async def test_members_saving_rules_at_once_leave_one_row(app: Linli) -> None:
    values = [">1/2", ">=2/3", ">=3/4"] * 4

    async def save(value: str) -> None:
        for attempt in range(20):
            try:
                await _run(app, voting_rules.change_rule, MeetingKind.REPRESENTATIVES, RuleField.QUORUM, value,
                           actor=9, now=app.clock.now())
                return
            except DomainError:
                raise
            except Exception:  # a busy database or a deadlock: the member taps again
                if attempt == 19:
                    raise
                await asyncio.sleep(0.01 * (attempt + 1))

    await asyncio.gather(*(save(v) for v in values))
    async with app.sessions() as session:
        rows = (await session.exec(select(VotingRule).where(VotingRule.kind == "representatives"))).all()
    assert len(rows) == 1 and rows[0].quorum in values


async def test_write_in_allowed_only_before_voting_and_only_on_elections(app: Linli, seed: Seed) -> None:
    await _voters(seed, 2)
    meeting = await create(app, ELECTION, kind=MeetingKind.ELECTION)
    assert meeting.items[0].write_in  # the law's way: voters may write someone in
    found = await _run(app, voting_rules.set_write_in, meeting.items[0].id, False, actor=9, now=app.clock.now())
    assert not found.meeting.items[0].write_in
    motion = await create(app)
    with pytest.raises(StaleButton):
        await _run(app, voting_rules.set_write_in, motion.items[0].id, True, actor=9, now=app.clock.now())
    async with app.sessions() as session:
        await meetings.open_voting(Unit(session), community_id=app.community_id or 0, meeting_id=meeting.id,
                                   now=app.clock.now())
        await session.commit()
    with pytest.raises(VoteError):
        await _run(app, voting_rules.set_write_in, meeting.items[0].id, True, actor=9, now=app.clock.now())


# ---- write-ins --------------------------------------------------------------------------------------------------


async def _write_in(app: Linli, user: int, meeting_id: int, candidate: int) -> write_ins.WrittenIn:
    view = await read(app, meeting_id)
    async with app.sessions() as session:
        done = await write_ins.write_in(Unit(session), community_id=app.community_id or 0, meeting_id=meeting_id,
                                        item_id=view.items[0].id, round_no=view.round,
                                        resident_id=await resident_id(app, user), candidate_id=candidate)
        await session.commit()
        return done


async def test_write_ins_are_candidates_counted_like_the_others_and_linked_to_no_voter(app: Linli,
                                                                                      seed: Seed) -> None:
    await _voters(seed, 4)
    zhao = await seed.resident(50, "赵六")  # eligible to be written in
    kid = await seed.resident(51, "小明", adult=False)
    meeting = await create(app, DraftItem(ItemKind.ELECTION, "委员", "", ("张三", "李四"), max_marks=1, secret=True),
                           kind=MeetingKind.ELECTION, open_now=True)
    async with app.sessions() as session:
        found = await write_ins.search(Unit(session), community_id=app.community_id or 0, meeting_id=meeting.id,
                                       item_id=meeting.items[0].id, round_no=meeting.round,
                                       resident_id=await resident_id(app, 1), query="赵")
    assert [p.name for p in found] == ["赵六"]
    first = await _write_in(app, 1, meeting.id, zhao.id or 0)
    assert first.new and first.position == 2 and first.ballot.item.options[2].label == "赵六"
    again = await _write_in(app, 2, meeting.id, zhao.id or 0)  # the same person: the same option
    assert not again.new and again.position == 2
    with pytest.raises(NotFound):  # a child is not eligible to be written in
        await _write_in(app, 3, meeting.id, kid.id or 0)
    view = await read(app, meeting.id)
    for user, marks in ((1, 0b100), (2, 0b100), (3, 0b001), (4, 0b010)):
        await cast(app, user, view, marks)
    with pytest.raises(VoteError) as refused:  # a secret ballot is final: nothing more to write in
        await _write_in(app, 1, meeting.id, zhao.id or 0)
    assert refused.value.key == "voting.ballot.already_final"
    ((item, result),) = (await close(app, meeting.id)).results
    assert [o.label for o in item.options] == ["张三", "李四", "赵六"]
    assert [o.heads for o in result.options] == [1, 1, 2]  # the write-in is counted like the others
    assert result.winners == () and result.unfilled == 1  # 2 of 4 ballots: not more than half
    async with app.sessions() as session:
        option = (await session.exec(select(MeetingOption).where(MeetingOption.written_in))).one()
        entries = await audit.entries(session, app.community_id or 0)
        columns = (await session.exec(text("SELECT * FROM meeting_option"))).mappings().first()
    assert option.candidate_id == zhao.id
    assert columns is not None and set(columns.keys()) == {"id", "item_id", "position", "code", "label",
                                                            "candidate_id", "written_in"}  # no voter, no time
    voters = {str(await resident_id(app, u)) for u in (1, 2)} | {"1", "2"}
    assert not any("write" in e.action for e in entries)
    assert all(not (set(json.loads(e.detail_json).values()) & voters) or e.action.startswith("meeting.opened")
               for e in entries if e.action.startswith("meeting."))


async def test_write_ins_refused_where_not_allowed_or_not_eligible(app: Linli, seed: Seed) -> None:
    await _voters(seed, 2)
    meeting = await create(app, DraftItem(ItemKind.ELECTION, "委员", "", ("张三", "李四"), max_marks=1,
                                          write_in=False), kind=MeetingKind.ELECTION, open_now=True)
    with pytest.raises(StaleButton):
        await _write_in(app, 1, meeting.id, await resident_id(app, 2))
    allowed = await create(app, DraftItem(ItemKind.ELECTION, "委员", "", ("张三", "李四"), max_marks=1),
                           kind=MeetingKind.ELECTION, open_now=True)
    outsider = await seed.resident(70, "Late")  # verified after voting opened: not on the register
    with pytest.raises(VoteError) as refused:
        await _write_in(app, 70, allowed.id, await resident_id(app, 1))
    assert refused.value.key.startswith("voting.err.")
    assert outsider.id


async def test_voters_writing_in_at_once_leave_one_option_per_person(app: Linli, seed: Seed) -> None:
    await _voters(seed, 12)
    people = [await seed.resident(80 + n, f"候选{n}") for n in range(3)]
    meeting = await create(app, DraftItem(ItemKind.ELECTION, "委员", "", ("张三", "李四"), max_marks=2),
                           kind=MeetingKind.ELECTION, open_now=True)

    async def write(user: int) -> None:
        for attempt in range(30):
            try:
                await _write_in(app, user, meeting.id, people[user % 3].id or 0)
                return
            except DomainError:
                raise
            except Exception:  # a deadlock or busy database: the voter taps again
                if attempt == 29:
                    raise
                await asyncio.sleep(0.01 * (attempt + 1))

    await asyncio.gather(*(write(user) for user in range(1, 13)))
    view = await read(app, meeting.id)
    assert sorted(o.label for o in view.items[0].options) == sorted(["张三", "李四", "候选0", "候选1", "候选2"])
    assert [o.position for o in view.items[0].options] == [0, 1, 2, 3, 4]
    async with app.sessions() as session:
        rows = (await session.exec(select(MeetingOption.candidate_id).where(
            col(MeetingOption.written_in).is_(True)))).all()
    assert sorted(rows) == sorted(p.id for p in people)
