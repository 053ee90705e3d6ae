"""Everything one topic card shows, read in one use case."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from core.topics import LegalBases, SupportTally, TopicStatus
from storage import councils, topic_comments
from storage.community import Community
from storage.councils import CouncilRecommendation
from storage.residents import Resident
from storage.topic_comments import TopicComment
from storage.topics import (
    Topic,
    TopicCategory,
    TopicEvent,
    events,
    get_topic,
    legal_bases,
    supports,
    tally,
    visible_topic,
)


@dataclass(frozen=True, slots=True)
class TopicCard:
    topic: Topic
    category: TopicCategory | None
    tally: SupportTally
    bases: LegalBases
    agenda_threshold: int
    events: list[tuple[TopicEvent, str]]  # newest first
    comments: list[tuple[TopicComment, str]]  # newest first
    comment_total: int
    recommendations: list[tuple[CouncilRecommendation, str]]
    council_name: str | None
    merged_into: Topic | None
    proposer_name: str
    supported: bool  # by the viewer
    proposed: bool  # by the viewer
    council_member: bool  # the viewer sits on the council the topic was referred to


async def card(session: AsyncSession, community: Community, topic_id: int, viewer: Resident | None, *,
               committee: bool = False, events_shown: int = 5, comments_shown: int = 2) -> TopicCard:
    """A resident never sees a hidden topic; the committee does (with the reason)."""
    community_id = community.id or 0
    topic = await (get_topic if committee else visible_topic)(session, community_id, topic_id)
    category = await session.get(TopicCategory, topic.category_id)
    comments, total = await topic_comments.page(session, topic_id, limit=comments_shown)
    council = await session.get(councils.Council, topic.council_id) if topic.council_id else None
    merged = await session.get(Topic, topic.merged_into_id) if topic.merged_into_id else None
    proposer = await session.get(Resident, topic.proposer_id)
    viewer_id = viewer.id if viewer is not None else None
    member = (council is not None and viewer_id is not None and topic.status == TopicStatus.COUNCIL.value
              and await councils.is_member(session, council.id or 0, viewer_id))
    return TopicCard(
        topic=topic, category=category, tally=await tally(session, community_id, topic_id),
        bases=await legal_bases(session, community), agenda_threshold=community.agenda_threshold,
        events=await events(session, topic_id, limit=events_shown), comments=comments, comment_total=total,
        recommendations=await councils.recommendations(session, topic_id),
        council_name=council.name if council else None, merged_into=merged,
        proposer_name=proposer.display_name if proposer else "",
        supported=viewer_id is not None and await supports(session, topic_id, viewer_id),
        proposed=viewer_id is not None and viewer_id == topic.proposer_id, council_member=member)
