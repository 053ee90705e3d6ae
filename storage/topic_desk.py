"""The committee's use cases on topics: acknowledge, answer, move through the statuses, merge, hide, settings.

Each runs authorise → validate → persist and returns what changed (read models) and the notices for who must be
told; the handler hands them to ``ctx.tell`` and the notifier renders them into the outbox in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import topics as rules
from core.errors import CommitteeOnly, DomainError, InvalidInput
from core.notices import Notice, Param
from core.topics import TopicStatus
from storage import audit, topic_notices
from storage.community import AnyCommunity, Home, community_row
from storage.residents import AnyResident, is_committee
from storage.topics import (
    CategoryView,
    Change,
    EventView,
    Recipient,
    Topic,
    TopicCategory,
    TopicEvent,
    TopicSupport,
    TopicView,
    add_event,
    audience,
    categories,
    check_thresholds,
    get_category,
    get_topic,
    require_open,
)
from storage.unit import Unit

# Moves a committee member makes with one tap; the others need a text (a reason, a note) or a choice.
ONE_TAP = frozenset({TopicStatus.REVIEW, TopicStatus.AGENDA})
NEEDS_TEXT = {TopicStatus.DECLINED: rules.REASON_LIMIT, TopicStatus.RESOLVED: rules.ANSWER_LIMIT}


class SameTopic(DomainError):
    key = "topics.err.merge_self"


class NotHidden(DomainError):
    key = "topics.err.not_hidden"


@dataclass(frozen=True, slots=True)
class Changed:
    """A committee action on a topic as the handler gets it: the topic now, its new timeline event, the notices."""

    topic: TopicView
    event: EventView
    audience: tuple[Recipient, ...]  # the proposer and supporters told of it
    notices: tuple[Notice, ...]

    @staticmethod
    def of(change: Change, *extra: Notice, **params: Param) -> Changed:
        """``change`` with its timeline notice (``params`` go into it) and any ``extra`` notices."""
        return Changed(topic=TopicView.of(change.topic), event=EventView.of(change.event),
                       audience=tuple(change.audience), notices=(topic_notices.change(change, **params), *extra))


async def require_committee(session: AsyncSession, community: AnyCommunity,
                            actor: AnyResident | None) -> AnyResident:
    if actor is None or not await is_committee(session, community.id or 0, actor):
        raise CommitteeOnly()
    return actor


def mark_answered(topic: Topic, now: datetime) -> None:
    """The first answer is what the three-day promise is measured by; later ones do not change it."""
    if topic.first_answered_at is None:
        topic.first_answered_at = now
        topic.answered_late = now > topic.answer_due_at


async def _open_topic(session: AsyncSession, community: AnyCommunity, topic_id: int) -> Topic:
    topic = await get_topic(session, community.id or 0, topic_id, lock=True)
    if topic.hidden:
        raise DomainError("topics.err.hidden")
    require_open(topic)
    return topic


async def _finish(session: AsyncSession, community: AnyCommunity, topic: Topic, event: TopicEvent, actor: AnyResident,
                  action: str, now: datetime, **detail: object) -> Change:
    topic.updated_at = now
    session.add(topic)
    await session.flush()
    await audit.record(session, community_id=community.id, actor=actor.telegram_user_id, action=action,
                       subject=f"topic:{topic.id}", now=now, **detail)
    return Change(topic=topic, event=event, audience=await audience(session, topic, exclude=actor.id))


async def move(session: AsyncSession, community: AnyCommunity, topic: Topic, target: TopicStatus, actor: AnyResident,
               now: datetime, *, note: str | None = None, ref_id: int | None = None) -> Change:
    """Change the status (already authorised and validated), keeping it on the timeline."""
    rules.check_move(topic.status, target)
    previous = topic.status
    topic.status = target.value
    topic.acknowledged_at = topic.acknowledged_at or now  # any move by the committee acknowledges
    if target in rules.CLOSED:
        topic.closed_at = now
        mark_answered(topic, now)  # an honest "we can't" (or "done") is an answer too
    event = await add_event(session, topic, target.value, now, actor=actor, note=note, ref_id=ref_id)
    return await _finish(session, community, topic, event, actor, f"topic.{target.value}", now,
                         previous=previous, note=note)


async def acknowledge(unit: Unit, *, community: Home, topic_id: int, actor: AnyResident | None,
                      now: datetime) -> Changed:
    """Say "we are on it": a new topic goes under review; one already further along is only marked."""
    session = unit.session
    member = await require_committee(session, community, actor)
    topic = await _open_topic(session, community, topic_id)
    if topic.status == TopicStatus.SUBMITTED.value:
        return Changed.of(await move(session, community, topic, TopicStatus.REVIEW, member, now))
    if topic.acknowledged_at is not None:
        raise DomainError("topics.err.acknowledged")
    topic.acknowledged_at = now
    event = await add_event(session, topic, TopicStatus.REVIEW.value, now, actor=member)
    return Changed.of(await _finish(session, community, topic, event, member, "topic.acknowledged", now))


async def transition(unit: Unit, *, community: Home, topic_id: int, actor: AnyResident | None,
                     target: TopicStatus, now: datetime, note: str | None = None) -> Changed:
    """Review, agenda (one tap), declined (with a reason) or resolved (with a note on what was done)."""
    session = unit.session
    member = await require_committee(session, community, actor)
    if target not in ONE_TAP and target not in NEEDS_TEXT:
        raise InvalidInput("errors.stale_button")
    topic = await _open_topic(session, community, topic_id)
    rules.check_move(topic.status, target)
    if target in NEEDS_TEXT and topic.demand_open:  # a legal demand is met (or recorded) before it is closed
        raise rules.DemandOpen()
    text = rules.check_text(note, NEEDS_TEXT[target]) if target in NEEDS_TEXT else None
    if target is TopicStatus.DECLINED:
        topic.decline_reason = text
    elif target is TopicStatus.RESOLVED:
        topic.resolution = text
    return Changed.of(await move(session, community, topic, target, member, now, note=text))


async def answer(unit: Unit, *, community: Home, topic_id: int, actor: AnyResident | None, text: str,
                 now: datetime) -> Changed:
    """The official answer: shown on the card, sent to the proposer and supporters. May be updated later."""
    session = unit.session
    member = await require_committee(session, community, actor)
    topic = await _open_topic(session, community, topic_id)
    body = rules.check_text(text, rules.ANSWER_LIMIT)
    first = topic.first_answered_at is None
    topic.answer_text, topic.answered_at, topic.answered_by = body, now, member.id
    mark_answered(topic, now)
    topic.acknowledged_at = topic.acknowledged_at or now  # answering is acknowledging
    if topic.status == TopicStatus.SUBMITTED.value:
        topic.status = TopicStatus.REVIEW.value
    event = await add_event(session, topic, "answered", now, actor=member, note=body)
    return Changed.of(await _finish(session, community, topic, event, member, "topic.answered", now,
                                    first=first, late=topic.answered_late if first else None))


async def record_demand(unit: Unit, *, community: Home, topic_id: int, actor: AnyResident | None,
                        text: str, now: datetime) -> Changed:
    """Record how a legal meeting demand is met when no meeting is linked; it leaves the "demanded" queue.

    Works whatever the topic's status (a referral to a council, a merge or a hidden topic keep the demand open).
    """
    session = unit.session
    member = await require_committee(session, community, actor)
    topic = await get_topic(session, community.id or 0, topic_id, lock=True)
    body = rules.check_text(text, rules.REASON_LIMIT)
    if not topic.demand_open:
        raise DomainError("topics.err.demand_not_open")
    topic.demand_note, topic.demand_noted_at, topic.demand_noted_by = body, now, member.id
    event = await add_event(session, topic, "demand_met", now, actor=member, note=body)
    return Changed.of(await _finish(session, community, topic, event, member, "topic.demand_met", now, note=body))


@dataclass(frozen=True, slots=True)
class MergeOutcome:
    duplicate: Changed  # audience: the duplicate's proposer and supporters, told where it went
    target: TopicView
    moved: int  # supports carried over
    already: int  # supporters of both: counted once
    notices: tuple[Notice, ...]  # the duplicate's people; thresholds the target reached with the supports moved over


async def merge(unit: Unit, *, community: Home, duplicate_id: int, target_id: int,
                actor: AnyResident | None, now: datetime) -> MergeOutcome:
    """Merge a duplicate into ``target``: its supports move over, a resident who supported both counts once."""
    session = unit.session
    member = await require_committee(session, community, actor)
    if duplicate_id == target_id:
        raise SameTopic()
    first, second = sorted((duplicate_id, target_id))  # lock in id order: two merges cannot deadlock
    locked = {first: await _open_topic(session, community, first), second: await _open_topic(session, community,
                                                                                              second)}
    duplicate, target = locked[duplicate_id], locked[target_id]
    rules.check_move(duplicate.status, TopicStatus.MERGED)
    told = await audience(session, duplicate, exclude=member.id)  # before the supports move
    on_target = set((await session.exec(select(TopicSupport.resident_id).where(
        TopicSupport.topic_id == target_id))).all())
    moved = already = 0
    for row in (await session.exec(select(TopicSupport).where(TopicSupport.topic_id == duplicate_id))).all():
        if row.resident_id in on_target:
            await session.delete(row)
            already += 1
        else:
            row.topic_id, row.moved_from_id = target_id, duplicate_id
            session.add(row)
            moved += 1
    await session.flush()
    duplicate.merged_into_id = target_id
    change = await move(session, community, duplicate, TopicStatus.MERGED, member, now, ref_id=target_id,
                        note=target.title)
    await add_event(session, target, "merged_in", now, actor=member, ref_id=duplicate_id, note=duplicate.title)
    thresholds = await check_thresholds(session, community, target, now)
    done = Changed.of(Change(topic=duplicate, event=change.event, audience=told), target=target.id or 0,
                      target_title=target.title)
    return MergeOutcome(duplicate=done, target=TopicView.of(target), moved=moved, already=already,
                        notices=(*done.notices, *await topic_notices.thresholds(session, community, thresholds)))


async def hide(unit: Unit, *, community: Home, topic_id: int, actor: AnyResident | None, reason: str,
               now: datetime) -> Changed:
    """Hide a topic from residents (kept, with the reason, in the timeline and the audit log)."""
    session = unit.session
    member = await require_committee(session, community, actor)
    topic = await get_topic(session, community.id or 0, topic_id, lock=True)
    if topic.hidden:
        raise DomainError("topics.err.hidden")
    text = rules.check_text(reason, rules.REASON_LIMIT)
    topic.hidden, topic.hidden_reason = True, text
    event = await add_event(session, topic, "hidden", now, actor=member, note=text)
    return Changed.of(await _finish(session, community, topic, event, member, "topic.hidden", now, reason=text,
                                    title=topic.title))


async def unhide(unit: Unit, *, community: Home, topic_id: int, actor: AnyResident | None,
                 now: datetime) -> Changed:
    session = unit.session
    member = await require_committee(session, community, actor)
    topic = await get_topic(session, community.id or 0, topic_id, lock=True)
    if not topic.hidden:
        raise NotHidden()
    topic.hidden, topic.hidden_reason = False, None
    event = await add_event(session, topic, "unhidden", now, actor=member)
    return Changed.of(await _finish(session, community, topic, event, member, "topic.unhidden", now))


# ---- the community's own numbers ---------------------------------------------------------------

SETTINGS: dict[str, tuple[int, int]] = {  # name → (smallest, largest) allowed value
    "agenda_threshold": (0, 100_000),
    "adult_population": (0, 1_000_000),  # 0 clears it: the adult 1/5 rule is then not counted
    "answer_days": (1, 60),
}


async def change_setting(unit: Unit, *, community: Home, actor: AnyResident | None, name: str,
                         text: str, now: datetime) -> Home:
    """One of the community's numbers; returns the community as it is now."""
    session = unit.session
    member = await require_committee(session, community, actor)
    if name not in SETTINGS:
        raise InvalidInput("errors.stale_button")
    low, high = SETTINGS[name]
    value_text = rules.clean_line(text or "")
    if not (value_text.isascii() and value_text.isdigit()) or not low <= int(value_text) <= high:
        raise InvalidInput("topics.err.number", low=low, high=high)
    value: int | None = int(value_text)
    if name == "adult_population" and value == 0:
        value = None
    row = await community_row(session, community)
    setattr(row, name, value)
    session.add(row)
    await audit.record(session, community_id=community.id, actor=member.telegram_user_id,
                       action="topic_settings.changed", subject=name, now=now, value=value)
    await session.flush()
    return Home.of(row)


