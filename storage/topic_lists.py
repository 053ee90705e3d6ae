"""Lists of topics: browsing, search, similar titles, the committee's queues, overdue topics and the export rows."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import topics as rules
from core.topics import TopicStatus
from storage.residents import Resident
from storage.topics import CategoryView, Topic, TopicCategory, TopicSupport, get_category, tally
from storage.unit import Unit


class Listing(StrEnum):
    """What a list shows. One-letter values: they travel in button payloads."""

    HOT = "h"  # open topics, most support first
    NEW = "n"  # open topics, newest first
    CATEGORY = "c"  # open topics of one category
    MINE = "m"  # topics I proposed
    SUPPORTED = "s"  # topics I support
    SEARCH = "q"  # keyword, any status
    COUNCIL = "k"  # topics referred to a council I sit on
    # the committee's queues
    FRESH = "f"  # open, neither acknowledged nor answered yet
    OVERDUE = "o"
    DEMANDED = "d"  # a residents' meeting is demanded
    OPEN = "a"  # everything open, the nearest deadline first
    CLOSED = "x"
    HIDDEN = "z"


RESIDENT_LISTINGS = frozenset({Listing.HOT, Listing.NEW, Listing.CATEGORY, Listing.MINE, Listing.SUPPORTED,
                               Listing.SEARCH, Listing.COUNCIL})


@dataclass(frozen=True, slots=True)
class TopicRow:
    id: int
    title: str
    status: str
    supports: int
    created_at: datetime
    answer_due_at: datetime
    first_answered_at: datetime | None
    hidden: bool

    def overdue(self, now: datetime) -> bool:
        return not self.hidden and rules.is_overdue(self.answer_due_at, self.first_answered_at, self.status, now)


def _support_counts() -> Any:
    return (select(TopicSupport.topic_id, func.count(func.distinct(Resident.id)).label("n"))
            .join(Resident, col(Resident.id) == TopicSupport.resident_id)
            .where(col(Resident.verified))
            .group_by(col(TopicSupport.topic_id))
            .subquery())


def _conditions(community_id: int, listing: Listing, now: datetime, *, resident_id: int | None,
                category_id: int | None, text: str | None, council_ids: list[int] | None) -> list[Any]:
    open_values = [status.value for status in rules.OPEN]
    where: list[Any] = [Topic.community_id == community_id]
    if listing not in (Listing.HIDDEN, Listing.DEMANDED):  # hiding a topic does not drop a legal demand
        where.append(col(Topic.hidden).is_(False))
    if listing in (Listing.HOT, Listing.NEW, Listing.CATEGORY, Listing.OPEN, Listing.COUNCIL):
        where.append(col(Topic.status).in_(open_values))
    if listing is Listing.CATEGORY:
        where.append(Topic.category_id == (category_id or 0))
    elif listing is Listing.MINE:
        where.append(Topic.proposer_id == (resident_id or 0))
    elif listing is Listing.SUPPORTED:
        where.append(col(Topic.id).in_(select(TopicSupport.topic_id).where(
            TopicSupport.resident_id == (resident_id or 0))))
    elif listing is Listing.SEARCH:
        needle = (text or "").lower()
        where.append(func.lower(col(Topic.title)).contains(needle, autoescape=True)
                     | func.lower(col(Topic.description)).contains(needle, autoescape=True))
    elif listing is Listing.COUNCIL:
        where.append(col(Topic.council_id).in_(council_ids or [0]))
        where.append(Topic.status == TopicStatus.COUNCIL.value)
    elif listing is Listing.FRESH:
        where += [col(Topic.status).in_(open_values), col(Topic.acknowledged_at).is_(None),
                  col(Topic.first_answered_at).is_(None)]
    elif listing is Listing.OVERDUE:
        where += [col(Topic.status).in_(open_values), col(Topic.first_answered_at).is_(None),
                  col(Topic.answer_due_at) < now]
    elif listing is Listing.DEMANDED:  # until a meeting is linked or the committee records how it was met
        where += [col(Topic.meeting_demanded_at).is_not(None), col(Topic.meeting_item_id).is_(None),
                  col(Topic.demand_noted_at).is_(None)]
    elif listing is Listing.CLOSED:
        where.append(col(Topic.status).in_([status.value for status in rules.CLOSED]))
    elif listing is Listing.HIDDEN:
        where.append(col(Topic.hidden).is_(True))
    return where


async def browse(session: AsyncSession, community_id: int, listing: Listing, now: datetime, *, offset: int = 0,
                 limit: int = 6, resident_id: int | None = None, category_id: int | None = None,
                 text: str | None = None, council_ids: list[int] | None = None) -> tuple[list[TopicRow], int]:
    """One page of a list, and how many there are in all."""
    where = _conditions(community_id, listing, now, resident_id=resident_id, category_id=category_id, text=text,
                        council_ids=council_ids)
    total = int((await session.exec(select(func.count()).select_from(Topic).where(*where))).one())
    counts = _support_counts()
    supports = func.coalesce(counts.c.n, 0)
    order: list[Any]
    if listing is Listing.HOT:
        order = [supports.desc(), col(Topic.created_at).desc()]
    elif listing in (Listing.FRESH, Listing.OVERDUE, Listing.OPEN, Listing.DEMANDED):
        order = [col(Topic.answer_due_at), col(Topic.id)]
    elif listing is Listing.CLOSED:
        order = [col(Topic.closed_at).desc(), col(Topic.id).desc()]
    else:
        order = [col(Topic.created_at).desc(), col(Topic.id).desc()]
    statement = (select(Topic, supports)
                 .join(counts, counts.c.topic_id == Topic.id, isouter=True)
                 .where(*where).order_by(*order).offset(offset).limit(limit))
    rows = [TopicRow(topic.id or 0, topic.title, topic.status, int(n), topic.created_at, topic.answer_due_at,
                     topic.first_answered_at, topic.hidden)
            for topic, n in (await session.exec(statement)).all()]
    return rows, total


@dataclass(frozen=True, slots=True)
class TopicPage:
    rows: list[TopicRow]
    total: int  # in the whole list
    category: CategoryView | None  # the category of a category listing


async def browse_page(unit: Unit, community_id: int, listing: Listing, now: datetime, *, offset: int = 0,
                      limit: int = 6, resident_id: int | None = None, category_id: int = 0,
                      text: str | None = None) -> TopicPage:
    """One page of a list as the viewer (``resident_id``) sees it: their council's topics, a category's."""
    from storage.councils import seats_of  # councils lists its topics with ``browse``

    session = unit.session
    council_ids = ([c.id or 0 for c in await seats_of(session, resident_id or 0)]
                   if listing is Listing.COUNCIL else None)
    rows, total = await browse(session, community_id, listing, now, offset=offset, limit=limit,
                               resident_id=resident_id, category_id=category_id, text=text, council_ids=council_ids)
    category = (CategoryView.of(await get_category(session, community_id, category_id))
                if listing is Listing.CATEGORY else None)
    return TopicPage(rows=rows, total=total, category=category)


@dataclass(frozen=True, slots=True)
class DeskCounts:
    fresh: int
    overdue: int
    demanded: int
    open: int
    reported: int  # comments with reports nobody has looked at


async def desk_counts(unit: Unit, community_id: int, now: datetime) -> DeskCounts:
    from storage.topic_comments import reported

    session = unit.session
    counts: dict[Listing, int] = {}
    for listing in (Listing.FRESH, Listing.OVERDUE, Listing.DEMANDED, Listing.OPEN):
        where = _conditions(community_id, listing, now, resident_id=None, category_id=None, text=None,
                            council_ids=None)
        counts[listing] = int((await session.exec(select(func.count()).select_from(Topic).where(*where))).one())
    _, flagged = await reported(session, community_id, limit=0)
    return DeskCounts(fresh=counts[Listing.FRESH], overdue=counts[Listing.OVERDUE],
                      demanded=counts[Listing.DEMANDED], open=counts[Listing.OPEN], reported=flagged)


@dataclass(frozen=True, slots=True)
class Similar:
    id: int
    title: str
    status: str
    score: float


async def similar_open(unit: Unit, community_id: int, title: str, *, exclude: int | None = None,
                       limit: int = rules.SIMILAR_SHOWN) -> list[Similar]:
    """Open, visible topics whose titles look like ``title``, best first."""
    session = unit.session
    statement = select(Topic.id, Topic.title).where(
        Topic.community_id == community_id, col(Topic.hidden).is_(False),
        col(Topic.status).in_([status.value for status in rules.OPEN]))
    candidates = [(int(topic_id or 0), str(other)) for topic_id, other in (await session.exec(statement)).all()
                  if topic_id != exclude]
    found = []
    for topic_id, score in rules.most_similar(title, candidates, limit=limit):
        topic = await session.get(Topic, topic_id)
        if topic is not None:
            found.append(Similar(topic_id, topic.title, topic.status, score))
    return found


async def overdue(session: AsyncSession, community_id: int, now: datetime) -> list[Topic]:
    """Deadline passed and no answer yet: what the scheduler pushes to the committee."""
    where = _conditions(community_id, Listing.OVERDUE, now, resident_id=None, category_id=None, text=None,
                        council_ids=None)
    statement = select(Topic).where(*where).order_by(col(Topic.answer_due_at), col(Topic.id))
    return list((await session.exec(statement)).all())


# ---- the export --------------------------------------------------------------------------------

EXPORT_COLUMNS: tuple[str, ...] = (
    "id", "title", "category", "status", "hidden", "created_at", "answer_due_at", "first_answered_at",
    "answered_late", "overdue", "closed_at", "supports_residents", "supports_households", "supports_adults",
    "supports_adult_households", "agenda_reached_at", "meeting_demanded_at", "meeting_demanded_rule",
    "merged_into", "council_id", "meeting_item_id",
)


@dataclass(frozen=True, slots=True)
class TopicExportRow:
    id: int
    title: str
    category: str
    status: str
    hidden: bool
    created_at: datetime
    answer_due_at: datetime
    first_answered_at: datetime | None
    answered_late: bool
    overdue: bool
    closed_at: datetime | None
    supports_residents: int
    supports_households: int
    supports_adults: int
    supports_adult_households: int
    agenda_reached_at: datetime | None
    meeting_demanded_at: datetime | None
    meeting_demanded_rule: str | None
    merged_into: int | None
    council_id: int | None
    meeting_item_id: int | None

    def values(self) -> list[Any]:
        return [getattr(self, name) for name in EXPORT_COLUMNS]


async def export_rows(unit: Unit, community_id: int, now: datetime) -> list[TopicExportRow]:
    """Every topic as a plain row (times in UTC), ready for the monthly export."""
    session = unit.session
    statement = (select(Topic, TopicCategory.code)
                 .join(TopicCategory, col(TopicCategory.id) == Topic.category_id)
                 .where(Topic.community_id == community_id).order_by(col(Topic.id)))
    rows = []
    for topic, category in (await session.exec(statement)).all():
        counted = await tally(session, community_id, topic.id or 0)
        rows.append(TopicExportRow(
            id=topic.id or 0, title=topic.title, category=category, status=topic.status, hidden=topic.hidden,
            created_at=topic.created_at, answer_due_at=topic.answer_due_at,
            first_answered_at=topic.first_answered_at, answered_late=topic.answered_late,
            overdue=topic.overdue(now), closed_at=topic.closed_at, supports_residents=counted.residents,
            supports_households=counted.households, supports_adults=counted.adults,
            supports_adult_households=counted.adult_households, agenda_reached_at=topic.agenda_reached_at,
            meeting_demanded_at=topic.meeting_demanded_at, meeting_demanded_rule=topic.meeting_demanded_rule,
            merged_into=topic.merged_into_id, council_id=topic.council_id, meeting_item_id=topic.meeting_item_id))
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text  # no formulas in a spreadsheet


def export_csv(rows: list[TopicExportRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows([[_cell(value) for value in row.values()] for row in rows])
    return buffer.getvalue()
