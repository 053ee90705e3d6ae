"""Meetings and votes: residents' and representatives' meetings, owners' decisions, elections, advisory polls.

A meeting has one or more agenda items, every version of each item's text, the amendments residents submitted,
its rules as data (the community's own values or the law's), and rounds: the register is frozen when a round
opens; a postponed round is kept void (never counted, never deleted) and the next round starts clean.

Status moves draft → discussion → open → closed → published (core.voting.MOVES); every move that a second
worker or a double tap could race is a conditional UPDATE on the meeting row, so it happens once.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Column, Text, UniqueConstraint, delete, update
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import voting as rules
from core.elections import TieBreak
from core.errors import NotFound, StaleButton
from core.text import clean_block, clean_line
from core.voting import ItemKind, ItemResult, MeetingKind, Mode, OptionCount, RuleSet, Status, VoteError
from storage import audit, ballot_chain, ballots, electorates
from storage.unit import Unit

# ---- tables ------------------------------------------------------------------------------------------


class VotingRule(SQLModel, table=True):
    """A community's own thresholds for a kind of meeting (absent: the law's defaults)."""

    __tablename__ = "voting_rule"
    __table_args__ = (UniqueConstraint("community_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    kind: str = Field(max_length=20)
    quorum: str | None = Field(default=None, max_length=12)  # ">1/2", ">=2/3"; None: no quorum
    passing: str = Field(max_length=12)
    further: str | None = Field(default=None, max_length=12)
    tie_break: str = Field(default="runoff", max_length=10)
    updated_at: datetime


class Meeting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    kind: str = Field(max_length=20)
    mode: str = Field(max_length=20)  # who is on the register (core.voting.Mode)
    title: str = Field(max_length=rules.TITLE_LIMIT)
    status: str = Field(default=Status.DRAFT.value, max_length=12, index=True)
    round: int = Field(default=1)  # the current round; earlier ones are void (postponed)
    rule_key: str = Field(max_length=40)
    quorum: str | None = Field(default=None, max_length=12)
    passing: str = Field(max_length=12)
    further: str | None = Field(default=None, max_length=12)
    tie_break: str = Field(default="runoff", max_length=10)
    opens_at: datetime | None = Field(default=None, index=True)
    closes_at: datetime | None = Field(default=None, index=True)
    postpone_reason: str | None = Field(default=None, sa_column=Column(Text))
    created_by: int | None = Field(default=None, foreign_key="resident.id")
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None
    # An election's further round (另行选举) is a meeting of its own for the seats the first left unfilled; one per
    # meeting (unique: a double tap or a second committee member cannot start two).
    further_of: int | None = Field(default=None, foreign_key="meeting.id", unique=True)

    @property
    def rules(self) -> RuleSet:
        return RuleSet(self.rule_key, self.quorum, self.passing, self.further, self.tie_break)


class MeetingRound(SQLModel, table=True):
    """One round of voting: its frozen register's size and bases, and how it ended (counted or void)."""

    __tablename__ = "meeting_round"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    number: int
    status: str = Field(default="open", max_length=10)  # open | counted | void
    register_size: int = Field(default=0)
    register_area: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    bases_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    turnout_json: str | None = Field(default=None, sa_column=Column(Text))
    reason: str | None = Field(default=None, sa_column=Column(Text))  # why it was voided
    opened_at: datetime
    closed_at: datetime | None = None
    chain_head: str | None = Field(default=None, max_length=64)  # the record's head when the round was counted
    paper_closed_at: datetime | None = None  # the hall's register closed: the box's paper ballots may be entered


class MeetingItem(SQLModel, table=True):
    __tablename__ = "meeting_item"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    position: int
    kind: str = Field(max_length=10)
    title: str = Field(max_length=rules.TITLE_LIMIT)
    secret: bool = Field(default=False)
    matter: int | None = Field(default=None)  # owners' items: art. 278's (1)-(9)
    max_marks: int = Field(default=1)  # k: seats of an election, most marks of a multiple choice
    write_in: bool = Field(default=False)  # elections: another eligible person may be written in
    further_round: bool = Field(default=False)  # an election's further round (counted by its own rule)
    topic_id: int | None = Field(default=None, foreign_key="topic.id")
    version: int = Field(default=1)  # the current text's version


class MeetingOption(SQLModel, table=True):
    """An item's option; an election's candidate (``candidate_id`` when a registered resident: once per item, so two
    voters writing in the same person at once add one option)."""

    __tablename__ = "meeting_option"
    __table_args__ = (UniqueConstraint("item_id", "position"), UniqueConstraint("candidate_id", "item_id"))

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="meeting_item.id", index=True)
    position: int
    code: str = Field(default="", max_length=10)  # yes | no | abstain for motions
    label: str = Field(default="", max_length=rules.OPTION_LIMIT)
    candidate_id: int | None = Field(default=None, foreign_key="resident.id")
    written_in: bool = Field(default=False)


