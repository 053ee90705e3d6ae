"""An event's extras on a real database (SQLite and PostgreSQL): programme, volunteers, check-in, the summary —
and the races: slots of a role, the places of a programme, one check-in per household."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from bot.app import Linli
from core import event_extras as rules
from core.errors import InvalidInput, NotFound, TooLong
from core.event_extras import ItemStatus
from core.seats import Party
from storage import event_checkin as checkin
from storage import event_extras, event_programme, event_volunteers
from storage.community import find_household
from storage.event_checkin import Attendance, CheckInAttempt
from storage.event_extras_export import ExtrasSummary, extras_summary
from storage.event_programme import ItemInput
from storage.event_volunteers import Volunteer, VolunteerRole
from storage.events import EventStatus
from storage.unit import Unit
from tests.support.event_extras import Units, make_event, many_residents, resident_id
from tests.support.seed import Seed

ROSTER = [("1", "1", "101", 80.0, True), ("1", "1", "102", 80.0, True), ("2", "1", "201", 60.0, False)]


async def _people(app: Linli, seed: Seed) -> dict[str, int]:
    await seed.roster(ROSTER, codes_per_household=0)
    await seed.resident(1, "Alice", household=("1", "1", "101"))
    await seed.resident(2, "Bob", household=("1", "1", "102"))
    await seed.resident(3, "Alice's husband", household=("1", "1", "101"))
    await seed.committee(9, "Director Li")
    return {name: await resident_id(app, user) for name, user in (("alice", 1), ("bob", 2), ("husband", 3),
                                                                   ("director", 9))}


def _entry(title: str = "太极扇", minutes: int = 8) -> ItemInput:
    return ItemInput(title=title, performers="3号楼太极队", minutes=minutes, needs="音响一台")


# ---- programme -----------------------------------------------------------------------------------


async def test_programme_proposals_are_placed_in_order_with_totals(app: Linli, seed: Seed) -> None:
    who = await _people(app, seed)
    units, community = Units(app), app.community_id or 0
    event_id = await make_event(app)
    first = await units.run(event_programme.propose, community, event_id, who["alice"], _entry("太极扇", 8),
                            app.clock.now())
    assert first.item.status is ItemStatus.PROPOSED and first.item.proposer_name == "Alice"
    (alert,) = first.notices
    assert alert.text == "extras.alert.proposed" and [r.chat_id for r in alert.recipients] == [9]
    second = await units.run(event_programme.propose, community, event_id, who["bob"], _entry("京剧选段", 12),
                             app.clock.now())
    own = await units.run(event_programme.add, community, event_id, who["director"], _entry("开场致辞", 5),
                          app.clock.now())
    assert own.item.status is ItemStatus.ACCEPTED and own.item.position == 1 and not own.item.resident_planned

    accepted = await units.run(event_programme.accept, community, second.item.id, who["director"], 1,
                               app.clock.now())
    assert accepted.item.position == 1
    (told,) = accepted.notices
    assert told.text == "extras.note.accepted" and told.params["place"] == 1
    assert [r.chat_id for r in told.recipients] == [2]
    await units.run(event_programme.accept, community, first.item.id, who["director"], 99, app.clock.now())

    shown = await units.run(event_programme.programme, community, event_id)
    assert [(i.title, i.position) for i in shown.items] == [("京剧选段", 1), ("开场致辞", 2), ("太极扇", 3)]
    assert shown.totals == rules.ProgrammeTotals(items=3, minutes=25, resident_planned=2)
    assert shown.pending == 0

    await units.run(event_programme.move, community, first.item.id, 1, app.clock.now())
    removed = await units.run(event_programme.remove, community, second.item.id, who["director"], app.clock.now())
    assert removed.notices[0].text == "extras.note.removed"
    shown = await units.run(event_programme.programme, community, event_id)
    assert [(i.title, i.position) for i in shown.items] == [("太极扇", 1), ("开场致辞", 2)]
    assert shown.totals.resident_planned == 1 and shown.totals.minutes == 13


async def test_declined_with_a_reason_and_decided_once(app: Linli, seed: Seed) -> None:
    who = await _people(app, seed)
    units, community = Units(app), app.community_id or 0
    event_id = await make_event(app)
    item = (await units.run(event_programme.propose, community, event_id, who["alice"], _entry(),
                            app.clock.now())).item
    with pytest.raises(InvalidInput):
        await units.run(event_programme.decline, community, item.id, who["director"], "  ", app.clock.now())
    declined = await units.run(event_programme.decline, community, item.id, who["director"], "节目已满，下月再来",
                               app.clock.now())
    assert declined.item.status is ItemStatus.DECLINED and declined.notices[0].params["reason"] == "节目已满，下月再来"
    with pytest.raises(rules.ItemDecided):
        await units.run(event_programme.accept, community, item.id, who["director"], 1, app.clock.now())
    mine = await units.run(event_programme.programme, community, event_id, viewer_id=who["alice"])
    assert [(i.title, i.status, i.decline_reason) for i in mine.mine] == [("太极扇", ItemStatus.DECLINED,
                                                                           "节目已满，下月再来")]
    assert mine.items == ()


async def test_two_committee_members_accept_one_item_at_once(app: Linli, seed: Seed) -> None:
    who = await _people(app, seed)
    units, community = Units(app), app.community_id or 0
    event_id = await make_event(app)
    item = (await units.run(event_programme.propose, community, event_id, who["alice"], _entry(),
                            app.clock.now())).item
    outcomes = await asyncio.gather(
        *(units.run(event_programme.accept, community, item.id, who["director"], place, app.clock.now())
          for place in (1, 2, 3)), return_exceptions=True)
    assert sum(1 for o in outcomes if isinstance(o, event_programme.Decision)) == 1
    assert sum(1 for o in outcomes if isinstance(o, rules.ItemDecided)) == 2
    shown = await units.run(event_programme.programme, community, event_id)
    assert [(i.title, i.position) for i in shown.items] == [("太极扇", 1)]


async def test_concurrent_placements_keep_the_order_numbered(app: Linli, seed: Seed) -> None:
    who = await _people(app, seed)
    units, community = Units(app), app.community_id or 0
    event_id = await make_event(app)
    ids = [(await units.run(event_programme.propose, community, event_id, resident, _entry(f"节目{n}"),
                            app.clock.now())).item.id
           for n, resident in enumerate((who["alice"], who["bob"], who["husband"]))]
    await asyncio.gather(*(units.run(event_programme.accept, community, item_id, who["director"], 1, app.clock.now())
                           for item_id in ids))
    shown = await units.run(event_programme.programme, community, event_id)
    assert sorted(i.position or 0 for i in shown.items) == [1, 2, 3]


async def test_programme_bad_input(app: Linli, seed: Seed) -> None:
    who = await _people(app, seed)
    units, community = Units(app), app.community_id or 0
    event_id = await make_event(app)
    with pytest.raises(TooLong) as too_long:
        await units.run(event_programme.propose, community, event_id, who["alice"], _entry("长" * 41),
                        app.clock.now())
    assert too_long.value.params == {"limit": 40, "length": 41}
    with pytest.raises(rules.BadMinutes):
        await units.run(event_programme.propose, community, event_id, who["alice"], _entry(minutes=61),
                        app.clock.now())
    for n in range(rules.PENDING_PROPOSALS_PER_EVENT):
        await units.run(event_programme.propose, community, event_id, who["alice"], _entry(f"节目{n}"),
                        app.clock.now())
    with pytest.raises(rules.TooManyPending):
        await units.run(event_programme.propose, community, event_id, who["alice"], _entry("再来一个"),
                        app.clock.now())
    started = await make_event(app, starts_in=timedelta(minutes=-10))
    with pytest.raises(rules.EventNotOpen):
        await units.run(event_programme.propose, community, started, who["bob"], _entry(), app.clock.now())
    cancelled = await make_event(app, status=EventStatus.CANCELLED.value)
    with pytest.raises(rules.EventNotOpen):
        await units.run(event_programme.propose, community, cancelled, who["bob"], _entry(), app.clock.now())
    with pytest.raises(NotFound):
        await units.run(event_programme.propose, community, 9999, who["bob"], _entry(), app.clock.now())
    with pytest.raises(NotFound):
        await units.run(event_programme.accept, community + 1, 1, who["director"], 1, app.clock.now())


# ---- volunteers ----------------------------------------------------------------------------------


async def test_sign_up_drop_out_and_full_roles(app: Linli, seed: Seed) -> None:
    who = await _people(app, seed)
    units, community = Units(app), app.community_id or 0
    event_id = await make_event(app)
    photos = await units.run(event_volunteers.add_role, community, event_id, "摄影", 1, app.clock.now())
    patrol = await units.run(event_volunteers.add_role, community, event_id, "巡逻", "２", app.clock.now())
    with pytest.raises(rules.RoleExists):
        await units.run(event_volunteers.add_role, community, event_id, "摄影", 3, app.clock.now())
    with pytest.raises(rules.BadSlots):
        await units.run(event_volunteers.add_role, community, event_id, "接待", 0, app.clock.now())

    signed = await units.run(event_volunteers.sign_up, community, photos.id, who["alice"], app.clock.now())
    assert signed.changed and signed.role.taken == 1 and signed.role.full
    again = await units.run(event_volunteers.sign_up, community, photos.id, who["alice"], app.clock.now())
    assert not again.changed
    with pytest.raises(rules.RoleFull) as full:
        await units.run(event_volunteers.sign_up, community, photos.id, who["bob"], app.clock.now())
    assert full.value.params == {"role": "摄影"}
    with pytest.raises(rules.AlreadyVolunteering):
        await units.run(event_volunteers.sign_up, community, patrol.id, who["alice"], app.clock.now())
    with pytest.raises(rules.BadSlots):
        await units.run(event_volunteers.set_slots, community, photos.id, 0, app.clock.now())
    with pytest.raises(rules.BadSlots):
        await units.run(event_volunteers.set_slots, community, photos.id, 51, app.clock.now())
    with pytest.raises(rules.RoleNotEmpty):
        await units.run(event_volunteers.delete_role, community, photos.id)

    await units.run(event_volunteers.sign_up, community, patrol.id, who["bob"], app.clock.now())
    board = await units.run(event_volunteers.board, community, event_id, viewer_id=who["bob"], with_people=True)
    assert board.mine == patrol.id and (board.volunteers, board.slots) == (2, 3)
    assert [(r.name, r.people) for r in board.roles] == [("摄影", (("Alice", "1-1-101"),)),
                                                         ("巡逻", (("Bob", "1-1-102"),))]

    left = await units.run(event_volunteers.drop_out, community, photos.id, who["alice"], app.clock.now())
    assert left.changed and left.role.taken == 0
    assert not (await units.run(event_volunteers.drop_out, community, photos.id, who["alice"], app.clock.now())).changed
    await units.run(event_volunteers.sign_up, community, patrol.id, who["husband"], app.clock.now())
    with pytest.raises(rules.SlotsBelowTaken) as below:
        await units.run(event_volunteers.set_slots, community, patrol.id, 1, app.clock.now())
    assert below.value.params == {"taken": 2}
    assert (await units.run(event_volunteers.set_slots, community, patrol.id, 4, app.clock.now())).slots == 4
    empty = await units.run(event_volunteers.add_role, community, event_id, "接待", 2, app.clock.now())
    assert await units.run(event_volunteers.delete_role, community, empty.id) == "接待"


@pytest.mark.parametrize("racers", [30])
async def test_racing_sign_ups_never_exceed_the_slots(app: Linli, seed: Seed, racers: int) -> None:
    units, community = Units(app), app.community_id or 0
    event_id = await make_event(app)
    people = await many_residents(app, racers)
    role = await units.run(event_volunteers.add_role, community, event_id, "布置会场", 5, app.clock.now())
    outcomes = await asyncio.gather(
        *(units.run(event_volunteers.sign_up, community, role.id, person, app.clock.now()) for person in people),
        return_exceptions=True)
    unexpected = [o for o in outcomes if not isinstance(o, event_volunteers.SignUp | rules.RoleFull)]
    assert unexpected == []
    assert sum(1 for o in outcomes if isinstance(o, event_volunteers.SignUp)) == 5
    async with app.sessions() as session:
        stored = await session.get(VolunteerRole, role.id)
        signed = (await session.exec(select(func.count()).select_from(Volunteer))).one()
    assert stored is not None and stored.taken == 5 and signed == 5


async def test_one_person_racing_for_two_roles_gets_one(app: Linli, seed: Seed) -> None:
    units, community = Units(app), app.community_id or 0
    event_id = await make_event(app)
    (person,) = await many_residents(app, 1)
    roles = [await units.run(event_volunteers.add_role, community, event_id, name, 3, app.clock.now())
             for name in ("摄影", "巡逻", "接待")]
    outcomes = await asyncio.gather(
        *(units.run(event_volunteers.sign_up, community, role.id, person, app.clock.now()) for role in roles),
        return_exceptions=True)
    assert sum(1 for o in outcomes if isinstance(o, event_volunteers.SignUp)) == 1
    assert sum(1 for o in outcomes if isinstance(o, rules.AlreadyVolunteering)) == 2
    board = await units.run(event_volunteers.board, community, event_id)
    assert board.volunteers == 1


# ---- check-in ------------------------------------------------------------------------------------


async def test_check_in_with_the_code_once_per_household(app: Linli, seed: Seed) -> None:
    who = await _people(app, seed)
    units, community = Units(app), app.community_id or 0
    event_id = await make_event(app, starts_in=timedelta(minutes=20), code="桂花27")
    status = await units.run(checkin.status, community, event_id, who["alice"], app.clock.now())
    assert status.window is rules.Window.OPEN and status.attended is None
    with pytest.raises(rules.NoCode):  # no right code yet
        await units.run(checkin.check_in, community, event_id, who["alice"], 2, 1, app.clock.now())
    wrong = await units.run(checkin.enter_code, community, event_id, who["alice"], "桂花28", app.clock.now())
    assert wrong == checkin.CodeCheck(ok=False, left=4)
    right = await units.run(checkin.enter_code, community, event_id, who["alice"], " 桂花 ２７ ", app.clock.now())
    assert right.ok
    with pytest.raises(rules.BadParty):
        await units.run(checkin.check_in, community, event_id, who["alice"], 5, 2, app.clock.now())  # over 6
    done = await units.run(checkin.check_in, community, event_id, who["alice"], 2, 1, app.clock.now())
    assert (done.people, done.name, done.address) == (3, "Alice", "1-1-101")
    with pytest.raises(rules.AlreadyCheckedIn) as already:  # the same household, another member
        await units.run(checkin.may_check_in, community, event_id, who["husband"], app.clock.now())
    assert already.value.params == {"people": 3}
    seen = await units.run(checkin.status, community, event_id, who["husband"], app.clock.now())
    assert seen.attended is not None and seen.attended.people == 3


async def test_check_in_only_during_the_event(app: Linli, seed: Seed) -> None:
    who = await _people(app, seed)
    units, community = Units(app), app.community_id or 0
    event_id = await make_event(app, starts_in=timedelta(minutes=31), hours=1, code="月亮11")
    with pytest.raises(rules.CheckInClosed):
        await units.run(checkin.enter_code, community, event_id, who["alice"], "月亮11", app.clock.now())
    app.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    assert (await units.run(checkin.enter_code, community, event_id, who["alice"], "月亮11", app.clock.now())).ok
    app.clock.advance(timedelta(minutes=91))  # type: ignore[attr-defined]
    with pytest.raises(rules.CheckInClosed):
        await units.run(checkin.check_in, community, event_id, who["alice"], 1, 0, app.clock.now())
    with pytest.raises(rules.CheckInClosed):
        await units.run(checkin.may_check_in, community, event_id, who["alice"], app.clock.now())


async def test_code_tries_are_limited_per_hour(app: Linli, seed: Seed) -> None:
    who = await _people(app, seed)
    units, community = Units(app), app.community_id or 0
    event_id = await make_event(app, starts_in=timedelta(minutes=-5), code="荷花50")
    for left in (4, 3, 2, 1, 0):
        assert await units.run(checkin.enter_code, community, event_id, who["bob"], "荷花", app.clock.now()) == \
            checkin.CodeCheck(ok=False, left=left)
    with pytest.raises(rules.TooManyCodeTries):  # even the right code, for an hour
        await units.run(checkin.enter_code, community, event_id, who["bob"], "荷花50", app.clock.now())
    app.clock.advance(timedelta(minutes=61))  # type: ignore[attr-defined]
    assert (await units.run(checkin.enter_code, community, event_id, who["bob"], "荷花50", app.clock.now())).ok
    async with app.sessions() as session:
        tries = (await session.exec(select(func.count()).select_from(CheckInAttempt))).one()
    assert tries == 6


async def test_committee_checks_in_by_address_or_name(app: Linli, seed: Seed) -> None:
    who = await _people(app, seed)
    units, community = Units(app), app.community_id or 0
    event_id = await make_event(app, starts_in=timedelta(minutes=-30), families=False)
    by_address = await units.run(checkin.find, community, "2号楼1单元201室")
    assert [(m.address, m.resident_id) for m in by_address] == [("2-1-201", None)]
    assert await units.run(checkin.find, community, "2-1-999") == []
    by_name = await units.run(checkin.find, community, "alice")
    assert [(m.name, m.address) for m in by_name] == [("Alice", "1-1-101"), ("Alice's husband", "1-1-101")]
    assert await units.run(checkin.find, community, "%") == []  # a wildcard is a character, not everyone
    with pytest.raises(rules.BadParty):  # no children at this event
        await units.run(checkin.committee_check_in, community, event_id, who["director"],
                        household_id=by_address[0].household_id, resident_id=None, adults=1, children=1,
                        now=app.clock.now())
    done = await units.run(checkin.committee_check_in, community, event_id, who["director"],
                           household_id=by_address[0].household_id, resident_id=None, adults=2, children=0,
                           now=app.clock.now())
    assert done.by_committee and done.address == "2-1-201" and done.name == ""
    await units.run(checkin.committee_check_in, community, event_id, who["director"], household_id=None,
                    resident_id=by_name[1].resident_id, adults=1, children=0, now=app.clock.now())
    with pytest.raises(rules.AlreadyCheckedIn):  # Alice lives there too
        await units.run(checkin.committee_check_in, community, event_id, who["director"], household_id=None,
                        resident_id=by_name[0].resident_id, adults=1, children=0, now=app.clock.now())
    listed = await units.run(checkin.attendance, community, event_id)
    assert (listed.people, listed.adults, listed.children, len(listed.records)) == (3, 3, 0, 2)
    assert [r.name for r in listed.records] in (["Alice's husband", ""], ["", "Alice's husband"])


async def test_two_members_of_a_household_check_in_at_once(app: Linli, seed: Seed) -> None:
    who = await _people(app, seed)
    units, community = Units(app), app.community_id or 0
    event_id = await make_event(app, starts_in=timedelta(minutes=-5), code="喜鹊42")
    for person in (who["alice"], who["husband"]):
        assert (await units.run(checkin.enter_code, community, event_id, person, "喜鹊42", app.clock.now())).ok
    outcomes = await asyncio.gather(
        *(units.run(checkin.check_in, community, event_id, person, 2, 0, app.clock.now())
          for person in (who["alice"], who["husband"])), return_exceptions=True)
    assert sum(1 for o in outcomes if isinstance(o, checkin.Attended)) == 1
    assert sum(1 for o in outcomes if isinstance(o, rules.AlreadyCheckedIn)) == 1
    async with app.sessions() as session:
        rows = (await session.exec(select(func.count()).select_from(Attendance))).one()
    assert rows == 1


async def test_set_code_and_no_shows_after_the_event(app: Linli, seed: Seed) -> None:
    who = await _people(app, seed)
    units, community = Units(app), app.community_id or 0
    event_id = await make_event(app, starts_in=timedelta(minutes=-10), hours=1)
    made = await units.run(checkin.set_code, community, event_id, None, app.clock.now())
    assert made[:2] in rules.CODE_WORDS and made[2:].isdigit()
    with pytest.raises(rules.BadCode):
        await units.run(checkin.set_code, community, event_id, "a!", app.clock.now())
    assert await units.run(checkin.set_code, community, event_id, "Ｍｏｏｎ 7", app.clock.now()) == "Moon7"
    assert (await units.run(event_extras.event_info, community, event_id)).check_in_code == "Moon7"
    assert (await units.run(checkin.enter_code, community, event_id, who["bob"], "moon7", app.clock.now())).ok
    await units.run(checkin.check_in, community, event_id, who["bob"], 1, 1, app.clock.now())
    async with app.sessions() as session:
        homes = [await find_household(session, community, "1", "1", room) for room in ("101", "102")]
    going = [Party(household=h.id or 0, adults=2) for h in homes if h is not None]
    with pytest.raises(rules.EventNotOver):
        await units.run(checkin.no_shows, community, event_id, going, app.clock.now())
    app.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    missing = await units.run(checkin.no_shows, community, event_id, going, app.clock.now())
    assert missing == (going[0],)


async def test_extras_summary_for_the_monthly_export(app: Linli, seed: Seed) -> None:
    who = await _people(app, seed)
    units, community = Units(app), app.community_id or 0
    event_id = await make_event(app, starts_in=timedelta(minutes=10), code="竹林12")
    quiet = await make_event(app)
    item = await units.run(event_programme.propose, community, event_id, who["alice"], _entry("太极扇", 8),
                           app.clock.now())
    await units.run(event_programme.accept, community, item.item.id, who["director"], 1, app.clock.now())
    await units.run(event_programme.propose, community, event_id, who["bob"], _entry("还在等", 8), app.clock.now())
    await units.run(event_programme.add, community, event_id, who["director"], _entry("致辞", 5), app.clock.now())
    role = await units.run(event_volunteers.add_role, community, event_id, "摄影", 3, app.clock.now())
    await units.run(event_volunteers.sign_up, community, role.id, who["bob"], app.clock.now())
    await units.run(checkin.enter_code, community, event_id, who["alice"], "竹林12", app.clock.now())
    await units.run(checkin.check_in, community, event_id, who["alice"], 2, 3, app.clock.now())
    async with app.sessions() as session:
        summary = await extras_summary(session, [event_id, quiet])
        assert await extras_summary(Unit(session), [event_id]) == {event_id: summary[event_id]}
    assert summary[event_id] == ExtrasSummary(attended_people=5, attended_adults=2, attended_children=3,
                                              attended_households=1, programme_items=2, programme_resident_planned=1,
                                              programme_minutes=13, volunteers=1, volunteer_slots=3)
    assert summary[quiet] == ExtrasSummary()


async def test_upcoming_lists_scheduled_events_not_over(app: Linli) -> None:
    units, community = Units(app), app.community_id or 0
    later = await make_event(app, title="later", starts_in=timedelta(days=5))
    soon = await make_event(app, title="soon", starts_in=timedelta(hours=-1), hours=2)
    await make_event(app, title="over", starts_in=timedelta(hours=-3), hours=2)
    await make_event(app, title="cancelled", status=EventStatus.CANCELLED.value)
    found = await units.run(event_extras.upcoming, community, app.clock.now())
    assert [e.id for e in found] == [soon, later]
    async with app.sessions() as session:
        assert (await session.exec(select(col(VolunteerRole.id)))).all() == []
