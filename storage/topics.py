"""Deliberation topics (议题): tables, the support tally, and the resident's use cases (propose, support, withdraw).

The committee's use cases live in ``storage.topic_desk``, lists and exports in ``storage.topic_lists``.
Support counts are never stored: they are counted from ``topic_support`` each time, so they cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    bindparam,
    case,
    delete,
    func,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.selectable import ScalarSelect
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from core import topics as rules
from core.errors import DomainError, NotFound, NotVerified
from core.notices import Bilingual, Notice
from core.topics import LegalBases, LegalRule, SupportTally, TopicStatus
from storage import audit
from storage.community import AnyCommunity, Home, Household, count_households
from storage.residents import AnyResident, Resident, Who
from storage.unit import Unit, snapshot

# ---- tables ------------------------------------------------------------------------------------


class TopicCategory(SQLModel, table=True):
    """Editable by the committee; seeded with the defaults on first use."""

    __tablename__ = "topic_category"
    __table_args__ = (UniqueConstraint("community_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    code: str = Field(max_length=24)
    name_zh: str = Field(max_length=40)
    name_en: str = Field(max_length=40)
    position: int = Field(default=0)
    active: bool = Field(default=True)

    def name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en

    @property
    def names(self) -> Bilingual:
        return Bilingual(self.name_zh, self.name_en)


class Topic(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    proposer_id: int = Field(foreign_key="resident.id", index=True)
    category_id: int = Field(foreign_key="topic_category.id", index=True)
    title: str = Field(max_length=rules.TITLE_LIMIT)
    description: str = Field(sa_column=Column(Text, nullable=False))
    photo_file_id: str | None = Field(default=None, max_length=255)
    status: str = Field(default=TopicStatus.SUBMITTED.value, max_length=12, index=True)
    hidden: bool = Field(default=False)
    hidden_reason: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(index=True)
    answer_due_at: datetime = Field(index=True)
    acknowledged_at: datetime | None = None
    first_answered_at: datetime | None = None
    answered_late: bool = Field(default=False)
    answer_text: str | None = Field(default=None, sa_column=Column(Text))
    answered_at: datetime | None = None
    answered_by: int | None = Field(default=None, foreign_key="resident.id")
    decline_reason: str | None = Field(default=None, sa_column=Column(Text))
    resolution: str | None = Field(default=None, sa_column=Column(Text))
    closed_at: datetime | None = None
    merged_into_id: int | None = Field(default=None, foreign_key="topic.id")
    council_id: int | None = Field(default=None, foreign_key="council.id", index=True)
    meeting_item_id: int | None = Field(default=None)  # linked once residents' meetings and voting exist
    agenda_reached_at: datetime | None = None
    # The legal demand, recorded once with the counts and bases it was reached under; later changes to the
    # register or the roster never create or drop it.
    meeting_demanded_at: datetime | None = None
    meeting_demanded_rule: str | None = Field(default=None, max_length=20)  # adults | households | both
    demand_adults: int | None = None  # verified adult supporters when it was reached
    demand_adult_base: int | None = None  # the committee's adult register then (None: not set, not counted)
    demand_households: int | None = None  # households with an adult supporter then
    demand_household_base: int | None = None  # households on the roster then
    # How the committee met the demand when no meeting is linked (e.g. a meeting held on paper); until this or
    # ``meeting_item_id`` is set, the topic stays on the "meeting demanded" queue whatever its status.
    demand_note: str | None = Field(default=None, sa_column=Column(Text))
    demand_noted_at: datetime | None = None
    demand_noted_by: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("resident.id", name="fk_topic_demand_noted_by_resident"), nullable=True))
    updated_at: datetime

    @property
    def state(self) -> TopicStatus:
        return TopicStatus(self.status)

    @property
    def is_open(self) -> bool:
        return rules.is_open(self.status)

    @property
    def demand_open(self) -> bool:
        return rules.demand_open(self.meeting_demanded_at, self.meeting_item_id, self.demand_noted_at)

    def overdue(self, now: datetime) -> bool:
        return not self.hidden and rules.is_overdue(self.answer_due_at, self.first_answered_at, self.status, now)


class TopicSupport(SQLModel, table=True):
    __tablename__ = "topic_support"
    __table_args__ = (UniqueConstraint("topic_id", "resident_id"),)

    id: int | None = Field(default=None, primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", index=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    created_at: datetime
    moved_from_id: int | None = Field(default=None, foreign_key="topic.id")  # came over in a merge


THRESHOLD_EVENTS_SQL = "kind IN ('demanded', 'agenda_reached')"


class TopicEvent(SQLModel, table=True):
    """The timeline: every change to a topic, kept."""

    __tablename__ = "topic_event"
    # A threshold is crossed once per topic: at most one "demanded" and one "agenda_reached" event each.
    __table_args__ = (
        Index("uq_topic_event_topic_id", "topic_id", "kind", unique=True,
              sqlite_where=text(THRESHOLD_EVENTS_SQL), postgresql_where=text(THRESHOLD_EVENTS_SQL)),
    )

    id: int | None = Field(default=None, primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", index=True)
    kind: str = Field(max_length=20)  # submitted, answered, merged_in, agenda_reached, recommended, hidden, or a status
    actor_id: int | None = Field(default=None, foreign_key="resident.id")
    note: str | None = Field(default=None, sa_column=Column(Text))
    ref_id: int | None = Field(default=None)  # the other topic of a merge, the council of a referral
    at: datetime


DEFAULT_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("renovation", "旧改与加装电梯", "Renovation and lifts"),
    ("parking", "停车", "Parking"),
    ("green", "绿化与环境卫生", "Greening and sanitation"),
    ("safety", "安全", "Safety"),
    ("activities", "社区活动", "Activities"),
    ("property", "物业管理", "Property management"),
    ("other", "其他", "Other"),
)


# ---- read models (what handlers get) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CategoryView:
    id: int
    community_id: int
    code: str
    name_zh: str
    name_en: str
    position: int
    active: bool

    @staticmethod
    def of(category: TopicCategory) -> CategoryView:
        return snapshot(CategoryView, category)

    def name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en


@dataclass(frozen=True, slots=True)
class TopicView:
    """A topic as handlers see it: every column of its row, and the same questions asked of it."""

    id: int
    community_id: int
    proposer_id: int
    category_id: int
    title: str
    description: str
    photo_file_id: str | None
    status: str
    hidden: bool
    hidden_reason: str | None
    created_at: datetime
    answer_due_at: datetime
    acknowledged_at: datetime | None
    first_answered_at: datetime | None
    answered_late: bool
    answer_text: str | None
    answered_at: datetime | None
    answered_by: int | None
    decline_reason: str | None
    resolution: str | None
    closed_at: datetime | None
    merged_into_id: int | None
    council_id: int | None
    meeting_item_id: int | None
    agenda_reached_at: datetime | None
    meeting_demanded_at: datetime | None
    meeting_demanded_rule: str | None
    demand_adults: int | None
    demand_adult_base: int | None
    demand_households: int | None
    demand_household_base: int | None
    demand_note: str | None
    demand_noted_at: datetime | None
    demand_noted_by: int | None
    updated_at: datetime

    @staticmethod
    def of(topic: Topic) -> TopicView:
        return snapshot(TopicView, topic)

    @property
    def state(self) -> TopicStatus:
        return TopicStatus(self.status)

    @property
    def is_open(self) -> bool:
        return rules.is_open(self.status)

    @property
    def demand_open(self) -> bool:
        return rules.demand_open(self.meeting_demanded_at, self.meeting_item_id, self.demand_noted_at)

    def overdue(self, now: datetime) -> bool:
        return not self.hidden and rules.is_overdue(self.answer_due_at, self.first_answered_at, self.status, now)


@dataclass(frozen=True, slots=True)
class EventView:
    """One entry of a topic's timeline."""

    id: int
    topic_id: int
    kind: str
    actor_id: int | None
    note: str | None
    ref_id: int | None
    at: datetime

    @staticmethod
    def of(event: TopicEvent) -> EventView:
        return snapshot(EventView, event)


