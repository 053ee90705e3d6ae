"""The committee's voting rules: the community's thresholds per kind (the law's by default), a meeting's own rule
and write-ins set before voting opens, and an election's further round (另行选举) for the seats left unfilled.

Every change is in the audit log (kinds, fields, values and ids; nothing personal). A change that races the
opening of a vote is decided on the meeting's row (a conditional UPDATE, or its row lock): a rule never changes
under a round that is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from core import elections
from core import voting as rules
from core import voting_rules as editing
from core.errors import StaleButton
from core.notices import Label, Lines, Link, Notice, NoticeButton, Param, When
from core.voting import ItemKind, ItemResult, MeetingKind, RuleSet, Status, VoteError
from core.voting_rules import RuleField
from storage import audit, ballots, meeting_notices, meetings
from storage.meetings import (
    ItemVersion,
    ItemView,
    Meeting,
    MeetingItem,
    MeetingOption,
    MeetingView,
    Moved,
    WrongStatus,
    _meeting,
    _view,
)
from storage.unit import Unit

BEFORE_VOTING = (Status.DRAFT.value, Status.DISCUSSION.value)
RULED_KINDS = (MeetingKind.RESIDENTS, MeetingKind.REPRESENTATIVES, MeetingKind.OWNERS, MeetingKind.ELECTION,
               MeetingKind.ADVISORY)


# ---- the community's rules --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KindRule:
    """A kind's rule in force, the law's default beside it, and whether the community set its own."""

    kind: MeetingKind
    rules: RuleSet
    law: RuleSet
    own: bool

    @property
    def fields(self) -> tuple[RuleField, ...]:
        return editing.EDITABLE[self.kind]


async def kind_rule(unit: Unit, community_id: int, kind: MeetingKind) -> KindRule:
    mode = rules.MODES_OF[kind][0]
    law = rules.default_rules(kind, mode)
    current = await meetings.rules_for(unit, community_id, kind, mode)
    own = (await unit.session.exec(select(meetings.VotingRule.id).where(
        meetings.VotingRule.community_id == community_id, meetings.VotingRule.kind == kind.value))).first()
    return KindRule(kind, current, law, own is not None)


async def community_rules(unit: Unit, community_id: int) -> list[KindRule]:
    """Every kind's rule, in the order the screen lists them."""
    return [await kind_rule(unit, community_id, kind) for kind in RULED_KINDS]


async def change_rule(unit: Unit, community_id: int, kind: MeetingKind, field: RuleField, value: str, *,
                      actor: int | None, now: datetime) -> KindRule:
    """Set one threshold (or the tie-break) of ``kind`` for the community: meetings created from now on are counted
    under it (each meeting keeps the rule it was created with)."""
    found = await kind_rule(unit, community_id, kind)
    changed = editing.change(kind, found.rules, found.law, field, value)
    await meetings.set_rule(unit, community_id, kind, quorum=changed.quorum, passing=changed.passing,
                            further=changed.further, tie_break=changed.tie_break, now=now)
    await audit.record(unit.session, community_id=community_id, actor=actor, action="voting_rule.changed",
                       subject=f"kind:{kind.value}", now=now, field=field.value, value=value,
                       was=editing.value_of(found.rules, field))
    return await kind_rule(unit, community_id, kind)


async def reset_rule(unit: Unit, community_id: int, kind: MeetingKind, *, actor: int | None,
                     now: datetime) -> KindRule:
    """Back to the law's defaults for ``kind``."""
    await meetings.clear_rule(unit, community_id, kind)
    await audit.record(unit.session, community_id=community_id, actor=actor, action="voting_rule.reset",
                       subject=f"kind:{kind.value}", now=now)
    return await kind_rule(unit, community_id, kind)


# ---- one meeting's rule and write-ins, before voting ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeetingRule:
    """A meeting's rule, the community's for its kind, and the law's."""

    meeting: MeetingView
    community: RuleSet
    law: RuleSet

    @property
    def fields(self) -> tuple[RuleField, ...]:
        return editing.EDITABLE[self.meeting.kind]

    @property
    def editable(self) -> bool:
        return self.meeting.status.value in BEFORE_VOTING


