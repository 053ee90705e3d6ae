"""A demo community for the sandbox: buildings, households, a committee member, known invite codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import Linli
from storage import committee_admin, residents
from storage.community import Household, get_community
from storage.registration import InviteCode
from storage.residents import Role
from storage.roster import RosterRow, import_roster, open_codes

DEMO_COMMITTEE_ID = 9001
DEMO_COMMITTEE_NAME = "李主任"
DEMO_ROSTER = [
    RosterRow("1号楼", "1", "101", 78.5, True), RosterRow("1号楼", "1", "102", 92.0, True),
    RosterRow("1号楼", "2", "201", 65.3, True), RosterRow("2号楼", "1", "101", 88.0, True),
    RosterRow("2号楼", "1", "301", 101.2, False), RosterRow("3号楼", "2", "501", 70.0, True),
]


@dataclass(frozen=True)
class DemoInfo:
    committee_user_id: int
    codes: list[tuple[str, str, str, str]]


async def _known_codes(session: AsyncSession) -> None:
    """Readable demo codes (DEMO0001, …) instead of random ones, so a walkthrough can name them."""
    invites = (await session.exec(select(InviteCode).order_by(col(InviteCode.id)))).all()
    for number, invite in enumerate(invites, start=1):
        if not invite.code.startswith("DEMO") and invite.used_at is None:
            invite.code = f"DEMO{number:04d}"
            session.add(invite)
    await session.flush()


async def _monthly_gathering(session: AsyncSession, community_id: int, director_id: int, now: datetime) -> None:
    """相约九号 on the 9th at 18:30 in the garden (the hall when it rains), and this or next month's event made."""
    from core.monthly import Template
    from storage import event_admin, event_schedule
    from storage.unit import Unit

    unit = Unit(session)
    if await event_admin.template(unit, community_id) is None:
        await event_admin.save_template(unit, community_id, "相约九号",
                                        Template(9, time(18, 30), 120, "中心花园", "社区活动室", 80, lead_days=31),
                                        director_id, now)
    await event_schedule.make_monthly(unit, community_id, now)


async def seed_demo(app: Linli) -> DemoInfo:
    """Idempotent: a second run keeps what the first made and only reprints the open codes."""
    async with app.sessions() as session:
        community = await get_community(session, app.community_id or 0)
        has_households = (await session.exec(select(Household.id).limit(1))).first() is not None
        if not has_households:
            await import_roster(session, community, DEMO_ROSTER, app.clock.now(), codes_per_household=2)
            await _known_codes(session)
        now = app.clock.now()
        director = await residents.remember_guest(session, community.id or 0, DEMO_COMMITTEE_ID,
                                                  DEMO_COMMITTEE_NAME, "zh-Hans", now)
        director.verified, director.verified_at = True, director.verified_at or now
        session.add(director)
        await committee_admin.grant(session, director, Role.COMMITTEE, None, now)
        await _monthly_gathering(session, community.id or 0, director.id or 0, now)
        await session.commit()
        codes = await open_codes(session, community.id or 0)
    return DemoInfo(committee_user_id=DEMO_COMMITTEE_ID, codes=codes)
