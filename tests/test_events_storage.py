"""Events' use cases on SQLite and PostgreSQL: RSVP and the waitlist, committee changes, 相约九号 from its template,
reminders, the calendar file and the month's summary; capacity under concurrency."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func
from sqlmodel import col, select

from bot.app import Linli
from core import events as rules
from core.clock import FrozenClock
from core.errors import NotFound, NotVerified
from core.monthly import Month, Template
from handlers.port import SendText
from storage import event_admin, event_calendar, event_schedule, events, outbox
from storage.community import Community, get_community
from storage.events import Event, EventReminder, ReplyStatus
from storage.outbox import OutboxMessage
from tests.support.events import DIRECTOR, FIRST, going, households, make_event, not_going, seats, unit
from tests.support.seed import Seed

A, B, C, D, E = FIRST, FIRST + 1, FIRST + 2, FIRST + 3, FIRST + 4


# ---- RSVP and the waitlist -------------------------------------------------------------------------------


async def test_capacity_counts_people_and_a_full_event_puts_replies_on_the_waitlist_in_order(
        app: Linli, seed: Seed) -> None:
    ids = await households(app, seed, 5)
    event_id = await make_event(app, ids, capacity=8, reserved=2)
    first = await going(app, ids, event_id, A, 2, 2)
    assert first.changed and first.card.mine is not None and first.card.mine.status is ReplyStatus.GOING
    assert (first.card.places.going, first.card.places.left) == (4, 2)
    second = await going(app, ids, event_id, B, 3)
    assert second.card.mine is not None and second.card.mine.status is ReplyStatus.WAITING
    assert second.card.mine.place == 1 and second.card.places.waiting_parties == 1
    third = await going(app, ids, event_id, C, 2)  # fits the two places B could not use
    assert third.card.mine is not None and third.card.mine.status is ReplyStatus.GOING
    fourth = await going(app, ids, event_id, D, 1)
    assert fourth.card.mine is not None and fourth.card.mine.place == 2
    assert await seats(app, event_id) == ([(A, 4), (C, 2)], [(B, 3), (D, 1)])


async def test_a_double_tap_changes_nothing_and_tells_nobody(app: Linli, seed: Seed) -> None:
    ids = await households(app, seed, 2)
    event_id = await make_event(app, ids)
    await going(app, ids, event_id, A, 2, 1)
    again = await going(app, ids, event_id, A, 2, 1)
    assert not again.changed and again.notices == ()
    assert again.card.places.going == 3
    await not_going(app, ids, event_id, A)
    twice = await not_going(app, ids, event_id, A)
    assert not twice.changed and twice.card.places.going == 0


async def test_a_cancellation_promotes_whole_parties_in_order_skipping_those_too_large(
        app: Linli, seed: Seed) -> None:
    ids = await households(app, seed, 5)
    event_id = await make_event(app, ids, capacity=6)
    for user, adults in ((A, 4), (B, 2), (C, 3), (D, 1), (E, 2)):
        await going(app, ids, event_id, user, adults)
    assert await seats(app, event_id) == ([(A, 4), (B, 2)], [(C, 3), (D, 1), (E, 2)])
    outcome = await not_going(app, ids, event_id, B)  # 2 free: C (3) does not fit, D (1) does, E (2) does not
    assert await seats(app, event_id) == ([(A, 4), (D, 1)], [(C, 3), (E, 2)])
    assert [n.recipients[0].chat_id for n in outcome.notices] == [D]
    assert outcome.notices[0].text == "events.note.promoted"
    leaving = await not_going(app, ids, event_id, C)  # leaves the waitlist: E moves up
    assert leaving.card.mine is not None and leaving.card.mine.status is ReplyStatus.DECLINED
    async with unit(app) as work:
        shown = await events.card(work, app.community_id or 0, event_id, ids[E])
    assert shown.mine is not None and shown.mine.place == 1


async def test_a_smaller_party_frees_seats_and_a_larger_one_that_does_not_fit_keeps_its_seats(
        app: Linli, seed: Seed) -> None:
    ids = await households(app, seed, 3)
    event_id = await make_event(app, ids, capacity=5)
    await going(app, ids, event_id, A, 3)
    await going(app, ids, event_id, B, 2)
    await going(app, ids, event_id, C, 1)  # waits
    smaller = await going(app, ids, event_id, A, 2)
    assert [n.recipients[0].chat_id for n in smaller.notices] == [C]
    with pytest.raises(rules.NoRoomLeft) as refused:
        await going(app, ids, event_id, B, 3)
    assert refused.value.params == {"free": 2}  # what B holds plus nothing free
    assert await seats(app, event_id) == ([(A, 2), (B, 2), (C, 1)], [])


async def test_a_waiting_party_made_smaller_keeps_its_place_and_comes_when_it_fits(app: Linli, seed: Seed) -> None:
    ids = await households(app, seed, 3)
    event_id = await make_event(app, ids, capacity=4)
    await going(app, ids, event_id, A, 3)
    await going(app, ids, event_id, B, 3)
    await going(app, ids, event_id, C, 1)  # fits the one free place
    await not_going(app, ids, event_id, C)
    now = await going(app, ids, event_id, B, 1)  # now fits: going
    assert now.card.mine is not None and now.card.mine.status is ReplyStatus.GOING and now.notices == ()


@pytest.mark.parametrize(("adults", "children", "error"), [
    (0, 0, rules.PartySize), (-1, 2, rules.PartySize), (1, -1, rules.PartySize), (4, 3, rules.PartySize),
])
async def test_party_sizes_outside_the_household_maximum_are_refused(
        app: Linli, seed: Seed, adults: int, children: int, error: type[Exception]) -> None:
    ids = await households(app, seed, 1)
    event_id = await make_event(app, ids, household_max=6)
    with pytest.raises(error):
        await going(app, ids, event_id, A, adults, children)
    assert await seats(app, event_id) == ([], [])


async def test_children_only_where_families_come(app: Linli, seed: Seed) -> None:
    ids = await households(app, seed, 1)
    event_id = await make_event(app, ids, families=False)
    with pytest.raises(rules.NoChildren):
        await going(app, ids, event_id, A, 1, 1)
    assert (await going(app, ids, event_id, A, 2)).card.places.going == 2


async def test_no_reply_after_the_deadline_to_a_cancelled_or_past_event_or_while_unverified(
        app: Linli, seed: Seed, clock: FrozenClock) -> None:
    ids = await households(app, seed, 2)
    now = clock.now()
    late = await make_event(app, ids, rsvp_deadline=now + timedelta(days=1))
    off = await make_event(app, ids)
    async with unit(app) as work:
        await event_admin.cancel_event(work, app.community_id or 0, off, ids[DIRECTOR], now)
    await going(app, ids, late, A, 1)
    clock.advance(timedelta(days=2))
    with pytest.raises(rules.RsvpClosed):
        await going(app, ids, late, B, 1)
    with pytest.raises(rules.RsvpClosed):  # a going party cannot cancel after the deadline either
        await not_going(app, ids, late, A)
    with pytest.raises(rules.EventCancelled):
        await going(app, ids, off, B, 1)
    clock.advance(timedelta(days=4))
    with pytest.raises(rules.EventOver):
        await going(app, ids, late, B, 1)
    stranger = await seed.resident(4040, "Guest", verified=False)
    with pytest.raises(NotVerified):
        async with unit(app) as work:
            await events.rsvp(work, app.community_id or 0, off, stranger.id or 0, 1, 0, clock.now())


async def test_another_communitys_event_is_not_found(app: Linli, seed: Seed) -> None:
    ids = await households(app, seed, 1)
    now = app.clock.now()
    async with app.sessions() as session:
        other = Community(name="别的小区", created_at=now)
        session.add(other)
        await session.flush()
        elsewhere = Event(community_id=other.id or 0, title="x", starts_at=now + timedelta(days=1),
                          ends_at=now + timedelta(days=1, hours=1), venue="y", created_at=now, updated_at=now)
        session.add(elsewhere)
        await session.commit()
    with pytest.raises(NotFound):
        async with unit(app) as work:
            await events.rsvp(work, app.community_id or 0, elsewhere.id or 0, ids[A], 1, 0, now)


# ---- the committee's changes -----------------------------------------------------------------------------


async def test_fewer_seats_than_people_going_is_refused_or_moves_the_latest_parties_to_the_front_of_the_waitlist(
        app: Linli, seed: Seed) -> None:
    ids = await households(app, seed, 5)
    event_id = await make_event(app, ids, capacity=10)
    for user, adults in ((A, 3), (B, 3), (C, 2), (D, 2), (E, 2)):
        await going(app, ids, event_id, user, adults)
    assert await seats(app, event_id) == ([(A, 3), (B, 3), (C, 2), (D, 2)], [(E, 2)])
    with pytest.raises(rules.TooFewSeats) as refused:
        async with unit(app) as work:
            await event_admin.resize(work, app.community_id or 0, event_id, 7, 0, demote=False,
                                     actor_id=ids[DIRECTOR], now=app.clock.now())
    assert refused.value.params == {"going": 10, "offered": 7, "move": 2}
    assert (await seats(app, event_id))[0] == [(A, 3), (B, 3), (C, 2), (D, 2)]  # nothing changed
    async with unit(app) as work:
        change = await event_admin.resize(work, app.community_id or 0, event_id, 7, 0, demote=True,
                                          actor_id=ids[DIRECTOR], now=app.clock.now())
    assert change.moved == 2
    assert await seats(app, event_id) == ([(A, 3), (B, 3)], [(C, 2), (D, 2), (E, 2)])
    assert sorted((n.text, n.recipients[0].chat_id, n.params["place"]) for n in change.notices) == [
        ("events.note.demoted", C, 1), ("events.note.demoted", D, 2)]
    async with unit(app) as work:  # more seats again: the waitlist comes in order
        more = await event_admin.resize(work, app.community_id or 0, event_id, 12, 1, demote=False,
                                        actor_id=ids[DIRECTOR], now=app.clock.now())
    assert [n.recipients[0].chat_id for n in more.notices] == [C, D]
    assert await seats(app, event_id) == ([(A, 3), (B, 3), (C, 2), (D, 2)], [(E, 2)])


async def test_reserved_seats_must_leave_seats_to_offer(app: Linli, seed: Seed) -> None:
    ids = await households(app, seed, 1)
    event_id = await make_event(app, ids)
    with pytest.raises(rules.ReservedTooMany):
        async with unit(app) as work:
            await event_admin.resize(work, app.community_id or 0, event_id, 5, 5, demote=False,
                                     actor_id=ids[DIRECTOR], now=app.clock.now())


async def test_rain_plan_move_and_cancel_tell_everyone_going_or_waiting_and_the_calendar_follows(
        app: Linli, seed: Seed, clock: FrozenClock) -> None:
    ids = await households(app, seed, 3)
    event_id = await make_event(app, ids, capacity=2)
    await going(app, ids, event_id, A, 2)
    await going(app, ids, event_id, B, 1)  # waiting
    await not_going(app, ids, event_id, C)  # not told
    community = app.community_id or 0
    before = await _ics(app, event_id)
    async with unit(app) as work:
        rain = await event_admin.set_rain_plan(work, community, event_id, True, ids[DIRECTOR], clock.now())
    assert rain.event.where == "活动室" and rain.event.sequence == 1
    (notice,) = rain.notices
    assert notice.text == "events.note.rain" and [r.chat_id for r in notice.recipients] == [A, B]
    assert not notice.urgent  # five days ahead
    async with unit(app) as work:
        same = await event_admin.set_rain_plan(work, community, event_id, True, ids[DIRECTOR], clock.now())
    assert same.notices == () and same.event.sequence == 1
    clock.advance(timedelta(days=5) - timedelta(hours=2))  # it starts in 2 hours: half an hour later, urgently
    async with unit(app) as work:
        moved = await event_admin.move(work, community, event_id, rain.event.starts_at + timedelta(minutes=30),
                                       ids[DIRECTOR], clock.now())
    assert moved.notices[0].text == "events.note.time" and moved.notices[0].urgent
    after = await _ics(app, event_id)
    assert after["UID"] == before["UID"] and int(after["SEQUENCE"]) == 2 > int(before["SEQUENCE"])
    assert str(after["LOCATION"]) == "活动室"
    async with unit(app) as work:
        off = await event_admin.cancel_event(work, community, event_id, ids[DIRECTOR], clock.now())
    assert off.notices[0].text == "events.note.cancelled" and off.event.cancelled
    cancelled = await _ics(app, event_id)
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 3
    with pytest.raises(rules.EventCancelled):
        async with unit(app) as work:
            await event_admin.move(work, community, event_id, clock.now() + timedelta(days=1), ids[DIRECTOR],
                                   clock.now())


async def _ics(app: Linli, event_id: int) -> dict[str, object]:
    async with unit(app) as work:
        shown = await events.event_view(work, app.community_id or 0, event_id)
    calendar = Calendar.from_ical(event_calendar.ics(shown, "Asia/Shanghai", app.clock.now()))
    (entry,) = calendar.walk("VEVENT")
    assert entry.walk("VALARM") or shown.cancelled
    return dict(entry)


async def test_an_urgent_change_goes_out_before_a_backlog_of_announcements(
        app: Linli, seed: Seed, clock: FrozenClock) -> None:
    ids = await households(app, seed, 2)
    event_id = await make_event(app, ids, starts_at=clock.now() + timedelta(hours=2),
                                ends_at=clock.now() + timedelta(hours=4))
    await going(app, ids, event_id, A, 1)
    async with app.sessions() as session:  # 300 announcements to 300 chats already waiting
        for chat in range(300):
            await outbox.enqueue(session, SendText(50_000 + chat, "x"), f"bulk:{chat}", clock.now())
        await session.commit()
    async with unit(app) as work:
        change = await event_admin.set_rain_plan(work, app.community_id or 0, event_id, True, ids[DIRECTOR],
                                                 clock.now())
        assert change.notices[0].urgent
        community = await get_community(work.session, app.community_id or 0)
        await app.notifier.queue(work.session, community, change.notices, clock.now())
    async with app.sessions() as session:
        batch = await outbox.due(session, clock.now(), limit=10)
        urgent = (await session.exec(select(OutboxMessage).where(col(OutboxMessage.chat_id) == A))).all()
    assert batch[0].chat_id == A and batch[0].priority == outbox.URGENT
    assert [row.priority for row in urgent] == [outbox.URGENT]


# ---- 相约九号 --------------------------------------------------------------------------------------------


NINTH = Template(day=9, start=time(18, 30), minutes=120, venue="中心花园", rain_venue="活动室", capacity=80,
                 lead_days=14)


async def _monthly_tick(app: Linli, now: datetime) -> list[str]:
    async with unit(app) as work:
        made = await event_schedule.make_monthly(work, app.community_id or 0, now)
    return [n.key for n in made]


async def _months(app: Linli) -> list[tuple[str | None, str]]:
    async with app.sessions() as session:
        rows = (await session.exec(select(Event).order_by(col(Event.starts_at)))).all()
    return [(row.month, row.status) for row in rows]


async def test_the_template_makes_one_event_a_month_across_restarts_and_a_skipped_month(
        app: Linli, seed: Seed) -> None:
    ids = await households(app, seed, 2)
    community = app.community_id or 0
    start = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    async with unit(app) as work:
        await event_admin.save_template(work, community, "相约九号", NINTH, ids[DIRECTOR], start)
        await event_admin.change_month(work, community, Month(2027, 1), ids[DIRECTOR], start, skip=True)
        await event_admin.change_month(work, community, Month(2027, 2), ids[DIRECTOR], start, start=time(19, 0),
                                       venue="篮球场")
    announced = []
    moment = start
    while moment < datetime(2027, 4, 1, tzinfo=UTC):  # a tick every 5 hours, as if restarted in between
        announced += await _monthly_tick(app, moment)
        moment += timedelta(hours=5)
    assert await _months(app) == [("2026-12", "scheduled"), ("2027-02", "scheduled"), ("2027-03", "scheduled"),
                                  ("2027-04", "scheduled")]  # April's is made 14 days ahead, in March
    assert len(announced) == 4 and len(set(announced)) == 4
    async with app.sessions() as session:
        february = (await session.exec(select(Event).where(Event.month == "2027-02"))).one()
        december = (await session.exec(select(Event).where(Event.month == "2026-12"))).one()
    assert february.venue == "篮球场" and february.starts_at == datetime(2027, 2, 9, 11, 0, tzinfo=UTC)
    assert december.starts_at == datetime(2026, 12, 9, 10, 30, tzinfo=UTC)
    assert december.created_at == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # the first tick 14 days ahead


async def test_two_workers_ticking_at_once_make_the_month_once(app: Linli, seed: Seed) -> None:
    ids = await households(app, seed, 1)
    community = app.community_id or 0
    moment = datetime(2026, 11, 26, tzinfo=UTC)
    async with unit(app) as work:
        await event_admin.save_template(work, community, "相约九号", NINTH, ids[DIRECTOR], moment)
    made = await asyncio.gather(*(_monthly_tick(app, moment) for _ in range(4)))
    assert sorted(len(m) for m in made) == [0, 0, 0, 1]
    assert await _months(app) == [("2026-12", "scheduled")]


async def test_skipping_or_moving_a_month_already_made_cancels_or_moves_its_event(app: Linli, seed: Seed) -> None:
    ids = await households(app, seed, 2)
    community = app.community_id or 0
    moment = datetime(2026, 11, 26, tzinfo=UTC)
    async with unit(app) as work:
        await event_admin.save_template(work, community, "相约九号", NINTH, ids[DIRECTOR], moment)
    await _monthly_tick(app, moment)
    (december,) = [row for row in await _event_ids(app)]
    app.clock.set(moment)  # type: ignore[attr-defined]
    await going(app, ids, december, A, 2)
    async with unit(app) as work:
        change = await event_admin.change_month(work, community, Month(2026, 12), ids[DIRECTOR], moment,
                                                start=time(15, 0))
    assert change is not None and [n.text for n in change.notices] == ["events.note.time"]
    async with unit(app) as work:
        shown = await events.event_view(work, community, december)
    assert shown.starts_at == datetime(2026, 12, 9, 7, 0, tzinfo=UTC)
    async with unit(app) as work:
        skipped = await event_admin.change_month(work, community, Month(2026, 12), ids[DIRECTOR], moment, skip=True)
    assert skipped is not None and skipped.event.cancelled and skipped.notices[0].text == "events.note.cancelled"
    assert await _monthly_tick(app, moment + timedelta(hours=1)) == []
    async with unit(app) as work:
        plan = await event_admin.month_plan(work, community, moment)
    assert [(str(p.month), p.skipped) for p in plan] == [("2026-11", False), ("2026-12", True), ("2027-01", False)]


async def _event_ids(app: Linli) -> list[int]:
    async with app.sessions() as session:
        return [e.id or 0 for e in (await session.exec(select(Event).order_by(col(Event.id)))).all()]


async def test_template_refuses_a_rain_venue_equal_to_the_venue(app: Linli, seed: Seed) -> None:
    ids = await households(app, seed, 1)
    with pytest.raises(rules.RainVenueSame):
        async with unit(app) as work:
            await event_admin.save_template(work, app.community_id or 0, "相约九号",
                                            Template(9, time(18), 120, "花园", "花 园"), ids[DIRECTOR],
                                            app.clock.now())


# ---- reminders -------------------------------------------------------------------------------------------

OFFSETS = (24 * 60, 120)


async def _remind(app: Linli, now: datetime) -> list[tuple[str, list[int]]]:
    async with unit(app) as work:
        notices = await event_schedule.due_reminders(work, app.community_id or 0, OFFSETS, now)
    return [(n.key, [r.chat_id for r in n.recipients]) for n in notices]


async def test_reminders_the_day_before_and_two_hours_before_go_once_to_those_going(
        app: Linli, seed: Seed, clock: FrozenClock) -> None:
    ids = await households(app, seed, 3)
    start = clock.now() + timedelta(days=3)
    event_id = await make_event(app, ids, starts_at=start, ends_at=start + timedelta(hours=2))
    await going(app, ids, event_id, A, 1)
    await going(app, ids, event_id, B, 2)
    await not_going(app, ids, event_id, B)
    assert await _remind(app, start - timedelta(days=2)) == []
    sent = await _remind(app, start - timedelta(hours=23))
    assert sent == [(f"ev-rem:{event_id}:1440:s0", [A])]
    assert await _remind(app, start - timedelta(hours=22)) == []  # claimed once
    assert await _remind(app, start - timedelta(minutes=119)) == [(f"ev-rem:{event_id}:120:s0", [A])]
    async with app.sessions() as session:
        statuses = (await session.exec(select(EventReminder.status).order_by(col(EventReminder.id)))).all()
    assert statuses == ["sent", "sent"]


async def test_a_moved_event_retimes_its_reminders_and_a_cancelled_one_drops_them(
        app: Linli, seed: Seed, clock: FrozenClock) -> None:
    ids = await households(app, seed, 2)
    start = clock.now() + timedelta(days=3)
    moved_id = await make_event(app, ids, starts_at=start, ends_at=start + timedelta(hours=2))
    dropped_id = await make_event(app, ids, starts_at=start, ends_at=start + timedelta(hours=2))
    for event_id in (moved_id, dropped_id):
        await going(app, ids, event_id, A, 1)
    first = await _remind(app, start - timedelta(hours=23))
    assert sorted(k for k, _ in first) == sorted([f"ev-rem:{moved_id}:1440:s0", f"ev-rem:{dropped_id}:1440:s0"])
    clock.set(start - timedelta(hours=22))
    async with unit(app) as work:
        await event_admin.move(work, app.community_id or 0, moved_id, start + timedelta(days=1), ids[DIRECTOR],
                               clock.now())
        await event_admin.cancel_event(work, app.community_id or 0, dropped_id, ids[DIRECTOR], clock.now())
    assert await _remind(app, start - timedelta(minutes=110)) == []  # the old moment: nothing
    later = start + timedelta(days=1)
    assert await _remind(app, later - timedelta(hours=23)) == [(f"ev-rem:{moved_id}:1440:s1", [A])]
    assert await _remind(app, later - timedelta(minutes=110)) == [(f"ev-rem:{moved_id}:120:s1", [A])]
    async with app.sessions() as session:
        rows = (await session.exec(select(EventReminder.event_id, EventReminder.status))).all()
    assert {status for event_id, status in rows if event_id == dropped_id} <= {"sent", "dropped"}
    assert ("dropped" in {status for event_id, status in rows if event_id == dropped_id}
            or len([1 for event_id, _ in rows if event_id == dropped_id]) == 1)


async def test_a_reminder_whose_moment_passed_while_down_is_dropped_once_the_event_started(
        app: Linli, seed: Seed, clock: FrozenClock) -> None:
    ids = await households(app, seed, 1)
    start = clock.now() + timedelta(days=3)
    event_id = await make_event(app, ids, starts_at=start, ends_at=start + timedelta(hours=2))
    await going(app, ids, event_id, A, 1)
    assert [k for k, _ in await _remind(app, start - timedelta(hours=20))] == [f"ev-rem:{event_id}:1440:s0"]
    # down from 20 h before until 10 minutes after the start: the two-hour reminder is never sent
    assert await _remind(app, start + timedelta(minutes=10)) == []
    async with app.sessions() as session:
        statuses = (await session.exec(select(EventReminder.offset_minutes, EventReminder.status))).all()
    assert sorted(statuses) == [(120, "dropped"), (1440, "sent")]


# ---- the month's summary ---------------------------------------------------------------------------------


async def test_month_summary_counts_replies_going_and_waiting(app: Linli, seed: Seed, clock: FrozenClock) -> None:
    ids = await households(app, seed, 4)
    start = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)  # 23:30 on the 30th in Shanghai: November
    november = await make_event(app, ids, starts_at=start, ends_at=start + timedelta(hours=1), capacity=3)
    december = await make_event(app, ids, starts_at=start + timedelta(hours=1), ends_at=start + timedelta(hours=2))
    await going(app, ids, november, A, 2, 1)
    await going(app, ids, november, B, 2)
    await not_going(app, ids, november, C)
    async with app.sessions() as session:
        found = await events.month_summary(session, app.community_id or 0, "2026-11", app.clock.now())
        later = await events.month_summary(session, app.community_id or 0, Month(2026, 12), app.clock.now())
    (summary,) = found
    assert summary.event_id == november and summary.replies == 3 and summary.going_parties == 1
    assert (summary.going_adults, summary.going_children, summary.going) == (2, 1, 3)
    assert (summary.waiting_parties, summary.waiting_people, summary.declined) == (1, 2, 1)
    assert (summary.attended, summary.no_shows, summary.programme_items, summary.volunteers) == (0, 0, 0, 0)
    assert [s.event_id for s in later] == [december] and later[0].replies == 0


# ---- capacity under concurrency ---------------------------------------------------------------------------


async def test_a_hundred_parties_race_for_the_last_ten_seats(app: Linli, seed: Seed) -> None:
    """40 of 50 seats taken; 100 households answer at once, each in its own unit of work: exactly 10 get seats,
    the 90 others wait in the order they got the event's lock; then cancellations promote in that order."""
    ids = await households(app, seed, 140)
    event_id = await make_event(app, ids, capacity=50)
    for n in range(40):
        await going(app, ids, event_id, FIRST + n, 1)
    racers = [FIRST + 40 + n for n in range(100)]
    arrived: list[int] = []

    async def answer(user: int) -> events.RsvpOutcome:
        async with app.sessions() as session:
            from storage.unit import Unit

            outcome = await events.rsvp(Unit(session), app.community_id or 0, event_id, ids[user], 1, 0,
                                        app.clock.now())
            arrived.append(user)  # the event's row lock is still held: this is the order of arrival
            await session.commit()
            return outcome

    outcomes = await asyncio.gather(*(answer(user) for user in racers))
    going_now, waiting_now = await seats(app, event_id)
    assert len(going_now) == 50 and sum(people for _, people in going_now) == 50
    assert [user for user, _ in going_now[40:]] == arrived[:10]
    assert [user for user, _ in waiting_now] == arrived[10:]
    places = sorted(o.card.mine.place for o in outcomes if o.card.mine and o.card.mine.place)
    assert places == list(range(1, 91))
    # three of the first forty cancel at once: the first three on the waitlist come, in order
    cancelled = await asyncio.gather(*(not_going(app, ids, event_id, FIRST + n) for n in range(3)))
    assert sorted(n.recipients[0].chat_id for o in cancelled for n in o.notices) == sorted(arrived[10:13])
    going_now, waiting_now = await seats(app, event_id)
    assert len(going_now) == 50 and [user for user, _ in waiting_now] == arrived[13:]
    async with app.sessions() as session:
        total = (await session.exec(select(func.count()).select_from(events.EventReply))).one()
    assert total == 140
