"""Discussion under a topic: short comments, reports by residents, hiding by the committee (never deleting)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import topics as rules
from core.errors import DomainError, NotFound, NotVerified
from storage import audit
from storage.community import AnyCommunity, Home
from storage.residents import AnyResident, Resident
from storage.topic_desk import require_committee
from storage.topics import Topic, TopicView, get_topic, require_open, visible_topic
from storage.unit import Unit, snapshot


class TopicComment(SQLModel, table=True):
    __tablename__ = "topic_comment"

    id: int | None = Field(default=None, primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", index=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime
    hidden: bool = Field(default=False)
    hidden_reason: str | None = Field(default=None, sa_column=Column(Text))
    hidden_by: int | None = Field(default=None, foreign_key="resident.id")
    hidden_at: datetime | None = None


class CommentReport(SQLModel, table=True):
    __tablename__ = "comment_report"
    __table_args__ = (UniqueConstraint("comment_id", "resident_id"),)

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="topic_comment.id", index=True)
    resident_id: int = Field(foreign_key="resident.id")
    created_at: datetime
    resolved: bool = Field(default=False)  # the committee hid the comment or decided to keep it


class CommentHidden(DomainError):
    key = "topics.err.comment_hidden"


@dataclass(frozen=True, slots=True)
class CommentView:
    id: int
    topic_id: int
    resident_id: int
    text: str
    created_at: datetime
    hidden: bool
    hidden_reason: str | None

    @staticmethod
    def of(comment: TopicComment) -> CommentView:
        return snapshot(CommentView, comment)


async def check_may_comment(unit: Unit, *, community: Home, topic_id: int, resident: AnyResident | None) -> None:
    """Refuse before the form starts (see ``may_comment``)."""
    await may_comment(unit.session, community=community, topic_id=topic_id, resident=resident)


async def may_comment(session: AsyncSession, *, community: AnyCommunity, topic_id: int,
                      resident: AnyResident | None) -> Topic:
    """Verified residents comment on visible topics that are still open."""
    if resident is None or not resident.verified:
        raise NotVerified()
    topic = await visible_topic(session, community.id or 0, topic_id)
    require_open(topic)
    return topic


async def add(unit: Unit, *, community: Home, topic_id: int, resident: AnyResident | None, text: str,
              now: datetime) -> CommentView:
    session = unit.session
    await may_comment(session, community=community, topic_id=topic_id, resident=resident)
    assert resident is not None
    comment = TopicComment(topic_id=topic_id, resident_id=resident.id or 0,
                           text=rules.check_text(text, rules.COMMENT_LIMIT), created_at=now)
    session.add(comment)
    await session.flush()
    return CommentView.of(comment)


async def page(session: AsyncSession, topic_id: int, *, offset: int = 0,
               limit: int = 5) -> tuple[list[tuple[TopicComment, str]], int]:
    """Newest first: (comment, author's name); hidden ones stay in place (the card shows the reason only)."""
    total = int((await session.exec(select(func.count()).select_from(TopicComment).where(
        TopicComment.topic_id == topic_id))).one())
    statement = (select(TopicComment, Resident.display_name)
                 .join(Resident, col(Resident.id) == TopicComment.resident_id)
                 .where(TopicComment.topic_id == topic_id)
                 .order_by(col(TopicComment.created_at).desc(), col(TopicComment.id).desc())
                 .offset(offset).limit(limit))
    return [(comment, name) for comment, name in (await session.exec(statement)).all()], total


async def _comment_in(session: AsyncSession, community_id: int, comment_id: int) -> tuple[TopicComment, Topic]:
    comment = await session.get(TopicComment, comment_id)
    topic = await session.get(Topic, comment.topic_id) if comment is not None else None
    if comment is None or topic is None or topic.community_id != community_id:
        raise NotFound()
    return comment, topic


async def report(unit: Unit, *, community: Home, comment_id: int, resident: AnyResident | None,
                 now: datetime) -> bool:
    """One report per resident per comment; True if this one is new."""
    session = unit.session
    if resident is None or not resident.verified:
        raise NotVerified()
    comment, _ = await _comment_in(session, community.id or 0, comment_id)
    if comment.hidden:
        raise CommentHidden()
    exists = (await session.exec(select(CommentReport.id).where(
        CommentReport.comment_id == comment_id, CommentReport.resident_id == resident.id))).first()
    if exists is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(CommentReport(comment_id=comment_id, resident_id=resident.id or 0, created_at=now))
    except IntegrityError:
        return False
    await audit.record(session, community_id=community.id, actor=resident.telegram_user_id,
                       action="topic_comment.reported", subject=f"topic_comment:{comment_id}", now=now)
    return True


async def reported(session: AsyncSession, community_id: int, *, offset: int = 0,
                   limit: int = 5) -> tuple[list[tuple[TopicComment, str, int]], int]:
    """Visible comments with open reports: (comment, author, how many reports), most reported first."""
    reports = func.count(col(CommentReport.id))
    base = (select(TopicComment.id)
            .join(Topic, col(Topic.id) == TopicComment.topic_id)
            .join(CommentReport, col(CommentReport.comment_id) == TopicComment.id)
            .where(Topic.community_id == community_id, col(TopicComment.hidden).is_(False),
                   col(CommentReport.resolved).is_(False))
            .group_by(col(TopicComment.id)))
    total = int((await session.exec(select(func.count()).select_from(base.subquery()))).one())
    statement = (select(TopicComment, Resident.display_name, reports)
                 .join(Topic, col(Topic.id) == TopicComment.topic_id)
                 .join(CommentReport, col(CommentReport.comment_id) == TopicComment.id)
                 .join(Resident, col(Resident.id) == TopicComment.resident_id)
                 .where(Topic.community_id == community_id, col(TopicComment.hidden).is_(False),
                        col(CommentReport.resolved).is_(False))
                 .group_by(col(TopicComment.id), col(Resident.display_name))
                 .order_by(reports.desc(), col(TopicComment.id))
                 .offset(offset).limit(limit))
    return [(comment, name, int(n)) for comment, name, n in (await session.exec(statement)).all()], total


async def _resolve_reports(session: AsyncSession, comment_id: int) -> None:
    for row in (await session.exec(select(CommentReport).where(CommentReport.comment_id == comment_id))).all():
        row.resolved = True
        session.add(row)


async def hide(unit: Unit, *, community: Home, comment_id: int, actor: AnyResident | None, reason: str,
               now: datetime) -> CommentView:
    """Hide with a reason; the text stays in the database and in the audit log."""
    session = unit.session
    member = await require_committee(session, community, actor)
    comment, _ = await _comment_in(session, community.id or 0, comment_id)
    if comment.hidden:
        raise CommentHidden()
    text = rules.check_text(reason, rules.REASON_LIMIT)
    comment.hidden, comment.hidden_reason, comment.hidden_by, comment.hidden_at = True, text, member.id, now
    session.add(comment)
    await _resolve_reports(session, comment_id)
    await audit.record(session, community_id=community.id, actor=member.telegram_user_id,
                       action="topic_comment.hidden", subject=f"topic_comment:{comment_id}", now=now,
                       topic_id=comment.topic_id, reason=text, text=comment.text, author=comment.resident_id)
    await session.flush()
    return CommentView.of(comment)


async def keep(unit: Unit, *, community: Home, comment_id: int, actor: AnyResident | None,
               now: datetime) -> CommentView:
    """The committee read the reports and keeps the comment."""
    session = unit.session
    member = await require_committee(session, community, actor)
    comment, _ = await _comment_in(session, community.id or 0, comment_id)
    await _resolve_reports(session, comment_id)
    await audit.record(session, community_id=community.id, actor=member.telegram_user_id,
                       action="topic_comment.kept", subject=f"topic_comment:{comment_id}", now=now)
    await session.flush()
    return CommentView.of(comment)


async def get(unit: Unit, community_id: int, comment_id: int) -> CommentView:
    comment, _ = await _comment_in(unit.session, community_id, comment_id)
    return CommentView.of(comment)


@dataclass(frozen=True, slots=True)
class CommentsPage:
    topic: TopicView
    comments: list[tuple[CommentView, str]]  # newest first, with the author's name ('' once they deleted their data)
    total: int


async def comments_page(unit: Unit, community_id: int, topic_id: int, *, offset: int = 0, limit: int = 5,
                        committee: bool = False) -> CommentsPage:
    """A page of a topic's comments; residents never see a hidden topic's (the committee does)."""
    session = unit.session
    topic = (await get_topic(session, community_id, topic_id) if committee
             else await visible_topic(session, community_id, topic_id))
    shown, total = await page(session, topic_id, offset=offset, limit=limit)
    return CommentsPage(topic=TopicView.of(topic), comments=[(CommentView.of(c), name) for c, name in shown],
                        total=total)


async def reported_page(unit: Unit, community_id: int, *, offset: int = 0,
                        limit: int = 5) -> tuple[list[tuple[CommentView, str, int]], int]:
    """``reported``, as read models."""
    shown, total = await reported(unit.session, community_id, offset=offset, limit=limit)
    return [(CommentView.of(comment), name, n) for comment, name, n in shown], total