# ---- errors ------------------------------------------------------------------------------------


class TopicHidden(DomainError):
    key = "topics.err.hidden"


class TopicMerged(DomainError):
    key = "topics.err.merged"


class CategoryUnavailable(DomainError):
    key = "topics.err.category"


@dataclass(frozen=True, slots=True)
class Recipient:
    resident_id: int
    telegram_user_id: int
    language: str


@dataclass(frozen=True, slots=True)
class Change:
    """What a committee action did to a topic (storage-internal: ORM rows); see ``topic_desk.Changed``."""

    topic: Topic
    event: TopicEvent
    audience: list[Recipient] = field(default_factory=list)


# ---- reading -----------------------------------------------------------------------------------


async def get_topic(session: AsyncSession, community_id: int, topic_id: int, *, lock: bool = False) -> Topic:
    statement = select(Topic).where(col(Topic.id) == topic_id, Topic.community_id == community_id)
    if lock:
        statement = statement.with_for_update()
    topic = (await session.exec(statement)).first()
    if topic is None:
        raise NotFound()
    return topic


async def visible_topic(session: AsyncSession, community_id: int, topic_id: int, *, lock: bool = False) -> Topic:
    """A topic residents may see: hidden ones are refused."""
    topic = await get_topic(session, community_id, topic_id, lock=lock)
    if topic.hidden:
        raise TopicHidden()
    return topic