async def meeting_rule(unit: Unit, community_id: int, meeting_id: int) -> MeetingRule:
    view = await meetings.meeting(unit, community_id, meeting_id)
    law = rules.default_rules(view.kind, view.mode)
    return MeetingRule(view, await meetings.rules_for(unit, community_id, view.kind, view.mode), law)


async def change_meeting_rule(unit: Unit, community_id: int, meeting_id: int, field: RuleField, value: str, *,
                              actor: int | None, now: datetime) -> MeetingRule:
    """Override one threshold of this meeting only, while it is a draft or in discussion: one conditional UPDATE
    on its row, so it cannot change under a round that opened meanwhile."""
    found = await meeting_rule(unit, community_id, meeting_id)
    if not found.editable:
        raise WrongStatus()
    changed = editing.change(found.meeting.kind, found.meeting.rules, found.law, field, value)
    statement = (update(Meeting).where(col(Meeting.id) == meeting_id, col(Meeting.community_id) == community_id,
                                       col(Meeting.status).in_(BEFORE_VOTING))
                 .values(quorum=changed.quorum, passing=changed.passing, further=changed.further,
                         tie_break=changed.tie_break, updated_at=now)
                 .execution_options(synchronize_session=False))
    if (await unit.session.exec(statement)).rowcount != 1:  # type: ignore[call-overload]
        raise WrongStatus()
    row = await unit.session.get(Meeting, meeting_id)
    if row is not None:
        await unit.session.refresh(row)
    await audit.record(unit.session, community_id=community_id, actor=actor, action="meeting.rule_changed",
                       subject=f"meeting:{meeting_id}", now=now, field=field.value, value=value,
                       was=editing.value_of(found.meeting.rules, field))
    return await meeting_rule(unit, community_id, meeting_id)


async def set_write_in(unit: Unit, community_id: int, item_id: int, allowed: bool, *, actor: int | None,
                       now: datetime) -> MeetingRule:
    """Whether voters may write in another eligible person on this election item (before voting opens; the
    meeting's row is locked, so opening waits for this and sees it)."""
    item, meeting = await meetings._item(unit.session, community_id, item_id)
    await _meeting(unit.session, community_id, meeting.id or 0, lock=True)
    await unit.session.refresh(meeting)
    if meeting.status not in BEFORE_VOTING:
        raise WrongStatus()
    if item.kind != ItemKind.ELECTION.value or item.further_round:
        raise StaleButton()
    if item.write_in != allowed:
        item.write_in = allowed
        unit.session.add(item)
        await unit.session.flush()
        await audit.record(unit.session, community_id=community_id, actor=actor, action="meeting.write_in_set",
                           subject=f"item:{item_id}", now=now, allowed=allowed)
    return await meeting_rule(unit, community_id, meeting.id or 0)


# ---- an election's further round --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FurtherItem:
    """An election item of the first round with seats left: how many, and the further round's candidates
    (positions of the first round's options, best placed first... as listed)."""

    item: ItemView
    result: ItemResult
    seats: int
    candidates: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class FurtherPlan:
    meeting: MeetingView
    items: tuple[FurtherItem, ...]
    existing: int | None  # the further round already started (its meeting id)


async def further_plan(unit: Unit, community_id: int, meeting_id: int) -> FurtherPlan:
    """What a further round of this (published) election would fill, and with whom, as the rule says: the seats
    left unfilled, among those tied for them (a tie broken by a further round) or the best placed of the others."""
    published = await meetings.results(unit, community_id, meeting_id)
    view = published.meeting
    if view.kind is not MeetingKind.ELECTION:
        raise StaleButton()
    found: list[FurtherItem] = []
    for item, result in published.results:
        if item.kind is not ItemKind.ELECTION or not result.quorate or result.unfilled < 1:
            continue
        votes = {o.position: o.heads for o in result.options}
        candidates = elections.further_candidates(votes, [o.position for o in item.options], result.winners,
                                                  result.tied, result.unfilled)
        if candidates:
            found.append(FurtherItem(item, result, result.unfilled, candidates))
    existing = (await unit.session.exec(select(Meeting.id).where(Meeting.further_of == meeting_id,
                                                                 Meeting.community_id == community_id))).first()
    return FurtherPlan(view, tuple(found), existing)


