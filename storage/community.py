"""The tenant and its homes: community, building, household (with floor area for owners' votes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import NotFound
from storage.unit import Unit, snapshot


class Community(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    committee_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    agenda_threshold: int = Field(default=20)
    answer_days: int = Field(default=3)
    # Adult residents by the committee's own register; the 1/5 rule counts against it when set,
    # since most residents are not on Telegram. None: count verified adults in the bot.
    adult_population: int | None = Field(default=None)
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Home:
    """The community as handlers see it (``ctx.community``): a read model of its row, loaded with every update."""

    id: int
    name: str
    timezone: str
    committee_chat_id: int | None
    agenda_threshold: int
    answer_days: int
    adult_population: int | None

    @staticmethod
    def of(community: Community) -> Home:
        return snapshot(Home, community)


AnyCommunity = Community | Home  # what storage functions that only read a community's settings accept


async def community_row(session: AsyncSession, community: AnyCommunity) -> Community:
    """The row behind a read model, for a use case that changes it; the update's arrival put it in the session
    already, so this costs no statement there."""
    if isinstance(community, Community):
        return community
    return await get_community(session, community.id)


class Building(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=40)
    group_name: str | None = Field(default=None, max_length=60)  # the 居民小组's name, kept with group_id
    group_id: int | None = Field(default=None, foreign_key="resident_group.id")  # storage.electorates


class Household(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("building_id", "unit", "room"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    unit: str = Field(max_length=20)
    room: str = Field(max_length=20)
    floor_area: float = Field(default=0.0)  # m² as the roster gave it (shown); votes count area_hundredths
    # The registered floor area in hundredths of m², exact: owners' votes are weighted by it (integers only).
    area_hundredths: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    has_owner: bool = Field(default=False)


async def first_community(session: AsyncSession) -> Community | None:
    return (await session.exec(select(Community).order_by(col(Community.id)).limit(1))).first()


async def ensure_community(session: AsyncSession, name: str, timezone: str, now: datetime,
                           *, answer_days: int = 3, agenda_threshold: int = 20) -> Community:
    """The deployment's community, created on first use."""
    community = await first_community(session)
    if community is None:
        community = Community(name=name, timezone=timezone, created_at=now,
                              answer_days=answer_days, agenda_threshold=agenda_threshold)
        session.add(community)
        await session.flush()
    return community


async def get_community(session: AsyncSession, community_id: int) -> Community:
    community = await session.get(Community, community_id)
    if community is None:
        raise NotFound()
    return community


async def household_label(session: AsyncSession, community_id: int, household_id: int) -> str:
    """``3-2-501`` style address of one of the community's households ("" for any other id)."""
    statement = (
        select(Building.name, Household.unit, Household.room)
        .join(Building, col(Building.id) == Household.building_id)
        .where(col(Household.id) == household_id, Household.community_id == community_id)
    )
    row = (await session.exec(statement)).first()
    if row is None:
        return ""
    building, unit, room = row
    return f"{building}-{unit}-{room}"


async def find_household(session: AsyncSession, community_id: int, building: str, unit: str,
                         room: str) -> Household | None:
    statement = (
        select(Household)
        .join(Building, col(Building.id) == Household.building_id)
        .where(Household.community_id == community_id, Building.name == building,
               Household.unit == unit, Household.room == room)
    )
    return (await session.exec(statement)).first()


async def count_households(session: AsyncSession, community_id: int) -> int:
    from sqlalchemy import func

    statement = select(func.count()).select_from(Household).where(Household.community_id == community_id)
    return int((await session.exec(statement)).one())


async def address(unit: Unit, community_id: int, household_id: int | None) -> str:
    """``3-2-501`` style address of one of the community's households ("" for none or any other id)."""
    return await household_label(unit.session, community_id, household_id) if household_id else ""