def require_open(topic: Topic) -> None:
    """Refuse acting on a merged, declined or resolved topic, saying where a merged one went."""
    if topic.status == TopicStatus.MERGED.value:
        raise TopicMerged(target=topic.merged_into_id or 0)
    if not topic.is_open:
        raise rules.TopicClosed()


# Bound by name, so the statements below are built once per process and only their parameters change per tap.
COMMUNITY_ID, TOPIC_ID = bindparam("community_id", type_=Integer), bindparam("topic_id", type_=Integer)


@cache
def tally_statement() -> Select[int, int, int, int]:
    """Supports by the community's verified residents; adults and their households for the 1/5 rules.

    Parameters ``community_id`` and ``topic_id``. A topic of another community counts nothing here.
    """
    adult_resident = case((col(Resident.is_adult), Resident.id), else_=None)
    adult_household = case((col(Resident.is_adult), Resident.household_id), else_=None)
    return (
        select(func.count(func.distinct(Resident.id)), func.count(func.distinct(Resident.household_id)),
               func.count(func.distinct(adult_resident)), func.count(func.distinct(adult_household)))
        .select_from(TopicSupport)
        .join(Resident, col(Resident.id) == TopicSupport.resident_id)
        .join(Topic, col(Topic.id) == TopicSupport.topic_id)
        .where(col(TopicSupport.topic_id) == TOPIC_ID, col(Topic.community_id) == COMMUNITY_ID,
               col(Resident.community_id) == COMMUNITY_ID, col(Resident.verified))
    )


@cache
def households_statement() -> ScalarSelect[int]:
    """The household base of the 1/5 rule (the households on the roster), as a scalar subquery on ``community_id``."""
    return (select(func.count()).select_from(Household).where(col(Household.community_id) == COMMUNITY_ID)
            .scalar_subquery())


@cache
def _tally_with_bases() -> Any:
    return tally_statement().add_columns(households_statement())


def support_tally(residents: int, households: int, adults: int, adult_households: int) -> SupportTally:
    return SupportTally(residents=int(residents), households=int(households), adults=int(adults),
                        adult_households=int(adult_households))


async def tally(session: AsyncSession, community_id: int, topic_id: int) -> SupportTally:
    """Supports by the community's verified residents (see ``tally_statement``)."""
    counted = (await session.exec(tally_statement(),
                                  params={"community_id": community_id, "topic_id": topic_id})).one()
    return support_tally(*counted)


async def tally_and_bases(session: AsyncSession, community: AnyCommunity,
                          topic_id: int) -> tuple[SupportTally, LegalBases]:
    """The tally and the legal bases it is measured against, in one statement."""
    params = {"community_id": community.id or 0, "topic_id": topic_id}
    *counted, households = (await session.exec(_tally_with_bases(), params=params)).one()
    return support_tally(*counted), LegalBases(adults=community.adult_population, households=int(households))


async def legal_bases(session: AsyncSession, community: AnyCommunity) -> LegalBases:
    """The adult rule counts against the committee's register only; the household rule against the roster."""
    assert community.id is not None
    return LegalBases(adults=community.adult_population, households=await count_households(session, community.id))


async def supports(session: AsyncSession, topic_id: int, resident_id: int) -> bool:
    statement = select(TopicSupport.id).where(TopicSupport.topic_id == topic_id,
                                              TopicSupport.resident_id == resident_id)
    return (await session.exec(statement)).first() is not None


async def events(session: AsyncSession, topic_id: int, limit: int | None = None) -> list[tuple[TopicEvent, str]]:
    """Newest first: (event, actor's display name or '')."""
    statement = (select(TopicEvent, Resident.display_name)
                 .join(Resident, col(Resident.id) == TopicEvent.actor_id, isouter=True)
                 .where(TopicEvent.topic_id == topic_id)
                 .order_by(col(TopicEvent.at).desc(), col(TopicEvent.id).desc()))
    if limit is not None:
        statement = statement.limit(limit)
    return [(event, name or "") for event, name in (await session.exec(statement)).all()]


