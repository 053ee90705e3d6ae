"""Written proxies (委托) and the community's trust settings.

The committee registers a proxy for a meeting: who gives it (the grantor), who holds it, and the photo of the signed
form (Telegram's file id, kept for the record). The holder then casts the grantor's vote as well as their own;
each person still counts once, because a ballot belongs to the grantor's register entry whoever casts it, and a
grantor who gave a proxy no longer casts their own vote. Refused: a grantor who already voted (online, by proxy or
on paper), a second proxy of the same grantor, a holder at the maximum (``proxy_limit``, a community setting; owners'
assemblies commonly limit it), someone holding a proxy giving one (no chains), oneself.

Race-free: both rules are unique constraints — one proxy per (meeting, grantor); a holder's proxies take numbered
slots, unique per (meeting, holder, slot), so two registrations racing for the last slot cannot both succeed; and
the meeting row is locked first, like every writer of the ballot record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import UniqueConstraint, func
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.text import clean_line
from core.voting import Status, VoteError
from storage import audit, ballots
from storage.community import Building, Household, find_household
from storage.meetings import _meeting
from storage.paper import has_voted
from storage.residents import Resident
from storage.unit import Unit

DEFAULT_PROXY_LIMIT = 2
ADDRESS = re.compile(r"^([^\s-]+)-([^\s-]+)-([^\s-]+)$")


class TrustSetting(SQLModel, table=True):
    """A community's choices for the record: the most proxies one person may hold, and whether the bulletin of an
    open (记名) item shows each ballot's household."""

    __tablename__ = "trust_setting"
    __table_args__ = (UniqueConstraint("community_id"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    proxy_limit: int = Field(default=DEFAULT_PROXY_LIMIT)
    bulletin_households: bool = Field(default=False)
    updated_at: datetime


class MeetingProxy(SQLModel, table=True):
    __tablename__ = "meeting_proxy"
    __table_args__ = (UniqueConstraint("meeting_id", "grantor_id", name="uq_meeting_proxy_grantor"),
                      UniqueConstraint("meeting_id", "proxy_id", "slot", name="uq_meeting_proxy_slot"))

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    grantor_id: int = Field(foreign_key="resident.id")
    proxy_id: int = Field(foreign_key="resident.id", index=True)
    slot: int  # 1 … the limit: the holder's n-th proxy for this meeting
    form_file_id: str = Field(max_length=255)  # the photo of the signed form, as Telegram keeps it
    registered_by: int | None = Field(default=None, foreign_key="resident.id")
    created_at: datetime


class ProxyError(VoteError):
    key = "trust.err.proxy"


# ---- settings ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Settings:
    proxy_limit: int = DEFAULT_PROXY_LIMIT
    bulletin_households: bool = False


async def settings(unit: Unit, community_id: int) -> Settings:
    return await _settings(unit.session, community_id)


async def _settings(session: AsyncSession, community_id: int) -> Settings:
    found = (await session.exec(select(TrustSetting).where(TrustSetting.community_id == community_id))).first()
    return Settings(found.proxy_limit, found.bulletin_households) if found else Settings()


async def configure(unit: Unit, community_id: int, *, now: datetime, actor: int | None,
                    proxy_limit: int | None = None, bulletin_households: bool | None = None) -> Settings:
    """Change the community's settings (a limit from 1 to 10)."""
    if proxy_limit is not None and not 1 <= proxy_limit <= 10:
        raise ProxyError("trust.err.limit_range")
    session = unit.session
    found = (await session.exec(select(TrustSetting).where(TrustSetting.community_id == community_id))).first()
    found = found or TrustSetting(community_id=community_id, updated_at=now)
    if proxy_limit is not None:
        found.proxy_limit = proxy_limit
    if bulletin_households is not None:
        found.bulletin_households = bulletin_households
    found.updated_at = now
    session.add(found)
    await session.flush()
    await audit.record(session, community_id=community_id, actor=actor, action="trust_settings.changed", now=now,
                       proxy_limit=found.proxy_limit, bulletin_households=found.bulletin_households)
    return Settings(found.proxy_limit, found.bulletin_households)


# ---- people by what the committee types ------------------------------------------------------------------------


async def find_residents(session: AsyncSession, community_id: int, text: str) -> list[Resident]:
    """Verified residents matching ``张三``, ``1-2-301`` or ``1-2-301 张三`` (name and/or the home's address)."""
    words = clean_line(text).split()
    address = ADDRESS.match(words[0]) if words else None
    name = " ".join(words[1:] if address else words)
    statement = select(Resident).where(Resident.community_id == community_id, col(Resident.verified).is_(True),
                                       col(Resident.forgotten_at).is_(None))
    if address:
        household = await find_household(session, community_id, *address.groups())
        if household is None:
            return []
        statement = statement.where(Resident.household_id == household.id)
    if name:
        statement = statement.where(Resident.display_name == name)
    elif not address:
        return []
    return list((await session.exec(statement.order_by(col(Resident.id)).limit(5))).all())


async def one_resident(session: AsyncSession, community_id: int, text: str) -> Resident:
    found = await find_residents(session, community_id, text)
    if not found:
        raise ProxyError("trust.err.nobody", text=clean_line(text)[:40])
    if len(found) > 1:
        raise ProxyError("trust.err.several", text=clean_line(text)[:40])
    return found[0]


async def person(unit: Unit, community_id: int, text: str) -> str:
    """The one verified resident ``text`` names (refused: nobody, several); their name."""
    return (await one_resident(unit.session, community_id, text)).display_name


async def address_of(session: AsyncSession, household_id: int | None) -> str:
    if household_id is None:
        return ""
    statement = (select(Building.name, Household.unit, Household.room)
                 .join(Building, col(Building.id) == Household.building_id).where(col(Household.id) == household_id))
    found = (await session.exec(statement)).first()
    return "-".join(found) if found else ""


# ---- proxies -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProxyView:
    id: int
    meeting_id: int
    grantor_id: int
    grantor: str
    proxy_id: int
    proxy: str
    slot: int
    form_file_id: str


async def register(unit: Unit, *, community_id: int, meeting_id: int, grantor: str, holder: str,
                   form_file_id: str, registered_by: int | None, actor: int | None, now: datetime) -> ProxyView:
    """Register a written proxy (``grantor`` and ``holder`` as the committee typed them; see find_residents)."""
    session = unit.session
    meeting = await _meeting(session, community_id, meeting_id, lock=True)
    if meeting.status not in (Status.DRAFT.value, Status.DISCUSSION.value, Status.OPEN.value):
        raise ProxyError("trust.err.proxy_closed")
    giver = await one_resident(session, community_id, grantor)
    taker = await one_resident(session, community_id, holder)
    if giver.id == taker.id:
        raise ProxyError("trust.err.proxy_self")
    if not form_file_id:
        raise ProxyError("trust.err.proxy_form")
    if await holder_of(session, meeting_id, giver.id or 0) is not None:
        raise ProxyError("trust.err.proxy_twice", name=giver.display_name)
    if await holder_of(session, meeting_id, taker.id or 0) is not None or await _holds_any(
            session, meeting_id, giver.id or 0):
        raise ProxyError("trust.err.proxy_chain")
    if meeting.status == Status.OPEN.value:
        elector = await ballots.elector_of(session, meeting_id, meeting.round, giver.id or 0)
        if elector is None:
            raise ProxyError("trust.err.proxy_not_on_register", name=giver.display_name)
        if await has_voted(session, meeting_id, meeting.round, elector.id or 0):
            raise ProxyError("trust.err.proxy_voted", name=giver.display_name)
    limit = (await _settings(session, community_id)).proxy_limit
    held = int((await session.exec(select(func.count()).select_from(MeetingProxy).where(
        MeetingProxy.meeting_id == meeting_id, MeetingProxy.proxy_id == taker.id))).one())
    if held >= limit:
        raise ProxyError("trust.err.proxy_limit", name=taker.display_name, limit=limit)
    statement = (ballots._insert(session)(MeetingProxy)
                 .values(meeting_id=meeting_id, grantor_id=giver.id, proxy_id=taker.id, slot=held + 1,
                         form_file_id=form_file_id[:255], registered_by=registered_by, created_at=now)
                 .on_conflict_do_nothing())
    if (await session.exec(statement)).rowcount != 1:  # type: ignore[call-overload]
        raise ProxyError("trust.err.proxy_twice", name=giver.display_name)
    await audit.record(session, community_id=community_id, actor=actor, action="proxy.registered",
                       subject=f"meeting:{meeting_id}", now=now, grantor=giver.id, proxy=taker.id, slot=held + 1)
    found = (await session.exec(select(MeetingProxy).where(MeetingProxy.meeting_id == meeting_id,
                                                           MeetingProxy.grantor_id == giver.id))).one()
    return _view(found, giver.display_name, taker.display_name)


def _view(row: MeetingProxy, grantor: str, proxy: str) -> ProxyView:
    return ProxyView(row.id or 0, row.meeting_id, row.grantor_id, grantor, row.proxy_id, proxy, row.slot,
                     row.form_file_id)


async def _holds_any(session: AsyncSession, meeting_id: int, resident_id: int) -> bool:
    statement = select(MeetingProxy.id).where(MeetingProxy.meeting_id == meeting_id,
                                              MeetingProxy.proxy_id == resident_id)
    return (await session.exec(statement)).first() is not None


async def holder_of(session: AsyncSession, meeting_id: int, grantor_id: int) -> str | None:
    """The name of whoever holds ``grantor_id``'s proxy for the meeting (None: nobody)."""
    statement = (select(Resident.display_name).join(MeetingProxy, col(MeetingProxy.proxy_id) == Resident.id)
                 .where(MeetingProxy.meeting_id == meeting_id, MeetingProxy.grantor_id == grantor_id))
    return (await session.exec(statement)).first()


async def holds(session: AsyncSession, meeting_id: int, grantor_id: int, proxy_id: int) -> bool:
    statement = select(MeetingProxy.id).where(MeetingProxy.meeting_id == meeting_id,
                                              MeetingProxy.grantor_id == grantor_id,
                                              MeetingProxy.proxy_id == proxy_id)
    return (await session.exec(statement)).first() is not None


async def proxies(unit: Unit, community_id: int, meeting_id: int, *, held_by: int | None = None) -> list[ProxyView]:
    """The meeting's proxies (or those ``held_by`` one resident), by grantor's name."""
    session = unit.session
    await _meeting(session, community_id, meeting_id)
    statement = select(MeetingProxy).where(MeetingProxy.meeting_id == meeting_id)
    if held_by is not None:
        statement = statement.where(MeetingProxy.proxy_id == held_by)
    rows = list((await session.exec(statement.order_by(col(MeetingProxy.id)))).all())
    ids = {r.grantor_id for r in rows} | {r.proxy_id for r in rows}
    names = dict((await session.exec(select(Resident.id, Resident.display_name)
                                     .where(col(Resident.id).in_(list(ids))))).all()) if ids else {}
    return [_view(r, names.get(r.grantor_id, "—"), names.get(r.proxy_id, "—")) for r in rows]
