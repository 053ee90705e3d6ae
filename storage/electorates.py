"""Who may vote: the electorate of a vote under each eligibility mode, as a list of electors.

An :class:`Elector` is one vote in the count (a person, a household, or an owner), with who may cast it and
what it weighs. The register of a vote is this list frozen when voting opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.community import Building, Household
from storage.residents import Resident


class Electorate(StrEnum):
    ADULTS = "adults"  # every verified adult resident (a residents' meeting, all adults)
    HOUSEHOLDS = "households"  # one vote per household, cast by its representative
    GROUPS = "groups"  # the 2-3 elected representatives of each residents' group
    REPRESENTATIVES = "representatives"  # the residents' representatives (居民代表)
    OWNERS = "owners"  # owners, weighted by area and by head
    VERIFIED = "verified"  # any verified resident (an advisory poll)


@dataclass(frozen=True, slots=True)
class Elector:
    key: str  # one vote's identity in this electorate: "r:<resident>", "h:<household>", "o:<owner>"
    resident_ids: tuple[int, ...]  # who may cast it (a household's verified adults, an owner's linked residents)
    household_id: int | None = None
    building: str | None = None  # the building's name, for turnout by building
    group: str | None = None  # the residents' group's name, for turnout by group
    area: int = 0  # hundredths of a square metre (owners only)


async def electorate(session: AsyncSession, community_id: int, kind: Electorate) -> list[Elector]:
    """Everyone who may vote under ``kind`` now, ordered by key. (Owners, groups and representatives: see the
    electorates tables; until they are filled those electorates are empty.)"""
    if kind in (Electorate.ADULTS, Electorate.VERIFIED, Electorate.HOUSEHOLDS):
        query = (select(Resident, Household, Building)
                 .join(Household, col(Household.id) == col(Resident.household_id), isouter=True)
                 .join(Building, col(Building.id) == col(Household.building_id), isouter=True)
                 .where(Resident.community_id == community_id, col(Resident.verified).is_(True),
                        col(Resident.forgotten_at).is_(None))
                 .order_by(col(Resident.id)))
        if kind is not Electorate.VERIFIED:
            query = query.where(col(Resident.is_adult).is_(True))
        rows = (await session.exec(query)).all()
        if kind is Electorate.HOUSEHOLDS:
            households: dict[int, list[int]] = {}
            where: dict[int, tuple[str | None, str | None]] = {}
            for resident, household, building in rows:
                if household is None or resident.id is None or household.id is None:
                    continue
                households.setdefault(household.id, []).append(resident.id)
                where[household.id] = (building.name if building else None, building.group_name if building else None)
            return [Elector(f"h:{hid}", tuple(ids), hid, *where[hid]) for hid, ids in sorted(households.items())]
        return [Elector(f"r:{resident.id}", (resident.id,), resident.household_id,
                        building.name if building else None, building.group_name if building else None)
                for resident, household, building in rows if resident.id is not None]
    return []