async def audience(session: AsyncSession, topic: Topic, *, exclude: int | None = None) -> list[Recipient]:
    """The proposer and the current supporters (verified), each once, without ``exclude`` (a resident id)."""
    supporter_ids = select(TopicSupport.resident_id).where(TopicSupport.topic_id == topic.id)
    statement = (select(Resident)
                 .where((col(Resident.id) == topic.proposer_id) | col(Resident.id).in_(supporter_ids),
                        col(Resident.verified))
                 .order_by(col(Resident.id)))
    return [Recipient(r.id or 0, r.telegram_user_id, r.language) for r in (await session.exec(statement)).all()
            if r.id != exclude]


async def add_event(session: AsyncSession, topic: Topic, kind: str, now: datetime, *, actor: AnyResident | None = None,
                    note: str | None = None, ref_id: int | None = None) -> TopicEvent:
    event = TopicEvent(topic_id=topic.id or 0, kind=kind, actor_id=actor.id if actor else None, note=note,
                       ref_id=ref_id, at=now)
    session.add(event)
    await session.flush()
    return event


# ---- categories --------------------------------------------------------------------------------


async def categories(session: AsyncSession, community_id: int, *, active_only: bool = True) -> list[TopicCategory]:
    """The community's categories, seeded with the seven defaults the first time they are asked for."""
    statement = select(TopicCategory).where(TopicCategory.community_id == community_id)
    found = list((await session.exec(statement.order_by(col(TopicCategory.position), col(TopicCategory.id)))).all())
    if not found:
        try:
            async with session.begin_nested():
                for position, (code, zh, en) in enumerate(DEFAULT_CATEGORIES):
                    session.add(TopicCategory(community_id=community_id, code=code, name_zh=zh, name_en=en,
                                              position=position))
        except IntegrityError:  # another worker seeded them at the same moment
            pass
        found = list((await session.exec(statement.order_by(col(TopicCategory.position),
                                                            col(TopicCategory.id)))).all())
    return [c for c in found if c.active or not active_only]


async def get_category(session: AsyncSession, community_id: int, category_id: int) -> TopicCategory:
    category = await session.get(TopicCategory, category_id)
    if category is None or category.community_id != community_id:
        raise NotFound()
    return category


# ---- proposing ---------------------------------------------------------------------------------


async def proposed_today(session: AsyncSession, community: AnyCommunity, resident_id: int, now: datetime) -> int:
    start, end = rules.local_day_bounds(now, community.timezone)
    statement = select(func.count()).select_from(Topic).where(
        Topic.proposer_id == resident_id, col(Topic.created_at) >= start, col(Topic.created_at) < end)
    return int((await session.exec(statement)).one())


async def check_may_propose(session: AsyncSession, community: AnyCommunity, resident: AnyResident | None,
                            now: datetime) -> None:
    if resident is None or not resident.verified:
        raise NotVerified()
    rules.check_daily_limit(await proposed_today(session, community, resident.id or 0, now))


async def propose(session: AsyncSession, *, community: AnyCommunity, proposer: AnyResident | None, title: str,
                  description: str, category_id: int, photo_file_id: str | None, now: datetime) -> SupportOutcome:
    """A new topic; its proposer is its first supporter (and in a tiny community may already reach 1/5)."""
    await check_may_propose(session, community, proposer, now)
    assert proposer is not None and community.id is not None
    clean_title = rules.check_title(title)
    clean_description = rules.check_text(description, rules.DESCRIPTION_LIMIT)
    category = await session.get(TopicCategory, category_id)
    if category is None or category.community_id != community.id or not category.active:
        raise CategoryUnavailable()
    topic = Topic(community_id=community.id, proposer_id=proposer.id or 0, category_id=category_id,
                  title=clean_title, description=clean_description, photo_file_id=photo_file_id,
                  created_at=now, answer_due_at=rules.answer_deadline(now, community.answer_days), updated_at=now)
    session.add(topic)
    await session.flush()
    await add_event(session, topic, "submitted", now, actor=proposer)
    await audit.record(session, community_id=community.id, actor=proposer.telegram_user_id, action="topic.proposed",
                       subject=f"topic:{topic.id}", now=now)
    session.add(TopicSupport(topic_id=topic.id or 0, resident_id=proposer.id or 0, created_at=now))
    await session.flush()
    return await check_thresholds(session, community, topic, now)


