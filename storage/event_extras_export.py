"""An event's extras for the monthly export: attendance, no-shows, the accepted programme and volunteers, per event.

``storage.events.month_summary`` (what the monthly export calls) fills its extras' columns from :func:`extras_summary`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.event_extras import ItemStatus
from storage.event_checkin import Attendance
from storage.event_programme import ProgrammeItem
from storage.event_volunteers import VolunteerRole
from storage.events import Event, EventReply, ReplyStatus
from storage.unit import Unit


@dataclass(frozen=True, slots=True)
class ExtrasSummary:
    attended_people: int = 0
    attended_adults: int = 0
    attended_children: int = 0
    attended_households: int = 0  # check-ins: one per household (or per resident without one)
    programme_items: int = 0  # accepted, on the programme
    programme_resident_planned: int = 0
    programme_minutes: int = 0
    volunteers: int = 0  # people signed up for a role
    volunteer_slots: int = 0
    no_show_parties: int = 0  # households going (RSVP) that never checked in; counted once the event is over
    no_show_people: int = 0  # the people of those parties (as they had replied)


def came() -> Any:
    """SQL: the party of an RSVP row was checked in (its household; a resident without one: that resident)."""
    party = col(EventReply.party)
    return exists().where(col(Attendance.event_id) == col(EventReply.event_id), or_(
        col(Attendance.household_id) == party,
        and_(party < 0, col(Attendance.household_id).is_(None), col(Attendance.resident_id) == -party)))


async def extras_summary(unit: Unit | AsyncSession, event_ids: Iterable[int],
                         now: datetime | None = None) -> dict[int, ExtrasSummary]:
    """Per event: who attended (people, adults, children), the accepted programme, volunteers — three SELECTs;
    with ``now``, also the no-shows of the events over by then (a fourth).

    Takes the unit of work (or, for an export job, its session). Every id asked for is in the answer (an event
    with no extras has zeros).
    """
    session = unit.session if isinstance(unit, Unit) else unit
    ids = sorted(set(event_ids))
    found: dict[int, dict[str, int]] = {event_id: {} for event_id in ids}
    if not ids:
        return {}
    attended: Any = (sa_select(col(Attendance.event_id), func.sum(Attendance.adults), func.sum(Attendance.children),
                               func.count())
                     .where(col(Attendance.event_id).in_(ids)).group_by(col(Attendance.event_id)))
    for event_id, adults, children, records in (await session.exec(attended)).all():
        found[event_id].update(attended_people=int(adults or 0) + int(children or 0), attended_adults=int(adults or 0),
                               attended_children=int(children or 0), attended_households=int(records))
    planned = func.sum(case((col(ProgrammeItem.resident_planned), 1), else_=0))
    programme: Any = (sa_select(col(ProgrammeItem.event_id), func.count(), planned, func.sum(ProgrammeItem.minutes))
                      .where(col(ProgrammeItem.event_id).in_(ids),
                             col(ProgrammeItem.status) == ItemStatus.ACCEPTED.value)
                      .group_by(col(ProgrammeItem.event_id)))
    for event_id, items, by_residents, minutes in (await session.exec(programme)).all():
        found[event_id].update(programme_items=int(items), programme_resident_planned=int(by_residents or 0),
                               programme_minutes=int(minutes or 0))
    volunteers: Any = (sa_select(col(VolunteerRole.event_id), func.sum(VolunteerRole.taken),
                                 func.sum(VolunteerRole.slots))
                       .where(col(VolunteerRole.event_id).in_(ids)).group_by(col(VolunteerRole.event_id)))
    for event_id, taken, slots in (await session.exec(volunteers)).all():
        found[event_id].update(volunteers=int(taken or 0), volunteer_slots=int(slots or 0))
    if now is not None:
        missing: Any = (sa_select(col(EventReply.event_id), func.count(),
                                  func.sum(col(EventReply.adults) + col(EventReply.children)))
                        .join(Event, col(Event.id) == EventReply.event_id)
                        .where(col(EventReply.event_id).in_(ids), col(EventReply.status) == ReplyStatus.GOING.value,
                               col(Event.ends_at) < now, ~came())
                        .group_by(col(EventReply.event_id)))
        for event_id, parties, people in (await session.exec(missing)).all():
            found[event_id].update(no_show_parties=int(parties), no_show_people=int(people or 0))
    return {event_id: ExtrasSummary(**values) for event_id, values in found.items()}
