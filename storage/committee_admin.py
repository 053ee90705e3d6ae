"""Use cases behind the committee's menu: statistics, join requests, roles, the committee chat."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import NotFound
from core.notices import Notice
from storage import audit, join_notices, roster
from storage.community import (
    AnyCommunity,
    Home,
    Household,
    community_row,
    count_households,
    find_household,
    household_label,
)
from storage.registration import (
    InviteCode,
    JoinRequest,
    JoinRequestView,
    JoinStatus,
    create_codes,
    decide_request,
    get_request,
)
from storage.residents import AnyResident, Resident, Role, by_telegram_id, count_adults, grant_role, revoke_role
from storage.unit import Unit


@dataclass(frozen=True)
class CommunityStats:
    households: int
    verified_residents: int
    verified_adults: int
    pending_requests: int


async def stats(unit: Unit, community_id: int) -> CommunityStats:
    session = unit.session
    verified = int((await session.exec(select(func.count()).select_from(Resident).where(
        Resident.community_id == community_id, Resident.verified == True))).one())  # noqa: E712
    pending = int((await session.exec(select(func.count()).select_from(JoinRequest).where(
        JoinRequest.community_id == community_id, JoinRequest.status == JoinStatus.PENDING.value))).one())
    return CommunityStats(households=await count_households(session, community_id), verified_residents=verified,
                          verified_adults=await count_adults(session, community_id), pending_requests=pending)


async def pending_requests(unit: Unit, community_id: int) -> list[JoinRequestView]:
    statement = select(JoinRequest).where(JoinRequest.community_id == community_id,
                                          JoinRequest.status == JoinStatus.PENDING.value).order_by(col(JoinRequest.id))
    return [JoinRequestView.of(request) for request in (await unit.session.exec(statement)).all()]


@dataclass(frozen=True, slots=True)
class Decided:
    request: JoinRequestView
    address: str  # the household the approved person was matched to by the address they typed ("" if none)
    notices: tuple[Notice, ...]  # the person hears the verdict


async def decide_join(unit: Unit, *, community: Home, request_id: int, approve: bool, decided_by: int,
                      now: datetime, offers: tuple[str, ...]) -> Decided:
    """Approve or reject a pending request once; an approval matches the typed address to the roster."""
    session = unit.session
    pending = await get_request(session, community.id, request_id)
    household = await match_household(session, community.id, pending.address) if approve and pending.address else None
    request, _ = await decide_request(session, community.id, request_id, approve=approve, decided_by=decided_by,
                                      now=now, household_id=household.id if household else None)
    address = await household_label(session, community.id, household.id) if household and household.id else ""
    return Decided(request=JoinRequestView.of(request), address=address,
                   notices=(join_notices.decided(community, request, approved=approve, offers=offers),))


ADDRESS = re.compile(
    r"^\s*([^\s\-/#号栋幢]+)\s*(?:号楼|号|栋|幢)?\s*[\-/# ]?"  # building: 3, 3号楼, 3栋
    r"\s*([^\s\-/#单元]+)\s*(?:单元)?\s*[\-/# ]?"  # unit: 2, 2单元
    r"\s*(\w+?)\s*(?:室|号)?\s*$"  # room: 501, 501室
)


async def match_household(session: AsyncSession, community_id: int, address: str) -> Household | None:
    """``3-2-501`` or ``3号楼2单元501室`` → the household, if the roster has it."""
    match = ADDRESS.match(address)
    if not match:
        return None
    building, unit, room = match.groups()
    for name in (building, f"{building}号楼", f"{building}栋"):
        household = await find_household(session, community_id, name, unit, room)
        if household is not None:
            return household
    return None


async def bind_chat(unit: Unit, community: AnyCommunity, chat_id: int, actor: int, now: datetime) -> Home:
    """Alerts and join requests go to this group chat from now on; returns the community as it is now."""
    session = unit.session
    row = await community_row(session, community)
    row.committee_chat_id = chat_id
    session.add(row)
    await audit.record(session, community_id=row.id, actor=actor, action="committee:chat_bound",
                       subject=f"chat:{chat_id}", now=now)
    await session.flush()
    return Home.of(row)


async def grant(session: AsyncSession, target: AnyResident, role: Role, actor: int | None, now: datetime) -> bool:
    changed = await grant_role(session, target, role, now, granted_by=actor)
    if changed:
        await audit.record(session, community_id=target.community_id, actor=actor, action="role:granted",
                           subject=f"resident:{target.id}", now=now, role=role.value)
    return changed


async def revoke(session: AsyncSession, target: AnyResident, role: Role, actor: int | None, now: datetime) -> bool:
    changed = await revoke_role(session, target, role)
    if changed:
        await audit.record(session, community_id=target.community_id, actor=actor, action="role:revoked",
                           subject=f"resident:{target.id}", now=now, role=role.value)
    return changed


async def fresh_code(session: AsyncSession, household: Household, actor: int, now: datetime,
                     valid_days: int = 90) -> InviteCode:
    """One new invite code for a household, e.g. for a resident who deleted their data and wants to come back."""
    (code,) = await create_codes(session, household, 1, now, valid_days=valid_days)
    await audit.record(session, community_id=household.community_id, actor=actor, action="invite:issued",
                       subject=f"household:{household.id}", now=now, valid_days=valid_days)
    return code


@dataclass(frozen=True, slots=True)
class RoleChange:
    name: str  # the resident's display name
    changed: bool  # False: they had it already (grant) or did not have it (revoke)


async def change_role(unit: Unit, *, community_id: int, telegram_user_id: int, role: Role, give: bool,
                      actor: int, now: datetime) -> RoleChange:
    """``/grant`` and ``/revoke`` by Telegram id; someone unknown here is not found."""
    session = unit.session
    target = await by_telegram_id(session, community_id, telegram_user_id)
    if target is None:
        raise NotFound("errors.resident_not_found", user_id=telegram_user_id)
    changed = await (grant if give else revoke)(session, target, role, actor, now)
    return RoleChange(name=target.display_name, changed=changed)


@dataclass(frozen=True, slots=True)
class NewCode:
    address: str
    code: str
    valid_days: int


async def new_code(unit: Unit, *, community_id: int, address: str, actor: int, now: datetime,
                   valid_days: int = 90) -> NewCode | None:
    """A fresh invite code for the household at ``address`` (None if the roster has no such household)."""
    session = unit.session
    household = await match_household(session, community_id, address) if address else None
    if household is None or household.id is None:
        return None
    code = await fresh_code(session, household, actor, now, valid_days=valid_days)
    return NewCode(address=await household_label(session, community_id, household.id), code=code.code,
                   valid_days=valid_days)


async def open_codes(unit: Unit, community_id: int) -> list[tuple[str, str, str, str]]:
    """Unused codes as (building, unit, room, code), for reprinting."""
    return await roster.open_codes(unit.session, community_id)