# ---- support -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SupportOutcome:
    topic: Topic
    changed: bool  # False: the resident already supported (or did not), nothing happened
    tally: SupportTally
    demanded: tuple[LegalRule, ...] = ()  # the 1/5 rules that were reached just now
    demand_event: TopicEvent | None = None
    agenda_reached: bool = False  # the committee's threshold was reached just now
    bases: LegalBases | None = None
    demand_audience: list[Recipient] = field(default_factory=list)  # to be told that a meeting is demanded


async def _claim(session: AsyncSession, topic: Topic, unset: Any, **values: Any) -> bool:
    """Set ``values`` on the topic row only if ``unset`` is still NULL there; True for the one caller that did.

    The row decides, not the object in memory: on SQLite the topic was read before this transaction took the
    write lock, so the object may be stale. Exactly one of any number of racing transactions sees rowcount 1.
    """
    statement = (update(Topic).where(col(Topic.id) == topic.id, col(unset).is_(None)).values(**values)
                 .execution_options(synchronize_session=False))
    result = await session.exec(statement)  # type: ignore[call-overload]
    return bool(result.rowcount == 1)


async def check_thresholds(session: AsyncSession, community: AnyCommunity, topic: Topic,
                           now: datetime) -> SupportOutcome:
    """After supports were added: record the first time the agenda and the legal 1/5 thresholds are reached.

    Each is recorded once per topic (a conditional UPDATE decides who records it, a unique index backs it):
    its timeline event, audit row and notices come only from the transaction that recorded it.
    """
    await session.flush()
    counted, bases = await tally_and_bases(session, community, topic.id or 0)
    agenda = demanded = tried = False
    if topic.agenda_reached_at is None and rules.reaches_agenda(counted.residents, community.agenda_threshold):
        agenda, tried = await _claim(session, topic, Topic.agenda_reached_at, agenda_reached_at=now), True
    met = rules.legal_rules_met(counted, bases)
    if met and topic.meeting_demanded_at is None:
        tried = True
        movable = [status.value for status in TopicStatus if rules.can_move(status, TopicStatus.DEMANDED)]
        demanded = await _claim(
            session, topic, Topic.meeting_demanded_at, meeting_demanded_at=now,
            meeting_demanded_rule=rules.rules_label(met), demand_adults=counted.adults, demand_adult_base=bases.adults,
            demand_households=counted.adult_households, demand_household_base=bases.households,
            status=case((col(Topic.status).in_(movable), TopicStatus.DEMANDED.value), else_=col(Topic.status)))
    if tried:
        await session.refresh(topic)  # what the row says now, whoever recorded it
    if agenda:
        await add_event(session, topic, "agenda_reached", now, note=str(counted.residents))
    demand_event, told = None, []
    if demanded:
        demand_event = await add_event(session, topic, TopicStatus.DEMANDED.value, now, note=rules.rules_label(met))
        await audit.record(session, community_id=community.id, actor=None, action="topic.meeting_demanded",
                           subject=f"topic:{topic.id}", now=now, rules=rules.rules_label(met),
                           adults=counted.adults, adult_base=bases.adults, households=counted.adult_households,
                           household_base=bases.households)
        told = await audience(session, topic)
    else:
        met = ()
    topic.updated_at = now
    session.add(topic)
    await session.flush()
    return SupportOutcome(topic=topic, changed=True, tally=counted, demanded=met, demand_event=demand_event,
                          agenda_reached=agenda, bases=bases, demand_audience=told)


def _insert(session: AsyncSession) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return pg_insert if dialect == "postgresql" else sqlite_insert


async def support(session: AsyncSession, *, community: AnyCommunity, topic_id: int, resident: AnyResident | None,
                  now: datetime) -> SupportOutcome:
    """One tap: support a topic. A second tap (or a forged one) changes nothing."""
    if resident is None or not resident.verified:
        raise NotVerified()
    topic = await visible_topic(session, community.id or 0, topic_id, lock=True)
    require_open(topic)
    return await add_support(session, community=community, topic=topic, resident=resident, now=now)


