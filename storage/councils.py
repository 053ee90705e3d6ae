"""Councils (议事团 / 议事厅): small named groups of residents that deliberate a topic first and recommend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import topics as rules
from core.errors import DomainError, NotAllowed, NotFound, TooLong
from core.notices import Clipped, Notice
from core.telegram_ids import parse_user_id
from core.topics import TopicStatus
from storage import audit, topic_notices
from storage.community import AnyCommunity, Home
from storage.residents import AnyResident, Resident, Who
from storage.topic_desk import Changed, move, require_committee
from storage.topic_lists import Listing, TopicRow, browse
from storage.topics import Change, Recipient, add_event, audience, get_topic, require_open
from storage.unit import Unit, snapshot

NAME_LIMIT = 40


class Council(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=NAME_LIMIT)
    created_at: datetime
    created_by: int | None = Field(default=None, foreign_key="resident.id")


class CouncilMember(SQLModel, table=True):
    __tablename__ = "council_member"
    __table_args__ = (UniqueConstraint("council_id", "resident_id"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    added_at: datetime


class CouncilRecommendation(SQLModel, table=True):
    __tablename__ = "council_recommendation"

    id: int | None = Field(default=None, primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", index=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    resident_id: int = Field(foreign_key="resident.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime


class CouncilExists(DomainError):
    key = "topics.err.council_exists"


class NotCouncilMember(NotAllowed):
    key = "topics.err.not_council_member"


@dataclass(frozen=True, slots=True)
class CouncilRef:
    """A council as handlers see it."""

    id: int
    name: str

    @staticmethod
    def of(council: Council) -> CouncilRef:
        return snapshot(CouncilRef, council)


@dataclass(frozen=True, slots=True)
class RecommendationView:
    id: int
    topic_id: int
    council_id: int
    resident_id: int
    text: str
    created_at: datetime

    @staticmethod
    def of(recommendation: CouncilRecommendation) -> RecommendationView:
        return snapshot(RecommendationView, recommendation)


async def get_council(session: AsyncSession, community_id: int, council_id: int) -> Council:
    council = await session.get(Council, council_id)
    if council is None or council.community_id != community_id:
        raise NotFound()
    return council


async def council(unit: Unit, community_id: int, council_id: int) -> CouncilRef:
    return CouncilRef.of(await get_council(unit.session, community_id, council_id))


async def councils(unit: Unit, community_id: int) -> list[tuple[CouncilRef, int]]:
    """Every council with its number of members."""
    session = unit.session
    members = func.count(col(CouncilMember.id))
    statement = (select(Council, members)
                 .join(CouncilMember, col(CouncilMember.council_id) == Council.id, isouter=True)
                 .where(Council.community_id == community_id)
                 .group_by(col(Council.id)).order_by(col(Council.name)))
    return [(CouncilRef.of(council), int(n)) for council, n in (await session.exec(statement)).all()]


async def members(session: AsyncSession, council_id: int) -> list[Resident]:
    statement = (select(Resident).join(CouncilMember, col(CouncilMember.resident_id) == Resident.id)
                 .where(CouncilMember.council_id == council_id).order_by(col(Resident.display_name)))
    return list((await session.exec(statement)).all())


async def councils_of(unit: Unit, resident_id: int) -> list[CouncilRef]:
    """The councils a resident sits on."""
    return [CouncilRef.of(c) for c in await seats_of(unit.session, resident_id)]


async def seats_of(session: AsyncSession, resident_id: int) -> list[Council]:
    statement = (select(Council).join(CouncilMember, col(CouncilMember.council_id) == Council.id)
                 .where(CouncilMember.resident_id == resident_id).order_by(col(Council.name)))
    return list((await session.exec(statement)).all())


async def is_member(session: AsyncSession, council_id: int, resident_id: int) -> bool:
    statement = select(CouncilMember.id).where(CouncilMember.council_id == council_id,
                                               CouncilMember.resident_id == resident_id)
    return (await session.exec(statement)).first() is not None


async def create(unit: Unit, *, community: Home, actor: AnyResident | None, name: str,
                 now: datetime) -> CouncilRef:
    session = unit.session
    member = await require_committee(session, community, actor)
    clean = rules.check_title(name)
    if len(clean) > NAME_LIMIT:
        raise TooLong(limit=NAME_LIMIT, length=len(clean))
    if (await session.exec(select(Council.id).where(Council.community_id == community.id,
                                                    Council.name == clean))).first() is not None:
        raise CouncilExists(name=clean)
    council = Council(community_id=community.id or 0, name=clean, created_at=now, created_by=member.id)
    session.add(council)
    await session.flush()
    await audit.record(session, community_id=community.id, actor=member.telegram_user_id, action="council.created",
                       subject=f"council:{council.id}", now=now, name=clean)
    return CouncilRef.of(council)


async def find_residents(unit: Unit, community_id: int, query: str, limit: int = 6) -> list[Who]:
    """Verified residents by Telegram id or by a part of their name."""
    session = unit.session
    text = rules.clean_line(query or "")
    if not text:
        return []
    statement = select(Resident).where(Resident.community_id == community_id, col(Resident.verified))
    if text.lstrip("-").isascii() and text.lstrip("-").isdigit():
        user_id = parse_user_id(text)
        if user_id is None:  # not an id Telegram can give; as a query parameter it would overflow a BIGINT
            return []
        statement = statement.where(Resident.telegram_user_id == user_id)
    else:
        statement = statement.where(func.lower(col(Resident.display_name)).contains(text.lower(), autoescape=True))
    return [Who.of(r) for r in (await session.exec(statement.order_by(col(Resident.display_name)).limit(limit))).all()]


@dataclass(frozen=True, slots=True)
class Added:
    resident: Who | None  # None: they sat on the council already
    notices: tuple[Notice, ...]  # the new member hears of it

    def __bool__(self) -> bool:
        return self.resident is not None


async def add_member(unit: Unit, *, community: Home, council_id: int, resident_id: int,
                     actor: AnyResident | None, now: datetime) -> Added:
    """Seat a verified resident on a council (they are told); nothing happens if they sit there already."""
    session = unit.session
    member = await require_committee(session, community, actor)
    council = await get_council(session, community.id or 0, council_id)
    resident = await session.get(Resident, resident_id)
    if resident is None or resident.community_id != community.id or not resident.verified:
        raise NotFound()
    if await is_member(session, council_id, resident_id):
        return Added(None, ())
    try:
        async with session.begin_nested():
            session.add(CouncilMember(council_id=council_id, resident_id=resident_id, added_at=now))
    except IntegrityError:
        return Added(None, ())
    await audit.record(session, community_id=community.id, actor=member.telegram_user_id,
                       action="council.member_added", subject=f"council:{council.id}", now=now,
                       resident_id=resident_id)
    return Added(Who.of(resident), (topic_notices.joined_council(council.id or 0, council.name, resident, now),))


async def remove_member(unit: Unit, *, community: Home, council_id: int, resident_id: int,
                        actor: AnyResident | None, now: datetime) -> bool:
    session = unit.session
    member = await require_committee(session, community, actor)
    await get_council(session, community.id or 0, council_id)
    row = (await session.exec(select(CouncilMember).where(CouncilMember.council_id == council_id,
                                                          CouncilMember.resident_id == resident_id))).first()
    if row is None:
        return False
    await session.delete(row)
    await audit.record(session, community_id=community.id, actor=member.telegram_user_id,
                       action="council.member_removed", subject=f"council:{council_id}", now=now,
                       resident_id=resident_id)
    await session.flush()
    return True


@dataclass(frozen=True, slots=True)
class CouncilView:
    council: CouncilRef
    members: list[Who]
    topics: list[TopicRow]  # open topics referred to it


async def council_view(unit: Unit, community_id: int, council_id: int, now: datetime) -> CouncilView:
    session = unit.session
    council = await get_council(session, community_id, council_id)
    rows, _ = await browse(session, community_id, Listing.COUNCIL, now, limit=10, council_ids=[council_id])
    return CouncilView(council=CouncilRef.of(council), members=[Who.of(m) for m in await members(session, council_id)],
                       topics=rows)


@dataclass(frozen=True, slots=True)
class Referral:
    change: Changed  # its notices: the proposer and supporters, and the council's members (theirs to deliberate)
    council: CouncilRef
    members: tuple[Recipient, ...]  # the council's members told

    @property
    def notices(self) -> tuple[Notice, ...]:
        return self.change.notices


async def refer(unit: Unit, *, community: Home, topic_id: int, council_id: int,
                actor: AnyResident | None, now: datetime) -> Referral:
    session = unit.session
    member = await require_committee(session, community, actor)
    council = await get_council(session, community.id or 0, council_id)
    topic = await get_topic(session, community.id or 0, topic_id, lock=True)
    if topic.hidden:
        raise DomainError("topics.err.hidden")
    require_open(topic)
    rules.check_move(topic.status, TopicStatus.COUNCIL)
    topic.council_id = council_id
    change = await move(session, community, topic, TopicStatus.COUNCIL, member, now, note=council.name,
                        ref_id=council_id)
    seated = [Recipient(r.id or 0, r.telegram_user_id, r.language) for r in await members(session, council_id)
              if r.id != member.id]
    told = topic_notices.to_people(seated, change.topic, "topics.note.council_seat",
                                   f"tp:{change.topic.id}:e{change.event.id}:seat", council=council.name)
    return Referral(change=Changed.of(change, told), council=CouncilRef.of(council), members=tuple(seated))


async def check_may_recommend(unit: Unit, *, community: Home, topic_id: int,
                              resident: AnyResident | None) -> CouncilRef:
    """The council a resident may recommend for (see ``may_recommend``)."""
    return CouncilRef.of(await may_recommend(unit.session, community=community, topic_id=topic_id, resident=resident))


async def may_recommend(session: AsyncSession, *, community: AnyCommunity, topic_id: int,
                        resident: AnyResident | None) -> Council:
    """The council a resident may recommend for: the topic is with it, and the resident sits on it."""
    topic = await get_topic(session, community.id or 0, topic_id)
    if topic.hidden:
        raise DomainError("topics.err.hidden")
    require_open(topic)
    if (resident is None or not resident.verified or topic.council_id is None
            or topic.status != TopicStatus.COUNCIL.value
            or not await is_member(session, topic.council_id, resident.id or 0)):
        raise NotCouncilMember()
    return await get_council(session, community.id or 0, topic.council_id)


@dataclass(frozen=True, slots=True)
class Recommended:
    recommendation: RecommendationView
    council: CouncilRef
    change: Changed  # its notices: the proposer and supporters, and the committee

    @property
    def notices(self) -> tuple[Notice, ...]:
        return self.change.notices


async def recommend(unit: Unit, *, community: Home, topic_id: int, resident: AnyResident | None,
                    text: str, now: datetime) -> Recommended:
    """A member of the council the topic was referred to records the council's recommendation."""
    session = unit.session
    council = await may_recommend(session, community=community, topic_id=topic_id, resident=resident)
    assert resident is not None
    topic = await get_topic(session, community.id or 0, topic_id, lock=True)
    body = rules.check_text(text, rules.RECOMMENDATION_LIMIT)
    recommendation = CouncilRecommendation(topic_id=topic_id, council_id=council.id or 0,
                                           resident_id=resident.id or 0, text=body, created_at=now)
    session.add(recommendation)
    topic.updated_at = now
    session.add(topic)
    event = await add_event(session, topic, "recommended", now, actor=resident, note=body, ref_id=council.id)
    await audit.record(session, community_id=community.id, actor=resident.telegram_user_id,
                       action="council.recommended", subject=f"topic:{topic_id}", now=now, council_id=council.id)
    change = Change(topic=topic, event=event, audience=await audience(session, topic, exclude=resident.id))
    alert = await topic_notices.to_committee(session, community, topic, "topics.alert.recommended",
                                             f"tp-rec:{recommendation.id}", council=council.name,
                                             text=Clipped(recommendation.text, 500))
    return Recommended(recommendation=RecommendationView.of(recommendation), council=CouncilRef.of(council),
                       change=Changed.of(change, alert, council=council.name))


async def recommendations(session: AsyncSession, topic_id: int) -> list[tuple[CouncilRecommendation, str]]:
    """Newest first: (recommendation, council name)."""
    statement = (select(CouncilRecommendation, Council.name)
                 .join(Council, col(Council.id) == CouncilRecommendation.council_id)
                 .where(CouncilRecommendation.topic_id == topic_id)
                 .order_by(col(CouncilRecommendation.created_at).desc(), col(CouncilRecommendation.id).desc()))
    return [(rec, name) for rec, name in (await session.exec(statement)).all()]
