"""An event's extras for the monthly export: attendance, the accepted programme and volunteers, per event."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.event_extras import ItemStatus
from storage.event_checkin import Attendance
from storage.event_programme import ProgrammeItem
from storage.event_volunteers import VolunteerRole
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


async def extras_summary(unit: Unit | AsyncSession, event_ids: Iterable[int]) -> dict[int, ExtrasSummary]:
    """Per event: who attended (people, adults, children), the accepted programme, volunteers — three SELECTs.

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
    return {event_id: ExtrasSummary(**values) for event_id, values in found.items()}
