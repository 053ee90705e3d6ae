"""Check-in at an event: "I'm here" with the code word shown at the venue, or the committee at the door.

Attendance is recorded per person (adults and children of the party), once per household: a unique constraint on
(household, event) — and on (resident, event) for a resident without a household — decides a race. Code tries
are rows, so the hourly allowance holds across workers and restarts. An RSVP is not needed (walk-ins happen);
no-shows are the parties that were going and whose household never checked in, known once the event is over.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import UniqueConstraint, func, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import event_extras as rules
from core.errors import NotFound
from core.event_extras import Window
from core.seats import Party
from storage.community import Building, Household
from storage.event_extras import EventInfo, address_column, address_of, event_row, info, saved
from storage.events import Event
from storage.residents import Resident
from storage.unit import Unit


class Attendance(SQLModel, table=True):
    __tablename__ = "event_attendance"
    __table_args__ = (UniqueConstraint("household_id", "event_id"), UniqueConstraint("resident_id", "event_id"))

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    household_id: int | None = Field(default=None, foreign_key="household.id")
    resident_id: int | None = Field(default=None, foreign_key="resident.id")  # None: checked in by address
    adults: int
    children: int = Field(default=0)
    by_committee: bool = Field(default=False)
    recorded_by: int | None = Field(default=None, foreign_key="resident.id")
    at: datetime


class CheckInAttempt(SQLModel, table=True):
    """A code typed at an event (right or wrong); what was typed is not kept."""

    __tablename__ = "event_checkin_attempt"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    succeeded: bool
    at: datetime = Field(index=True)


# ---- read models ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attended:
    adults: int
    children: int
    name: str  # the resident who checked in ("" when the committee checked a household in by address)
    address: str
    by_committee: bool
    at: datetime

    @property
    def people(self) -> int:
        return self.adults + self.children


@dataclass(frozen=True, slots=True)
class CheckInStatus:
    event: EventInfo
    window: Window
    attended: Attended | None  # the viewer's household (or the viewer) is checked in


@dataclass(frozen=True, slots=True)
class AttendanceList:
    event: EventInfo
    records: tuple[Attended, ...]  # newest first

    @property
    def adults(self) -> int:
        return sum(r.adults for r in self.records)

    @property
    def children(self) -> int:
        return sum(r.children for r in self.records)

    @property
    def people(self) -> int:
        return self.adults + self.children


@dataclass(frozen=True, slots=True)
class CodeCheck:
    ok: bool
    left: int  # wrong tries left this hour


@dataclass(frozen=True, slots=True)
class Match:
    """Whom the committee may check in: a household by address, or a resident by name."""

    household_id: int | None
    resident_id: int | None
    name: str
    address: str


def _statement() -> Any:
    who = aliased(Resident, name="who")
    return (sa_select(Attendance, col(who.display_name), address_column()).select_from(Attendance)
            .outerjoin(who, col(who.id) == Attendance.resident_id)
            .outerjoin(Household, col(Household.id) == Attendance.household_id)
            .outerjoin(Building, col(Building.id) == Household.building_id))


def _attended(row: Attendance, name: str | None, address: str | None) -> Attended:
    return Attended(adults=row.adults, children=row.children, name=name or "", address=address or "",
                    by_committee=row.by_committee, at=row.at)


async def _resident(session: AsyncSession, community_id: int, resident_id: int) -> Resident:
    found = await session.get(Resident, resident_id)
    if found is None or found.community_id != community_id:
        raise NotFound()
    return found


async def _existing(session: AsyncSession, event_id: int, household_id: int | None,
                    resident_id: int | None) -> Attended | None:
    """The check-in of this household (or, without one, of this resident) at the event."""
    mine = (col(Attendance.household_id) == household_id if household_id is not None
            else col(Attendance.resident_id) == resident_id)
    row = (await session.exec(_statement().where(col(Attendance.event_id) == event_id, mine))).first()
    return _attended(*row) if row is not None else None


async def status(unit: Unit, community_id: int, event_id: int, resident_id: int, now: datetime) -> CheckInStatus:
    session = unit.session
    event = info(await event_row(session, community_id, event_id))
    resident = await _resident(session, community_id, resident_id)
    return CheckInStatus(event=event, window=rules.window(event.starts_at, event.ends_at, now),
                         attended=await _existing(session, event_id, resident.household_id, resident_id))


async def attendance(unit: Unit, community_id: int, event_id: int, limit: int = 200) -> AttendanceList:
    session = unit.session
    event = info(await event_row(session, community_id, event_id))
    statement = (_statement().where(col(Attendance.event_id) == event_id)
                 .order_by(col(Attendance.at).desc(), col(Attendance.id).desc()).limit(limit))
    return AttendanceList(event=event, records=tuple(_attended(*row) for row in (await session.exec(statement)).all()))


# ---- a resident checks in ----------------------------------------------------------------------------


def _require_open(event: EventInfo, now: datetime) -> None:
    if event.cancelled:
        raise rules.EventNotOpen()
    if rules.window(event.starts_at, event.ends_at, now) is not Window.OPEN:
        raise rules.CheckInClosed(opens=int(rules.OPENS_BEFORE.total_seconds() // 60))


async def _wrong_tries(session: AsyncSession, resident_id: int, now: datetime) -> int:
    statement = select(func.count()).select_from(CheckInAttempt).where(
        col(CheckInAttempt.resident_id) == resident_id, col(CheckInAttempt.succeeded).is_(False),
        col(CheckInAttempt.at) > now - timedelta(hours=1))
    return int((await session.exec(statement)).one())


async def may_check_in(unit: Unit, community_id: int, event_id: int, resident_id: int, now: datetime) -> EventInfo:
    """Before asking for the code: the event is on now, it has a code, the household is not checked in yet."""
    session = unit.session
    event = info(await event_row(session, community_id, event_id))
    _require_open(event, now)
    if not event.check_in_code:
        raise rules.NoCode()
    resident = await _resident(session, community_id, resident_id)
    done = await _existing(session, event_id, resident.household_id, resident_id)
    if done is not None:
        raise rules.AlreadyCheckedIn(people=done.people)
    if await _wrong_tries(session, resident_id, now) >= rules.CODE_TRIES_PER_HOUR:
        raise rules.TooManyCodeTries(minutes=60)
    return event


async def enter_code(unit: Unit, community_id: int, event_id: int, resident_id: int, text: str | None,
                     now: datetime) -> CodeCheck:
    """Compare the typed code word with the event's; every try is recorded (and so survives a wrong answer).

    A wrong code is an answer, not an error: the caller commits, so the try counts.
    """
    session = unit.session
    event = await may_check_in(unit, community_id, event_id, resident_id, now)
    ok = rules.normalize_code(text) == rules.normalize_code(event.check_in_code)
    session.add(CheckInAttempt(event_id=event_id, resident_id=resident_id, succeeded=ok, at=now))
    await session.flush()
    return CodeCheck(ok=ok, left=max(rules.CODE_TRIES_PER_HOUR - await _wrong_tries(session, resident_id, now), 0))


async def check_in(unit: Unit, community_id: int, event_id: int, resident_id: int, adults: int, children: int,
                   now: datetime) -> Attended:
    """Record the resident's party, once the right code was typed for this event."""
    session = unit.session
    event = info(await event_row(session, community_id, event_id))
    _require_open(event, now)
    adults, children = rules.check_party(adults, children, most=event.household_max, families=event.families)
    passed = (await session.exec(select(CheckInAttempt.id).where(
        col(CheckInAttempt.event_id) == event_id, col(CheckInAttempt.resident_id) == resident_id,
        col(CheckInAttempt.succeeded)))).first()
    if passed is None:
        raise rules.NoCode()
    resident = await _resident(session, community_id, resident_id)
    return await _record(session, event, resident.household_id, resident_id, adults, children, now,
                         recorded_by=resident_id, by_committee=False)


