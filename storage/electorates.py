"""Who may vote: the electorate of a vote under each eligibility mode, as a list of electors.

An :class:`Elector` is one vote in the count (a person, a household, or an owner), with who may cast it and
what it weighs. The register of a vote is this list frozen when voting opens.

The tables behind the electorates live here too: owners (业主) and their flats, residents' groups (居民小组) with
their 2-3 group representatives, residents' representatives (居民代表), and who holds a household's vote.

How owners are counted (法释〔2009〕7号, arts. 8-9; ``core.owners``): every flat with a registered owner is one
exclusive part with its area. Its *head* is the set of its owners: a flat owned by A alone has the head ``o:A``,
a flat owned by A and B together ``o:A+B`` (co-owners share the flat's one vote), and every flat of the developer
``o:<developer>``. Flats with the same head are one elector: an owner of two flats counts once by head and by the
sum of both areas, the developer's unsold flats count once. (A who owns one flat alone and another with B is two
heads: A, and A-with-B; that is how the two parts are held.) Any linked, verified resident among the head's
owners may cast its one vote (``Elector.resident_ids``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, UniqueConstraint, and_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import NotAllowed
from core.owners import Flat
from storage.community import Building, Household
from storage.residents import Resident
from storage.unit import Unit

GROUP_SEATS = 3  # the law: 2-3 representatives per residents' group


class Electorate(StrEnum):
    ADULTS = "adults"  # every verified adult resident (a residents' meeting, all adults)
    HOUSEHOLDS = "households"  # one vote per household, cast by its representative
    GROUPS = "groups"  # the 2-3 elected representatives of each residents' group
    REPRESENTATIVES = "representatives"  # the residents' representatives (居民代表)
    OWNERS = "owners"  # owners, weighted by area and by head
    VERIFIED = "verified"  # any verified resident (an advisory poll)


@dataclass(frozen=True, slots=True)
class Elector:
    key: str  # one vote's identity in this electorate: "r:<resident>", "h:<household>", "o:<owner>[+<owner>…]"
    resident_ids: tuple[int, ...]  # who may cast it (a household's holder or verified adults, an owner's residents)
    household_id: int | None = None
    building: str | None = None  # the building's name, for turnout by building
    group: str | None = None  # the residents' group's name, for turnout by group
    area: int = 0  # hundredths of a square metre (owners only: the sum of the head's flats)
    flat_ids: tuple[int, ...] = ()  # owners only: the flats (household ids) this vote is cast for
    holder_id: int | None = None  # households only: the designated representative (of ``resident_ids``), if any


# ---- tables ------------------------------------------------------------------------------------------------


class ResidentGroup(SQLModel, table=True):
    """A residents' group (居民小组): a few buildings (``Building.group_id``)."""

    __tablename__ = "resident_group"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=60)
    created_at: datetime


