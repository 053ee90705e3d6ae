"""Use cases behind the electorates: the committee's screen (counts, imports, representatives, household holders)
and a resident's own household vote. Every change goes to the audit log, by ids only.

Handlers call these with the unit of work (``ctx.uow``) and ids; each returns a frozen read model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import NotAllowed, NotFound
from core.notices import Notice
from storage import audit, electorate_notices
from storage.committee_admin import match_household
from storage.community import Building, Household, household_label
from storage.electorate_files import (
    ElectorateProblems,
    GroupRow,
    OwnerRow,
    RepresentativeRow,
    normalize_name,
)
from storage.electorates import (
    GROUP_SEATS,
    Electorate,
    GroupRepresentative,
    HoldHow,
    HouseholdRepresentative,
    Owner,
    Ownership,
    Representative,
    ResidentGroup,
    electors,
    household_holder,
    set_holder,
)
from storage.residents import Resident
from storage.roster import RowProblem
from storage.unit import Unit

SEARCH_LIMIT = 8


@dataclass(frozen=True, slots=True)
class Person:
    resident_id: int
    name: str
    address: str = ""  # "3-2-501", "" when not known


@dataclass(frozen=True, slots=True)
class Counts:
    adults: int
    verified: int
    households: int
    households_held: int  # households whose vote someone holds
    groups: int
    group_reps: int
    representatives: int
    owner_heads: int
    owned_flats: int
    owned_area: int  # hundredths of m²
    owners_linked: int  # owners' votes at least one registered resident may cast


async def counts(unit: Unit, community_id: int) -> Counts:
    """How many electors each electorate has now (the committee's overview)."""
    session = unit.session
    households = await electors(unit, community_id, Electorate.HOUSEHOLDS)
    owners = await electors(unit, community_id, Electorate.OWNERS)
    holders = await _valid_holders(session, community_id)
    groups = int((await session.exec(select(func.count()).select_from(ResidentGroup)
                                     .where(ResidentGroup.community_id == community_id))).one())
    return Counts(
        adults=len(await electors(unit, community_id, Electorate.ADULTS)),
        verified=len(await electors(unit, community_id, Electorate.VERIFIED)),
        households=len(households), households_held=len(holders), groups=groups,
        group_reps=len(await electors(unit, community_id, Electorate.GROUPS)),
        representatives=len(await electors(unit, community_id, Electorate.REPRESENTATIVES)),
        owner_heads=len(owners), owned_flats=sum(len(o.flat_ids) for o in owners),
        owned_area=sum(o.area for o in owners), owners_linked=sum(1 for o in owners if o.resident_ids))


async def _valid_holders(session: AsyncSession, community_id: int) -> set[int]:
    statement = (select(col(HouseholdRepresentative.household_id))
                 .join(Resident, col(Resident.id) == col(HouseholdRepresentative.resident_id))
                 .join(Household, col(Household.id) == col(HouseholdRepresentative.household_id))
                 .where(Household.community_id == community_id,
                        col(Resident.household_id) == col(HouseholdRepresentative.household_id),
                        col(Resident.is_adult).is_(True), col(Resident.verified).is_(True),
                        col(Resident.forgotten_at).is_(None)))
    return set((await session.exec(statement)).all())


# ---- finding residents -------------------------------------------------------------------------------------


async def _people(session: AsyncSession, community_id: int, where: Sequence[object], limit: int | None = None
                  ) -> list[Person]:
    statement = (select(col(Resident.id), col(Resident.display_name), col(Building.name),  # type: ignore[call-overload]
                        col(Household.unit), col(Household.room))
                 .select_from(Resident)
                 .join(Household, col(Household.id) == col(Resident.household_id), isouter=True)
                 .join(Building, col(Building.id) == col(Household.building_id), isouter=True)
                 .where(Resident.community_id == community_id, col(Resident.verified).is_(True),
                        col(Resident.forgotten_at).is_(None), *where)  # type: ignore[arg-type]
                 .order_by(col(Resident.id)))
    if limit is not None:
        statement = statement.limit(limit)
    return [Person(rid, name, f"{building}-{unit_}-{room}" if building else "")
            for rid, name, building, unit_, room in (await session.exec(statement)).all()]


async def find_residents(unit: Unit, community_id: int, query: str) -> list[Person]:
    """Verified adults matching ``query``: an address (``3-2-501``: that household's adults) or part of a name."""
    session = unit.session
    query = query.strip()
    if not query:
        return []
    household = await match_household(session, community_id, query)
    adults = col(Resident.is_adult).is_(True)
    if household is not None:
        return await _people(session, community_id, [col(Resident.household_id) == household.id, adults],
                             SEARCH_LIMIT)
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return await _people(session, community_id, [col(Resident.display_name).ilike(pattern, escape="\\"), adults],
                         SEARCH_LIMIT)


async def _person(session: AsyncSession, community_id: int, resident_id: int) -> Person:
    found = await _people(session, community_id, [col(Resident.id) == resident_id, col(Resident.is_adult).is_(True)])
    if not found:
        raise NotFound("electorates.err.no_such_resident")
    return found[0]


# ---- residents' groups and their representatives -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupView:
    group_id: int
    name: str
    buildings: tuple[str, ...]
    reps: tuple[Person, ...]

    @property
    def full(self) -> bool:
        return len(self.reps) >= GROUP_SEATS


async def groups(unit: Unit, community_id: int) -> list[GroupView]:
    session = unit.session
    found = (await session.exec(select(ResidentGroup).where(ResidentGroup.community_id == community_id)
                                .order_by(col(ResidentGroup.name)))).all()
    return [await _group_view(session, community_id, g) for g in found]


async def group(unit: Unit, community_id: int, group_id: int) -> GroupView:
    return await _group_view(unit.session, community_id, await _group(unit.session, community_id, group_id))


async def _group(session: AsyncSession, community_id: int, group_id: int) -> ResidentGroup:
    found = await session.get(ResidentGroup, group_id)
    if found is None or found.community_id != community_id:
        raise NotFound("electorates.err.no_such_group")
    return found


async def _group_view(session: AsyncSession, community_id: int, found: ResidentGroup) -> GroupView:
    buildings = (await session.exec(select(Building.name).where(Building.group_id == found.id)
                                    .order_by(col(Building.name)))).all()
    rep_ids = (await session.exec(select(GroupRepresentative.resident_id).where(
        GroupRepresentative.group_id == found.id).order_by(col(GroupRepresentative.seat)))).all()
    reps = await _people(session, community_id, [col(Resident.id).in_(list(rep_ids))]) if rep_ids else []
    order = {rid: n for n, rid in enumerate(rep_ids)}
    return GroupView(found.id or 0, found.name, tuple(buildings),
                     tuple(sorted(reps, key=lambda p: order[p.resident_id])))


async def add_group_rep(unit: Unit, community_id: int, group_id: int, resident_id: int, *, actor: int,
                        now: datetime) -> GroupView:
    """Seat a verified adult as one of the group's representatives. A 4th is refused (``electorates.err.group_full``),
    also when two are added at once: the seat (1-3) is unique per group."""
    session = unit.session
    found = await _group(session, community_id, group_id)
    await _person(session, community_id, resident_id)
    current = (await session.exec(select(GroupRepresentative).where(
        GroupRepresentative.resident_id == resident_id))).first()
    if current is not None:
        if current.group_id == group_id:
            return await _group_view(session, community_id, found)
        raise NotAllowed("electorates.err.rep_of_other_group")
    taken = set((await session.exec(select(GroupRepresentative.seat).where(
        GroupRepresentative.group_id == group_id))).all())
    free = [seat for seat in range(1, GROUP_SEATS + 1) if seat not in taken]
    if not free:
        raise NotAllowed("electorates.err.group_full", seats=GROUP_SEATS)
    try:
        async with session.begin_nested():
            session.add(GroupRepresentative(community_id=community_id, group_id=group_id, resident_id=resident_id,
                                            seat=free[0], since=now))
            await session.flush()
    except IntegrityError:  # someone took the seat (or seated this resident) in the meantime
        raise NotAllowed("electorates.err.group_full", seats=GROUP_SEATS) from None
    await audit.record(session, community_id=community_id, actor=actor, action="electorates:group_rep_added",
                       subject=f"resident:{resident_id}", now=now, group_id=group_id)
    return await _group_view(session, community_id, found)


async def remove_group_rep(unit: Unit, community_id: int, group_id: int, resident_id: int, *, actor: int,
                           now: datetime) -> GroupView:
    session = unit.session
    found = await _group(session, community_id, group_id)
    result = await session.exec(delete(GroupRepresentative).where(  # type: ignore[call-overload]
        col(GroupRepresentative.group_id) == group_id, col(GroupRepresentative.resident_id) == resident_id))
    if result.rowcount:
        await audit.record(session, community_id=community_id, actor=actor, action="electorates:group_rep_removed",
                           subject=f"resident:{resident_id}", now=now, group_id=group_id)
    return await _group_view(session, community_id, found)


async def representatives(unit: Unit, community_id: int) -> list[Person]:
    ids = list((await unit.session.exec(select(Representative.resident_id).where(
        Representative.community_id == community_id))).all())
    return await _people(unit.session, community_id, [col(Resident.id).in_(ids)]) if ids else []


async def add_representative(unit: Unit, community_id: int, resident_id: int, *, actor: int,
                             now: datetime) -> list[Person]:
    session = unit.session
    await _person(session, community_id, resident_id)
    exists = (await session.exec(select(Representative.id).where(Representative.resident_id == resident_id))).first()
    if exists is None:
        try:
            async with session.begin_nested():
                session.add(Representative(community_id=community_id, resident_id=resident_id, since=now))
                await session.flush()
        except IntegrityError:  # added by someone else at the same moment: the same outcome
            pass
        else:
            await audit.record(session, community_id=community_id, actor=actor,
                               action="electorates:representative_added", subject=f"resident:{resident_id}", now=now)
    return await representatives(unit, community_id)


async def remove_representative(unit: Unit, community_id: int, resident_id: int, *, actor: int,
                                now: datetime) -> list[Person]:
    session = unit.session
    result = await session.exec(delete(Representative).where(  # type: ignore[call-overload]
        col(Representative.community_id) == community_id, col(Representative.resident_id) == resident_id))
    if result.rowcount:
        await audit.record(session, community_id=community_id, actor=actor,
                           action="electorates:representative_removed", subject=f"resident:{resident_id}", now=now)
    return await representatives(unit, community_id)


# ---- households' votes ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HouseholdVote:
    """Who casts a household's one vote: the holder (None: nobody yet, the first adult to open a ballot will),
    and the household's verified adults (who may hold it)."""

    household_id: int
    address: str
    holder: Person | None
    how: HoldHow | None
    adults: tuple[Person, ...]

    def may_change(self, resident_id: int) -> bool:
        return any(p.resident_id == resident_id for p in self.adults)


async def household_vote(unit: Unit, community_id: int, household_id: int) -> HouseholdVote:
    session = unit.session
    home = await session.get(Household, household_id)
    if home is None or home.community_id != community_id:
        raise NotFound("electorates.err.no_household")
    adults = await _people(session, community_id, [col(Resident.household_id) == household_id,
                                                   col(Resident.is_adult).is_(True)])
    holder_id = await household_holder(session, household_id)
    holder = next((p for p in adults if p.resident_id == holder_id), None)
    how = None
    if holder is not None:
        row = await session.get(HouseholdRepresentative, household_id)
        how = HoldHow(row.how) if row is not None else None
    return HouseholdVote(household_id, await household_label(session, community_id, household_id), holder, how,
                         tuple(adults))


async def household_by_address(unit: Unit, community_id: int, address: str) -> HouseholdVote:
    found = await match_household(unit.session, community_id, address)
    if found is None or found.id is None:
        raise NotFound("electorates.err.no_such_address", address=address[:40])
    return await household_vote(unit, community_id, found.id)


async def my_household(unit: Unit, community_id: int, resident_id: int) -> HouseholdVote:
    """The household vote of a resident's own home."""
    me = await unit.session.get(Resident, resident_id)
    if me is None or me.community_id != community_id or me.household_id is None:
        raise NotFound("electorates.err.no_household")
    return await household_vote(unit, community_id, me.household_id)


@dataclass(frozen=True, slots=True)
class Handed:
    """A household's vote after a change, and who must hear of it (the household's other adults)."""

    vote: HouseholdVote
    notices: tuple[Notice, ...] = ()


async def hand_household_vote(unit: Unit, community_id: int, actor_resident_id: int, to_resident_id: int, *,
                              actor: int, now: datetime) -> Handed:
    """An adult of the household takes its vote (``to`` is themselves) or hands it to another adult of it."""
    session = unit.session
    vote = await my_household(unit, community_id, actor_resident_id)
    if not vote.may_change(actor_resident_id):
        raise NotAllowed("electorates.err.not_household_adult")
    if not vote.may_change(to_resident_id):
        raise NotAllowed("electorates.err.not_household_adult")
    if vote.holder is not None and vote.holder.resident_id == to_resident_id:
        return Handed(vote)
    await set_holder(session, vote.household_id, to_resident_id, set_by=actor_resident_id, how=HoldHow.HOUSEHOLD,
                     now=now)
    await audit.record(session, community_id=community_id, actor=actor, action="electorates:household_rep_set",
                       subject=f"resident:{to_resident_id}", now=now, household_id=vote.household_id)
    notices = await electorate_notices.household_vote_moved(
        session, vote.household_id, to_resident_id, actor_resident_id=actor_resident_id, by_committee=False, now=now)
    return Handed(await household_vote(unit, community_id, vote.household_id), notices)


async def committee_set_household_vote(unit: Unit, community_id: int, household_id: int, resident_id: int | None,
                                       *, actor: int, actor_resident_id: int | None, now: datetime) -> Handed:
    """The committee names who casts a household's vote (``None``: nobody; the first adult to open a ballot will)."""
    session = unit.session
    vote = await household_vote(unit, community_id, household_id)
    if resident_id is None:
        result = await session.exec(delete(HouseholdRepresentative).where(  # type: ignore[call-overload]
            col(HouseholdRepresentative.household_id) == household_id))
        if result.rowcount:
            await audit.record(session, community_id=community_id, actor=actor,
                               action="electorates:household_rep_cleared", subject=f"household:{household_id}",
                               now=now)
    else:
        if not vote.may_change(resident_id):
            raise NotAllowed("electorates.err.not_household_adult")
        await set_holder(session, household_id, resident_id, set_by=actor_resident_id, how=HoldHow.COMMITTEE, now=now)
        await audit.record(session, community_id=community_id, actor=actor, action="electorates:household_rep_set",
                           subject=f"resident:{resident_id}", now=now, household_id=household_id)
        notices = await electorate_notices.household_vote_moved(
            session, household_id, resident_id, actor_resident_id=actor_resident_id, by_committee=True, now=now)
        return Handed(await household_vote(unit, community_id, household_id), notices)
    return Handed(await household_vote(unit, community_id, household_id))


# ---- imports -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Imported:
    """What an import did: rows read, things created/changed/removed, and (owners) new links to residents."""

    rows: int
    created: int
    updated: int
    removed: int = 0
    linked: int = 0


async def _flats(session: AsyncSession, community_id: int) -> dict[tuple[str, str, str], Household]:
    statement = (select(Household, Building.name).join(Building, col(Building.id) == col(Household.building_id))
                 .where(Household.community_id == community_id))
    return {(building, home.unit, home.room): home for home, building in (await session.exec(statement)).all()}


async def import_owners(unit: Unit, community_id: int, rows: list[OwnerRow], *, actor: int | None,
                        now: datetime) -> Imported:
    """Owners of the flats in the file: each listed flat's owners become exactly the file's (co-owners: several
    rows or names), its area is set when given, owners left without a flat are removed. Importing the same file
    twice changes nothing. An owner is linked to a registered resident of one of their flats with the same name."""
    session = unit.session
    flats = await _flats(session, community_id)
    problems = [RowProblem(row.line, "", "-".join((row.building, row.unit, row.room)),
                           "electorates.problem.unknown_flat")
                for row in rows if (row.building, row.unit, row.room) not in flats]
    if problems:
        raise ElectorateProblems(problems)
    owners = {o.key: o for o in (await session.exec(select(Owner).where(Owner.community_id == community_id))).all()}
    created = updated = 0
    wanted: dict[int, dict[str, OwnerRow]] = {}
    for row in rows:
        home = flats[(row.building, row.unit, row.room)]
        wanted.setdefault(home.id or 0, {})[row.key] = row
        owner = owners.get(row.key)
        if owner is None:
            owner = Owner(community_id=community_id, name=row.name, key=row.key, is_developer=row.developer,
                          created_at=now)
            session.add(owner)
            owners[row.key] = owner
            created += 1
        elif owner.name != row.name and not owner.is_developer:
            owner.name = row.name
            session.add(owner)
        if row.area is not None and home.area_hundredths != row.area:
            home.area_hundredths = row.area
            home.floor_area = row.area / 100
            updated += 1
        if not home.has_owner:
            home.has_owner = True
        session.add(home)
    await session.flush()
    held = (await session.exec(select(Ownership).where(col(Ownership.household_id).in_(list(wanted))))).all()
    have: dict[int, dict[int, Ownership]] = {}
    for ownership in held:
        have.setdefault(ownership.household_id, {})[ownership.owner_id] = ownership
    for household_id, by_key in wanted.items():
        mine = have.get(household_id, {})
        keep = {owners[key].id or 0: row for key, row in by_key.items()}
        for owner_id, ownership in mine.items():
            if owner_id not in keep:
                await session.delete(ownership)
                updated += 1
            elif ownership.share_note != keep[owner_id].share:
                ownership.share_note = keep[owner_id].share
                session.add(ownership)
        for owner_id, row in keep.items():
            if owner_id not in mine:
                session.add(Ownership(owner_id=owner_id, household_id=household_id, share_note=row.share))
                updated += 1
    await session.flush()
    removed = await _drop_flatless_owners(session, community_id)
    linked = await _link_owners(session, community_id)
    lines = len({row.line for row in rows})  # a row may name several co-owners
    await audit.record(session, community_id=community_id, actor=actor, action="electorates:owners_imported",
                       now=now, rows=lines, created=created, updated=updated, removed=removed, linked=linked)
    return Imported(lines, created, updated, removed, linked)


async def _drop_flatless_owners(session: AsyncSession, community_id: int) -> int:
    owning = select(Ownership.owner_id).distinct()
    result = await session.exec(delete(Owner).where(  # type: ignore[call-overload]
        col(Owner.community_id) == community_id, col(Owner.id).not_in(owning)))
    return int(result.rowcount or 0)


async def _link_owners(session: AsyncSession, community_id: int) -> int:
    """Link unlinked owners to the one verified resident of one of their flats who bears their name."""
    statement = (select(Owner, Resident)
                 .join(Ownership, col(Ownership.owner_id) == col(Owner.id))
                 .join(Resident, col(Resident.household_id) == col(Ownership.household_id))
                 .where(Owner.community_id == community_id, col(Owner.resident_id).is_(None),
                        col(Owner.is_developer).is_(False), col(Resident.verified).is_(True),
                        col(Resident.forgotten_at).is_(None)))
    matches: dict[int, set[int]] = {}
    owners: dict[int, Owner] = {}
    for owner, resident in (await session.exec(statement)).all():
        if normalize_name(resident.display_name) == normalize_name(owner.name):
            matches.setdefault(owner.id or 0, set()).add(resident.id or 0)
            owners[owner.id or 0] = owner
    linked = 0
    for owner_id, residents in matches.items():
        if len(residents) == 1:
            owners[owner_id].resident_id = next(iter(residents))
            session.add(owners[owner_id])
            linked += 1
    await session.flush()
    return linked


async def import_groups(unit: Unit, community_id: int, rows: list[GroupRow], *, actor: int | None,
                        now: datetime) -> Imported:
    """Groups and their buildings: each group is created if new, each listed building joins its group. Other
    buildings and groups stay as they are; importing the same file twice changes nothing."""
    session = unit.session
    buildings = {b.name: b for b in (await session.exec(
        select(Building).where(Building.community_id == community_id))).all()}
    problems = [RowProblem(row.line, "", name, "electorates.problem.unknown_building")
                for row in rows for name in row.buildings if name not in buildings]
    if problems:
        raise ElectorateProblems(problems)
    found = {g.name: g for g in (await session.exec(
        select(ResidentGroup).where(ResidentGroup.community_id == community_id))).all()}
    created = updated = 0
    for row in rows:
        group_row = found.get(row.group)
        if group_row is None:
            group_row = ResidentGroup(community_id=community_id, name=row.group, created_at=now)
            session.add(group_row)
            await session.flush()
            found[row.group] = group_row
            created += 1
        for name in row.buildings:
            building = buildings[name]
            if building.group_id != group_row.id or building.group_name != group_row.name:
                building.group_id, building.group_name = group_row.id, group_row.name
                session.add(building)
                updated += 1
    await session.flush()
    await audit.record(session, community_id=community_id, actor=actor, action="electorates:groups_imported",
                       now=now, rows=len(rows), created=created, updated=updated)
    return Imported(len(rows), created, updated)


@dataclass(frozen=True, slots=True)
class _Adult:
    resident_id: int
    name: str  # normalised
    household_id: int | None


def _resolve(adults: list[_Adult], flats: dict[tuple[str, str, str], Household], row: RepresentativeRow
             ) -> int | RowProblem:
    found = adults
    if row.building:
        home = flats.get((row.building, row.unit, row.room))
        if home is None:
            return RowProblem(row.line, row.column, "-".join((row.building, row.unit, row.room)),
                              "electorates.problem.unknown_flat")
        found = [a for a in found if a.household_id == home.id]
    if row.name:
        found = [a for a in found if a.name == normalize_name(row.name)]
    shown = row.name or "-".join((row.building, row.unit, row.room))
    if not found:
        return RowProblem(row.line, row.column, shown, "electorates.problem.no_such_resident")
    if len(found) > 1:
        return RowProblem(row.line, row.column, shown, "electorates.problem.ambiguous_resident",
                          {"count": len(found)})
    return found[0].resident_id


async def import_representatives(unit: Unit, community_id: int, rows: list[RepresentativeRow], *,
                                 actor: int | None, now: datetime) -> Imported:
    """The file is the whole list: each group named in it gets exactly its rows' group representatives (at most
    3), and when the file names residents' representatives they become exactly the list. Every person must be a
    registered (verified, adult) resident, named by name and/or address. Importing twice changes nothing."""
    session = unit.session
    found_groups = {g.name: g for g in (await session.exec(
        select(ResidentGroup).where(ResidentGroup.community_id == community_id))).all()}
    problems: list[RowProblem] = []
    seats: dict[int, list[int]] = {}
    seated: dict[int, int] = {}
    chosen: list[int] = []
    flats = await _flats(session, community_id)
    adults = [_Adult(rid or 0, normalize_name(name), hid) for rid, name, hid in (await session.exec(
        select(col(Resident.id), col(Resident.display_name), col(Resident.household_id))
        .where(Resident.community_id == community_id, col(Resident.verified).is_(True),
               col(Resident.is_adult).is_(True), col(Resident.forgotten_at).is_(None)))).all()]
    for row in rows:
        who = _resolve(adults, flats, row)
        if isinstance(who, RowProblem):
            problems.append(who)
            continue
        if row.group:
            group_row = found_groups.get(row.group)
            if group_row is None:
                problems.append(RowProblem(row.line, "", row.group, "electorates.problem.unknown_group"))
                continue
            if row.group_rep:
                reps = seats.setdefault(group_row.id or 0, [])
                other = seated.setdefault(who, group_row.id or 0)
                if other != group_row.id:
                    problems.append(RowProblem(row.line, row.column, row.name or row.room,
                                               "electorates.problem.rep_twice"))
                elif who not in reps:
                    if len(reps) >= GROUP_SEATS:
                        problems.append(RowProblem(row.line, "", row.group, "electorates.problem.group_full",
                                                   {"seats": GROUP_SEATS}))
                    else:
                        reps.append(who)
        if row.representative and who not in chosen:
            chosen.append(who)
    if problems:
        raise ElectorateProblems(problems)
    created = removed = 0
    for group_id, reps in seats.items():
        current = list((await session.exec(select(GroupRepresentative).where(
            GroupRepresentative.group_id == group_id).order_by(col(GroupRepresentative.seat)))).all())
        if [r.resident_id for r in current] == reps:
            continue
        removed += len([r for r in current if r.resident_id not in reps])
        created += len([r for r in reps if r not in {c.resident_id for c in current}])
        await session.exec(delete(GroupRepresentative).where(  # type: ignore[call-overload]
            col(GroupRepresentative.group_id) == group_id))
        await session.exec(delete(GroupRepresentative).where(  # type: ignore[call-overload]
            col(GroupRepresentative.resident_id).in_(reps)))
        for seat, resident_id in enumerate(reps, start=1):
            session.add(GroupRepresentative(community_id=community_id, group_id=group_id, resident_id=resident_id,
                                            seat=seat, since=now))
        await session.flush()
    if chosen:
        current_ids = set((await session.exec(select(Representative.resident_id).where(
            Representative.community_id == community_id))).all())
        gone = current_ids - set(chosen)
        if gone:
            await session.exec(delete(Representative).where(  # type: ignore[call-overload]
                col(Representative.community_id) == community_id, col(Representative.resident_id).in_(gone)))
            removed += len(gone)
        for resident_id in chosen:
            if resident_id not in current_ids:
                session.add(Representative(community_id=community_id, resident_id=resident_id, since=now))
                created += 1
        await session.flush()
    await audit.record(session, community_id=community_id, actor=actor,
                       action="electorates:representatives_imported", now=now, rows=len(rows), created=created,
                       removed=removed)
    return Imported(len(rows), created, 0, removed)


# ---- a person's data deleted ----------------------------------------------------------------------------------


async def forget_resident(session: AsyncSession, resident_id: int) -> None:
    """A resident deleted their data: they hold no vote, sit on no list, and no owner is linked to them."""
    for table in (HouseholdRepresentative, GroupRepresentative, Representative):
        await session.exec(delete(table).where(  # type: ignore[call-overload]
            col(table.resident_id) == resident_id))  # type: ignore[attr-defined]
    await session.exec(update(Owner).where(col(Owner.resident_id) == resident_id)  # type: ignore[call-overload]
                       .values(resident_id=None))

