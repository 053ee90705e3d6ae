"""The committee's events: create, see who comes, switch to the rain venue, move, cancel, change the seats; the
相约九号 template and one month's own decision (skip it, another time or venue).

Every change residents must hear of raises the event's ``sequence`` (the calendar's SEQUENCE) and returns the
notices for everyone going or waiting (:mod:`storage.event_notices`); each runs under the event's row lock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import events as rules
from core import monthly
from core.errors import NotFound
from core.monthly import Month, MonthChange, Template
from core.notices import Notice, When
from core.seats import Party, Seats, promote
from storage import audit, event_notices
from storage.community import Building, Community, Household
from storage.events import (
    Event,
    EventCard,
    EventMonthChange,
    EventReminder,
    EventReply,
    EventStatus,
    EventTemplate,
    EventView,
    Person,
    ReminderStatus,
    ReplyStatus,
    audience,
    card,
    get_event,
    verified_residents,
    view,
)
from storage.residents import Resident
from storage.unit import Unit

_GOING, _WAITING = ReplyStatus.GOING.value, ReplyStatus.WAITING.value


@dataclass(frozen=True, slots=True)
class Change:
    event: EventView
    notices: tuple[Notice, ...] = ()
    moved: int = 0  # parties moved to the waitlist (a smaller capacity, confirmed)


async def _actor(session: AsyncSession, actor_id: int) -> int | None:
    actor = await session.get(Resident, actor_id)
    return actor.telegram_user_id if actor is not None else None


async def _log(session: AsyncSession, event: Event, actor_id: int, action: str, now: datetime, **detail: Any) -> None:
    await audit.record(session, community_id=event.community_id, actor=await _actor(session, actor_id),
                       action=f"event:{action}", subject=f"event:{event.id}", now=now, **detail)


# ---- creating ----------------------------------------------------------------------------------------


async def create_event(unit: Unit, community_id: int, draft: rules.EventDraft, actor_id: int,
                       now: datetime) -> Change:
    """A new event from the committee's form, announced to every verified resident."""
    rules.check_draft(draft, now)
    session = unit.session
    event = Event(community_id=community_id, title=draft.title, description=draft.description,
                  starts_at=draft.starts_at, ends_at=draft.ends_at, venue=draft.venue, rain_venue=draft.rain_venue,
                  capacity=draft.capacity, reserved=draft.reserved, rsvp_deadline=draft.rsvp_deadline,
                  families=draft.families, household_max=draft.household_max,
                  status=EventStatus.SCHEDULED.value, created_at=now, updated_at=now)
    session.add(event)
    await session.flush()
    await _log(session, event, actor_id, "created", now, title=draft.title)
    shown = view(event)
    return Change(shown, (event_notices.announce(shown, await verified_residents(session, community_id)),))


# ---- the committee's card --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PartyLine:
    name: str
    address: str
    adults: int
    children: int
    status: ReplyStatus
    place: int | None  # on the waitlist


@dataclass(frozen=True, slots=True)
class CommitteeCard:
    card: EventCard
    parties: tuple[PartyLine, ...]  # going first (in order of arrival), then the waitlist


async def committee_card(unit: Unit, community_id: int, event_id: int) -> CommitteeCard:
    """The event with who comes: the committee sees names and addresses, residents never do."""
    session = unit.session
    shown = await card(unit, community_id, event_id, None)
    statement: Any = (sa_select(EventReply, col(Resident.display_name), col(Building.name), col(Household.unit),
                                col(Household.room))
                 .outerjoin(Resident, col(Resident.id) == EventReply.resident_id)  # None: deleted their data
                 .outerjoin(Household, col(Household.id) == Resident.household_id)
                 .outerjoin(Building, col(Building.id) == Household.building_id)
                 .where(col(EventReply.event_id) == event_id, col(EventReply.status).in_([_GOING, _WAITING]))
                 .order_by(col(EventReply.rank)))
    going: list[PartyLine] = []
    waiting: list[PartyLine] = []
    for row, name, building, unit_name, room in (await session.exec(statement)).all():
        address = f"{building}-{unit_name}-{room}" if building else ""
        if row.status == _GOING:
            going.append(PartyLine(name or "", address, row.adults, row.children, ReplyStatus.GOING, None))
        else:
            waiting.append(PartyLine(name or "", address, row.adults, row.children, ReplyStatus.WAITING,
                                     len(waiting) + 1))
    return CommitteeCard(shown, tuple(going + waiting))


# ---- changes everyone going or waiting hears of ----------------------------------------------------------


async def _changeable(session: AsyncSession, community_id: int, event_id: int, now: datetime) -> Event:
    event = await get_event(session, community_id, event_id, lock=True)
    if event.status == EventStatus.CANCELLED.value:
        raise rules.EventCancelled()
    if event.ends_at <= now:
        raise rules.EventOver()
    return event