async def _record(session: AsyncSession, event: EventInfo, household_id: int | None, resident_id: int | None,
                  adults: int, children: int, now: datetime, *, recorded_by: int, by_committee: bool) -> Attended:
    done = await _existing(session, event.id, household_id, resident_id)
    if done is not None:
        raise rules.AlreadyCheckedIn(people=done.people)
    row = Attendance(event_id=event.id, household_id=household_id, resident_id=resident_id, adults=adults,
                     children=children, by_committee=by_committee, recorded_by=recorded_by, at=now)
    if not await saved(session, row):  # the household's other member (or the committee) was a moment faster
        done = await _existing(session, event.id, household_id, resident_id)
        raise rules.AlreadyCheckedIn(people=done.people if done else 0)
    name = ""
    if resident_id is not None:
        found = await session.get(Resident, resident_id)
        name = found.display_name if found else ""
    return Attended(adults=adults, children=children, name=name, address=await address_of(session, household_id),
                    by_committee=by_committee, at=now)


# ---- the committee at the door -------------------------------------------------------------------------

_ADDRESS = re.compile(r"^\s*([0-9A-Za-z]+)\s*(?:号楼|号|幢|栋|-|\s)\s*([0-9A-Za-z]+)\s*(?:单元|-|\s)\s*"
                      r"([0-9A-Za-z]+)\s*(?:室|号)?\s*$")
MATCHES_SHOWN = 8


