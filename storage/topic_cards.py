"""Everything one topic card shows, read in one use case, and the support taps that redraw it.

The card is two statements (three when the topic has comments): the head — the topic with its category, proposer,
council, merged target, newest recommendation, comment count, the viewer's support and council seat, the tally and
the legal bases, in one SELECT — then the timeline's newest events, then the newest comments. A support or
withdrawal reads the head under the topic's row lock, changes the supports, and builds the card from the tally
it has just counted: nothing is read twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, bindparam, exists, func, literal, true
from sqlalchemy import select as sa_select  # sqlmodel's select types four columns at most
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import NotFound, NotVerified
from core.notices import Notice
from core.topics import LegalBases, SupportTally, TopicStatus
from storage import topic_notices
from storage.community import AnyCommunity, Home
from storage.councils import Council, CouncilMember, CouncilRecommendation, RecommendationView
from storage.residents import AnyResident, Resident, Who
from storage.topic_comments import CommentView, TopicComment
from storage.topics import (
    COMMUNITY_ID,
    TOPIC_ID,
    CategoryView,
    EventView,
    SupportOutcome,
    Topic,
    TopicCategory,
    TopicHidden,
    TopicSupport,
    TopicView,
    add_support,
    events,
    households_statement,
    remove_support,
    require_open,
    support_tally,
    tally_statement,
)
from storage.unit import Unit


@dataclass(frozen=True, slots=True)
class TopicCard:
    """Everything one card shows, as read models."""

    topic: TopicView
    category: CategoryView | None
    tally: SupportTally
    bases: LegalBases
    agenda_threshold: int
    events: list[tuple[EventView, str]]  # newest first
    comments: list[tuple[CommentView, str]]  # newest first
    comment_total: int
    recommendations: list[tuple[RecommendationView, str]]  # the newest one (the card shows one), council name
    council_name: str | None
    merged_into: TopicView | None
    proposer_name: str
    supported: bool  # by the viewer
    proposed: bool  # by the viewer
    council_member: bool  # the viewer sits on the council the topic was referred to


@dataclass(frozen=True, slots=True)
class SupportCard:
    """A support or withdrawal, the card drawn from it (None when nothing changed), and who must hear of it."""

    changed: bool  # False: a double tap or an old button, nothing happened
    card: TopicCard | None
    notices: tuple[Notice, ...] = ()  # thresholds reached just now (the committee; supporters for 1/5)


async def card(unit: Unit, community: Home, topic_id: int, viewer: Who | None, *,
               committee: bool = False, events_shown: int = 5, comments_shown: int = 2) -> TopicCard:
    """A resident never sees a hidden topic; the committee does (with the reason)."""
    session = unit.session
    head, _ = await _head(session, community, topic_id, viewer, committee=committee, counted=True)
    return await _complete(session, head, events_shown=events_shown, comments_shown=comments_shown)


async def support(unit: Unit, *, community: Home, topic_id: int, resident: AnyResident | None,
                  now: datetime) -> SupportCard:
    """``topics.support``, the resident's card after it, and the thresholds it crossed."""
    session = unit.session
    head, row = await _locked_head(session, community, topic_id, resident)
    assert resident is not None
    outcome = await add_support(session, community=community, topic=row, resident=resident, now=now)
    notices = tuple(await topic_notices.thresholds(session, community, outcome)) if outcome.changed else ()
    return await _after(session, head, outcome, supported=True, notices=notices)


async def withdraw(unit: Unit, *, community: Home, topic_id: int, resident: AnyResident | None,
                   now: datetime) -> SupportCard:
    """``topics.withdraw``, and the resident's card after it."""
    session = unit.session
    head, row = await _locked_head(session, community, topic_id, resident)
    assert resident is not None
    outcome = await remove_support(session, community=community, topic=row, resident=resident, now=now)
    return await _after(session, head, outcome, supported=False)


# ---- reading -----------------------------------------------------------------------------------


async def _locked_head(session: AsyncSession, community: AnyCommunity, topic_id: int,
                       resident: AnyResident | None) -> tuple[TopicCard, Topic]:
    if resident is None or not resident.verified:
        raise NotVerified()
    head, row = await _head(session, community, topic_id, resident, committee=False, counted=False, lock=True)
    require_open(row)
    return head, row


async def _after(session: AsyncSession, head: TopicCard, outcome: SupportOutcome, *, supported: bool,
                 notices: tuple[Notice, ...] = ()) -> SupportCard:
    if not outcome.changed:
        return SupportCard(changed=False, card=None)
    assert outcome.bases is not None
    counted = replace(head, topic=TopicView.of(outcome.topic), tally=outcome.tally, bases=outcome.bases,
                      supported=supported)
    return SupportCard(changed=True, card=await _complete(session, counted), notices=notices)


VIEWER_ID = bindparam("viewer_id", type_=Integer)


