"""Residents and their roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, UniqueConstraint, and_, func
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import NotFound
from storage.community import Community, Home, household_label
from storage.conversations import ConversationState, Form
from storage.unit import Unit, snapshot


class Role(StrEnum):
    RESIDENT = "resident"
    HOUSEHOLD_REP = "household_rep"
    GROUP_REP = "group_rep"
    BUILDING_LEADER = "building_leader"
    OWNER = "owner"
    COMMITTEE = "committee"
    ADMIN = "admin"


COMMITTEE_ROLES = frozenset({Role.COMMITTEE, Role.ADMIN})


class Resident(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    telegram_user_id: int = Field(sa_column=Column(BigInteger, unique=True, nullable=False))
    display_name: str = Field(max_length=64)
    language: str = Field(default="zh-Hans", max_length=8)
    is_adult: bool = Field(default=True)
    verified: bool = Field(default=False)
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True)
    created_at: datetime
    verified_at: datetime | None = None
    forgotten_at: datetime | None = None  # the person deleted their data: this row is anonymous for good


class RoleGrant(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("resident_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    role: str = Field(max_length=20)
    granted_by: int | None = Field(default=None, sa_column=Column(BigInteger))  # telegram id, None = CLI
    granted_at: datetime


@dataclass(frozen=True, slots=True)
class Who:
    """A resident as handlers see them (``ctx.resident``): a read model of their row."""

    id: int
    community_id: int
    telegram_user_id: int
    display_name: str
    language: str
    is_adult: bool
    verified: bool
    household_id: int | None

    @staticmethod
    def of(resident: Resident) -> Who:
        return snapshot(Who, resident)


AnyResident = Resident | Who  # what storage functions that only read a resident's facts accept


async def resident_row(session: AsyncSession, resident: AnyResident) -> Resident:
    """The row behind a read model, for a use case that changes it (no statement when the update loaded it)."""
    if isinstance(resident, Resident):
        return resident
    row = await session.get(Resident, resident.id)
    if row is None:
        raise NotFound()
    return row


async def by_telegram_id(session: AsyncSession, community_id: int, telegram_user_id: int) -> Resident | None:
    """The community's resident with this Telegram id; someone known only in another community is a stranger."""
    statement = select(Resident).where(Resident.community_id == community_id,
                                       Resident.telegram_user_id == telegram_user_id)
    return (await session.exec(statement)).first()


async def roles_of(session: AsyncSession, resident_id: int) -> set[Role]:
    statement = select(RoleGrant.role).where(RoleGrant.resident_id == resident_id)
    return {Role(value) for value in (await session.exec(statement)).all()}


async def is_committee(session: AsyncSession, community_id: int, resident: AnyResident | None) -> bool:
    """Whether ``resident`` sits on (or administers) the committee of ``community_id``; grants elsewhere count not."""
    if resident is None or resident.id is None or resident.community_id != community_id:
        return False
    statement = select(RoleGrant.id).where(
        RoleGrant.community_id == community_id, RoleGrant.resident_id == resident.id,
        col(RoleGrant.role).in_([role.value for role in COMMITTEE_ROLES]))
    return (await session.exec(statement)).first() is not None


@dataclass(frozen=True, slots=True)
class Arrival:
    """What every update starts from: the community, who is writing (with roles), their form in this chat."""

    community: Home
    resident: Who | None
    roles: frozenset[Role]
    state: Form | None

    @property
    def committee(self) -> bool:
        return bool(self.roles & COMMITTEE_ROLES)


