"""Invite codes, code guessing limits, joining a household, and join requests to the committee."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index, func, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import DomainError, NotFound
from core.notices import Notice
from storage import audit, join_notices
from storage.community import Home, Household, household_label
from storage.residents import Resident, Role, Who, by_telegram_id, grant_role
from storage.unit import Unit, snapshot

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed on phones
CODE_LENGTH = 8


class InvalidCode(DomainError):
    key = "errors.code_invalid"


class CodeUsed(DomainError):
    key = "errors.code_used"


class CodeExpired(DomainError):
    key = "errors.code_expired"


class TooManyTries(DomainError):
    key = "errors.code_too_many_tries"


class AlreadyRegistered(DomainError):
    key = "errors.already_registered"


class RequestPending(DomainError):
    key = "errors.join_request_pending"


class InviteCode(SQLModel, table=True):
    __tablename__ = "invite_code"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    code: str = Field(max_length=16, unique=True)
    created_at: datetime
    expires_at: datetime | None = None
    used_at: datetime | None = None
    used_by_resident_id: int | None = Field(default=None, foreign_key="resident.id")
    revoked: bool = Field(default=False)


class CodeAttempt(SQLModel, table=True):
    __tablename__ = "code_attempt"

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    code: str = Field(max_length=32)
    succeeded: bool
    at: datetime = Field(index=True)


class JoinStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class JoinRequest(SQLModel, table=True):
    __tablename__ = "join_request"
    # One pending request per person and community, also when two workers take the same person's taps.
    __table_args__ = (Index("uq_join_request_pending", "community_id", "telegram_user_id", unique=True,
                            sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    telegram_user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    display_name: str = Field(max_length=64)
    language: str = Field(default="zh-Hans", max_length=8)
    is_adult: bool = True
    address: str = Field(default="", max_length=64)
    status: str = Field(default=JoinStatus.PENDING.value, max_length=10)
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: int | None = Field(default=None, sa_column=Column(BigInteger))
    household_id: int | None = Field(default=None, foreign_key="household.id")


@dataclass(frozen=True, slots=True)
class JoinRequestView:
    """A request to join as the committee's screens (and the person's notices) show it."""

    id: int
    telegram_user_id: int
    display_name: str
    language: str
    is_adult: bool
    address: str
    status: str

    @staticmethod
    def of(request: JoinRequest) -> JoinRequestView:
        return snapshot(JoinRequestView, request)


@dataclass(frozen=True, slots=True)
class Invite:
    """A code that may be used: its household, and that household's address."""

    code: str
    household_id: int
    address: str


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())[:32]


async def create_codes(session: AsyncSession, household: Household, count: int, now: datetime,
                       valid_days: int | None = 90) -> list[InviteCode]:
    assert household.id is not None
    expires = now + timedelta(days=valid_days) if valid_days else None
    codes: list[InviteCode] = []
    for _ in range(count):
        while True:
            candidate = new_code()
            clash = (await session.exec(select(InviteCode.id).where(InviteCode.code == candidate))).first()
            if clash is None:
                break
        code = InviteCode(community_id=household.community_id, household_id=household.id, code=candidate,
                          created_at=now, expires_at=expires)
        session.add(code)
        codes.append(code)
    await session.flush()
    return codes


async def failed_tries(session: AsyncSession, telegram_user_id: int, now: datetime) -> int:
    statement = select(func.count()).select_from(CodeAttempt).where(
        CodeAttempt.telegram_user_id == telegram_user_id, CodeAttempt.succeeded == False,  # noqa: E712
        CodeAttempt.at > now - timedelta(hours=1),
    )
    return int((await session.exec(statement)).one())


async def check_code(unit: Unit, community_id: int, telegram_user_id: int, text: str, now: datetime,
                     tries_per_hour: int) -> Invite:
    """A usable code of this community with its household's address, or a polite refusal (see ``find_code``)."""
    session = unit.session
    invite = await find_code(session, community_id, telegram_user_id, text, now, tries_per_hour)
    return Invite(code=invite.code, household_id=invite.household_id,
                  address=await household_label(session, community_id, invite.household_id))


