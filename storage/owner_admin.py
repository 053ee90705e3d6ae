"""The owners' register edited by the committee in the bot, flat by flat: find a flat by its address, see its
owners and registered area, add an owner (a name, optionally linked to a registered resident), remove one, change
the flat's area (exact decimal m², kept in hundredths), mark it developer-held (the developer's unsold flats count
as one owner together).

The same tables as the owners' file (``storage.electorates``): an owner is one person across flats (by the key the
file uses: the normalised name, or the linked resident when two people share a name), so someone added to a second
flat counts once by head and with both areas. Every change is in the audit log, by ids only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import InvalidInput, NotFound
from core.text import clean_line
from storage import audit
from storage.committee_admin import match_household
from storage.community import Household, household_label
from storage.electorate_admin import Person, _people
from storage.electorate_files import NAME_LIMIT, owner_key
from storage.electorates import Owner, Ownership
from storage.residents import Resident
from storage.roster import MAX_AREA, hundredths, parse_area
from storage.unit import Unit

DEVELOPER_KEY = owner_key("", "", True)
MAX_OWNERS = 10  # co-owners of one flat shown and kept (more is a typo)
AREA_PROBLEMS = {"roster.problem.area_not_positive": "electorates.owners.err.area_positive",
                 "roster.problem.area_too_big": "electorates.owners.err.area_big"}


@dataclass(frozen=True, slots=True)
class FlatOwner:
    owner_id: int
    name: str
    developer: bool
    resident: Person | None  # the registered resident this owner is (who may cast the owner's vote)
    flats: int  # how many flats this owner holds in the community (counted once by head)


@dataclass(frozen=True, slots=True)
class FlatView:
    household_id: int
    address: str
    area: int  # hundredths of m²
    owners: tuple[FlatOwner, ...]

    @property
    def developer_held(self) -> bool:
        return any(o.developer for o in self.owners)


async def _home(session: AsyncSession, community_id: int, household_id: int) -> Household:
    home = await session.get(Household, household_id)
    if home is None or home.community_id != community_id:
        raise NotFound("electorates.err.no_household")
    return home


async def flat(unit: Unit, community_id: int, household_id: int) -> FlatView:
    session = unit.session
    home = await _home(session, community_id, household_id)
    await session.refresh(home)
    rows = (await session.exec(select(Owner).join(Ownership, col(Ownership.owner_id) == col(Owner.id))
                               .where(Ownership.household_id == household_id).order_by(col(Owner.id)))).all()
    linked = [o.resident_id for o in rows if o.resident_id is not None]
    people = {p.resident_id: p for p in await _people(session, community_id, [col(Resident.id).in_(linked)])} \
        if linked else {}
    held: dict[int, int] = {}
    if rows:
        for owner_id, _flat in (await session.exec(
                select(Ownership.owner_id, Ownership.household_id)
                .where(col(Ownership.owner_id).in_([o.id for o in rows])))).all():
            held[owner_id] = held.get(owner_id, 0) + 1
    owners = tuple(FlatOwner(o.id or 0, o.name, o.is_developer,
                             people.get(o.resident_id) if o.resident_id is not None else None, held.get(o.id or 0, 1))
                   for o in rows)
    return FlatView(household_id, await household_label(session, community_id, household_id), home.area_hundredths,
                    owners)


async def flat_by_address(unit: Unit, community_id: int, address: str) -> FlatView:
    """``3-2-501`` (or ``3号楼2单元501室``) → the flat, if the roster has it."""
    found = await match_household(unit.session, community_id, address)
    if found is None or found.id is None:
        raise NotFound("electorates.err.no_such_address", address=address[:40])
    return await flat(unit, community_id, found.id)


async def _own(session: AsyncSession, owner_id: int, household_id: int) -> bool:
    """Owner ↔ flat, once (the unique pair): a double tap adds nothing. True if it was new."""
    try:
        async with session.begin_nested():
            session.add(Ownership(owner_id=owner_id, household_id=household_id))
            await session.flush()
    except IntegrityError:
        return False
    return True


async def _owner(session: AsyncSession, community_id: int, key: str, name: str, *, developer: bool = False,
                 resident_id: int | None = None, now: datetime) -> Owner:
    """The owner with ``key``, created if new (a concurrent creation of the same key: theirs is used)."""
    statement = select(Owner).where(Owner.community_id == community_id, Owner.key == key)
    found = (await session.exec(statement)).first()
    if found is not None:
        return found
    try:
        async with session.begin_nested():
            found = Owner(community_id=community_id, name=name, key=key, is_developer=developer,
                          resident_id=resident_id, created_at=now)
            session.add(found)
            await session.flush()
    except IntegrityError:
        found = (await session.exec(statement)).one()
    return found


async def _count_owners(session: AsyncSession, household_id: int) -> int:
    return len((await session.exec(select(Ownership.id).where(Ownership.household_id == household_id))).all())


async def add_owner(unit: Unit, community_id: int, household_id: int, name: str, *, resident_id: int | None,
                    actor: int | None, now: datetime) -> FlatView:
    """Add an owner to the flat: ``name`` as the register has it; ``resident_id`` (optional) the registered resident
    who is this owner (a verified adult of the community), who may then cast the owner's vote.

    The same person across flats is one owner: an owner of that name already on the register is reused (unless
    linked to another resident: then they are two people of one name). A developer-held flat takes no other owner.
    """
    session = unit.session
    home = await _home(session, community_id, household_id)
    cleaned = clean_line(name)
    person: Person | None = None
    if resident_id is not None:
        found = await _people(session, community_id, [col(Resident.id) == resident_id,
                                                      col(Resident.is_adult).is_(True)])
        if not found:
            raise NotFound("electorates.err.no_such_resident")
        person = found[0]
        cleaned = cleaned or clean_line(person.name)
    if not cleaned:
        raise InvalidInput("electorates.owners.err.name")
    if len(cleaned) > NAME_LIMIT:
        raise InvalidInput("electorates.owners.err.name_long", limit=NAME_LIMIT)
    current = await flat(unit, community_id, household_id)
    if current.developer_held:
        raise InvalidInput("electorates.owners.err.developer_held")
    if len(current.owners) >= MAX_OWNERS:
        raise InvalidInput("electorates.owners.err.too_many", limit=MAX_OWNERS)
    key = owner_key(cleaned, "", False)
    owner = (await session.exec(select(Owner).where(Owner.community_id == community_id, Owner.key == key))).first()
    if owner is not None and person is not None and owner.resident_id not in (None, person.resident_id):
        key = f"{key}#r{person.resident_id}"  # another person of the same name
        owner = None
    if owner is None:
        owner = await _owner(session, community_id, key, cleaned, resident_id=person.resident_id if person else None,
                             now=now)
    if person is not None and owner.resident_id is None:
        owner.resident_id = person.resident_id
        session.add(owner)
    if await _own(session, owner.id or 0, household_id):
        home.has_owner = True
        session.add(home)
        await session.flush()
        await audit.record(session, community_id=community_id, actor=actor, action="electorates:owner_added",
                           subject=f"household:{household_id}", now=now, owner_id=owner.id,
                           resident_id=owner.resident_id)
    return await flat(unit, community_id, household_id)


async def _drop_if_flatless(session: AsyncSession, owner_id: int) -> None:
    if not (await session.exec(select(Ownership.id).where(Ownership.owner_id == owner_id))).first():
        await session.exec(delete(Owner).where(col(Owner.id) == owner_id))  # type: ignore[call-overload]


async def remove_owner(unit: Unit, community_id: int, household_id: int, owner_id: int, *, actor: int | None,
                       now: datetime) -> FlatView:
    """Take an owner off the flat (an owner left with no flat leaves the register). Twice: nothing more happens."""
    session = unit.session
    home = await _home(session, community_id, household_id)
    result = await session.exec(delete(Ownership).where(  # type: ignore[call-overload]
        col(Ownership.household_id) == household_id, col(Ownership.owner_id) == owner_id,
        col(Ownership.owner_id).in_(select(Owner.id).where(Owner.community_id == community_id))))
    if result.rowcount:
        await _drop_if_flatless(session, owner_id)
        if not await _count_owners(session, household_id):
            home.has_owner = False
            session.add(home)
        await session.flush()
        await audit.record(session, community_id=community_id, actor=actor, action="electorates:owner_removed",
                           subject=f"household:{household_id}", now=now, owner_id=owner_id)
    return await flat(unit, community_id, household_id)


def parse_flat_area(text: str) -> int:
    """``95.55`` (m², as registered: at most two decimals, nothing rounded) → hundredths; else a polite error."""
    cleaned = (text or "").strip().replace("，", ".").replace("。", ".")
    parsed = parse_area(cleaned)
    if not isinstance(parsed, Decimal):
        raise InvalidInput(AREA_PROBLEMS.get(parsed, "electorates.owners.err.area_number"), max=int(MAX_AREA))
    if parsed != parsed.quantize(Decimal("0.01")):
        raise InvalidInput("electorates.owners.err.area_decimals")
    return hundredths(parsed)


async def set_area(unit: Unit, community_id: int, household_id: int, text: str, *, actor: int | None,
                   now: datetime) -> FlatView:
    """The flat's registered area (m², exact to the hundredth): owners' votes are weighted by it."""
    session = unit.session
    area = parse_flat_area(text)
    home = await _home(session, community_id, household_id)
    if home.area_hundredths != area:
        was = home.area_hundredths
        home.area_hundredths = area
        home.floor_area = area / 100
        session.add(home)
        await session.flush()
        await audit.record(session, community_id=community_id, actor=actor, action="electorates:area_changed",
                           subject=f"household:{household_id}", now=now, area=area, was=was)
    return await flat(unit, community_id, household_id)


async def set_developer_held(unit: Unit, community_id: int, household_id: int, held: bool, *, actor: int | None,
                             now: datetime) -> FlatView:
    """Mark the flat developer-held (its owners become the developer, who counts once for all its flats) or not
    (the developer is taken off; the committee then adds the buyer)."""
    session = unit.session
    home = await _home(session, community_id, household_id)
    current = await flat(unit, community_id, household_id)
    if current.developer_held == held:
        return current
    if held:
        developer = await _owner(session, community_id, DEVELOPER_KEY, "开发商", developer=True, now=now)
        others = [o.owner_id for o in current.owners if o.owner_id != developer.id]
        if others:
            await session.exec(delete(Ownership).where(  # type: ignore[call-overload]
                col(Ownership.household_id) == household_id, col(Ownership.owner_id).in_(others)))
            for owner_id in others:
                await _drop_if_flatless(session, owner_id)
        await _own(session, developer.id or 0, household_id)
        home.has_owner = True
    else:
        developers = [o.owner_id for o in current.owners if o.developer]
        await session.exec(delete(Ownership).where(  # type: ignore[call-overload]
            col(Ownership.household_id) == household_id, col(Ownership.owner_id).in_(developers)))
        for owner_id in developers:
            await _drop_if_flatless(session, owner_id)
        home.has_owner = bool(await _count_owners(session, household_id))
    session.add(home)
    await session.flush()
    await audit.record(session, community_id=community_id, actor=actor, action="electorates:developer_held",
                       subject=f"household:{household_id}", now=now, held=held)
    return await flat(unit, community_id, household_id)