def parse_address(text: str) -> tuple[str, str, str] | None:
    """``1-2-301``, ``1 2 301`` or ``1号楼2单元301室`` → (building, unit, room)."""
    found = _ADDRESS.match(unicodedata.normalize("NFKC", text))
    return (found.group(1), found.group(2), found.group(3)) if found else None


async def find(unit: Unit, community_id: int, text: str | None) -> list[Match]:
    """Households at the typed address, or verified residents whose name contains the typed text."""
    session = unit.session
    query = rules.check_line(text, 40)
    address = parse_address(query)
    if address is not None:
        building, unit_name, room = address
        statement: Any = (sa_select(col(Household.id), address_column()).select_from(Household)
                          .join(Building, col(Building.id) == Household.building_id)
                          .where(col(Household.community_id) == community_id, col(Building.name) == building,
                                 col(Household.unit) == unit_name, col(Household.room) == room))
        return [Match(household_id=hid, resident_id=None, name="", address=label)
                for hid, label in (await session.exec(statement)).all()]
    statement = (sa_select(col(Resident.id), col(Resident.household_id), col(Resident.display_name), address_column())
                 .select_from(Resident)
                 .outerjoin(Household, col(Household.id) == Resident.household_id)
                 .outerjoin(Building, col(Building.id) == Household.building_id)
                 .where(col(Resident.community_id) == community_id, col(Resident.verified),
                        col(Resident.forgotten_at).is_(None),
                        func.lower(col(Resident.display_name)).contains(query.lower(), autoescape=True))
                 .order_by(col(Resident.display_name), col(Resident.id)).limit(MATCHES_SHOWN))
    return [Match(household_id=hid, resident_id=rid, name=name, address=label or "")
            for rid, hid, name, label in (await session.exec(statement)).all()]


async def match(unit: Unit, community_id: int, *, household_id: int | None, resident_id: int | None) -> Match:
    """A household (by id) or a resident (by id) of the community, as the committee picked it."""
    session = unit.session
    if resident_id is not None:
        resident = await _resident(session, community_id, resident_id)
        return Match(household_id=resident.household_id, resident_id=resident_id, name=resident.display_name,
                     address=await address_of(session, resident.household_id))
    household = await session.get(Household, household_id or 0)
    if household is None or household.community_id != community_id:
        raise NotFound()
    return Match(household_id=household.id, resident_id=None, name="", address=await address_of(session, household.id))


async def committee_check_in(unit: Unit, community_id: int, event_id: int, actor_id: int, *,
                             household_id: int | None, resident_id: int | None, adults: int, children: int,
                             now: datetime) -> Attended:
    """The committee checks in a household (by address) or a resident (by name) — from 30 minutes before the
    start, also after the end (from the paper list at the door)."""
    session = unit.session
    event = info(await event_row(session, community_id, event_id))
    if event.cancelled:
        raise rules.EventNotOpen()
    if rules.window(event.starts_at, event.ends_at, now) is Window.EARLY:
        raise rules.CheckInClosed(opens=int(rules.OPENS_BEFORE.total_seconds() // 60))
    adults, children = rules.check_party(adults, children, most=event.household_max, families=event.families)
    who = await match(unit, community_id, household_id=household_id, resident_id=resident_id)
    return await _record(session, event, who.household_id, who.resident_id, adults, children, now,
                         recorded_by=actor_id, by_committee=True)


async def set_code(unit: Unit, community_id: int, event_id: int, text: str | None, now: datetime) -> str:
    """Set the event's code word (``None``: make one up); the code the venue's sign must show."""
    session = unit.session
    event = info(await event_row(session, community_id, event_id))
    if event.cancelled or event.over(now):
        raise rules.EventNotOpen()
    code = rules.new_code() if text is None else rules.check_code(text)
    await session.exec(update(Event).where(col(Event.id) == event_id)  # type: ignore[call-overload]
                       .values(check_in_code=code).execution_options(synchronize_session=False))
    return code


async def no_shows(unit: Unit, community_id: int, event_id: int, going: Iterable[Party],
                   now: datetime) -> tuple[Party, ...]:
    """The parties of ``going`` (the RSVP's going list) whose household did not check in; after the event only."""
    session = unit.session
    event = info(await event_row(session, community_id, event_id))
    if not event.over(now):
        raise rules.EventNotOver()
    parties = list(going)
    rows = (await session.exec(select(Attendance.household_id, Attendance.resident_id).where(
        col(Attendance.event_id) == event_id))).all()
    # a party is its household, or (a resident without one) minus the resident's id, as in storage.events.party_of
    came = (household if household is not None else -(resident or 0) for household, resident in rows)
    return rules.no_shows(parties, came)