async def find_code(session: AsyncSession, community_id: int, telegram_user_id: int, text: str, now: datetime,
                    tries_per_hour: int) -> InviteCode:
    """A usable code of this community, or a polite refusal. Wrong guesses count against an hourly allowance.

    Another community's code is a wrong code here.
    """
    if await failed_tries(session, telegram_user_id, now) >= tries_per_hour:
        raise TooManyTries(minutes=60)
    code_text = normalize_code(text)
    invite = (await session.exec(select(InviteCode).where(
        InviteCode.community_id == community_id, InviteCode.code == code_text))).first()
    problem = _code_problem(invite, now)
    session.add(CodeAttempt(telegram_user_id=telegram_user_id, code=code_text, succeeded=problem is None,
                            at=now))
    await session.flush()
    if problem is not None:
        left = tries_per_hour - await failed_tries(session, telegram_user_id, now)
        problem.params["left"] = max(left, 0)
        raise problem
    assert invite is not None
    return invite


def _code_problem(invite: InviteCode | None, now: datetime) -> DomainError | None:
    if invite is None or invite.revoked:
        return InvalidCode()
    if invite.used_at is not None or invite.used_by_resident_id is not None:
        return CodeUsed()
    if invite.expires_at is not None and invite.expires_at <= now:
        return CodeExpired()
    return None


async def _use_code(session: AsyncSession, invite: InviteCode, now: datetime) -> None:
    """Mark the code used, once: a conditional UPDATE, so of two people confirming it at the same moment
    exactly one gets it, with or without a lock held since the code was read."""
    result = await session.exec(  # type: ignore[call-overload]
        update(InviteCode)
        .where(col(InviteCode.id) == invite.id, col(InviteCode.used_at).is_(None),
               col(InviteCode.used_by_resident_id).is_(None), col(InviteCode.revoked).is_(False))
        .values(used_at=now)
    )
    if result.rowcount != 1:
        raise CodeUsed(left=0)
    invite.used_at = now


async def _verify(session: AsyncSession, resident: Resident, now: datetime) -> None:
    """Mark an existing resident verified, once (a conditional UPDATE, like the code)."""
    result = await session.exec(  # type: ignore[call-overload]
        update(Resident)
        .where(col(Resident.id) == resident.id,
               col(Resident.verified).is_(False) | col(Resident.household_id).is_(None))
        .values(verified=True, verified_at=now)
    )
    if result.rowcount != 1:
        raise AlreadyRegistered()


async def join_with_code(unit: Unit, community_id: int, *, telegram_user_id: int, code_text: str,
                         name: str, is_adult: bool, language: str, now: datetime,
                         tries_per_hour: int = 0) -> Who:
    """Create (or complete) a verified resident attached to the code's household. One transaction.

    The code was checked when typed; if someone used it in the meantime, the refusal says how many tries
    are left (``tries_per_hour`` minus wrong ones; losing such a race is not a wrong try).
    """
    session = unit.session
    invite = (await session.exec(select(InviteCode).where(
        InviteCode.community_id == community_id, InviteCode.code == normalize_code(code_text)))).first()
    problem = _code_problem(invite, now)
    resident = await by_telegram_id(session, community_id, telegram_user_id)
    if problem is None and resident is not None and resident.verified and resident.household_id is not None:
        raise AlreadyRegistered()
    if problem is None:
        assert invite is not None
        try:
            await _use_code(session, invite, now)
        except CodeUsed as used:
            problem = used
    if problem is not None:
        problem.params["left"] = max(tries_per_hour - await failed_tries(session, telegram_user_id, now), 0)
        raise problem
    assert invite is not None
    if resident is None:
        resident = Resident(community_id=community_id, telegram_user_id=telegram_user_id,
                            display_name=name, language=language, created_at=now)
        try:
            async with session.begin_nested():
                session.add(resident)
        except IntegrityError as exc:  # the same person registered at the same moment elsewhere
            raise AlreadyRegistered() from exc
    else:
        await _verify(session, resident, now)
    resident.display_name, resident.is_adult, resident.language = name, is_adult, language
    resident.household_id, resident.verified, resident.verified_at = invite.household_id, True, now
    session.add(resident)
    await session.flush()
    invite.used_by_resident_id = resident.id
    session.add(invite)
    await grant_role(session, resident, Role.RESIDENT, now)
    await audit.record(session, community_id=community_id, actor=telegram_user_id,
                       action="resident:joined_with_code", subject=f"resident:{resident.id}", now=now,
                       household_id=invite.household_id)
    await session.flush()
    return Who.of(resident)


async def pending_request(session: AsyncSession, community_id: int, telegram_user_id: int) -> JoinRequest | None:
    statement = select(JoinRequest).where(JoinRequest.community_id == community_id,
                                          JoinRequest.telegram_user_id == telegram_user_id,
                                          JoinRequest.status == JoinStatus.PENDING.value)
    return (await session.exec(statement)).first()