@dataclass(frozen=True, slots=True)
class Further:
    """A further round started: the new meeting, the plan it follows, and who is told (``opened``: voting opened
    at once, the usual "voting is open" notice; else an announcement to the first round's register)."""

    meeting: MeetingView
    plan: FurtherPlan
    opened: Moved | None
    notices: tuple[Notice, ...]


async def start_further_round(unit: Unit, community_id: int, meeting_id: int, *, opens_at: datetime | None,
                              closes_at: datetime, actor: int | None, created_by: int | None,
                              now: datetime) -> Further:
    """A meeting of its own for the seats left: the same electorate mode, rule and secrecy, one item per election
    item with seats left (k = the seats left, counted by the further round's threshold), in discussion with its
    times; ``opens_at`` None opens voting now. Once per election (the unique ``further_of``)."""
    session = unit.session
    plan = await further_plan(unit, community_id, meeting_id)
    if plan.existing is not None:
        raise VoteError("voting_rules.err.further_exists", id=plan.existing)
    if not plan.items:
        raise VoteError("voting_rules.err.nothing_to_fill")
    meetings.check_times(opens_at, closes_at, now)
    source = plan.meeting
    rule = source.rules
    row = Meeting(community_id=community_id, kind=source.kind.value, mode=source.mode.value, title=source.title,
                  status=Status.DISCUSSION.value, rule_key=rule.key, quorum=rule.quorum, passing=rule.passing,
                  further=rule.further, tie_break=rule.tie_break, opens_at=opens_at, closes_at=closes_at,
                  created_by=created_by, created_at=now, updated_at=now, further_of=meeting_id)
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:  # another member started it at the same moment
        raise VoteError("voting_rules.err.further_exists", id=meeting_id) from None
    options = {o.id: o for o in (await session.exec(select(MeetingOption).where(
        col(MeetingOption.item_id).in_([f.item.id for f in plan.items])))).all()}
    by_item = {(o.item_id, o.position): o for o in options.values()}
    for position, further in enumerate(plan.items):
        item = MeetingItem(meeting_id=row.id or 0, position=position, kind=ItemKind.ELECTION.value,
                           title=further.item.title, secret=further.item.secret, max_marks=further.seats,
                           write_in=False, further_round=True)
        session.add(item)
        await session.flush()
        session.add(ItemVersion(item_id=item.id or 0, number=1, text=further.item.text or further.item.title,
                                created_at=now))
        for p, old in enumerate(further.candidates):
            was = by_item[(further.item.id, old)]
            session.add(MeetingOption(item_id=item.id or 0, position=p, label=was.label,
                                      candidate_id=was.candidate_id, written_in=was.written_in))
    await session.flush()
    await audit.record(session, community_id=community_id, actor=actor, action="meeting.further_round",
                       subject=f"meeting:{row.id}", now=now, of=meeting_id,
                       seats=[f.seats for f in plan.items], candidates=[len(f.candidates) for f in plan.items])
    if opens_at is None:
        moved = await meetings.open_voting(unit, community_id=community_id, meeting_id=row.id or 0, now=now,
                                           actor=actor, closes_at=closes_at)
        return Further(moved.meeting, plan, moved, (await meeting_notices.opened(unit, moved),))
    view = await _view(session, row)
    told = await ballots.casters(session, source.id, source.round)
    return Further(view, plan, None, (await announce(unit, view, plan, told),))


def candidate_names(plan: FurtherPlan) -> Param:
    """The further round's candidates, item by item."""
    return Lines(tuple(Label("voting_rules.further.item_line", (
        ("title", f.item.title), ("seats", f.seats),
        ("names", Lines(tuple(meeting_notices.option_label(f.item, p) for p in f.candidates), "、"))))
        for f in plan.items))


async def announce(unit: Unit, meeting: MeetingView, plan: FurtherPlan, told: list[int]) -> Notice:
    """The first round's register hears of the further round: its seats, candidates and times."""
    return Notice(text="voting_rules.note.further", key=f"mt-further:{meeting.id}",
                  recipients=await meeting_notices.people(unit, told),
                  params={"id": meeting.id, "of": plan.meeting.id, "title": meeting.title,
                          "items": candidate_names(plan),
                          "opens": When(meeting.opens_at) if meeting.opens_at else "—",
                          "closes": When(meeting.closes_at) if meeting.closes_at else "—"},
                  buttons=((NoticeButton("voting.btn.meeting", Link.MEETING, meeting.id),),))