@cache
def _head_statement(*, counted: bool, lock: bool) -> Any:
    """The head's SELECT, built once per variant; parameters ``community_id``, ``topic_id`` and ``viewer_id``."""
    proposer, merged = aliased(Resident, name="proposer"), aliased(Topic, name="merged")
    recommendation, recommending = aliased(CouncilRecommendation, name="rec"), aliased(Council, name="rec_council")
    newest_recommendation = (select(CouncilRecommendation.id)
                             .where(col(CouncilRecommendation.topic_id) == Topic.id)
                             .order_by(col(CouncilRecommendation.created_at).desc(),
                                       col(CouncilRecommendation.id).desc())
                             .limit(1).correlate(Topic).scalar_subquery())
    comment_total = (select(func.count()).select_from(TopicComment).where(col(TopicComment.topic_id) == Topic.id)
                     .correlate(Topic).scalar_subquery())
    supported = exists().where(col(TopicSupport.topic_id) == Topic.id, col(TopicSupport.resident_id) == VIEWER_ID)
    seated = exists().where(col(CouncilMember.council_id) == Topic.council_id,
                            col(CouncilMember.resident_id) == VIEWER_ID)
    statement: Any = (
        sa_select(Topic, TopicCategory, merged, recommendation, col(proposer.display_name), col(Council.name),
                  col(recommending.name), comment_total, supported.correlate(Topic), seated.correlate(Topic))
        .select_from(Topic)
        .outerjoin(TopicCategory, col(TopicCategory.id) == Topic.category_id)
        .outerjoin(proposer, col(proposer.id) == Topic.proposer_id)
        .outerjoin(Council, col(Council.id) == Topic.council_id)
        .outerjoin(merged, col(merged.id) == Topic.merged_into_id)
        .outerjoin(recommendation, col(recommendation.id) == newest_recommendation)
        .outerjoin(recommending, col(recommending.id) == recommendation.council_id)
        .where(col(Topic.id) == TOPIC_ID, col(Topic.community_id) == COMMUNITY_ID)
    )
    if counted:
        tally = tally_statement().subquery("tally")
        statement = statement.join(tally, true()).add_columns(*tally.c, households_statement())
    else:
        statement = statement.add_columns(literal(0), literal(0), literal(0), literal(0), literal(0))
    if lock:
        statement = statement.with_for_update(of=Topic)
    return statement


async def _head(session: AsyncSession, community: AnyCommunity, topic_id: int, viewer: AnyResident | None, *,
                committee: bool, counted: bool, lock: bool = False) -> tuple[TopicCard, Topic]:
    """One SELECT: the topic and everything about it that is one value; ``counted`` adds the tally and bases.

    ``lock`` takes the topic's row lock (``FOR UPDATE OF topic``; SQLite's writers hold the database's).
    The events and comments are left empty (``_complete`` reads them).
    """
    viewer_id = viewer.id if viewer is not None and viewer.id is not None else 0
    params = {"community_id": community.id or 0, "topic_id": topic_id, "viewer_id": viewer_id}
    row = (await session.exec(_head_statement(counted=counted, lock=lock), params=params)).first()
    if row is None:
        raise NotFound()
    (topic, category, merged_topic, rec, proposer_name, council_name, rec_council, comments, is_supporter,
     is_seated, residents, households, adults, adult_households, household_base) = row
    if topic.hidden and not committee:
        raise TopicHidden()
    return TopicCard(
        topic=TopicView.of(topic), category=CategoryView.of(category) if category is not None else None,
        tally=support_tally(residents, households, adults, adult_households),
        bases=LegalBases(adults=community.adult_population, households=int(household_base)),
        agenda_threshold=community.agenda_threshold, events=[], comments=[], comment_total=int(comments),
        recommendations=[(RecommendationView.of(rec), rec_council or "")] if rec is not None else [],
        council_name=council_name, merged_into=TopicView.of(merged_topic) if merged_topic is not None else None,
        proposer_name=proposer_name or "", supported=viewer_id > 0 and bool(is_supporter),
        proposed=viewer_id > 0 and viewer_id == topic.proposer_id,
        council_member=(council_name is not None and viewer_id > 0 and topic.status == TopicStatus.COUNCIL.value
                        and bool(is_seated))), topic


async def _complete(session: AsyncSession, head: TopicCard, *, events_shown: int = 5,
                    comments_shown: int = 2) -> TopicCard:
    """The head with the timeline's newest events and (when there are any) the newest comments."""
    topic_id = head.topic.id
    comments: list[tuple[CommentView, str]] = []
    if head.comment_total and comments_shown:
        statement = (select(TopicComment, Resident.display_name)
                     .join(Resident, col(Resident.id) == TopicComment.resident_id)
                     .where(TopicComment.topic_id == topic_id)
                     .order_by(col(TopicComment.created_at).desc(), col(TopicComment.id).desc())
                     .limit(comments_shown))
        comments = [(CommentView.of(comment), name) for comment, name in (await session.exec(statement)).all()]
    shown = [(EventView.of(event), name) for event, name in await events(session, topic_id, limit=events_shown)]
    return replace(head, events=shown, comments=comments)