async def add_support(session: AsyncSession, *, community: AnyCommunity, topic: Topic, resident: AnyResident,
                      now: datetime) -> SupportOutcome:
    """``support`` once the topic is locked and known to be visible and open.

    One ``INSERT … ON CONFLICT DO NOTHING``: an existing support (a double tap, a parallel tap by the same resident)
    inserts nothing and changes nothing, without a savepoint.
    """
    statement = (_insert(session)(TopicSupport)
                 .values(topic_id=topic.id or 0, resident_id=resident.id or 0, created_at=now)
                 .on_conflict_do_nothing(index_elements=["topic_id", "resident_id"])
                 .returning(col(TopicSupport.id)))
    if (await session.exec(statement)).first() is None:  # type: ignore[call-overload]
        counted, bases = await tally_and_bases(session, community, topic.id or 0)
        return SupportOutcome(topic=topic, changed=False, tally=counted, bases=bases)
    return await check_thresholds(session, community, topic, now)


async def withdraw(session: AsyncSession, *, community: AnyCommunity, topic_id: int, resident: AnyResident | None,
                   now: datetime) -> SupportOutcome:
    """Take one's support back. A meeting demand already made stays on record (with its time)."""
    if resident is None or not resident.verified:
        raise NotVerified()
    topic = await visible_topic(session, community.id or 0, topic_id, lock=True)
    require_open(topic)
    return await remove_support(session, community=community, topic=topic, resident=resident, now=now)


async def remove_support(session: AsyncSession, *, community: AnyCommunity, topic: Topic, resident: AnyResident,
                         now: datetime) -> SupportOutcome:
    """``withdraw`` once the topic is locked and known to be visible and open: one DELETE decides."""
    statement = (delete(TopicSupport)
                 .where(col(TopicSupport.topic_id) == topic.id, col(TopicSupport.resident_id) == resident.id)
                 .execution_options(synchronize_session=False))
    removed = (await session.exec(statement)).rowcount == 1  # type: ignore[call-overload]
    if removed:
        topic.updated_at = now
        session.add(topic)
        await session.flush()
    counted, bases = await tally_and_bases(session, community, topic.id or 0)
    return SupportOutcome(topic=topic, changed=removed, tally=counted, bases=bases)


# ---- use cases for handlers (a Unit in, read models and notices out) ----------------------------


async def may_propose(unit: Unit, community: Home, resident: Who | None, now: datetime) -> None:
    """Refuse a guest, or a resident over the daily limit, before the form starts."""
    await check_may_propose(unit.session, community, resident, now)


@dataclass(frozen=True, slots=True)
class Proposed:
    topic: TopicView
    notices: tuple[Notice, ...]  # the committee hears of the new topic (and of a threshold a tiny community reaches)


async def submit(unit: Unit, *, community: Home, proposer: Who | None, title: str, description: str,
                 category_id: int, photo_file_id: str | None, now: datetime) -> Proposed:
    """``propose``, and who must hear of it."""
    from storage import topic_notices  # it reads this module's tables: imported when first needed

    session = unit.session
    outcome = await propose(session, community=community, proposer=proposer, title=title, description=description,
                            category_id=category_id, photo_file_id=photo_file_id, now=now)
    topic = outcome.topic
    category = await get_category(session, community.id, topic.category_id)
    notices = (await topic_notices.proposed(session, community, topic, category.names),
               *await topic_notices.thresholds(session, community, outcome))
    return Proposed(topic=TopicView.of(topic), notices=notices)


async def category_list(unit: Unit, community_id: int, *, active_only: bool = True) -> list[CategoryView]:
    return [CategoryView.of(c) for c in await categories(unit.session, community_id, active_only=active_only)]


async def category(unit: Unit, community_id: int, category_id: int) -> CategoryView:
    return CategoryView.of(await get_category(unit.session, community_id, category_id))


async def read_topic(unit: Unit, community_id: int, topic_id: int, *, committee: bool = False) -> TopicView:
    """A topic of this community; residents never see a hidden one (the committee does)."""
    session = unit.session
    found = (await get_topic(session, community_id, topic_id) if committee
             else await visible_topic(session, community_id, topic_id))
    return TopicView.of(found)


@dataclass(frozen=True, slots=True)
class Timeline:
    topic: TopicView
    entries: list[tuple[EventView, str]]  # newest first, with the actor's display name ('' for none)


async def timeline(unit: Unit, community_id: int, topic_id: int, *, committee: bool = False,
                   limit: int = 30) -> Timeline:
    found = await read_topic(unit, community_id, topic_id, committee=committee)
    entries = await events(unit.session, found.id, limit=limit)
    return Timeline(topic=found, entries=[(EventView.of(event), name) for event, name in entries])


async def bases(unit: Unit, community: Home) -> LegalBases:
    """What the 1/5 rules count against today."""
    return await legal_bases(unit.session, community)