async def arrival(session: AsyncSession, community_id: int, telegram_user_id: int, chat_id: int) -> Arrival | None:
    """One SELECT for the start of an update: community ⟕ resident (roles aggregated) ⟕ conversation state.

    None when the community row is missing (the caller creates it). The rows land in the session as usual, so a
    use case that changes one (binds a chat, moves a form on) finds it there without a statement; the caller gets
    read models.
    """
    roles = (select(func.aggregate_strings(col(RoleGrant.role), ","))
             .where(RoleGrant.resident_id == Resident.id, RoleGrant.community_id == community_id)
             .correlate(Resident).scalar_subquery())
    statement = (
        select(Community, Resident, ConversationState, roles)
        .select_from(Community)
        .outerjoin(Resident, and_(col(Resident.telegram_user_id) == telegram_user_id,
                                  col(Resident.community_id) == community_id))
        .outerjoin(ConversationState, and_(col(ConversationState.telegram_user_id) == telegram_user_id,
                                           col(ConversationState.chat_id) == chat_id))
        .where(Community.id == community_id)
    )
    row = (await session.exec(statement)).first()
    if row is None:
        return None
    community, resident, state, granted = row
    # The session's identity map holds rows weakly: keep the arrival's rows for the unit of work, so a use case
    # that needs one (``resident_row``, ``session.get``) finds it without another statement.
    session.info["arrival_rows"] = (community, resident, state)
    return Arrival(community=Home.of(community), resident=Who.of(resident) if resident is not None else None,
                   state=Form.of(state) if state is not None else None,
                   roles=frozenset(Role(value) for value in granted.split(",")) if granted else frozenset())


async def grant_role(session: AsyncSession, resident: AnyResident, role: Role, now: datetime,
                     granted_by: int | None = None) -> bool:
    """Give ``role``; returns False if the resident already had it."""
    assert resident.id is not None
    if role in await roles_of(session, resident.id):
        return False
    session.add(RoleGrant(community_id=resident.community_id, resident_id=resident.id, role=role.value,
                          granted_by=granted_by, granted_at=now))
    await session.flush()
    return True


async def revoke_role(session: AsyncSession, resident: AnyResident, role: Role) -> bool:
    statement = select(RoleGrant).where(RoleGrant.resident_id == resident.id, RoleGrant.role == role.value)
    grant = (await session.exec(statement)).first()
    if grant is None:
        return False
    await session.delete(grant)
    await session.flush()
    return True


async def committee_members(session: AsyncSession, community_id: int) -> list[Resident]:
    statement = (
        select(Resident)
        .join(RoleGrant, col(RoleGrant.resident_id) == Resident.id)
        .where(Resident.community_id == community_id,
               RoleGrant.role.in_([r.value for r in COMMITTEE_ROLES]))  # type: ignore[attr-defined]
        .distinct()
    )
    return list((await session.exec(statement)).all())


async def count_adults(session: AsyncSession, community_id: int) -> int:
    """Verified adult residents: the base of the 1/5-of-adult-residents rule."""
    statement = select(func.count()).select_from(Resident).where(
        Resident.community_id == community_id, Resident.verified == True, Resident.is_adult == True  # noqa: E712
    )
    return int((await session.exec(statement)).one())


async def set_language(session: AsyncSession, resident: Resident, language: str) -> None:
    resident.language = language
    session.add(resident)
    await session.flush()


async def remember_guest(session: AsyncSession, community_id: int, telegram_user_id: int, name: str,
                         language: str, now: datetime) -> Resident:
    """An unverified resident row, so a guest's choices (language) are kept until they register."""
    resident = await by_telegram_id(session, community_id, telegram_user_id)
    if resident is None:
        resident = Resident(community_id=community_id, telegram_user_id=telegram_user_id,
                            display_name=name[:64] or str(telegram_user_id), language=language, created_at=now)
        session.add(resident)
        await session.flush()
    return resident


# ---- use cases -------------------------------------------------------------------------------------


async def change_language(unit: Unit, *, community_id: int, telegram_user_id: int, resident: Who | None,
                          name: str, language: str, now: datetime) -> Who:
    """The person's language; a guest gets an unverified row so the choice is kept until they register."""
    session = unit.session
    row = (await resident_row(session, resident) if resident is not None
           else await remember_guest(session, community_id, telegram_user_id, name, language, now))
    await set_language(session, row, language)
    return Who.of(row)


@dataclass(frozen=True, slots=True)
class Profile:
    """What "Me" shows beyond the resident's own row."""

    address: str  # "" without a household
    roles: tuple[Role, ...]


async def profile(unit: Unit, resident: Who) -> Profile:
    session = unit.session
    address = (await household_label(session, resident.community_id, resident.household_id)
               if resident.household_id else "")
    return Profile(address=address, roles=tuple(sorted(await roles_of(session, resident.id))))