class Owner(SQLModel, table=True):
    """An owner (业主) as the register knows them. ``key`` tells one owner from another across imports: the
    normalised name, with the tail of their ID number when the file gives one (two 王伟 are two owners)."""

    __table_args__ = (UniqueConstraint("community_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=64)
    key: str = Field(max_length=100)
    resident_id: int | None = Field(default=None, foreign_key="resident.id", index=True)
    is_developer: bool = Field(default=False)  # the developer: its unsold flats together count as one owner
    created_at: datetime


class Ownership(SQLModel, table=True):
    """Owner ↔ flat (the household's home). Several owners of one flat share its one vote."""

    __table_args__ = (UniqueConstraint("owner_id", "household_id"),)

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="owner.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    share_note: str = Field(default="", max_length=40)


class GroupRepresentative(SQLModel, table=True):
    """One of a group's 2-3 representatives. ``seat`` (1-3, unique per group) makes a 4th impossible, also when
    two committee members add one at the same moment."""

    __tablename__ = "group_representative"
    __table_args__ = (UniqueConstraint("group_id", "seat"), UniqueConstraint("resident_id"),
                      CheckConstraint(f"seat BETWEEN 1 AND {GROUP_SEATS}", name="seat_range"))

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    group_id: int = Field(foreign_key="resident_group.id", index=True)
    resident_id: int = Field(foreign_key="resident.id")
    seat: int
    since: datetime


class Representative(SQLModel, table=True):
    """A residents' representative (居民代表)."""

    __table_args__ = (UniqueConstraint("resident_id"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    resident_id: int = Field(foreign_key="resident.id")
    since: datetime


class HoldHow(StrEnum):
    CLAIMED = "claimed"  # the first adult who opened a household ballot
    HOUSEHOLD = "household"  # set by an adult of the household (taken over or handed on)
    COMMITTEE = "committee"  # set by the committee


class HouseholdRepresentative(SQLModel, table=True):
    """Who casts the household's one vote (one row per household: the primary key)."""

    __tablename__ = "household_representative"

    household_id: int = Field(foreign_key="household.id", primary_key=True,
                              sa_column_kwargs={"autoincrement": False})
    resident_id: int = Field(foreign_key="resident.id", index=True)
    set_by: int | None = Field(default=None)  # the resident who set it (None: the committee by CLI)
    how: str = Field(default=HoldHow.CLAIMED, max_length=12)
    set_at: datetime


# ---- the electorates -----------------------------------------------------------------------------------------


def _insert(session: AsyncSession) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return pg_insert if dialect == "postgresql" else sqlite_insert


def _eligible() -> Any:
    """A resident who may take part at all: verified, not forgotten."""
    return and_(col(Resident.verified).is_(True), col(Resident.forgotten_at).is_(None))


def _place_query() -> Any:
    """Columns naming where a household is: building and residents' group (outer joins from Household)."""
    return (col(Building.name), col(ResidentGroup.name))


async def electorate(session: AsyncSession, community_id: int, kind: Electorate) -> list[Elector]:
    """Everyone who may vote under ``kind`` now, ordered by key."""
    if kind in (Electorate.ADULTS, Electorate.VERIFIED, Electorate.HOUSEHOLDS):
        query = (select(col(Resident.id), col(Resident.household_id), *_place_query())
                 .select_from(Resident)
                 .join(Household, col(Household.id) == col(Resident.household_id), isouter=True)
                 .join(Building, col(Building.id) == col(Household.building_id), isouter=True)
                 .join(ResidentGroup, col(ResidentGroup.id) == col(Building.group_id), isouter=True)
                 .where(Resident.community_id == community_id, _eligible())
                 .order_by(col(Resident.id)))
        if kind is not Electorate.VERIFIED:
            query = query.where(col(Resident.is_adult).is_(True))
        rows = (await session.exec(query)).all()
        if kind is Electorate.HOUSEHOLDS:
            households: dict[int, list[int]] = {}
            where: dict[int, tuple[str | None, str | None]] = {}
            for resident_id, household_id, building, group in rows:
                if household_id is None:
                    continue
                households.setdefault(household_id, []).append(resident_id)
                where[household_id] = (building, group)
            # Every adult of the household is on it (so the others can be told who holds its vote); the one who
            # casts it is its designated representative, if set (frozen with the register), else the first who
            # opens the ballot (storage.voting).
            holders = await _holders(session, community_id)
            return [Elector(f"h:{hid}", tuple(ids), hid, *where[hid],
                            holder_id=holders[hid] if holders.get(hid) in ids else None)
                    for hid, ids in sorted(households.items())]
        return sorted((Elector(f"r:{resident_id}", (resident_id,), household_id, building, group)
                       for resident_id, household_id, building, group in rows), key=lambda e: e.key)
    if kind is Electorate.GROUPS:
        statement = (select(col(Resident.id), col(Resident.household_id), col(Building.name),
                            col(ResidentGroup.name))
                     .select_from(GroupRepresentative)
                     .join(Resident, col(Resident.id) == col(GroupRepresentative.resident_id))
                     .join(ResidentGroup, col(ResidentGroup.id) == col(GroupRepresentative.group_id))
                     .join(Household, col(Household.id) == col(Resident.household_id), isouter=True)
                     .join(Building, col(Building.id) == col(Household.building_id), isouter=True)
                     .where(GroupRepresentative.community_id == community_id, _eligible()))
        return sorted((Elector(f"r:{rid}", (rid or 0,), hid, building, group)
                       for rid, hid, building, group in (await session.exec(statement)).all()),
                      key=lambda e: e.key)
    if kind is Electorate.REPRESENTATIVES:
        statement = (select(col(Resident.id), col(Resident.household_id), *_place_query())
                     .select_from(Representative)
                     .join(Resident, col(Resident.id) == col(Representative.resident_id))
                     .join(Household, col(Household.id) == col(Resident.household_id), isouter=True)
                     .join(Building, col(Building.id) == col(Household.building_id), isouter=True)
                     .join(ResidentGroup, col(ResidentGroup.id) == col(Building.group_id), isouter=True)
                     .where(Representative.community_id == community_id, _eligible()))
        return sorted((Elector(f"r:{rid}", (rid or 0,), hid, building, group)
                       for rid, hid, building, group in (await session.exec(statement)).all()),
                      key=lambda e: e.key)
    if kind is Electorate.OWNERS:
        return await _owner_electors(session, community_id)
    raise ValueError(kind)


async def _holders(session: AsyncSession, community_id: int) -> dict[int, int]:
    statement = (select(col(HouseholdRepresentative.household_id), col(HouseholdRepresentative.resident_id))
                 .join(Household, col(Household.id) == col(HouseholdRepresentative.household_id))
                 .where(Household.community_id == community_id))
    return {household_id: resident_id for household_id, resident_id in (await session.exec(statement)).all()}


@dataclass(frozen=True, slots=True)
class _OwnedFlat:
    flat_id: int
    area: int
    building: str | None
    group: str | None
    owners: frozenset[int]
    developer: int | None  # the developer's owner id when the developer owns it
    residents: frozenset[int]  # the owners' linked, verified residents


def head_key(owner_ids: Iterable[int], developer: int | None = None) -> str:
    """A flat's head for the count: its owners together ("o:3+7"), or the developer ("o:<id>") for all its flats."""
    if developer is not None:
        return f"o:{developer}"
    return "o:" + "+".join(str(owner_id) for owner_id in sorted(owner_ids))


async def _owned_flats(session: AsyncSession, community_id: int) -> list[_OwnedFlat]:
    statement = (select(col(Household.id), col(Household.area_hundredths), *_place_query(),  # type: ignore[call-overload]
                        col(Owner.id), col(Owner.is_developer), col(Resident.id))
                 .select_from(Ownership)
                 .join(Owner, col(Owner.id) == col(Ownership.owner_id))
                 .join(Household, col(Household.id) == col(Ownership.household_id))
                 .join(Building, col(Building.id) == col(Household.building_id))
                 .join(ResidentGroup, col(ResidentGroup.id) == col(Building.group_id), isouter=True)
                 .join(Resident, and_(col(Resident.id) == col(Owner.resident_id), _eligible()), isouter=True)
                 .where(Owner.community_id == community_id, Household.community_id == community_id)
                 .order_by(col(Household.id), col(Owner.id)))
    flats: dict[int, dict[str, Any]] = {}
    for flat_id, area, building, group, owner_id, developer, resident_id in (await session.exec(statement)).all():
        flat = flats.setdefault(flat_id, {"area": area, "building": building, "group": group, "owners": set(),
                                          "developer": None, "residents": set()})
        flat["owners"].add(owner_id)
        if developer:
            flat["developer"] = owner_id
        if resident_id is not None:
            flat["residents"].add(resident_id)
    return [_OwnedFlat(flat_id, f["area"], f["building"], f["group"], frozenset(f["owners"]), f["developer"],
                       frozenset(f["residents"])) for flat_id, f in flats.items()]


async def owner_flats(session: AsyncSession, community_id: int) -> list[Flat]:
    """Every owned flat as the tally counts it (``core.owners.count_owners``): its id (the household's), its
    registered area in hundredths of m², and its head (the same as its elector's key), ordered by flat."""
    return [Flat(flat.flat_id, flat.area, head_key(flat.owners, flat.developer))
            for flat in sorted(await _owned_flats(session, community_id), key=lambda f: f.flat_id)]


async def _owner_electors(session: AsyncSession, community_id: int) -> list[Elector]:
    heads: dict[str, list[_OwnedFlat]] = {}
    for flat in await _owned_flats(session, community_id):
        heads.setdefault(head_key(flat.owners, flat.developer), []).append(flat)
    electors = []
    for key, flats in heads.items():
        flats.sort(key=lambda f: f.flat_id)
        first = flats[0]
        residents = sorted({rid for flat in flats for rid in flat.residents})
        electors.append(Elector(key, tuple(residents), first.flat_id, first.building, first.group,
                                sum(f.area for f in flats), tuple(f.flat_id for f in flats)))
    return sorted(electors, key=lambda e: e.key)


# ---- who holds a household's vote --------------------------------------------------------------------------


async def _may_hold(session: AsyncSession, household_id: int, resident_id: int) -> bool:
    """Whether ``resident_id`` is a verified adult of the household (only they may cast its vote)."""
    statement = select(col(Resident.id)).where(col(Resident.id) == resident_id,
                                               col(Resident.household_id) == household_id,
                                               col(Resident.is_adult).is_(True), _eligible())
    return (await session.exec(statement)).first() is not None


async def _stored_holder(session: AsyncSession, household_id: int) -> int | None:
    statement = select(col(HouseholdRepresentative.resident_id)).where(
        col(HouseholdRepresentative.household_id) == household_id)
    return (await session.exec(statement)).first()


async def household_holder(session: AsyncSession, household_id: int) -> int | None:
    """The resident who casts the household's vote, or None if nobody does yet. A holder who is no longer a
    verified adult of the household (moved, deleted their data) holds nothing."""
    statement = (select(col(HouseholdRepresentative.resident_id))
                 .join(Resident, col(Resident.id) == col(HouseholdRepresentative.resident_id))
                 .where(col(HouseholdRepresentative.household_id) == household_id,
                        col(Resident.household_id) == household_id, col(Resident.is_adult).is_(True),
                        _eligible()))
    return (await session.exec(statement)).first()


async def claim_household(session: AsyncSession, household_id: int, resident_id: int, now: datetime) -> int:
    """Make ``resident_id`` the household's holder if nobody holds it; returns who holds it now.

    One ``INSERT … ON CONFLICT DO NOTHING`` decides between adults opening the ballot at once; a holder who no
    longer may hold it is replaced by one conditional UPDATE (on his id), so two claimants cannot both win.
    Raises :class:`NotAllowed` (``electorates.err.not_household_adult``) for anyone but a verified adult of the
    household.
    """
    if not await _may_hold(session, household_id, resident_id):
        raise NotAllowed("electorates.err.not_household_adult")
    values = {"resident_id": resident_id, "set_by": resident_id, "how": HoldHow.CLAIMED.value, "set_at": now}
    while True:
        await session.exec(_insert(session)(HouseholdRepresentative)  # type: ignore[call-overload]
                           .values(household_id=household_id, **values)
                           .on_conflict_do_nothing(index_elements=["household_id"]))
        holder = await household_holder(session, household_id)
        if holder is not None:
            return holder
        stale = await _stored_holder(session, household_id)
        if stale is not None:  # held by someone who may no longer hold it: take it from them, once
            await session.exec(update(HouseholdRepresentative)  # type: ignore[call-overload]
                               .where(col(HouseholdRepresentative.household_id) == household_id,
                                      col(HouseholdRepresentative.resident_id) == stale)
                               .values(**values))


async def set_holder(session: AsyncSession, household_id: int, resident_id: int, *, set_by: int | None,
                     how: HoldHow, now: datetime) -> None:
    """Make ``resident_id`` (checked: a verified adult of the household) its holder, whoever held it."""
    if not await _may_hold(session, household_id, resident_id):
        raise NotAllowed("electorates.err.not_household_adult")
    values = {"resident_id": resident_id, "set_by": set_by, "how": how.value, "set_at": now}
    statement = (_insert(session)(HouseholdRepresentative).values(household_id=household_id, **values)
                 .on_conflict_do_update(index_elements=["household_id"], set_=values))
    await session.exec(statement)  # type: ignore[call-overload]


# ---- the same for handlers and use cases holding a unit of work ---------------------------------------------


async def electors(unit: Unit, community_id: int, kind: Electorate) -> list[Elector]:
    """:func:`electorate` within a unit of work."""
    return await electorate(unit.session, community_id, kind)


async def claim(unit: Unit, household_id: int, resident_id: int, now: datetime) -> int:
    """:func:`claim_household` within a unit of work."""
    return await claim_household(unit.session, household_id, resident_id, now)