def _bump(event: Event, now: datetime) -> None:
    event.sequence += 1
    event.updated_at = now


async def _told(session: AsyncSession, event: Event, kind: str, now: datetime, **extra: Any) -> Change:
    session.add(event)
    await session.flush()
    shown = view(event)
    return Change(shown, (event_notices.changed(shown, kind, await audience(session, event.id or 0), now, **extra),))


async def set_rain_plan(unit: Unit, community_id: int, event_id: int, on: bool, actor_id: int,
                        now: datetime) -> Change:
    """Hold it at the rain venue (``on``) or back at the venue; a switch to where it is already changes nothing."""
    session = unit.session
    event = await _changeable(session, community_id, event_id, now)
    if not event.rain_venue:
        raise rules.NoRainVenue()
    if event.rain_plan == on:
        return Change(view(event))
    event.rain_plan = on
    _bump(event, now)
    await _log(session, event, actor_id, "rain" if on else "dry", now)
    return await _told(session, event, "rain" if on else "dry", now)


async def _retime_reminders(session: AsyncSession, event: Event, now: datetime) -> None:
    """A moved event's reminders: each due its offset before the new start, pending again if still ahead."""
    rows = (await session.exec(select(EventReminder).where(EventReminder.event_id == event.id))).all()
    for row in rows:
        row.due_at = event.starts_at - timedelta(minutes=row.offset_minutes)
        if row.due_at > now:
            row.status, row.sent_at = ReminderStatus.PENDING.value, None
        session.add(row)


async def move(unit: Unit, community_id: int, event_id: int, starts_at: datetime, actor_id: int,
               now: datetime) -> Change:
    """Another start (the length stays); reminders follow it; an RSVP deadline after the new start moves to it."""
    session = unit.session
    event = await _changeable(session, community_id, event_id, now)
    if starts_at == event.starts_at:
        return Change(view(event))
    ends_at = starts_at + (event.ends_at - event.starts_at)
    rules.check_times(starts_at, ends_at, now)
    before = event.starts_at
    event.starts_at, event.ends_at = starts_at, ends_at
    if event.rsvp_deadline is not None and event.rsvp_deadline > starts_at:
        event.rsvp_deadline = starts_at
    _bump(event, now)
    await _retime_reminders(session, event, now)
    await _log(session, event, actor_id, "moved", now, starts_at=starts_at.isoformat())
    return await _told(session, event, "time", now, before=When(before, event_notices.WHEN))


async def change_venue(unit: Unit, community_id: int, event_id: int, venue: str, actor_id: int,
                       now: datetime) -> Change:
    session = unit.session
    event = await _changeable(session, community_id, event_id, now)
    venue = rules.check_line(venue, rules.VENUE_LIMIT)
    if rules.same_place(venue, event.venue):
        return Change(view(event))
    if rules.same_place(venue, event.rain_venue):
        raise rules.RainVenueSame()
    event.venue = venue
    _bump(event, now)
    await _log(session, event, actor_id, "venue", now)
    return await _told(session, event, "venue", now)


async def _drop_reminders(session: AsyncSession, event_id: int) -> None:
    await session.exec(update(EventReminder)  # type: ignore[call-overload]
                       .where(col(EventReminder.event_id) == event_id,
                              col(EventReminder.status) == ReminderStatus.PENDING.value)
                       .values(status=ReminderStatus.DROPPED.value))


async def cancel_event(unit: Unit, community_id: int, event_id: int, actor_id: int, now: datetime) -> Change:
    """The event is off: everyone going or waiting is told, its reminders are dropped; replies stay on record."""
    session = unit.session
    event = await _changeable(session, community_id, event_id, now)
    event.status = EventStatus.CANCELLED.value
    _bump(event, now)
    await _drop_reminders(session, event.id or 0)
    await _log(session, event, actor_id, "cancelled", now)
    return await _told(session, event, "cancelled", now)


