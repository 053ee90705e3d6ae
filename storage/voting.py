"""The resident's side of a vote: my votes, a ballot (with exactly why someone may not cast it), casting.

Eligibility is the register of the round, frozen when voting opened. Someone not on it is told why: not verified,
not 18+, not the household's representative (and who holds the household's vote), not an owner, not a
representative, or not on the register when voting opened. Someone who gave a written proxy (storage.proxies) is
told who holds it; the holder casts that vote too (``principal``: the grantor). A register entry ticked off on paper
(storage.paper) cannot vote online.

Casting holds the meeting row's lock (PostgreSQL ``SELECT … FOR UPDATE``; SQLite's write lock): the meeting's ballot
record (storage.ballot_chain) is appended in the same unit of work — an open ballot's ``cast`` or ``changed`` event
with its receipt; a secret ballot's content waits in the box and reaches the record when it is sealed, apart.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlmodel import col, select

from core import voting as rules
from core.bulletin import Channel
from core.errors import NotVerified, StaleButton
from core.voting import MeetingKind, Mode, Status, VoteError
from storage import ballot_chain, ballots, paper, proxies
from storage.ballots import MeetingElector
from storage.electorates import claim_household
from storage.meetings import FROZEN_ITEMS, ItemView, Meeting, MeetingView, WrongStatus, _meeting, _view
from storage.residents import Resident
from storage.unit import Unit


class NotEligible(VoteError):
    key = "voting.err.not_on_register"


@dataclass(frozen=True, slots=True)
class MyVote:
    meeting: MeetingView
    voted: int  # items voted on
    eligible: bool


@dataclass(frozen=True, slots=True)
class BallotView:
    meeting: MeetingView
    item: ItemView
    elector_id: int
    marks: int  # the standing ballot (open items), 0 if none
    final: bool  # a secret ballot already confirmed: nothing more to do
    voted: frozenset[int]  # items of the meeting the elector has voted on
    principal: int | None = None  # a proxy's ballot: the grantor (resident id) whose vote it is
    principal_name: str = ""


async def my_votes(unit: Unit, community_id: int, resident_id: int) -> list[MyVote]:
    """Open meetings (with how many items I voted on), then those in discussion, then the latest results."""
    session = unit.session
    statement = (select(Meeting).where(Meeting.community_id == community_id,
                                       col(Meeting.status).in_([Status.OPEN.value, Status.DISCUSSION.value,
                                                                Status.PUBLISHED.value]))
                 .order_by(col(Meeting.id).desc()).limit(30))
    found = list((await session.exec(statement)).all())
    order = {Status.OPEN.value: 0, Status.DISCUSSION.value: 1, Status.PUBLISHED.value: 2}
    found.sort(key=lambda m: (order[m.status], -(m.id or 0)))
    mine: list[MyVote] = []
    for meeting in found[:12]:
        view = await _view(session, meeting)
        voted, eligible = 0, False
        if view.status is Status.OPEN:
            elector = await ballots.elector_of(session, view.id, view.round, resident_id)
            eligible = elector is not None
            if elector is not None:
                voted = len(await ballots.voted_items(session, [i.id for i in view.items], view.round,
                                                      elector.id or 0))
        mine.append(MyVote(view, voted, eligible))
    return mine


async def _resident(unit: Unit, resident_id: int) -> Resident:
    resident = await unit.session.get(Resident, resident_id)
    if resident is None or not resident.verified:
        raise NotVerified()
    return resident


async def why_not(unit: Unit, meeting: MeetingView, resident: Resident) -> VoteError:
    """The one reason that fits best why ``resident`` is not on the round's register."""
    mode = meeting.mode
    if mode in (Mode.ADULTS, Mode.HOUSEHOLDS, Mode.GROUPS) and not resident.is_adult:
        return NotEligible("voting.err.not_adult")
    if mode is Mode.OWNERS:
        return NotEligible("voting.err.not_owner")
    if mode in (Mode.GROUPS, Mode.REPRESENTATIVES):
        return NotEligible("voting.err.not_representative")
    if mode is Mode.HOUSEHOLDS and resident.household_id is None:
        return NotEligible("voting.err.no_household")
    return NotEligible("voting.err.not_on_register")