async def check_may_ask(unit: Unit, community_id: int, telegram_user_id: int) -> None:
    """Refuse a second request while one waits for the committee."""
    if await pending_request(unit.session, community_id, telegram_user_id) is not None:
        raise RequestPending()


@dataclass(frozen=True, slots=True)
class Asked:
    request: JoinRequestView
    notices: tuple[Notice, ...]  # the committee's card with Approve / Reject


async def ask_to_join(unit: Unit, *, community: Home, telegram_user_id: int, name: str, is_adult: bool,
                      address: str, language: str, now: datetime) -> Asked:
    """A request to join without a code; the committee hears of it."""
    session = unit.session
    request = await request_to_join(session, community_id=community.id, telegram_user_id=telegram_user_id,
                                    name=name, is_adult=is_adult, address=address, language=language, now=now)
    return Asked(request=JoinRequestView.of(request),
                 notices=(await join_notices.requested(session, community, request),))


async def request_to_join(session: AsyncSession, *, community_id: int, telegram_user_id: int, name: str,
                          is_adult: bool, address: str, language: str, now: datetime) -> JoinRequest:
    if await pending_request(session, community_id, telegram_user_id) is not None:
        raise RequestPending()
    existing = await by_telegram_id(session, community_id, telegram_user_id)
    if existing is not None and existing.verified:
        raise AlreadyRegistered()
    request = JoinRequest(community_id=community_id, telegram_user_id=telegram_user_id, display_name=name,
                          is_adult=is_adult, address=address, language=language, created_at=now)
    try:
        async with session.begin_nested():  # the index decides between two racing requests, not the check above
            session.add(request)
    except IntegrityError:
        raise RequestPending() from None
    await audit.record(session, community_id=community_id, actor=telegram_user_id, action="join:requested",
                       subject=f"join_request:{request.id}", now=now)
    return request


async def get_request(session: AsyncSession, community_id: int, request_id: int) -> JoinRequest:
    """A join request of this community (another community's id is not found)."""
    statement = select(JoinRequest).where(col(JoinRequest.id) == request_id, JoinRequest.community_id == community_id)
    request = (await session.exec(statement)).first()
    if request is None:
        raise NotFound()
    return request


async def decide_request(session: AsyncSession, community_id: int, request_id: int, *, approve: bool,
                         decided_by: int, now: datetime,
                         household_id: int | None = None) -> tuple[JoinRequest, Resident | None]:
    """Approve (creating a verified resident) or reject a pending request of this community, once.

    The decision is a conditional UPDATE (``… WHERE status = 'pending'``): of two committee members deciding
    at the same moment, the second is told it was already decided, whatever either of them read before.
    """
    status = (JoinStatus.APPROVED if approve else JoinStatus.REJECTED).value
    result = await session.exec(  # type: ignore[call-overload]
        update(JoinRequest)
        .where(col(JoinRequest.id) == request_id, col(JoinRequest.community_id) == community_id,
               col(JoinRequest.status) == JoinStatus.PENDING.value)
        .values(status=status, decided_at=now, decided_by=decided_by, household_id=household_id)
        .execution_options(synchronize_session=False)
    )
    decided_now = result.rowcount == 1
    request = (await session.exec(
        select(JoinRequest).where(col(JoinRequest.id) == request_id, JoinRequest.community_id == community_id)
        .execution_options(populate_existing=True)
    )).first()
    if request is None:
        raise NotFound()
    if not decided_now:
        raise DomainError("errors.join_request_decided", status=request.status)
    resident: Resident | None = None
    if approve:
        resident = await by_telegram_id(session, community_id, request.telegram_user_id)
        if resident is None:
            resident = Resident(community_id=community_id, telegram_user_id=request.telegram_user_id,
                                display_name=request.display_name, language=request.language, created_at=now)
        resident.display_name, resident.is_adult = request.display_name, request.is_adult
        if not resident.verified:
            resident.verified, resident.verified_at = True, now
        if household_id is not None:
            resident.household_id = household_id
        session.add(resident)
        await session.flush()
        await grant_role(session, resident, Role.RESIDENT, now, granted_by=decided_by)
    await audit.record(session, community_id=community_id, actor=decided_by,
                       action="join:approved" if approve else "join:rejected",
                       subject=f"join_request:{request.id}", now=now)
    await session.flush()
    return request, resident