async def resize(unit: Unit, community_id: int, event_id: int, capacity: int | None, reserved: int, *,
                 demote: bool, actor_id: int, now: datetime) -> Change:
    """New capacity or reserved seats. Fewer seats than people going: refused with how many parties would have
    to wait (:class:`core.events.TooFewSeats`), or — confirmed (``demote``) — the latest parties move to the front
    of the waitlist and are told. More seats promote from the waitlist."""
    session = unit.session
    rules.check_seats(capacity, reserved)
    event = await _changeable(session, community_id, event_id, now)
    statement = (select(EventReply, Resident.telegram_user_id, Resident.language)
                 .join(Resident, col(Resident.id) == EventReply.resident_id)
                 .where(EventReply.event_id == event_id, col(EventReply.status).in_([_GOING, _WAITING]))
                 .order_by(col(EventReply.rank)))
    rows = {row.party: (row, Person(t, lang)) for row, t, lang in (await session.exec(statement)).all()}
    going = [row for row, _ in rows.values() if row.status == _GOING]
    waiting = [row for row, _ in rows.values() if row.status == _WAITING]
    seats = Seats(capacity, reserved, tuple(Party(r.party, r.adults, r.children) for r in going),
                  tuple(Party(r.party, r.adults, r.children) for r in waiting))
    moved: list[EventReply] = []
    while seats.free is not None and seats.free < 0:  # the latest parties give up their seats, one by one
        moved.insert(0, going.pop())
        seats = replace(seats, going=seats.going[:-1])
    # at the front of the waitlist, in the order they had come; then whole parties that fit are promoted, so a
    # smaller party moved out may come straight back (it loses nothing and hears nothing)
    seats = replace(seats, waiting=tuple(Party(r.party, r.adults, r.children) for r in moved) + seats.waiting)
    seats, promoted = promote(seats)
    back = {p.household for p in promoted}
    waiting_now = [r for r in moved if r.party not in back]
    if waiting_now and not demote:
        raise rules.TooFewSeats(going=sum(r.people for r in going + moved), offered=seats.offered or 0,
                                move=len(waiting_now))
    first = min((r.rank for r in waiting), default=max((r.rank for r in going + moved), default=0) + 1)
    event.capacity, event.reserved = capacity, reserved
    event.updated_at = now
    session.add(event)
    shown = view(event)
    notices: list[Notice] = []
    for number, row in enumerate(waiting_now):
        row.rank, row.status = first - len(waiting_now) + number, _WAITING
        row.version, row.updated_at = row.version + 1, now
        session.add(row)
        notices.append(event_notices.demoted(shown, rows[row.party][1], row.id or 0, row.version,
                                             seats.place(row.party) or 0, now))
    moved_parties = {r.party for r in moved}
    for party in promoted:
        if party.household in moved_parties:
            continue  # it kept its seats after all
        row, person = rows[party.household]
        row.status, row.version, row.updated_at = _GOING, row.version + 1, now
        session.add(row)
        notices.append(event_notices.promoted(shown, person, row.id or 0, row.version, row.people, now))
    await session.flush()
    await _log(session, event, actor_id, "seats", now, capacity=capacity, reserved=reserved, moved=len(waiting_now))
    return Change(shown, tuple(notices), moved=len(waiting_now))


# ---- 相约九号: the template and one month's decision --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TemplateView:
    id: int
    title: str
    template: Template
    reserved: int
    families: bool
    household_max: int


@dataclass(frozen=True, slots=True)
class MonthPlan:
    month: Month
    starts_at: datetime | None  # None: skipped
    venue: str | None
    skipped: bool
    changed: bool  # the month has its own time or venue
    event: EventView | None  # made already