async def _elector(unit: Unit, meeting: MeetingView, resident_id: int, principal: int | None = None,
                   now: datetime | None = None) -> MeetingElector:
    """The register entry ``resident_id`` casts in this round, or, for a proxy, ``principal``'s. Someone not on the
    register is told why (their resident row is read only then); someone who gave a proxy is told who holds it; an
    entry ticked off on paper cannot vote online.

    A household's vote (one rule with ``/household``): its designated representative when voting opened holds it
    for the round (frozen with the register); if none was set, the first adult who opens the ballot claims the
    household's vote for good (``storage.electorates.claim_household``: one row per household decides a race, and
    ``/household`` shows it) and holds it for the round. Every other adult is told who holds it."""
    session = unit.session
    if principal is not None:
        if not await proxies.holds(session, meeting.id, principal, resident_id):
            raise StaleButton()
        acting = principal
    else:
        holder = await proxies.holder_of(session, meeting.id, resident_id)
        if holder is not None:
            raise NotEligible("trust.err.proxy_given", name=holder)
        acting = resident_id
    elector = await ballots.elector_of(session, meeting.id, meeting.round, acting)
    if elector is None:
        raise await why_not(unit, meeting, await _resident(unit, acting))
    if meeting.mode is Mode.HOUSEHOLDS:
        holder_id = elector.holder_id
        if holder_id is None:
            holder_id = acting
            if elector.household_id is not None:
                holder_id = await claim_household(session, elector.household_id, acting, now or datetime.now(UTC))
                if holder_id != acting and not await ballots.is_caster(session, elector, holder_id):
                    holder_id = acting  # set after voting opened, not on this round's register: the claimant
            holder_id = await ballots.claim_holder(session, elector, holder_id)
        if holder_id != acting:
            other = await session.get(Resident, holder_id)
            raise NotEligible("voting.err.household_held", name=other.display_name if other else "—")
    if await paper.on_paper(session, meeting.id, meeting.round, elector.id or 0):
        raise NotEligible("trust.err.on_paper")
    return elector


async def _principal_name(unit: Unit, principal: int | None) -> str:
    if principal is None:
        return ""
    found = await unit.session.get(Resident, principal)
    return found.display_name if found else "—"


async def _current(unit: Unit, community_id: int, meeting_id: int, *, lock: bool = False) -> MeetingView:
    """The meeting as it is now: its row is read every time (``lock``: and locked, for a writer of its record);
    its items, which cannot change while a round is open (amendments are decided in discussion, between rounds),
    are read once per round and process."""
    meeting = await _meeting(unit.session, community_id, meeting_id, lock=lock)
    items = FROZEN_ITEMS.get((meeting_id, meeting.round)) if meeting.status == Status.OPEN.value else None
    if items is None:
        view = await _view(unit.session, meeting)
        if view.status is Status.OPEN and not any(i.write_in for i in view.items):  # write-ins add options
            if len(FROZEN_ITEMS) >= 64:
                FROZEN_ITEMS.pop(next(iter(FROZEN_ITEMS)))
            FROZEN_ITEMS[(meeting_id, meeting.round)] = view.items
        return view
    return replace(await _view_head(meeting), items=items)


async def _view_head(meeting: Meeting) -> MeetingView:
    return MeetingView(id=meeting.id or 0, community_id=meeting.community_id, kind=MeetingKind(meeting.kind),
                       mode=Mode(meeting.mode), title=meeting.title, status=Status(meeting.status),
                       round=meeting.round, rules=meeting.rules, opens_at=meeting.opens_at,
                       closes_at=meeting.closes_at, postpone_reason=meeting.postpone_reason, items=(),
                       void_rounds=meeting.round - 1)


def _require_open(meeting: MeetingView, round_no: int | None = None) -> None:
    if round_no is not None and round_no != meeting.round:
        raise VoteError("voting.err.void_round")
    if meeting.status in (Status.DRAFT, Status.DISCUSSION):
        raise VoteError("voting.err.not_open", title=meeting.title)
    if meeting.status is not Status.OPEN:
        raise VoteError("voting.err.closed", title=meeting.title)