# ---- categories ----------------------------------------------------------------------------------


async def add_category(unit: Unit, *, community: Home, actor: AnyResident | None, names: str,
                       now: datetime) -> CategoryView:
    session = unit.session
    member = await require_committee(session, community, actor)
    zh, en = rules.check_category_names(names)
    existing = await categories(session, community.id or 0, active_only=False)
    category = TopicCategory(community_id=community.id or 0, code=f"c{len(existing) + 1}-{int(now.timestamp())}",
                             name_zh=zh, name_en=en, position=max((c.position for c in existing), default=0) + 1)
    session.add(category)
    await session.flush()
    await audit.record(session, community_id=community.id, actor=member.telegram_user_id,
                       action="topic_category.added", subject=f"topic_category:{category.id}", now=now,
                       name_zh=zh, name_en=en)
    return CategoryView.of(category)


async def rename_category(unit: Unit, *, community: Home, actor: AnyResident | None, category_id: int,
                          names: str, now: datetime) -> CategoryView:
    session = unit.session
    member = await require_committee(session, community, actor)
    category = await get_category(session, community.id or 0, category_id)
    zh, en = rules.check_category_names(names)
    before = (category.name_zh, category.name_en)
    category.name_zh, category.name_en = zh, en
    session.add(category)
    await audit.record(session, community_id=community.id, actor=member.telegram_user_id,
                       action="topic_category.renamed", subject=f"topic_category:{category.id}", now=now,
                       before=before, after=(zh, en))
    await session.flush()
    return CategoryView.of(category)


async def toggle_category(unit: Unit, *, community: Home, actor: AnyResident | None, category_id: int,
                          now: datetime) -> CategoryView:
    """Retire a category (topics keep it) or bring it back. The last active one stays."""
    session = unit.session
    member = await require_committee(session, community, actor)
    category = await get_category(session, community.id or 0, category_id)
    if category.active and len(await categories(session, community.id or 0)) <= 1:
        raise DomainError("topics.err.last_category")
    category.active = not category.active
    session.add(category)
    await audit.record(session, community_id=community.id, actor=member.telegram_user_id,
                       action="topic_category.toggled", subject=f"topic_category:{category.id}", now=now,
                       active=category.active)
    await session.flush()
    return CategoryView.of(category)
