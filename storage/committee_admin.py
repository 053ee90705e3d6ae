"""Use cases behind the committee's menu: statistics, join requests, roles, the committee chat."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit
from storage.community import Community, Household, count_households, find_household
from storage.registration import InviteCode, JoinRequest, JoinStatus, create_codes, get_request  # noqa: F401
from storage.residents import Resident, Role, count_adults, grant_role, revoke_role


@dataclass(frozen=True)
class CommunityStats:
    households: int
    verified_residents: int
    verified_adults: int
    pending_requests: int


async def stats(session: AsyncSession, community_id: int) -> CommunityStats:
    verified = int((await session.exec(select(func.count()).select_from(Resident).where(
        Resident.community_id == community_id, Resident.verified == True))).one())  # noqa: E712
    pending = int((await session.exec(select(func.count()).select_from(JoinRequest).where(
        JoinRequest.community_id == community_id, JoinRequest.status == JoinStatus.PENDING.value))).one())
    return CommunityStats(households=await count_households(session, community_id), verified_residents=verified,
                          verified_adults=await count_adults(session, community_id), pending_requests=pending)


async def pending_requests(session: AsyncSession, community_id: int) -> list[JoinRequest]:
    statement = select(JoinRequest).where(JoinRequest.community_id == community_id,
                                          JoinRequest.status == JoinStatus.PENDING.value).order_by(col(JoinRequest.id))
    return list((await session.exec(statement)).all())


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


async def bind_chat(session: AsyncSession, community: Community, chat_id: int, actor: int, now: datetime) -> None:
    community.committee_chat_id = chat_id
    session.add(community)
    await audit.record(session, community_id=community.id, actor=actor, action="committee:chat_bound",
                       subject=f"chat:{chat_id}", now=now)
    await session.flush()


async def grant(session: AsyncSession, target: Resident, role: Role, actor: int | None, now: datetime) -> bool:
    changed = await grant_role(session, target, role, now, granted_by=actor)
    if changed:
        await audit.record(session, community_id=target.community_id, actor=actor, action="role:granted",
                           subject=f"resident:{target.id}", now=now, role=role.value)
    return changed


async def revoke(session: AsyncSession, target: Resident, role: Role, actor: int | None, now: datetime) -> bool:
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