async def ballot(unit: Unit, *, community_id: int, meeting_id: int, item_id: int | None, resident_id: int,
                 round_no: int | None = None, principal: int | None = None, now: datetime | None = None
                 ) -> BallotView:
    """The ballot of one item (None: the first not voted on yet) for ``resident_id`` (or, as their proxy, for
    ``principal``); refused with the reason if they may not vote, politely if voting is not open."""
    view = await _current(unit, community_id, meeting_id)
    _require_open(view, round_no)
    elector = await _elector(unit, view, resident_id, principal, now)
    voted = frozenset(await ballots.voted_items(unit.session, [i.id for i in view.items], view.round,
                                                elector.id or 0))
    first = next((i for i in view.items if i.id not in voted), view.items[0])
    item = first if item_id is None else view.item(item_id)
    marks = 0
    if not item.secret and item.id in voted:
        marks = await ballots.standing_marks(unit.session, item.id, view.round, elector.id or 0) or 0
    return BallotView(view, item, elector.id or 0, marks, item.secret and item.id in voted, voted, principal,
                      await _principal_name(unit, principal))


@dataclass(frozen=True, slots=True)
class Cast:
    ballot: BallotView
    new: bool  # False: an open ballot was changed
    receipt: str | None = None  # the ballot's receipt, shown to the voter once (a new ballot only)
    already: bool = False  # a secret ballot had been confirmed before: nothing changed


async def cast(unit: Unit, *, community_id: int, meeting_id: int, item_id: int, round_no: int, resident_id: int,
               marks: int, now: datetime, principal: int | None = None) -> Cast:
    """Cast (or change, for an open item) a ballot — ``resident_id``'s own, or as proxy ``principal``'s. Stale
    marks (an option that is not there, more than k) are a stale button; a secret ballot is final once confirmed (a
    second confirmation changes nothing). Every new ballot gets a receipt; a changed open ballot keeps its own."""
    session = unit.session
    view = await _current(unit, community_id, meeting_id, lock=True)
    _require_open(view, round_no)
    item = view.item(item_id)
    try:
        rules.check_marks(marks, len(item.options), item.max_marks)
    except VoteError as exc:
        raise StaleButton() from exc
    elector = await _elector(unit, view, resident_id, principal, now)
    channel = (Channel.PROXY if principal is not None else Channel.ONLINE).value
    name = await _principal_name(unit, principal)
    if item.secret:
        receipt = await ballots.cast_secret(session, view.id, item.id, view.round, elector, marks, channel)
        voted = frozenset(await ballots.voted_items(session, [i.id for i in view.items], view.round, elector.id or 0))
        shown = BallotView(view, item, elector.id or 0, 0, True, voted, principal, name)
        return Cast(shown, receipt is not None, receipt, already=receipt is None)
    done = await ballots.cast_open(session, view.id, item.id, view.round, elector, resident_id, marks, now, channel)
    await ballot_chain.append(session, view.id, [ballot_chain.ballot_body(
        "cast" if done.new else "changed", item, view.round, done.receipt, marks, channel)])
    voted = frozenset(await ballots.voted_items(session, [i.id for i in view.items], view.round, elector.id or 0))
    return Cast(BallotView(view, item, elector.id or 0, marks, False, voted, principal, name), done.new,
                done.receipt if done.new else None)


async def amendable(unit: Unit, *, community_id: int, item_id: int) -> tuple[MeetingView, ItemView]:
    """The item a resident is about to amend (the meeting must be in discussion)."""
    from storage.meetings import _item

    item, meeting = await _item(unit.session, community_id, item_id)
    view = await _view(unit.session, meeting)
    if view.status is not Status.DISCUSSION:
        raise VoteError("voting.err.not_discussion")
    return view, view.item(item.id or 0)


__all__ = ["BallotView", "Cast", "MeetingKind", "MyVote", "NotEligible", "WrongStatus", "amendable", "ballot",
           "cast", "my_votes"]
