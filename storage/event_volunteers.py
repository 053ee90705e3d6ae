"""Volunteers at an event: committee-defined roles with slots (set-up, photos, patrol, reception, …).

A role's ``taken`` counts its volunteers and never exceeds ``slots``: a sign-up takes a slot with one conditional
UPDATE (``taken < slots``), so of any number of racing sign-ups exactly the free slots succeed, on SQLite and
PostgreSQL alike; a CHECK constraint backs it. One role per person per event (a unique constraint).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, UniqueConstraint, delete, func, update
from sqlalchemy import select as sa_select
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import event_extras as rules
from core.errors import NotFound
from storage.community import Building, Household
from storage.event_extras import EventInfo, address_column, event_row, info, saved
from storage.events import Event
from storage.residents import Resident
from storage.unit import Unit


class VolunteerRole(SQLModel, table=True):
    __tablename__ = "event_volunteer_role"
    __table_args__ = (UniqueConstraint("event_id", "name"),
                      CheckConstraint("taken >= 0 AND taken <= slots", name="taken_within_slots"))

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    name: str = Field(max_length=rules.ROLE_NAME_LIMIT)
    slots: int
    taken: int = Field(default=0)
    created_at: datetime


class Volunteer(SQLModel, table=True):
    __tablename__ = "event_volunteer"
    __table_args__ = (UniqueConstraint("resident_id", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    role_id: int = Field(foreign_key="event_volunteer_role.id", index=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    created_at: datetime


# ---- read models ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoleView:
    id: int
    name: str
    slots: int
    taken: int
    people: tuple[tuple[str, str], ...] = ()  # (name, address), for the committee

    @property
    def full(self) -> bool:
        return self.taken >= self.slots


@dataclass(frozen=True, slots=True)
class Board:
    event: EventInfo
    roles: tuple[RoleView, ...]
    mine: int | None = None  # the viewer's role

    @property
    def volunteers(self) -> int:
        return sum(role.taken for role in self.roles)

    @property
    def slots(self) -> int:
        return sum(role.slots for role in self.roles)


@dataclass(frozen=True, slots=True)
class SignUp:
    role: RoleView
    changed: bool  # False: already signed up for this role (or, for a drop-out, not signed up)


def _role(row: VolunteerRole, people: tuple[tuple[str, str], ...] = ()) -> RoleView:
    return RoleView(id=row.id or 0, name=row.name, slots=row.slots, taken=row.taken, people=people)


async def _roles(session: AsyncSession, event_id: int) -> list[VolunteerRole]:
    statement = (select(VolunteerRole).where(col(VolunteerRole.event_id) == event_id)
                 .order_by(col(VolunteerRole.created_at), col(VolunteerRole.id)))
    return list((await session.exec(statement)).all())


async def board(unit: Unit, community_id: int, event_id: int, *, viewer_id: int | None = None,
                with_people: bool = False) -> Board:
    """The roles, their slots and who has taken one (names and addresses only ``with_people``: the committee)."""
    session = unit.session
    event = info(await event_row(session, community_id, event_id))
    roles = await _roles(session, event_id)
    people: dict[int, list[tuple[str, str]]] = {}
    mine = None
    if with_people and roles:
        statement: Any = (sa_select(col(Volunteer.role_id), col(Resident.display_name), address_column())
                          .select_from(Volunteer).join(Resident, col(Resident.id) == Volunteer.resident_id)
                          .outerjoin(Household, col(Household.id) == Resident.household_id)
                          .outerjoin(Building, col(Building.id) == Household.building_id)
                          .where(col(Volunteer.event_id) == event_id)
                          .order_by(col(Volunteer.created_at), col(Volunteer.id)))
        for role_id, name, address in (await session.exec(statement)).all():
            people.setdefault(role_id, []).append((name, address or ""))
    if viewer_id is not None:
        mine = (await session.exec(select(Volunteer.role_id).where(
            col(Volunteer.event_id) == event_id, col(Volunteer.resident_id) == viewer_id))).first()
    return Board(event=event, roles=tuple(_role(row, tuple(people.get(row.id or 0, ()))) for row in roles),
                 mine=mine)


async def _role_row(session: AsyncSession, community_id: int, role_id: int) -> tuple[VolunteerRole, Event]:
    statement = (select(VolunteerRole, Event).join(Event, col(Event.id) == VolunteerRole.event_id)
                 .where(col(VolunteerRole.id) == role_id, col(Event.community_id) == community_id))
    found = (await session.exec(statement)).first()
    if found is None:
        raise NotFound()
    return found[0], found[1]


async def role(unit: Unit, community_id: int, role_id: int) -> tuple[RoleView, EventInfo]:
    row, event = await _role_row(unit.session, community_id, role_id)
    return _role(row), info(event)


async def _execute(session: AsyncSession, statement: Any) -> int:
    result = await session.exec(statement)
    return int(result.rowcount or 0)


def _open_for(event: EventInfo, now: datetime) -> None:
    if event.cancelled or event.over(now):
        raise rules.EventNotOpen()


# ---- residents sign up and drop out ----------------------------------------------------------------


async def sign_up(unit: Unit, community_id: int, role_id: int, resident_id: int, now: datetime) -> SignUp:
    """Take a slot of the role; a full role, or a role while already in another, is refused politely."""
    session = unit.session
    row, event_row_ = await _role_row(session, community_id, role_id)
    event = info(event_row_)
    _open_for(event, now)
    current = (await session.exec(select(Volunteer.role_id).where(
        col(Volunteer.event_id) == event.id, col(Volunteer.resident_id) == resident_id))).first()
    if current == role_id:
        return SignUp(role=_role(row), changed=False)
    if current is not None:
        other = await session.get(VolunteerRole, current)
        raise rules.AlreadyVolunteering(role=other.name if other else "")
    taken = await _execute(session, update(VolunteerRole)
                           .where(col(VolunteerRole.id) == role_id, col(VolunteerRole.taken) < VolunteerRole.slots)
                           .values(taken=VolunteerRole.taken + 1).execution_options(synchronize_session=False))
    if not taken:
        if await session.get(VolunteerRole, role_id, populate_existing=True) is None:
            raise NotFound()
        raise rules.RoleFull(role=row.name)
    if not await saved(session, Volunteer(event_id=event.id, role_id=role_id, resident_id=resident_id,
                                          created_at=now)):
        raise rules.AlreadyVolunteering(role=row.name)  # the same person's other tap took a role meanwhile
    return SignUp(role=_role(await _fresh(session, role_id)), changed=True)


async def drop_out(unit: Unit, community_id: int, role_id: int, resident_id: int, now: datetime) -> SignUp:
    """Give the slot back (until the event is over)."""
    session = unit.session
    row, event_row_ = await _role_row(session, community_id, role_id)
    _open_for(info(event_row_), now)
    left = await _execute(session, delete(Volunteer).where(col(Volunteer.role_id) == role_id,
                                                           col(Volunteer.resident_id) == resident_id))
    if not left:
        return SignUp(role=_role(row), changed=False)
    await _execute(session, update(VolunteerRole).where(col(VolunteerRole.id) == role_id)
                   .values(taken=VolunteerRole.taken - 1).execution_options(synchronize_session=False))
    return SignUp(role=_role(await _fresh(session, role_id)), changed=True)


async def _fresh(session: AsyncSession, role_id: int) -> VolunteerRole:
    found = await session.get(VolunteerRole, role_id, populate_existing=True)
    if found is None:
        raise NotFound()
    return found


# ---- the committee defines roles ---------------------------------------------------------------------

async def add_role(unit: Unit, community_id: int, event_id: int, name: str | None, slots: int | str,
                   now: datetime) -> RoleView:
    session = unit.session
    event = info(await event_row(session, community_id, event_id))
    _open_for(event, now)
    clean = rules.check_line(name, rules.ROLE_NAME_LIMIT)
    count = (select(func.count()).select_from(VolunteerRole).where(col(VolunteerRole.event_id) == event_id))
    if int((await session.exec(count)).one()) >= rules.ROLES_PER_EVENT:
        raise rules.TooManyRoles(most=rules.ROLES_PER_EVENT)
    created = VolunteerRole(event_id=event_id, name=clean, slots=rules.check_slots(slots), created_at=now)
    if not await saved(session, created):
        raise rules.RoleExists(role=clean)
    return _role(created)


async def set_slots(unit: Unit, community_id: int, role_id: int, slots: int, now: datetime) -> RoleView:
    """Change a role's slots; never below the volunteers it has (a conditional UPDATE)."""
    session = unit.session
    _, event = await _role_row(session, community_id, role_id)
    _open_for(info(event), now)
    wanted = rules.check_slots(slots)
    if not await _execute(session, update(VolunteerRole)
                          .where(col(VolunteerRole.id) == role_id, col(VolunteerRole.taken) <= wanted)
                          .values(slots=wanted).execution_options(synchronize_session=False)):
        raise rules.SlotsBelowTaken(taken=(await _fresh(session, role_id)).taken)
    return _role(await _fresh(session, role_id))


async def delete_role(unit: Unit, community_id: int, role_id: int) -> str:
    """Remove a role nobody has signed up for; its name."""
    session = unit.session
    row, _ = await _role_row(session, community_id, role_id)
    if not await _execute(session, delete(VolunteerRole).where(col(VolunteerRole.id) == role_id,
                                                               col(VolunteerRole.taken) == 0)):
        raise rules.RoleNotEmpty(role=row.name)
    return row.name
