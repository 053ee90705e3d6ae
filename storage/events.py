"""Community events and the monthly 相约九号: the event table (shared by RSVP, programme, volunteers, check-in),
replies (RSVP and the waitlist), and the resident's use cases: upcoming events, an event's card, going, not going.

Times are stored as UTC-aware datetimes; the community's time zone is applied when shown.

Seats follow :mod:`core.seats`: a reply locks its event's row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's
units of work hold the database's write lock from BEGIN), reads the people going and the waitlist, lets the pure
rules decide, and writes the difference. So capacity is never exceeded and the waitlist keeps its order whatever
arrives at once. The committee's use cases are in :mod:`storage.event_admin`, the monthly template and the
reminders in :mod:`storage.event_schedule`, who hears what in :mod:`storage.event_notices`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Column, Integer, UniqueConstraint, and_, case, delete, func, or_, update
from sqlalchemy import select as sa_select  # sqlmodel's select types four columns at most
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import events as rules
from core.errors import NotFound, NotVerified
from core.monthly import Month
from core.notices import Notice
from core.seats import NoRoom, Party, Seats, cancel, reply
from storage import event_notices
from storage.community import Community
from storage.residents import Resident
from storage.unit import Unit


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Event(SQLModel, table=True):
    """One event. ``template_id``/``month`` tie a 相约九号 occurrence to its template: one event per month."""

    __table_args__ = (UniqueConstraint("template_id", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    title: str = Field(max_length=80)
    description: str = Field(default="", max_length=1000)
    starts_at: datetime
    ends_at: datetime
    venue: str = Field(max_length=80)
    rain_venue: str | None = Field(default=None, max_length=80)
    rain_plan: bool = Field(default=False)  # the rain venue is in use
    capacity: int | None = Field(default=None)  # people; None = no limit
    reserved: int = Field(default=0)  # seats kept by the committee (performers, elderly guests)
    rsvp_deadline: datetime | None = None
    families: bool = Field(default=True)  # adults and children counted separately
    household_max: int = Field(default=6)  # most people one household may bring
    check_in_code: str = Field(default="", max_length=16)  # the short code word shown at the venue
    status: str = Field(default=EventStatus.SCHEDULED, max_length=12)
    sequence: int = Field(default=0)  # iCalendar SEQUENCE: raised on every change residents must hear of
    template_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    month: str | None = Field(default=None, max_length=7)  # "2026-12" for a monthly occurrence
    created_at: datetime
    updated_at: datetime


class ReplyStatus(StrEnum):
    GOING = "going"
    WAITING = "waiting"
    DECLINED = "declined"  # said "not going", cancelled, or left the waitlist


class EventReply(SQLModel, table=True):
    """A household's answer to an event: its party (adults, children) going, waiting, or not coming.

    ``party`` is the household (or, for a resident without one, minus the resident's id): one reply per
    household, whoever in it answers last. ``rank`` is the order of arrival (the waitlist's order; the latest
    going parties are the highest). ``version`` goes up on every change, so each notice about it is queued once.
    """

    __tablename__ = "event_reply"
    __table_args__ = (UniqueConstraint("event_id", "party"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id")
    party: int
    resident_id: int | None = Field(default=None, foreign_key="resident.id", index=True)  # None: forgotten
    adults: int = Field(default=1)
    children: int = Field(default=0)
    status: str = Field(max_length=8)
    rank: int
    version: int = Field(default=1)
    created_at: datetime
    updated_at: datetime

    @property
    def people(self) -> int:
        return self.adults + self.children


class EventTemplate(SQLModel, table=True):
    """相约九号 (or any monthly gathering): each month's event is made from it ``lead_days`` ahead."""

    __tablename__ = "event_template"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    title: str = Field(max_length=80)
    description: str = Field(default="", max_length=1000)
    day: int = Field(default=9)  # of the month (a shorter month uses its last day)
    start_minute: int  # minutes after midnight, community time
    minutes: int  # how long
    venue: str = Field(max_length=80)
    rain_venue: str | None = Field(default=None, max_length=80)
    capacity: int | None = None
    reserved: int = Field(default=0)
    lead_days: int = Field(default=14)
    families: bool = Field(default=True)
    household_max: int = Field(default=6)
    active: bool = Field(default=True)
    created_at: datetime
    updated_at: datetime


class EventMonthChange(SQLModel, table=True):
    """One month's own decision, without touching the template: skipped, or another time or venue."""

    __tablename__ = "event_month_change"
    __table_args__ = (UniqueConstraint("template_id", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="event_template.id")
    month: str = Field(max_length=7)
    skip: bool = Field(default=False)
    start_minute: int | None = None
    venue: str | None = Field(default=None, max_length=80)
    updated_at: datetime


class ReminderStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DROPPED = "dropped"  # the event was cancelled, or started while the bot was down


class EventReminder(SQLModel, table=True):
    """A reminder due ``offset_minutes`` before an event's start; a job claims it once (pending → sent)."""

    __tablename__ = "event_reminder"
    __table_args__ = (UniqueConstraint("event_id", "offset_minutes"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id")
    offset_minutes: int
    due_at: datetime = Field(index=True)
    status: str = Field(default=ReminderStatus.PENDING.value, max_length=8, index=True)
    sent_at: datetime | None = None


# ---- read models --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventView:
    id: int
    community_id: int
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    rain_venue: str | None
    rain_plan: bool
    capacity: int | None
    reserved: int
    rsvp_deadline: datetime | None
    families: bool
    household_max: int
    status: str
    sequence: int
    template_id: int | None
    month: str | None

    @property
    def where(self) -> str:
        """Where it is held now: the rain venue when the rain plan is on."""
        return self.rain_venue if self.rain_plan and self.rain_venue else self.venue

    @property
    def cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED.value

    @property
    def offered(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.reserved, 0)

    def open_for_replies(self, now: datetime) -> bool:
        try:
            rules.check_open(self.status, self.starts_at, self.rsvp_deadline, now)
        except rules.EventError:
            return False
        return True


def view(event: Event) -> EventView:
    return EventView(id=event.id or 0, community_id=event.community_id, title=event.title,
                     description=event.description, starts_at=event.starts_at, ends_at=event.ends_at,
                     venue=event.venue, rain_venue=event.rain_venue, rain_plan=event.rain_plan,
                     capacity=event.capacity, reserved=event.reserved, rsvp_deadline=event.rsvp_deadline,
                     families=event.families, household_max=event.household_max, status=event.status,
                     sequence=event.sequence, template_id=event.template_id, month=event.month)


@dataclass(frozen=True, slots=True)
class Places:
    """How many are coming (never who): people and parties going, parties waiting, places left."""

    going_adults: int = 0
    going_children: int = 0
    going_parties: int = 0
    waiting_parties: int = 0
    offered: int | None = None

    @property
    def going(self) -> int:
        return self.going_adults + self.going_children

    @property
    def left(self) -> int | None:
        return None if self.offered is None else max(self.offered - self.going, 0)


@dataclass(frozen=True, slots=True)
class MyReply:
    status: ReplyStatus
    adults: int
    children: int
    place: int | None = None  # on the waitlist, 1-based

    @property
    def people(self) -> int:
        return self.adults + self.children


@dataclass(frozen=True, slots=True)
class EventCard:
    event: EventView
    places: Places
    mine: MyReply | None  # the viewer's household's reply


@dataclass(frozen=True, slots=True)
class ListedEvent:
    event: EventView
    mine: ReplyStatus | None


@dataclass(frozen=True, slots=True)
class Person:
    """A resident to tell something (by Telegram id, in their language)."""

    telegram_user_id: int
    language: str


@dataclass(frozen=True, slots=True)
class RsvpOutcome:
    card: EventCard
    changed: bool  # False for a double tap (the same party again, "not going" twice)
    notices: tuple[Notice, ...] = field(default_factory=tuple)  # the households promoted from the waitlist


# ---- look-ups ------------------------------------------------------------------------------------------


def party_of(resident: Resident) -> int:
    """One reply per household; a resident without a household answers for themselves."""
    return resident.household_id if resident.household_id else -(resident.id or 0)


async def _resident(session: AsyncSession, community_id: int, resident_id: int, *, verified: bool) -> Resident:
    resident = await session.get(Resident, resident_id)  # usually already in the unit of work: no query
    if resident is None or resident.community_id != community_id:
        raise NotVerified()
    if verified and not resident.verified:
        raise NotVerified()
    return resident


async def get_event(session: AsyncSession, community_id: int, event_id: int, *, lock: bool = False) -> Event:
    """The community's event (another community's id is "not found"); ``lock`` takes its row lock."""
    statement = select(Event).where(Event.id == event_id, Event.community_id == community_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    event = (await session.exec(statement)).first()
    if event is None:
        raise NotFound()
    return event


async def event_view(unit: Unit, community_id: int, event_id: int) -> EventView:
    return view(await get_event(unit.session, community_id, event_id))


_GOING = ReplyStatus.GOING.value
_WAITING = ReplyStatus.WAITING.value


def _tally_columns(party: int) -> tuple[Any, ...]:
    """Per event: adults and children going (other parties than ``party``), their count, waiting parties,
    the highest rank."""
    going_other = and_(col(EventReply.status) == _GOING, col(EventReply.party) != party)
    return (func.coalesce(func.sum(case((going_other, col(EventReply.adults)), else_=0)), 0),
            func.coalesce(func.sum(case((going_other, col(EventReply.children)), else_=0)), 0),
            func.count(case((going_other, 1))),
            func.count(case((col(EventReply.status) == _WAITING, 1))),
            func.coalesce(func.max(col(EventReply.rank)), 0))


async def _tally(session: AsyncSession, event_id: int, party: int) -> tuple[int, int, int, int, int]:
    statement: Any = sa_select(*_tally_columns(party)).where(col(EventReply.event_id) == event_id)
    adults, children, parties, waiting, top = (await session.exec(statement)).one()
    return int(adults), int(children), int(parties), int(waiting), int(top)


async def _mine_and_waiting(session: AsyncSession, event_id: int, party: int,
                            ) -> tuple[EventReply | None, list[tuple[EventReply, int, str]]]:
    """The household's reply, and the waitlist in order (with each replier's Telegram id and language)."""
    statement = (select(EventReply, Resident.telegram_user_id, Resident.language)
                 .join(Resident, col(Resident.id) == EventReply.resident_id)
                 .where(EventReply.event_id == event_id,
                        or_(col(EventReply.party) == party, col(EventReply.status) == _WAITING))
                 .order_by(col(EventReply.rank)))
    mine: EventReply | None = None
    waiting: list[tuple[EventReply, int, str]] = []
    for row, telegram_id, language in (await session.exec(statement)).all():
        if row.party == party:
            mine = row
        if row.status == _WAITING:
            waiting.append((row, telegram_id, language))
    return mine, waiting


def _my_reply(mine: EventReply | None, place: int | None) -> MyReply | None:
    if mine is None:
        return None
    return MyReply(ReplyStatus(mine.status), mine.adults, mine.children, place)


async def card(unit: Unit, community_id: int, event_id: int, resident_id: int | None) -> EventCard:
    """An event as a resident sees it: how many go and places left; their own household's reply and place."""
    session = unit.session
    event = await get_event(session, community_id, event_id)
    party = 0
    if resident_id:
        party = party_of(await _resident(session, community_id, resident_id, verified=False))
    adults, children, parties, waiting_count, _ = await _tally(session, event_id, party)
    mine, waiting = await _mine_and_waiting(session, event_id, party) if party else (None, [])
    place = next((n for n, (row, _, _) in enumerate(waiting, start=1) if row.party == party), None)
    if mine is not None and mine.status == _GOING:
        adults, children, parties = adults + mine.adults, children + mine.children, parties + 1
    shown = view(event)
    return EventCard(shown, Places(adults, children, parties, waiting_count, shown.offered), _my_reply(mine, place))


async def upcoming(unit: Unit, community_id: int, resident_id: int | None, now: datetime,
                   limit: int = 8) -> list[ListedEvent]:
    """Events not yet over (cancelled ones too while they would have been on: people look for them), soonest
    first, with the household's answer."""
    session = unit.session
    party = 0
    if resident_id:
        party = party_of(await _resident(session, community_id, resident_id, verified=False))
    statement = (select(Event, EventReply.status)
                 .outerjoin(EventReply, and_(col(EventReply.event_id) == Event.id, col(EventReply.party) == party))
                 .where(Event.community_id == community_id, col(Event.ends_at) > now)
                 .order_by(col(Event.starts_at), col(Event.id)).limit(limit))
    return [ListedEvent(view(event), ReplyStatus(status) if status else None)
            for event, status in (await session.exec(statement)).all()]


# ---- RSVP ---------------------------------------------------------------------------------------------


@dataclass
class _Locked:
    """An event under its row lock, with the seats as the rules see them."""

    event: Event
    party: int
    resident: Resident | None
    seats: Seats
    mine: EventReply | None
    waiting: dict[int, tuple[EventReply, int, str]]  # party → row, Telegram id, language
    others: tuple[int, int, int]  # adults, children, parties going besides the household's
    top_rank: int


OTHERS = 0  # the party key standing for every other household going (no household has id 0)


async def _lock(session: AsyncSession, community_id: int, event_id: int, resident_id: int) -> _Locked:
    resident = await _resident(session, community_id, resident_id, verified=True)
    event = await get_event(session, community_id, event_id, lock=True)
    party = party_of(resident)
    adults, children, parties, _, top = await _tally(session, event_id, party)
    mine, waiting = await _mine_and_waiting(session, event_id, party)
    # Only the household's party and the waitlist can change; everyone else going is one block of seats.
    going = [Party(OTHERS, adults, children)] if adults + children else []
    if mine is not None and mine.status == _GOING:
        going.append(Party(party, mine.adults, mine.children))
    seats = Seats(capacity=event.capacity, reserved=event.reserved, going=tuple(going),
                  waiting=tuple(Party(row.party, row.adults, row.children) for row, _, _ in waiting))
    return _Locked(event, party, resident, seats, mine, {row.party: (row, t, lang) for row, t, lang in waiting},
                   (adults, children, parties), top)


def _after(locked: _Locked, seats: Seats) -> EventCard:
    others_parties = locked.others[2]
    mine = next((p for p in seats.going if p.household == locked.party), None)
    adults = sum(p.adults for p in seats.going)
    children = sum(p.children for p in seats.going)
    parties = others_parties + sum(1 for p in seats.going if p.household != OTHERS)
    shown = view(locked.event)
    places = Places(adults, children, parties, len(seats.waiting), shown.offered)
    row = locked.mine
    reply_view = None
    if row is not None:
        status = (ReplyStatus.GOING if mine is not None else ReplyStatus.WAITING
                  if seats.place(locked.party) is not None else ReplyStatus.DECLINED)
        reply_view = MyReply(status, row.adults, row.children, seats.place(locked.party))
    return EventCard(shown, places, reply_view)


def _promote(session: AsyncSession, locked: _Locked, promoted: Sequence[Party], now: datetime,
             ) -> tuple[Notice, ...]:
    told = []
    shown = view(locked.event)
    for party in promoted:
        if party.household == locked.party:
            continue  # the household itself (a waiting party made smaller that now fits): it sees its card
        row, telegram_id, language = locked.waiting[party.household]
        row.status, row.version, row.updated_at = _GOING, row.version + 1, now
        session.add(row)
        told.append(event_notices.promoted(shown, Person(telegram_id, language), row.id or 0, row.version,
                                           row.people, now))
    return tuple(told)


async def rsvp(unit: Unit, community_id: int, event_id: int, resident_id: int, adults: int, children: int,
               now: datetime) -> RsvpOutcome:
    """The household is going with ``adults`` and ``children`` (or changes its party): going if it fits, else at
    the end of the waitlist; a smaller party frees seats for the waitlist, a larger one that no longer fits is
    refused and keeps its seats."""
    session = unit.session
    locked = await _lock(session, community_id, event_id, resident_id)
    event = locked.event
    rules.check_open(event.status, event.starts_at, event.rsvp_deadline, now)
    rules.check_party(adults, children, families=event.families, household_max=event.household_max)
    row = locked.mine
    if (row is not None and row.status in (_GOING, _WAITING) and (row.adults, row.children) == (adults, children)):
        return RsvpOutcome(_after(locked, locked.seats), changed=False)
    try:
        change = reply(locked.seats, Party(locked.party, adults, children))
    except NoRoom as refused:
        raise rules.NoRoomLeft(free=max(refused.free + (row.people if row else 0), 0)) from None
    status = _GOING if change.going else _WAITING
    if row is None:
        row = EventReply(event_id=event_id, party=locked.party, resident_id=resident_id, adults=adults,
                         children=children, status=status, rank=locked.top_rank + 1, created_at=now, updated_at=now)
    else:
        if row.status == ReplyStatus.DECLINED.value:  # back after saying no: a new arrival
            row.rank = locked.top_rank + 1
        row.adults, row.children, row.status, row.resident_id = adults, children, status, resident_id
        row.version, row.updated_at = row.version + 1, now
    session.add(row)
    locked.mine = row
    promoted = _promote(session, locked, change.promoted, now)
    await session.flush()
    return RsvpOutcome(_after(locked, change.seats), changed=True, notices=promoted)


async def decline(unit: Unit, community_id: int, event_id: int, resident_id: int, now: datetime) -> RsvpOutcome:
    """Not going (a new answer, a cancellation, or leaving the waitlist): freed seats go to the waitlist in
    order. Cancelling is possible until the deadline; after it, only leaving the waitlist."""
    session = unit.session
    locked = await _lock(session, community_id, event_id, resident_id)
    event, row = locked.event, locked.mine
    if row is not None and row.status == _WAITING:
        if event.status == EventStatus.CANCELLED.value:
            raise rules.EventCancelled()
    else:
        rules.check_open(event.status, event.starts_at, event.rsvp_deadline, now)
    if row is not None and row.status == ReplyStatus.DECLINED.value:
        return RsvpOutcome(_after(locked, locked.seats), changed=False)
    change = cancel(locked.seats, locked.party)
    if row is None:
        row = EventReply(event_id=event_id, party=locked.party, resident_id=resident_id, adults=0, children=0,
                         status=ReplyStatus.DECLINED.value, rank=locked.top_rank + 1, created_at=now, updated_at=now)
    else:
        row.status, row.version, row.updated_at = ReplyStatus.DECLINED.value, row.version + 1, now
        row.resident_id = resident_id
    session.add(row)
    locked.mine = row
    promoted = _promote(session, locked, change.promoted, now)
    await session.flush()
    return RsvpOutcome(_after(locked, change.seats), changed=True, notices=promoted)


# ---- deleting one's data ------------------------------------------------------------------------------------


async def forget_resident(session: AsyncSession, community_id: int, resident: Resident,
                          now: datetime) -> tuple[Notice, ...]:
    """``resident`` deletes their data (``storage.privacy``): their replies to events stop naming them.

    * Events to come (not started, not cancelled): a reply for their household is handed to another verified member
      of it (the household still comes, and someone hears of changes); with nobody else, the reply is withdrawn:
      its seats go to the waitlist in order (those promoted are told: the returned notices), its place on the
      waitlist is gone.
    * Cancelled events to come: the reply goes.
    * Events that have started: the reply stays, without the resident (``resident_id`` None), so the figures of
      the past — going, waiting, attended, no-shows — do not change. A resident without a household replied as
      minus their id: that party becomes minus a number beyond every resident id (still one party, naming
      nobody).
    """
    resident_id = resident.id or 0
    statement = (select(EventReply, Event).join(Event, col(Event.id) == EventReply.event_id)
                 .where(col(EventReply.resident_id) == resident_id, col(Event.community_id) == community_id))
    told: list[Notice] = []
    for row, event in (await session.exec(statement)).all():
        others: list[int] = []
        if row.party > 0 and event.starts_at > now:  # the household's other verified members
            members = select(col(Resident.id)).where(
                col(Resident.household_id) == row.party, col(Resident.id) != resident_id,
                col(Resident.verified).is_(True), col(Resident.forgotten_at).is_(None)).order_by(col(Resident.id))
            others = [rid for rid in (await session.exec(members)).all() if rid is not None]
        if event.starts_at <= now:  # the past: keep the counts, drop the person
            values: dict[str, Any] = {"resident_id": None}
            if row.party < 0:
                values["party"] = -(ANONYMOUS_PARTY + (row.id or 0))
            await session.exec(update(EventReply).where(col(EventReply.id) == row.id)  # type: ignore[call-overload]
                               .values(**values).execution_options(synchronize_session=False))
        elif others:
            await session.exec(update(EventReply).where(col(EventReply.id) == row.id)  # type: ignore[call-overload]
                               .values(resident_id=others[0]).execution_options(synchronize_session=False))
        elif event.status == EventStatus.CANCELLED.value:
            await session.exec(delete(EventReply).where(col(EventReply.id) == row.id))  # type: ignore[call-overload]
        else:
            told += await _withdraw(session, community_id, event.id or 0, row.party, now)
    return tuple(told)


ANONYMOUS_PARTY = 1 << 40  # beyond every resident id: minus it and more is a forgotten resident's party


async def _withdraw(session: AsyncSession, community_id: int, event_id: int, party: int,
                    now: datetime) -> tuple[Notice, ...]:
    """Take ``party``'s reply off the event under its row lock: freed seats go to the waitlist (told)."""
    event = await get_event(session, community_id, event_id, lock=True)
    adults, children, parties, _, top = await _tally(session, event_id, party)
    mine, waiting = await _mine_and_waiting(session, event_id, party)
    going = [Party(OTHERS, adults, children)] if adults + children else []
    if mine is not None and mine.status == _GOING:
        going.append(Party(party, mine.adults, mine.children))
    seats = Seats(capacity=event.capacity, reserved=event.reserved, going=tuple(going),
                  waiting=tuple(Party(row.party, row.adults, row.children) for row, _, _ in waiting))
    locked = _Locked(event, party, None, seats, mine, {row.party: (row, t, lang) for row, t, lang in waiting},
                     (adults, children, parties), top)
    promoted = _promote(session, locked, cancel(seats, party).promoted, now)
    await session.exec(delete(EventReply).where(col(EventReply.event_id) == event_id,  # type: ignore[call-overload]
                                                col(EventReply.party) == party))
    await session.flush()
    return promoted


# ---- audiences -----------------------------------------------------------------------------------------


async def audience(session: AsyncSession, event_id: int, statuses: Sequence[str] = (_GOING, _WAITING),
                   ) -> list[Person]:
    """Who answered with one of ``statuses`` (each household's latest replier)."""
    statement = (select(Resident.telegram_user_id, Resident.language)
                 .join(EventReply, col(EventReply.resident_id) == Resident.id)
                 .where(EventReply.event_id == event_id, col(EventReply.status).in_(list(statuses)),
                        col(Resident.forgotten_at).is_(None))
                 .order_by(col(EventReply.rank)))
    return [Person(t, lang) for t, lang in (await session.exec(statement)).all()]


async def verified_residents(session: AsyncSession, community_id: int) -> list[Person]:
    statement = (select(Resident.telegram_user_id, Resident.language)
                 .where(Resident.community_id == community_id, col(Resident.verified).is_(True),
                        col(Resident.forgotten_at).is_(None))
                 .order_by(col(Resident.id)))
    return [Person(t, lang) for t, lang in (await session.exec(statement)).all()]


# ---- the monthly export --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventSummary:
    """One event of the month for the export. ``attended`` … ``volunteers`` come from the extras' tables (check-in,
    the programme, volunteers: ``storage.event_extras_export.extras_summary``). ``attended`` and ``no_shows`` are
    people; no-shows are the parties going (RSVP) whose household never checked in, counted once the event is over.
    ``programme_items`` are the accepted items, ``programme_by_residents`` those residents planned themselves,
    ``volunteers`` the people signed up for a role."""

    event_id: int
    title: str
    starts_at: datetime
    venue: str
    status: str
    replies: int  # households that answered at all (going, waiting or not going)
    going_parties: int
    going_adults: int
    going_children: int
    waiting_parties: int
    waiting_people: int
    declined: int
    attended: int = 0
    no_shows: int = 0
    programme_items: int = 0
    programme_by_residents: int = 0
    volunteers: int = 0
    attended_adults: int = 0
    attended_children: int = 0
    no_show_parties: int = 0
    programme_minutes: int = 0

    @property
    def going(self) -> int:
        return self.going_adults + self.going_children


def _month_bounds(month: Month, timezone: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(timezone)
    following = month.next()
    return (datetime(month.year, month.month, 1, tzinfo=zone),
            datetime(following.year, following.month, 1, tzinfo=zone))


async def month_summary(session: AsyncSession, community_id: int, month: Month | str,
                        now: datetime | None = None) -> list[EventSummary]:
    """Every event starting in ``month`` (the community's calendar), in order, with its replies counted and its
    extras (attendance, no-shows, programme, volunteers) summed: five SELECTs whatever the number of events.

    No-shows are counted for the events over at ``now`` (default: the system's time; tests inject it)."""
    from storage.event_extras_export import extras_summary  # the extras' tables are built on this module's


    if isinstance(month, str):
        year, number = month.split("-")
        month = Month(int(year), int(number))
    community = await session.get(Community, community_id)
    if community is None:
        raise NotFound()
    start, end = _month_bounds(month, community.timezone)
    status = col(EventReply.status)

    def total(condition: Any, value: Any) -> Any:
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    statement: Any = (sa_select(Event, func.count(col(EventReply.id)), total(status == _GOING, 1),
                        total(status == _GOING, col(EventReply.adults)),
                        total(status == _GOING, col(EventReply.children)),
                        total(status == _WAITING, 1),
                        total(status == _WAITING, col(EventReply.adults) + col(EventReply.children)),
                        total(status == ReplyStatus.DECLINED.value, 1))
                 .outerjoin(EventReply, col(EventReply.event_id) == Event.id)
                 .where(col(Event.community_id) == community_id, col(Event.starts_at) >= start,
                        col(Event.starts_at) < end)
                 .group_by(col(Event.id)).order_by(col(Event.starts_at), col(Event.id)))
    rows = (await session.exec(statement)).all()
    extras = await extras_summary(session, [row[0].id or 0 for row in rows], now or datetime.now(UTC))
    found = []
    for event, replies, parties, adults, children, waiting, waiting_people, declined in rows:
        more = extras[event.id or 0]
        found.append(EventSummary(event_id=event.id or 0, title=event.title, starts_at=event.starts_at,
                                  venue=view(event).where, status=event.status, replies=int(replies),
                                  going_parties=int(parties), going_adults=int(adults), going_children=int(children),
                                  waiting_parties=int(waiting), waiting_people=int(waiting_people),
                                  declined=int(declined), attended=more.attended_people,
                                  no_shows=more.no_show_people, programme_items=more.programme_items,
                                  programme_by_residents=more.programme_resident_planned,
                                  volunteers=more.volunteers, attended_adults=more.attended_adults,
                                  attended_children=more.attended_children, no_show_parties=more.no_show_parties,
                                  programme_minutes=more.programme_minutes))
    return found


async def going_party(unit: Unit, community_id: int, event_id: int, *, resident_id: int | None = None,
                      household_id: int | None = None) -> Party | None:
    """The party the household (or, without one, the resident) said is going to the event, if it is going: what
    check-in offers to confirm at the door."""
    session = unit.session
    if household_id is not None:
        party = household_id
    elif resident_id is not None:
        party = party_of(await _resident(session, community_id, resident_id, verified=False))
    else:
        return None
    statement = (select(EventReply.adults, EventReply.children).join(Event, col(Event.id) == EventReply.event_id)
                 .where(EventReply.event_id == event_id, EventReply.party == party, EventReply.status == _GOING,
                        Event.community_id == community_id))
    found = (await session.exec(statement)).first()
    return Party(party, found[0], found[1]) if found is not None else None


async def going_parties(unit: Unit, community_id: int, event_id: int) -> tuple[Party, ...]:
    """The parties going to the event (households, or minus a resident's id without one), in order of arrival:
    what ``storage.event_checkin.no_shows`` compares with who checked in."""
    session = unit.session
    await get_event(session, community_id, event_id)
    statement = (select(EventReply.party, EventReply.adults, EventReply.children)
                 .where(EventReply.event_id == event_id, EventReply.status == _GOING)
                 .order_by(col(EventReply.rank)))
    return tuple(Party(party, adults, children) for party, adults, children in (await session.exec(statement)).all())