class ItemVersion(SQLModel, table=True):
    """Every version of an item's text is kept; the item points at the current one."""

    __tablename__ = "item_version"
    __table_args__ = (UniqueConstraint("item_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="meeting_item.id")
    number: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    amendment_id: int | None = Field(default=None)
    created_at: datetime


class Amendment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="meeting_item.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="resident.id")  # None: the author deleted their data
    text: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", max_length=10)  # pending | accepted | rejected | merged
    reason: str | None = Field(default=None, sa_column=Column(Text))
    version: int | None = Field(default=None)  # the version it created
    decided_by: int | None = Field(default=None, foreign_key="resident.id")
    decided_at: datetime | None = None
    created_at: datetime


class MeetingResult(SQLModel, table=True):
    """An item's result in a counted round, as counted at closing (JSON of core.voting.ItemResult)."""

    __tablename__ = "meeting_result"
    __table_args__ = (UniqueConstraint("item_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="meeting_item.id")
    round: int
    passed: bool | None = None
    outcome_json: str = Field(sa_column=Column(Text, nullable=False))


class MeetingReminder(SQLModel, table=True):
    """A reminder sent once (the row is the marker; its unique key makes a second sender insert nothing)."""

    __tablename__ = "meeting_reminder"
    __table_args__ = (UniqueConstraint("meeting_id", "round", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    round: int
    kind: str = Field(max_length=20)
    sent_at: datetime


# ---- errors ------------------------------------------------------------------------------------------


class WrongStatus(VoteError):
    key = "voting.err.status"


class EmptyElectorate(VoteError):
    key = "voting.err.empty_electorate"


# ---- read models -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OptionView:
    id: int
    position: int
    code: str
    label: str
    candidate_id: int | None


@dataclass(frozen=True, slots=True)
class ItemView:
    id: int
    position: int
    kind: ItemKind
    title: str
    text: str
    version: int
    secret: bool
    matter: int | None
    max_marks: int
    write_in: bool
    topic_id: int | None
    options: tuple[OptionView, ...]
    further_round: bool = False


@dataclass(frozen=True, slots=True)
class MeetingView:
    id: int
    community_id: int
    kind: MeetingKind
    mode: Mode
    title: str
    status: Status
    round: int
    rules: RuleSet
    opens_at: datetime | None
    closes_at: datetime | None
    postpone_reason: str | None
    items: tuple[ItemView, ...]
    void_rounds: int = 0
    further_of: int | None = None  # the meeting whose unfilled seats this further round fills

    def item(self, item_id: int) -> ItemView:
        for item in self.items:
            if item.id == item_id:
                return item
        raise StaleButton()


@dataclass(frozen=True, slots=True)
class DraftItem:
    kind: ItemKind
    title: str
    text: str
    options: tuple[str, ...] = ()
    max_marks: int = 1
    secret: bool = False
    matter: int | None = None
    write_in: bool | None = None  # elections: voters may write in another eligible person (None: yes, the law's way)
    topic_id: int | None = None
    candidates: tuple[int | None, ...] = ()  # elections: resident ids of the options (None: by name only)


@dataclass(frozen=True, slots=True)
class Draft:
    kind: MeetingKind
    mode: Mode
    title: str
    items: tuple[DraftItem, ...]
    opens_at: datetime | None = None
    closes_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AmendmentView:
    id: int
    item_id: int
    meeting_id: int
    author_id: int | None
    text: str
    status: str
    reason: str | None
    version: int | None


@dataclass(frozen=True, slots=True)
class Counted:
    """A closed round: each item's result, the round's turnout and who is told."""

    meeting: MeetingView
    results: tuple[tuple[ItemView, ItemResult], ...]
    turnout: rules.Turnout
    closed_at: datetime
    head: str = ""  # the ballot record's head after the "closed" event (published, and posted to the committee)


@dataclass(frozen=True, slots=True)
class Moved:
    """A status change others must hear of: the meeting after it and who is told (resident ids)."""

    meeting: MeetingView
    told: tuple[int, ...] = ()
    register: int = 0
    reason: str | None = None
    void_round: int | None = None


# ---- reading -----------------------------------------------------------------------------------------

# (meeting, round) → its items while that round is open: they cannot change then (amendments are decided in
# discussion, between rounds; a postponement starts a new round), so a ballot tap reads them once per process.
# Opening a round drops what this process kept for the meeting.
FROZEN_ITEMS: dict[tuple[int, int], tuple[ItemView, ...]] = {}


async def _meeting(session: AsyncSession, community_id: int, meeting_id: int, *, lock: bool = False) -> Meeting:
    statement = select(Meeting).where(col(Meeting.id) == meeting_id, Meeting.community_id == community_id)
    if lock:
        statement = statement.with_for_update()
    found = (await session.exec(statement)).first()
    if found is None:
        raise NotFound()
    return found


async def _view(session: AsyncSession, meeting: Meeting) -> MeetingView:
    items = list((await session.exec(select(MeetingItem).where(MeetingItem.meeting_id == meeting.id)
                                     .order_by(col(MeetingItem.position)))).all())
    ids = [i.id for i in items]
    texts: dict[int, str] = {}
    options: dict[int, list[OptionView]] = {}
    if ids:
        statement = (select(ItemVersion.item_id, ItemVersion.text)
                     .join(MeetingItem, (col(MeetingItem.id) == ItemVersion.item_id)
                           & (col(MeetingItem.version) == ItemVersion.number))
                     .where(col(ItemVersion.item_id).in_(ids)))
        texts = {item_id: text for item_id, text in (await session.exec(statement)).all()}
        for o in (await session.exec(select(MeetingOption).where(col(MeetingOption.item_id).in_(ids))
                                     .order_by(col(MeetingOption.item_id), col(MeetingOption.position)))).all():
            options.setdefault(o.item_id, []).append(OptionView(o.id or 0, o.position, o.code, o.label,
                                                                o.candidate_id))
    return MeetingView(
        id=meeting.id or 0, community_id=meeting.community_id, kind=MeetingKind(meeting.kind), mode=Mode(meeting.mode),
        title=meeting.title, status=Status(meeting.status), round=meeting.round, rules=meeting.rules,
        opens_at=meeting.opens_at, closes_at=meeting.closes_at, postpone_reason=meeting.postpone_reason,
        void_rounds=meeting.round - 1, further_of=meeting.further_of,
        items=tuple(ItemView(id=i.id or 0, position=i.position, kind=ItemKind(i.kind), title=i.title,
                             text=texts.get(i.id or 0, ""), version=i.version, secret=i.secret, matter=i.matter,
                             max_marks=i.max_marks, write_in=i.write_in, topic_id=i.topic_id,
                             options=tuple(options.get(i.id or 0, ())), further_round=i.further_round)
                    for i in items))


async def meeting(unit: Unit, community_id: int, meeting_id: int) -> MeetingView:
    return await _view(unit.session, await _meeting(unit.session, community_id, meeting_id))


async def meetings(unit: Unit, community_id: int, statuses: tuple[Status, ...] = (), limit: int = 20
                   ) -> list[MeetingView]:
    """The community's meetings, newest first (without items: a list screen)."""
    statement = select(Meeting).where(Meeting.community_id == community_id)
    if statuses:
        statement = statement.where(col(Meeting.status).in_([s.value for s in statuses]))
    found = (await unit.session.exec(statement.order_by(col(Meeting.id).desc()).limit(limit))).all()
    return [MeetingView(id=m.id or 0, community_id=m.community_id, kind=MeetingKind(m.kind), mode=Mode(m.mode),
                        title=m.title, status=Status(m.status), round=m.round, rules=m.rules, opens_at=m.opens_at,
                        closes_at=m.closes_at, postpone_reason=m.postpone_reason, items=(), void_rounds=m.round - 1,
                        further_of=m.further_of)
            for m in found]


async def versions(unit: Unit, community_id: int, item_id: int) -> list[tuple[int, str, datetime]]:
    """Every version of an item's text, oldest first: (number, text, when)."""
    await _item(unit.session, community_id, item_id)
    statement = (select(ItemVersion.number, ItemVersion.text, ItemVersion.created_at)
                 .where(ItemVersion.item_id == item_id).order_by(col(ItemVersion.number)))
    return [(n, t, at) for n, t, at in (await unit.session.exec(statement)).all()]


async def _item(session: AsyncSession, community_id: int, item_id: int) -> tuple[MeetingItem, Meeting]:
    statement = (select(MeetingItem, Meeting).join(Meeting, col(Meeting.id) == MeetingItem.meeting_id)
                 .where(col(MeetingItem.id) == item_id, Meeting.community_id == community_id))
    found = (await session.exec(statement)).first()
    if found is None:
        raise NotFound()
    return found[0], found[1]


# ---- rules -------------------------------------------------------------------------------------------


async def rules_for(unit: Unit, community_id: int, kind: MeetingKind, mode: Mode) -> RuleSet:
    """The community's own rule for ``kind`` if it set one, else the law's."""
    default = rules.default_rules(kind, mode)
    own = (await unit.session.exec(select(VotingRule.quorum, VotingRule.passing, VotingRule.further,
                                          VotingRule.tie_break)
                                   .where(VotingRule.community_id == community_id,
                                          VotingRule.kind == kind.value))).first()
    if own is None:
        return default
    quorum, passing, further, tie_break = own
    return RuleSet(default.key, quorum, passing, further or default.further, tie_break)


async def set_rule(unit: Unit, community_id: int, kind: MeetingKind, *, quorum: str | None, passing: str,
                   further: str | None = None, tie_break: str = "runoff", now: datetime) -> RuleSet:
    """Set the community's thresholds for a kind (checked: each must parse). One ``INSERT … ON CONFLICT DO UPDATE``
    on the (community, kind) key: two members saving at once leave one row, the last one's."""
    for text in (quorum, passing, further):
        if text is not None:
            try:
                rules.decode_threshold(text)
            except ValueError as exc:
                raise VoteError("voting.err.threshold") from exc
    if tie_break not in {t.value for t in TieBreak}:
        raise VoteError("voting.err.threshold")
    values = {"quorum": quorum, "passing": passing, "further": further, "tie_break": tie_break, "updated_at": now}
    statement = (ballots._insert(unit.session)(VotingRule).values(community_id=community_id, kind=kind.value, **values)
                 .on_conflict_do_update(index_elements=["community_id", "kind"], set_=values))
    await unit.session.exec(statement)  # type: ignore[call-overload]
    return await rules_for(unit, community_id, kind, rules.MODES_OF[kind][0])


async def clear_rule(unit: Unit, community_id: int, kind: MeetingKind) -> RuleSet:
    """Back to the law's defaults for ``kind``."""
    await unit.session.exec(delete(VotingRule).where(  # type: ignore[call-overload]
        col(VotingRule.community_id) == community_id, col(VotingRule.kind) == kind.value))
    return await rules_for(unit, community_id, kind, rules.MODES_OF[kind][0])


# ---- the committee: create, publish, amend -----------------------------------------------------------


async def create(unit: Unit, *, community_id: int, created_by: int | None, draft: Draft, now: datetime,
                 rule: RuleSet | None = None) -> MeetingView:
    """A draft meeting with its items (validated: kinds, options, seats, matters, times)."""
    rules.check_mode(draft.kind, draft.mode)
    title = clean_line(draft.title)
    if not title or len(title) > rules.TITLE_LIMIT:
        raise VoteError("voting.err.title", limit=rules.TITLE_LIMIT)
    if not draft.items:
        raise VoteError("voting.err.no_items")
    check_times(draft.opens_at, draft.closes_at, now)
    rule = rule or await rules_for(unit, community_id, draft.kind, draft.mode)
    session = unit.session
    meeting = Meeting(community_id=community_id, kind=draft.kind.value, mode=draft.mode.value, title=title,
                      rule_key=rule.key, quorum=rule.quorum, passing=rule.passing, further=rule.further,
                      tie_break=rule.tie_break, opens_at=draft.opens_at, closes_at=draft.closes_at,
                      created_by=created_by, created_at=now, updated_at=now)
    session.add(meeting)
    await session.flush()
    for position, item in enumerate(draft.items):
        await _add_item(session, meeting, position, item, now)
    await audit.record(session, community_id=community_id, actor=None, action="meeting.created",
                       subject=f"meeting:{meeting.id}", now=now, kind=draft.kind.value, items=len(draft.items))
    return await _view(session, meeting)


async def _add_item(session: AsyncSession, meeting: Meeting, position: int, draft: DraftItem, now: datetime) -> None:
    kind = MeetingKind(meeting.kind)
    labels = tuple(clean_line(o) for o in draft.options)
    if any(not label or len(label) > rules.OPTION_LIMIT for label in labels) or len(set(labels)) != len(labels):
        raise VoteError("voting.err.option", limit=rules.OPTION_LIMIT)
    secret = draft.secret
    rules.check_item(kind, draft.kind, labels, draft.max_marks, draft.matter, secret)
    title = clean_line(draft.title)
    text = clean_block(draft.text)
    if not title or len(title) > rules.TITLE_LIMIT:
        raise VoteError("voting.err.title", limit=rules.TITLE_LIMIT)
    if len(text) > rules.TEXT_LIMIT:
        raise VoteError("voting.err.text", limit=rules.TEXT_LIMIT)
    item = MeetingItem(meeting_id=meeting.id or 0, position=position, kind=draft.kind.value, title=title,
                       secret=secret, matter=draft.matter if kind is MeetingKind.OWNERS else None,
                       max_marks=rules.max_marks_of(draft.kind, draft.max_marks),
                       write_in=draft.write_in is not False and draft.kind is ItemKind.ELECTION,
                       topic_id=draft.topic_id)
    session.add(item)
    await session.flush()
    session.add(ItemVersion(item_id=item.id or 0, number=1, text=text or title, created_at=now))
    if draft.kind is ItemKind.MOTION:
        for p, code in enumerate(rules.MOTION_CODES):
            session.add(MeetingOption(item_id=item.id or 0, position=p, code=code))
    else:
        for p, label in enumerate(labels):
            candidate = draft.candidates[p] if p < len(draft.candidates) else None
            session.add(MeetingOption(item_id=item.id or 0, position=p, label=label, candidate_id=candidate))
    if draft.topic_id is not None:
        await _link_topic(session, meeting.community_id, item, draft.topic_id, now)
    await session.flush()


async def _link_topic(session: AsyncSession, community_id: int, item: MeetingItem, topic_id: int,
                      now: datetime) -> None:
    from storage import topics

    topic = await topics.get_topic(session, community_id, topic_id, lock=True)
    topic.meeting_item_id = item.id
    topic.updated_at = now
    session.add(topic)
    await topics.add_event(session, topic, "meeting_linked", now, ref_id=item.meeting_id)


def check_times(opens_at: datetime | None, closes_at: datetime | None, now: datetime) -> None:
    if closes_at is not None and closes_at <= now:
        raise VoteError("voting.err.closes_past")
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise VoteError("voting.err.closes_before_opens")


async def _move(session: AsyncSession, meeting: Meeting, source: Status, target: Status, now: datetime,
                **values: Any) -> bool:
    """The one conditional UPDATE that moves a meeting: True for the one caller that moved it."""
    statement = (update(Meeting).where(col(Meeting.id) == meeting.id, col(Meeting.status) == source.value)
                 .values(status=target.value, updated_at=now, **values)
                 .execution_options(synchronize_session=False))
    moved = (await session.exec(statement)).rowcount == 1  # type: ignore[call-overload]
    await session.refresh(meeting)
    return bool(moved)


async def publish(unit: Unit, *, community_id: int, meeting_id: int, actor: int | None, now: datetime) -> MeetingView:
    """Draft → discussion: the text is published, residents may submit amendments."""
    meeting = await _meeting(unit.session, community_id, meeting_id)
    if not await _move(unit.session, meeting, Status.DRAFT, Status.DISCUSSION, now):
        raise WrongStatus()
    await audit.record(unit.session, community_id=community_id, actor=actor, action="meeting.published",
                       subject=f"meeting:{meeting_id}", now=now)
    return await _view(unit.session, meeting)


async def set_times(unit: Unit, *, community_id: int, meeting_id: int, opens_at: datetime | None,
                    closes_at: datetime, now: datetime) -> MeetingView:
    """When voting opens (None: by hand) and closes; only before voting opens."""
    meeting = await _meeting(unit.session, community_id, meeting_id, lock=True)
    if meeting.status not in (Status.DRAFT.value, Status.DISCUSSION.value):
        raise WrongStatus()
    check_times(opens_at, closes_at, now)
    meeting.opens_at, meeting.closes_at, meeting.updated_at = opens_at, closes_at, now
    unit.session.add(meeting)
    await unit.session.flush()
    return await _view(unit.session, meeting)


async def amend(unit: Unit, *, community_id: int, item_id: int, author_id: int, text: str,
                now: datetime) -> AmendmentView:
    """A resident's amendment to an item's text, during discussion."""
    _, meeting = await _item(unit.session, community_id, item_id)
    if meeting.status != Status.DISCUSSION.value:
        raise VoteError("voting.err.not_discussion")
    cleaned = clean_block(text)
    if not cleaned:
        raise VoteError("voting.err.empty")
    if len(cleaned) > rules.TEXT_LIMIT:
        raise VoteError("voting.err.text", limit=rules.TEXT_LIMIT)
    amendment = Amendment(item_id=item_id, author_id=author_id, text=cleaned, created_at=now)
    unit.session.add(amendment)
    await unit.session.flush()
    return _amendment_view(amendment, meeting.id or 0)


def _amendment_view(a: Amendment, meeting_id: int) -> AmendmentView:
    return AmendmentView(a.id or 0, a.item_id, meeting_id, a.author_id, a.text, a.status, a.reason, a.version)


async def amendments(unit: Unit, community_id: int, meeting_id: int, *, pending_only: bool = False
                     ) -> list[AmendmentView]:
    statement = (select(Amendment).join(MeetingItem, col(MeetingItem.id) == Amendment.item_id)
                 .join(Meeting, col(Meeting.id) == MeetingItem.meeting_id)
                 .where(col(Meeting.id) == meeting_id, Meeting.community_id == community_id))
    if pending_only:
        statement = statement.where(Amendment.status == "pending")
    return [_amendment_view(a, meeting_id) for a in (await unit.session.exec(statement.order_by(col(Amendment.id))))]


async def decide_amendment(unit: Unit, *, community_id: int, amendment_id: int, decision: str, by: int | None,
                           now: datetime, reason: str | None = None, text: str | None = None) -> AmendmentView:
    """Accept (the amendment's text becomes a new version), merge (``text``: the committee's merged wording
    becomes a new version) or reject (with a reason). Decided once: a conditional UPDATE."""
    session = unit.session
    found = (await session.exec(select(Amendment, MeetingItem, Meeting)
                                .join(MeetingItem, col(MeetingItem.id) == Amendment.item_id)
                                .join(Meeting, col(Meeting.id) == MeetingItem.meeting_id)
                                .where(col(Amendment.id) == amendment_id, Meeting.community_id == community_id))
             ).first()
    if found is None:
        raise NotFound()
    amendment, item, meeting = found
    if meeting.status != Status.DISCUSSION.value:
        raise VoteError("voting.err.not_discussion")
    if decision not in ("accepted", "merged", "rejected"):
        raise StaleButton()
    note = clean_block(reason or "") if decision == "rejected" else None
    if decision == "rejected" and not note:
        raise VoteError("voting.err.reason")
    new_text = amendment.text if decision == "accepted" else clean_block(text or "")
    if decision == "merged" and not new_text:
        raise VoteError("voting.err.empty")
    if len(new_text) > rules.TEXT_LIMIT:
        raise VoteError("voting.err.text", limit=rules.TEXT_LIMIT)
    claimed = await session.exec(update(Amendment)  # type: ignore[call-overload]
                                 .where(col(Amendment.id) == amendment_id, col(Amendment.status) == "pending")
                                 .values(status=decision, reason=note, decided_by=by, decided_at=now)
                                 .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise VoteError("voting.err.decided")
    version = None
    if decision != "rejected":
        bumped = await session.exec(update(MeetingItem)  # type: ignore[call-overload]
                                    .where(col(MeetingItem.id) == item.id)
                                    .values(version=col(MeetingItem.version) + 1)
                                    .returning(col(MeetingItem.version)))
        version = int(bumped.one()[0])
        session.add(ItemVersion(item_id=item.id or 0, number=version, text=new_text, amendment_id=amendment_id,
                                created_at=now))
        await session.exec(update(Amendment).where(col(Amendment.id) == amendment_id)  # type: ignore[call-overload]
                           .values(version=version).execution_options(synchronize_session=False))
    await audit.record(session, community_id=community_id, actor=None, action=f"amendment.{decision}",
                       subject=f"amendment:{amendment_id}", now=now, version=version)
    await session.flush()
    await session.refresh(amendment)
    return _amendment_view(amendment, meeting.id or 0)


# ---- opening, closing, postponing --------------------------------------------------------------------


async def open_voting(unit: Unit, *, community_id: int, meeting_id: int, now: datetime, actor: int | None = None,
                      closes_at: datetime | None = None) -> Moved:
    """Discussion → open: freeze the register of the new round (refused if nobody is eligible)."""
    session = unit.session
    meeting = await _meeting(session, community_id, meeting_id)
    if meeting.status != Status.DISCUSSION.value:
        raise WrongStatus()
    closing = closes_at or meeting.closes_at
    if closing is None or closing <= now:
        raise VoteError("voting.err.closes_past")
    electors = await electorates.electorate(session, community_id, electorates.Electorate(meeting.mode))
    if not electors:
        raise EmptyElectorate()
    if not await _move(session, meeting, Status.DISCUSSION, Status.OPEN, now, closes_at=closing, opens_at=now):
        raise WrongStatus()
    for cached in [k for k in FROZEN_ITEMS if k[0] == meeting.id]:
        FROZEN_ITEMS.pop(cached, None)
    size = await ballots.freeze(session, meeting.id or 0, meeting.round, electors)
    by_building: dict[str, int] = {}
    by_group: dict[str, int] = {}
    for e in electors:
        by_building[e.building or ""] = by_building.get(e.building or "", 0) + 1
        by_group[e.group or ""] = by_group.get(e.group or "", 0) + 1
    session.add(MeetingRound(meeting_id=meeting.id or 0, number=meeting.round, register_size=size,
                             register_area=sum(e.area for e in electors), opened_at=now,
                             bases_json=json.dumps({"building": by_building, "group": by_group}, ensure_ascii=False)))
    await audit.record(session, community_id=community_id, actor=actor, action="meeting.opened",
                       subject=f"meeting:{meeting_id}", now=now, round=meeting.round, register=size)
    told = await ballots.casters(session, meeting.id or 0, meeting.round)
    return Moved(await _view(session, meeting), tuple(told), size)


async def postpone(unit: Unit, *, community_id: int, meeting_id: int, reason: str, actor: int | None,
                   now: datetime) -> Moved:
    """Open → discussion with a reason: the round is kept void (never counted, never deleted), the next round
    starts clean when voting opens again (its times are set again)."""
    session = unit.session
    cleaned = clean_block(reason)
    if not cleaned:
        raise VoteError("voting.err.reason")
    if len(cleaned) > rules.REASON_LIMIT:
        raise VoteError("voting.err.text", limit=rules.REASON_LIMIT)
    meeting = await _meeting(session, community_id, meeting_id, lock=True)  # the record's writers queue here
    void = meeting.round
    items = (await _view(session, meeting)).items
    if not await _move(session, meeting, Status.OPEN, Status.DISCUSSION, now, round=void + 1,
                       postpone_reason=cleaned, opens_at=None, closes_at=None):
        raise WrongStatus()
    await ballot_chain.seal(session, meeting_id, items)  # the void round's secret ballots stay on the record
    await ballot_chain.append(session, meeting_id, [{"kind": "voided", "round": void, "reason": cleaned}])
    await session.exec(update(MeetingRound)  # type: ignore[call-overload]
                       .where(col(MeetingRound.meeting_id) == meeting_id, col(MeetingRound.number) == void)
                       .values(status="void", reason=cleaned, closed_at=now))
    await audit.record(session, community_id=community_id, actor=actor, action="meeting.postponed",
                       subject=f"meeting:{meeting_id}", now=now, void_round=void)
    told = await ballots.casters(session, meeting_id, void)
    return Moved(await _view(session, meeting), tuple(told), reason=cleaned, void_round=void)


async def close(unit: Unit, *, community_id: int, meeting_id: int, now: datetime, actor: int | None = None,
                due_only: bool = False) -> Counted:
    """Open → closed → published: count every item of the round (one GROUP BY each), store the results.

    ``due_only`` (the scheduler): only if its closing time has come. Closing twice is refused.
    """
    session = unit.session
    meeting = await _meeting(session, community_id, meeting_id, lock=True)  # casts in flight finish first
    if due_only and (meeting.closes_at is None or meeting.closes_at > now):
        raise WrongStatus()
    if not await _move(session, meeting, Status.OPEN, Status.CLOSED, now):
        raise VoteError("voting.err.closed_already" if meeting.status in (Status.CLOSED.value,
                                                                           Status.PUBLISHED.value)
                        else "voting.err.status")
    view = await _view(session, meeting)
    await ballot_chain.seal(session, meeting_id, view.items)  # every secret content still waiting is sealed
    round_row = (await session.exec(select(MeetingRound).where(MeetingRound.meeting_id == meeting_id,
                                                               MeetingRound.number == meeting.round))).one()
    results = []
    took_building: dict[str, int] = {}
    took_group: dict[str, int] = {}
    for item in view.items:
        counted = await (ballots.count_secret if item.secret else ballots.count_open)(session, item.id, meeting.round)
        result = rules.count_item(kind=item.kind, rules=view.rules, eligible=round_row.register_size,
                                  groups=counted.groups, options=len(item.options), max_marks=item.max_marks,
                                  matter=item.matter, eligible_area=round_row.register_area,
                                  further_round=item.further_round)
        if result.tied and view.rules.tie_break == TieBreak.LOT.value:  # chosen before voting: drawn now, recorded
            order = tuple(secrets.SystemRandom().sample(list(result.tied), len(result.tied)))
            result = rules.count_item(kind=item.kind, rules=view.rules, eligible=round_row.register_size,
                                      groups=counted.groups, options=len(item.options), max_marks=item.max_marks,
                                      matter=item.matter, eligible_area=round_row.register_area,
                                      further_round=item.further_round, lot_order=order)
            await audit.record(session, community_id=community_id, actor=actor, action="meeting.lot_drawn",
                               subject=f"item:{item.id}", now=now, round=meeting.round, tied=sorted(order),
                               order=list(order), drawn=list(result.drawn))
        result = replace(result, by_channel=tuple(sorted(counted.by_channel.items())))
        results.append((item, result))
        session.add(MeetingResult(item_id=item.id, round=meeting.round, passed=result.passed,
                                  outcome_json=json.dumps(asdict(result))))
        if not took_building or len(view.items) == 1:
            took_building, took_group = counted.by_building, counted.by_group
    if len(view.items) > 1:
        took_building, took_group = await _turnout_by_place(session, view)
    bases = json.loads(round_row.bases_json)
    took = (await ballots.took_part(session, [i.id for i in view.items if not i.secret],
                                    [i.id for i in view.items if i.secret], meeting.round)
            if len(view.items) > 1 else (results[0][1].took_part if results else 0))
    turnout = rules.Turnout(
        eligible=round_row.register_size, took_part=took,
        by_building={b: (took_building.get(b, 0), n) for b, n in sorted(bases["building"].items())},
        by_group={g: (took_group.get(g, 0), n) for g, n in sorted(bases["group"].items())})
    head = await ballot_chain.append(session, meeting_id, [{"kind": "closed", "round": meeting.round}])
    round_row.status, round_row.closed_at, round_row.chain_head = "counted", now, head
    round_row.turnout_json = json.dumps(asdict(turnout), ensure_ascii=False)
    session.add(round_row)
    await _move(session, meeting, Status.CLOSED, Status.PUBLISHED, now, published_at=now)
    await audit.record(session, community_id=community_id, actor=actor, action="meeting.closed",
                       subject=f"meeting:{meeting_id}", now=now, round=meeting.round, took_part=took,
                       register=round_row.register_size, chain_head=head)
    await session.flush()
    return Counted(await _view(session, meeting), tuple(results), turnout, now, head)


async def _turnout_by_place(session: AsyncSession, view: MeetingView) -> tuple[dict[str, int], dict[str, int]]:
    """By building and group: distinct register entries with a ballot on any item (several items)."""
    from sqlalchemy import func

    open_ids = [i.id for i in view.items if not i.secret]
    secret_ids = [i.id for i in view.items if i.secret]
    voted = (select(ballots.OpenBallot.elector_id).where(col(ballots.OpenBallot.item_id).in_(open_ids or [0]),
                                                         ballots.OpenBallot.round == view.round)
             .union(select(ballots.SecretParticipation.elector_id)
                    .where(col(ballots.SecretParticipation.item_id).in_(secret_ids or [0]),
                           ballots.SecretParticipation.round == view.round)))
    statement = (select(ballots.MeetingElector.building, ballots.MeetingElector.grp, func.count())
                 .where(col(ballots.MeetingElector.id).in_(voted))
                 .group_by(col(ballots.MeetingElector.building), col(ballots.MeetingElector.grp)))
    by_building: dict[str, int] = {}
    by_group: dict[str, int] = {}
    for building, grp, n in (await session.exec(statement)).all():
        by_building[building] = by_building.get(building, 0) + int(n)
        by_group[grp] = by_group.get(grp, 0) + int(n)
    return by_building, by_group


@dataclass(frozen=True, slots=True)
class Published:
    meeting: MeetingView
    results: tuple[tuple[ItemView, ItemResult], ...]
    turnout: rules.Turnout | None
    head: str | None = None  # the ballot record's head as published


async def results(unit: Unit, community_id: int, meeting_id: int) -> Published:
    """A published meeting's results as counted at closing."""
    session = unit.session
    meeting = await _meeting(session, community_id, meeting_id)
    view = await _view(session, meeting)
    if view.status is not Status.PUBLISHED:
        raise WrongStatus()
    rows = {r.item_id: r for r in (await session.exec(select(MeetingResult).where(
        col(MeetingResult.item_id).in_([i.id for i in view.items]), MeetingResult.round == meeting.round))).all()}
    round_row = (await session.exec(select(MeetingRound).where(MeetingRound.meeting_id == meeting_id,
                                                               MeetingRound.number == meeting.round))).first()
    return Published(view, tuple((item, result_from_json(rows[item.id].outcome_json))
                                 for item in view.items if item.id in rows),
                     turnout_from_json(round_row.turnout_json) if round_row and round_row.turnout_json else None,
                     round_row.chain_head if round_row else None)


def result_from_json(text: str) -> ItemResult:
    data = json.loads(text)
    data["options"] = tuple(OptionCount(**o) for o in data["options"])
    for name in ("winners", "tied", "drawn"):
        data[name] = tuple(data.get(name, ()))
    data["by_channel"] = tuple((str(c), int(n)) for c, n in data.get("by_channel", ()))
    return ItemResult(**data)


def turnout_from_json(text: str) -> rules.Turnout:
    data = json.loads(text)
    return rules.Turnout(eligible=data["eligible"], took_part=data["took_part"],
                         by_building={k: tuple(v) for k, v in data["by_building"].items()},  # type: ignore[misc]
                         by_group={k: tuple(v) for k, v in data["by_group"].items()})  # type: ignore[misc]


@dataclass(frozen=True, slots=True)
class Live:
    """Live turnout while voting is open (never what anyone chose)."""

    register: int
    took_part: int
    per_item: dict[int, int] = field(default_factory=dict)


async def live_turnout(unit: Unit, community_id: int, meeting_id: int) -> Live:
    from sqlalchemy import func

    session = unit.session
    view = await meeting(unit, community_id, meeting_id)
    if view.status is not Status.OPEN:
        raise WrongStatus()
    size, _ = await ballots.register_size(session, meeting_id, view.round)
    per_item: dict[int, int] = {}
    for item in view.items:
        table: Any = ballots.SecretParticipation if item.secret else ballots.OpenBallot
        per_item[item.id] = int((await session.exec(select(func.count()).select_from(table).where(
            table.item_id == item.id, table.round == view.round))).one())
    took = await ballots.took_part(session, [i.id for i in view.items if not i.secret],
                                   [i.id for i in view.items if i.secret], view.round)
    return Live(size, took, per_item)


async def add_late_elector(unit: Unit, *, community_id: int, meeting_id: int, resident_id: int, reason: str,
                           actor: int | None, now: datetime) -> bool:
    """The committee adds someone to an open round's register, with a reason (in the audit log)."""
    session = unit.session
    cleaned = clean_block(reason)
    if not cleaned:
        raise VoteError("voting.err.reason")
    meeting = await _meeting(session, community_id, meeting_id)
    if meeting.status != Status.OPEN.value:
        raise WrongStatus()
    everyone = await electorates.electorate(session, community_id, electorates.Electorate(meeting.mode))
    found = [e for e in everyone if resident_id in e.resident_ids]
    if not found:
        raise VoteError("voting.err.not_eligible_now")
    added = await ballots.add_elector(session, meeting_id, meeting.round, found[0], cleaned[:500])
    if added:
        await session.exec(update(MeetingRound)  # type: ignore[call-overload]
                           .where(col(MeetingRound.meeting_id) == meeting_id,
                                  col(MeetingRound.number) == meeting.round)
                           .values(register_size=col(MeetingRound.register_size) + 1,
                                   register_area=col(MeetingRound.register_area) + found[0].area))
        await audit.record(session, community_id=community_id, actor=actor, action="meeting.register_added",
                           subject=f"meeting:{meeting_id}", now=now, round=meeting.round, key=found[0].key,
                           reason=cleaned)
    return added


# ---- the scheduler -----------------------------------------------------------------------------------


async def due(unit: Unit, now: datetime) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(community, meeting) pairs due to open and due to close."""
    session = unit.session
    opening = (await session.exec(select(Meeting.community_id, Meeting.id).where(
        Meeting.status == Status.DISCUSSION.value, col(Meeting.opens_at).is_not(None),
        col(Meeting.opens_at) <= now, col(Meeting.closes_at) > now))).all()
    closing = (await session.exec(select(Meeting.community_id, Meeting.id).where(
        Meeting.status == Status.OPEN.value, col(Meeting.closes_at) <= now))).all()
    return [(c, m or 0) for c, m in opening], [(c, m or 0) for c, m in closing]


REMIND_BEFORE = timedelta(hours=24)


async def due_reminders(unit: Unit, now: datetime) -> list[tuple[int, int]]:
    """Open meetings closing within 24 h whose reminder for the current round has not been sent."""
    sent = select(MeetingReminder.id).where(MeetingReminder.meeting_id == Meeting.id,
                                            MeetingReminder.round == Meeting.round,
                                            MeetingReminder.kind == "closing")
    statement = select(Meeting.community_id, Meeting.id).where(
        Meeting.status == Status.OPEN.value, col(Meeting.closes_at) > now,
        col(Meeting.closes_at) <= now + REMIND_BEFORE, ~sent.exists())
    return [(c, m or 0) for c, m in (await unit.session.exec(statement)).all()]


async def claim_reminder(unit: Unit, *, community_id: int, meeting_id: int, now: datetime) -> Moved | None:
    """Claim the "closes in 24 h" reminder of the current round (once: the marker row's unique key) and say who
    has not voted yet, re-read now: None if the meeting is no longer open or someone else sent it."""
    session = unit.session
    meeting = await _meeting(session, community_id, meeting_id)
    if meeting.status != Status.OPEN.value or meeting.closes_at is None or meeting.closes_at <= now:
        return None
    statement = (ballots._insert(session)(MeetingReminder)
                 .values(meeting_id=meeting_id, round=meeting.round, kind="closing", sent_at=now)
                 .on_conflict_do_nothing(index_elements=["meeting_id", "round", "kind"]))
    if (await session.exec(statement)).rowcount != 1:  # type: ignore[call-overload]
        return None
    view = await _view(session, meeting)
    told = await ballots.casters(session, meeting_id, meeting.round, not_voted_items=[i.id for i in view.items])
    return Moved(view, tuple(told))