def _template(row: EventTemplate) -> TemplateView:
    template = Template(day=row.day, start=time(row.start_minute // 60, row.start_minute % 60), minutes=row.minutes,
                        venue=row.venue, rain_venue=row.rain_venue, capacity=row.capacity, lead_days=row.lead_days)
    return TemplateView(row.id or 0, row.title, template, row.reserved, row.families, row.household_max)


def month_change(row: EventMonthChange | None) -> MonthChange | None:
    if row is None:
        return None
    start = None if row.start_minute is None else time(row.start_minute // 60, row.start_minute % 60)
    return MonthChange(skip=row.skip, start=start, venue=row.venue)


async def _template_row(session: AsyncSession, community_id: int) -> EventTemplate | None:
    statement = (select(EventTemplate).where(EventTemplate.community_id == community_id,
                                             col(EventTemplate.active).is_(True))
                 .order_by(col(EventTemplate.id)).limit(1))
    return (await session.exec(statement)).first()


async def template(unit: Unit, community_id: int) -> TemplateView | None:
    row = await _template_row(unit.session, community_id)
    return _template(row) if row is not None else None


def check_template(title: str, template: Template, reserved: int, household_max: int) -> None:
    rules.check_line(title, rules.TITLE_LIMIT)
    rules.check_line(template.venue, rules.VENUE_LIMIT)
    if not 1 <= template.day <= 31:
        raise rules.NotANumber(least=1, most=31)
    if not 10 <= template.minutes <= 24 * 60:
        raise rules.NotANumber(least=10, most=24 * 60)
    if not 1 <= template.lead_days <= 60:
        raise rules.NotANumber(least=1, most=60)
    if template.rain_venue is not None and rules.same_place(template.rain_venue, template.venue):
        raise rules.RainVenueSame()
    rules.check_seats(template.capacity, reserved)
    if not 1 <= household_max <= rules.HOUSEHOLD_LIMIT:
        raise rules.NotANumber(least=1, most=rules.HOUSEHOLD_LIMIT)


async def save_template(unit: Unit, community_id: int, title: str, template: Template, actor_id: int,
                        now: datetime, *, reserved: int = 0, families: bool = True,
                        household_max: int = 6) -> TemplateView:
    """Set the community's monthly template (months already made keep their event)."""
    check_template(title, template, reserved, household_max)
    session = unit.session
    row = await _template_row(session, community_id)
    if row is None:
        row = EventTemplate(community_id=community_id, title=title, start_minute=0, minutes=0, venue="",
                            created_at=now, updated_at=now)
    row.title, row.day, row.minutes, row.venue = title, template.day, template.minutes, template.venue
    row.start_minute = template.start.hour * 60 + template.start.minute
    row.rain_venue, row.capacity, row.lead_days = template.rain_venue, template.capacity, template.lead_days
    row.reserved, row.families, row.household_max, row.updated_at = reserved, families, household_max, now
    session.add(row)
    await session.flush()
    await audit.record(session, community_id=community_id, actor=await _actor(session, actor_id),
                       action="event:template", subject=f"template:{row.id}", now=now)
    return _template(row)


async def month_plan(unit: Unit, community_id: int, now: datetime, months: int = 3) -> list[MonthPlan]:
    """This month and the next ones as the template, the months' own decisions and the events made say."""
    session = unit.session
    row = await _template_row(session, community_id)
    community = await session.get(Community, community_id)
    if row is None or community is None:
        return []
    shown = _template(row)
    first = Month.of(now.astimezone(ZoneInfo(community.timezone)).date())
    wanted = [first]
    while len(wanted) < months:
        wanted.append(wanted[-1].next())
    names = [str(m) for m in wanted]
    changes = {c.month: c for c in (await session.exec(select(EventMonthChange).where(
        EventMonthChange.template_id == row.id, col(EventMonthChange.month).in_(names)))).all()}
    made = {e.month: e for e in (await session.exec(select(Event).where(
        Event.template_id == row.id, col(Event.month).in_(names)))).all()}
    plans = []
    for month in wanted:
        change = month_change(changes.get(str(month)))
        found = monthly.occurrence(shown.template, month, community.timezone, change)
        event = made.get(str(month))
        plans.append(MonthPlan(month, found.starts_at if found else None, found.venue if found else None,
                               bool(change and change.skip), bool(change and (change.start or change.venue)),
                               view(event) if event is not None else None))
    return plans


async def change_month(unit: Unit, community_id: int, month: Month, actor_id: int, now: datetime, *,
                       skip: bool | None = None, start: time | None = None, venue: str | None = None) -> Change | None:
    """One month's own decision, the template untouched. If that month's event is made already, it is cancelled
    (a skip) or moved (a time or venue), and everyone going or waiting is told; else the job makes it so."""
    session = unit.session
    row = await _template_row(session, community_id)
    community = await session.get(Community, community_id)
    if row is None or community is None:
        raise NotFound()
    if venue is not None:
        venue = rules.check_line(venue, rules.VENUE_LIMIT)
        if rules.same_place(venue, row.rain_venue):
            raise rules.RainVenueSame()
    values: dict[str, Any] = {"updated_at": now}
    if skip is not None:
        values["skip"] = skip
    if start is not None:
        values["start_minute"] = start.hour * 60 + start.minute
    if venue is not None:
        values["venue"] = venue
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (insert(EventMonthChange).values(template_id=row.id, month=str(month), skip=bool(skip),
                                                 start_minute=values.get("start_minute"), venue=venue,
                                                 updated_at=now)
                 .on_conflict_do_update(index_elements=["template_id", "month"], set_=values))
    await session.exec(statement)  # type: ignore[call-overload]
    await audit.record(session, community_id=community_id, actor=await _actor(session, actor_id),
                       action="event:month", subject=f"template:{row.id}:{month}", now=now,
                       skip=skip, venue=bool(venue), start=str(start) if start else None)
    made = (await session.exec(select(Event).where(Event.template_id == row.id, Event.month == str(month)))).first()
    if made is None or made.status == EventStatus.CANCELLED.value or made.ends_at <= now:
        return None
    if skip:
        return await cancel_event(unit, community_id, made.id or 0, actor_id, now)
    notices: list[Notice] = []
    shown = view(made)
    if start is not None:
        found = monthly.occurrence(_template(row).template, month, community.timezone, MonthChange(start=start))
        assert found is not None
        moved = await move(unit, community_id, made.id or 0, found.starts_at, actor_id, now)
        notices += moved.notices
        shown = moved.event
    if venue is not None:
        changed = await change_venue(unit, community_id, made.id or 0, venue, actor_id, now)
        notices += changed.notices
        shown = changed.event
    return Change(shown, tuple(notices))

