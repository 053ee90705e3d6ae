"""Paper ballots at a hybrid meeting: scrutineers (监票人), the hall's register, and the box.

In the hall a voter is ticked off the register and hands in a paper ballot. The committee enters it in the bot and
a scrutineer named for the meeting confirms each entry (never their own):

* a **voter entry** names the voter (by name and/or home address, resolved on the round's frozen register) and
  gives their choices on the open (记名) items: once confirmed, those are ballots by voter (channel ``paper``) and
  the voter is ticked off every secret item — participation only;
* a **box entry** is the content of one secret item's paper ballot, with no voter: accepted only after the hall's
  register is closed for the round (so no entry order or time can match a box entry to a tick), and never more than
  the voters ticked off on paper. Once confirmed it waits in the box with the online contents and is sealed with them.

A choice is an option's number (``1``, ``1+3`` for several) or ``x`` (作废: an invalid ballot — more marks than
allowed, unreadable), which counts as cast but for no option.

Refused, and recorded (the entry is kept as refused, and in the audit log): a voter who already voted (online or by
proxy) entered on paper, a voter entered on paper twice. A voter on paper cannot vote online afterwards
(storage.voting asks :func:`on_paper`). Every check runs with the meeting row locked; the paper register's key
(meeting, round, elector) backs the "once" rule.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Text, UniqueConstraint, func, update
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.bulletin import Channel
from core.errors import NotFound
from core.text import clean_line
from core.voting import Status, VoteError, bits
from storage import audit, ballot_chain, ballots
from storage.ballots import MeetingCaster, MeetingElector
from storage.community import find_household
from storage.electorates import Owner
from storage.meetings import ItemView, Meeting, MeetingItem, MeetingRound, MeetingView, _meeting, _view
from storage.residents import Resident
from storage.unit import Unit

INVALID_WORDS = {"x", "作废", "废", "invalid", "void"}
ADDRESS = re.compile(r"^([^\s-]+)-([^\s-]+)-([^\s-]+)$")


class Scrutineer(SQLModel, table=True):
    """A scrutineer (监票人) named for a meeting: confirms paper entries made by others."""

    __tablename__ = "meeting_scrutineer"
    __table_args__ = (UniqueConstraint("meeting_id", "resident_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    resident_id: int = Field(foreign_key="resident.id")
    named_at: datetime


class PaperVoter(SQLModel, table=True):
    """A register entry ticked off in the hall (confirmed): its key is its only identity (no row id, no time)."""

    __tablename__ = "paper_voter"
    __table_args__ = ({"sqlite_with_rowid": False},)

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    round: int = Field(primary_key=True)
    elector_id: int = Field(foreign_key="meeting_elector.id", primary_key=True)


class PaperEntry(SQLModel, table=True):
    """One paper ballot as entered: pending until a scrutineer confirms (or refuses) it; refused ones are kept."""

    __tablename__ = "paper_entry"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    round: int
    kind: str = Field(max_length=6)  # voter | box
    elector_id: int | None = Field(default=None, foreign_key="meeting_elector.id")  # voter entries only
    item_id: int | None = Field(default=None, foreign_key="meeting_item.id")  # box entries only
    marks_json: str = Field(sa_column=Column(Text, nullable=False))  # {item id: marks} (0: invalid)
    status: str = Field(default="pending", max_length=10)  # pending | confirmed | refused
    note: str | None = Field(default=None, max_length=40)  # why it was refused (a catalog key's tail)
    receipts_json: str | None = Field(default=None, sa_column=Column(Text))  # confirmed: {item id: receipt}
    entered_by: int = Field(foreign_key="resident.id")
    confirmed_by: int | None = Field(default=None, foreign_key="resident.id")
    created_at: datetime
    decided_at: datetime | None = None


class PaperError(VoteError):
    key = "trust.err.paper"


# ---- read models -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntryView:
    id: int
    meeting_id: int
    meeting_title: str
    kind: str
    voter: str  # voter entries: who (name / address); "" for box entries
    choices: tuple[tuple[ItemView, int], ...]  # (item, marks); marks 0 = invalid
    status: str
    note: str | None
    entered_by: int
    receipts: tuple[tuple[int, str], ...] = ()  # confirmed: (item position + 1, receipt)


@dataclass(frozen=True, slots=True)
class Desk:
    meeting: MeetingView
    scrutineers: tuple[str, ...]
    pending: int
    voters: int  # ticked off on paper (confirmed voter entries)
    box: tuple[tuple[ItemView, int], ...]  # secret items: box entries confirmed
    register_closed: bool
    refused: int


# ---- helpers ---------------------------------------------------------------------------------------------------


async def on_paper(session: AsyncSession, meeting_id: int, round_no: int, elector_id: int) -> bool:
    statement = select(PaperVoter.elector_id).where(PaperVoter.meeting_id == meeting_id, PaperVoter.round == round_no,
                                                    PaperVoter.elector_id == elector_id)
    return (await session.exec(statement)).first() is not None


async def has_voted(session: AsyncSession, meeting_id: int, round_no: int, elector_id: int) -> bool:
    """Whether the register entry has any ballot in the round: online, by proxy or on paper (never what)."""
    if await on_paper(session, meeting_id, round_no, elector_id):
        return True
    item_ids = [int(i or 0) for i in (await session.exec(select(MeetingItem.id).where(
        MeetingItem.meeting_id == meeting_id))).all()]
    return bool(await ballots.voted_items(session, item_ids, round_no, elector_id))


def parse_choice(token: str, item: ItemView) -> int:
    """``2`` / ``1+3`` / ``x`` → marks on ``item`` (0 = invalid); refused if it names no option or too many."""
    word = token.strip().lower()
    if word in INVALID_WORDS:
        return 0
    parts = [p for p in re.split(r"[+、/,，]", word) if p]
    if not parts or any(not p.isdigit() or not 1 <= int(p) <= len(item.options) for p in parts):
        raise PaperError("trust.err.choice", token=token[:20], count=len(item.options),
                         position=item.position + 1)
    marks = 0
    for p in parts:
        marks |= 1 << (int(p) - 1)
    if len(bits(marks)) != len(parts):
        raise PaperError("trust.err.choice", token=token[:20], count=len(item.options), position=item.position + 1)
    if len(parts) > item.max_marks:
        raise PaperError("trust.err.too_many_marks", k=item.max_marks, position=item.position + 1)
    return marks


async def resolve_voter(session: AsyncSession, community_id: int, meeting_id: int, round_no: int,
                        text: str) -> MeetingElector:
    """The round's register entry named by ``张三``, ``1-2-301`` or ``1-2-301 张三``: a caster's (or an owner's)
    name, the home's address, or both; refused if nobody on the register or several match."""
    words = clean_line(text).split()
    address = ADDRESS.match(words[0]) if words else None
    name = " ".join(words[1:] if address else words)
    found: set[int] | None = None
    if name:
        by_caster = select(MeetingCaster.elector_id).join(Resident, col(Resident.id) == MeetingCaster.resident_id) \
            .where(MeetingCaster.meeting_id == meeting_id, MeetingCaster.round == round_no,
                   Resident.display_name == name)
        found = {int(e) for e in (await session.exec(by_caster)).all()}
        owner_ids = {int(i or 0) for i in (await session.exec(select(Owner.id).where(
            Owner.community_id == community_id, Owner.name == name))).all()}
        if owner_ids:
            keys = (await session.exec(select(MeetingElector.id, MeetingElector.key).where(
                MeetingElector.meeting_id == meeting_id, MeetingElector.round == round_no,
                col(MeetingElector.key).startswith("o:")))).all()
            found |= {int(i or 0) for i, key in keys if owner_ids & {int(p) for p in key[2:].split("+")}}
    if address:
        household = await find_household(session, community_id, *address.groups())
        at: set[int] = set()
        if household is not None:
            at = {int(i or 0) for i in (await session.exec(select(MeetingElector.id).where(
                MeetingElector.meeting_id == meeting_id, MeetingElector.round == round_no,
                MeetingElector.household_id == household.id))).all()}
            at |= {int(e) for e in (await session.exec(
                select(MeetingCaster.elector_id).join(Resident, col(Resident.id) == MeetingCaster.resident_id)
                .where(MeetingCaster.meeting_id == meeting_id, MeetingCaster.round == round_no,
                       Resident.household_id == household.id))).all()}
        found = at if found is None else found & at
    if not found:
        raise PaperError("trust.err.not_on_register", text=clean_line(text)[:40])
    if len(found) > 1:
        raise PaperError("trust.err.several", text=clean_line(text)[:40])
    elector = await session.get(MeetingElector, found.pop())
    assert elector is not None
    return elector


async def voter_label(session: AsyncSession, elector_id: int | None) -> str:
    """Who a voter entry names, for the scrutineer: the home's address and the names of who may cast it."""
    if elector_id is None:
        return ""
    from storage.proxies import address_of

    elector = await session.get(MeetingElector, elector_id)
    if elector is None:
        return ""
    names = (await session.exec(select(Resident.display_name).join(
        MeetingCaster, col(MeetingCaster.resident_id) == Resident.id).where(MeetingCaster.elector_id == elector_id)
        .order_by(col(Resident.id)).limit(3))).all()
    if not names and elector.key.startswith("o:"):
        owner_ids = [int(p) for p in elector.key[2:].split("+")]
        names = (await session.exec(select(Owner.name).where(col(Owner.id).in_(owner_ids)))).all()
    address = await address_of(session, elector.household_id)
    return " ".join(part for part in (address, "、".join(names)) if part)


async def _open_meeting(session: AsyncSession, community_id: int, meeting_id: int) -> tuple[Meeting, MeetingView]:
    meeting = await _meeting(session, community_id, meeting_id, lock=True)  # the record's writers queue here
    if meeting.status != Status.OPEN.value:
        raise PaperError("trust.err.paper_not_open")
    return meeting, await _view(session, meeting)


async def _round(session: AsyncSession, meeting_id: int, round_no: int) -> MeetingRound:
    return (await session.exec(select(MeetingRound).where(MeetingRound.meeting_id == meeting_id,
                                                          MeetingRound.number == round_no))).one()


async def _scrutineers(session: AsyncSession, meeting_id: int) -> list[tuple[int, str]]:
    statement = (select(Resident.id, Resident.display_name).join(Scrutineer, col(Scrutineer.resident_id) == Resident.id)
                 .where(Scrutineer.meeting_id == meeting_id).order_by(col(Scrutineer.id)))
    return [(int(i or 0), n) for i, n in (await session.exec(statement)).all()]


def _marks(entry: PaperEntry) -> dict[int, int]:
    return {int(k): int(v) for k, v in json.loads(entry.marks_json).items()}


async def _entry_view(session: AsyncSession, entry: PaperEntry, view: MeetingView) -> EntryView:
    marks = _marks(entry)
    receipts = json.loads(entry.receipts_json) if entry.receipts_json else {}
    return EntryView(entry.id or 0, entry.meeting_id, view.title, entry.kind,
                     await voter_label(session, entry.elector_id),
                     tuple((item, marks[item.id]) for item in view.items if item.id in marks),
                     entry.status, entry.note, entry.entered_by,
                     tuple((item.position + 1, receipts[str(item.id)]) for item in view.items
                           if str(item.id) in receipts))


async def _refuse(session: AsyncSession, entry: PaperEntry, note: str, community_id: int, actor: int | None,
                  now: datetime, detail: dict[str, Any]) -> None:
    entry.status, entry.note, entry.decided_at = "refused", note, now
    session.add(entry)
    await session.flush()
    await audit.record(session, community_id=community_id, actor=actor, action="paper.refused",
                       subject=f"meeting:{entry.meeting_id}", now=now, entry=entry.id, reason=note, **detail)


# ---- the committee ---------------------------------------------------------------------------------------------


async def name_scrutineer(unit: Unit, *, community_id: int, meeting_id: int, who: str, actor: int | None,
                          now: datetime) -> str:
    """Name a scrutineer for the meeting (a verified resident, by name and/or address); returns their name."""
    from storage.proxies import one_resident

    session = unit.session
    meeting = await _meeting(session, community_id, meeting_id)
    if meeting.status in (Status.CLOSED.value, Status.PUBLISHED.value):
        raise PaperError("trust.err.paper_not_open")
    person = await one_resident(session, community_id, who)
    statement = (ballots._insert(session)(Scrutineer).values(meeting_id=meeting_id, resident_id=person.id,
                                                             named_at=now).on_conflict_do_nothing())
    if (await session.exec(statement)).rowcount == 1:  # type: ignore[call-overload]
        await audit.record(session, community_id=community_id, actor=actor, action="paper.scrutineer",
                           subject=f"meeting:{meeting_id}", now=now, resident=person.id)
    return person.display_name


async def desk(unit: Unit, community_id: int, meeting_id: int) -> Desk:
    session = unit.session
    meeting = await _meeting(session, community_id, meeting_id)
    view = await _view(session, meeting)
    counts = dict((await session.exec(select(PaperEntry.status, func.count()).where(
        PaperEntry.meeting_id == meeting_id, PaperEntry.round == meeting.round)
        .group_by(col(PaperEntry.status)))).all())
    voters = int((await session.exec(select(func.count()).select_from(PaperVoter).where(
        PaperVoter.meeting_id == meeting_id, PaperVoter.round == meeting.round))).one())
    box = dict((await session.exec(select(PaperEntry.item_id, func.count()).where(
        PaperEntry.meeting_id == meeting_id, PaperEntry.round == meeting.round, PaperEntry.kind == "box",
        PaperEntry.status == "confirmed").group_by(col(PaperEntry.item_id)))).all())
    round_row = (await session.exec(select(MeetingRound).where(MeetingRound.meeting_id == meeting_id,
                                                               MeetingRound.number == meeting.round))).first()
    return Desk(view, tuple(name for _, name in await _scrutineers(session, meeting_id)), int(counts.get("pending", 0)),
                voters, tuple((item, int(box.get(item.id, 0))) for item in view.items if item.secret),
                bool(round_row and round_row.paper_closed_at), int(counts.get("refused", 0)))


async def enter_voter(unit: Unit, *, community_id: int, meeting_id: int, text: str, entered_by: int,
                      actor: int | None, now: datetime) -> EntryView:
    """A voter's paper ballot: ``<voter> <choice on open item 1> <choice on open item 2> …`` (see the module).
    A voter who already voted, or is already entered, is refused and the refusal kept (status ``refused``)."""
    session = unit.session
    meeting, view = await _open_meeting(session, community_id, meeting_id)
    if (await _round(session, meeting_id, meeting.round)).paper_closed_at is not None:
        raise PaperError("trust.err.register_closed")
    open_items = [item for item in view.items if not item.secret]
    words = clean_line(text).split()
    if len(words) <= len(open_items):
        raise PaperError("trust.err.voter_line", count=len(open_items))
    tokens = words[len(words) - len(open_items):] if open_items else []
    marks = {item.id: parse_choice(token, item) for item, token in zip(open_items, tokens, strict=True)}
    elector = await resolve_voter(session, community_id, meeting_id, meeting.round,
                                  " ".join(words[:len(words) - len(open_items)]))
    entry = PaperEntry(meeting_id=meeting_id, round=meeting.round, kind="voter", elector_id=elector.id,
                       marks_json=json.dumps({str(k): v for k, v in marks.items()}), entered_by=entered_by,
                       created_at=now)
    session.add(entry)
    await session.flush()
    twice = (await session.exec(select(PaperEntry.id).where(
        PaperEntry.meeting_id == meeting_id, PaperEntry.round == meeting.round, PaperEntry.elector_id == elector.id,
        col(PaperEntry.status).in_(["pending", "confirmed"]), col(PaperEntry.id) != entry.id))).first()
    if twice is not None:
        await _refuse(session, entry, "paper_twice", community_id, actor, now, {"elector": elector.key})
    elif await has_voted(session, meeting_id, meeting.round, elector.id or 0):
        await _refuse(session, entry, "voted_online", community_id, actor, now, {"elector": elector.key})
    else:
        await audit.record(session, community_id=community_id, actor=actor, action="paper.entered",
                           subject=f"meeting:{meeting_id}", now=now, entry=entry.id, kind="voter")
    return await _entry_view(session, entry, view)


async def close_register(unit: Unit, *, community_id: int, meeting_id: int, actor: int | None, now: datetime) -> int:
    """Close the hall's register for the round: no more voter entries; the box may be entered. Returns how many
    voters were ticked off on paper. Refused while voter entries wait for confirmation."""
    session = unit.session
    meeting, _ = await _open_meeting(session, community_id, meeting_id)
    waiting = (await session.exec(select(PaperEntry.id).where(
        PaperEntry.meeting_id == meeting_id, PaperEntry.round == meeting.round, PaperEntry.kind == "voter",
        PaperEntry.status == "pending"))).first()
    if waiting is not None:
        raise PaperError("trust.err.voters_pending")
    closed = await session.exec(update(MeetingRound)  # type: ignore[call-overload]
                                .where(col(MeetingRound.meeting_id) == meeting_id,
                                       col(MeetingRound.number) == meeting.round,
                                       col(MeetingRound.paper_closed_at).is_(None))
                                .values(paper_closed_at=now).execution_options(synchronize_session=False))
    if closed.rowcount != 1:
        raise PaperError("trust.err.register_closed")
    voters = int((await session.exec(select(func.count()).select_from(PaperVoter).where(
        PaperVoter.meeting_id == meeting_id, PaperVoter.round == meeting.round))).one())
    await audit.record(session, community_id=community_id, actor=actor, action="paper.register_closed",
                       subject=f"meeting:{meeting_id}", now=now, round=meeting.round, voters=voters)
    return voters


async def enter_box(unit: Unit, *, community_id: int, meeting_id: int, item_id: int, text: str, entered_by: int,
                    actor: int | None, now: datetime) -> EntryView:
    """One secret item's paper ballot from the box (no voter): ``2`` / ``1+3`` / ``x``."""
    session = unit.session
    meeting, view = await _open_meeting(session, community_id, meeting_id)
    item = view.item(item_id)
    if not item.secret:
        raise PaperError("trust.err.box_open_item")
    if (await _round(session, meeting_id, meeting.round)).paper_closed_at is None:
        raise PaperError("trust.err.register_open")
    marks = parse_choice(clean_line(text), item)
    entry = PaperEntry(meeting_id=meeting_id, round=meeting.round, kind="box", item_id=item.id,
                       marks_json=json.dumps({str(item.id): marks}), entered_by=entered_by, created_at=now)
    session.add(entry)
    await session.flush()
    await _check_box_room(session, meeting_id, meeting.round, item.id, entry.id or 0)
    await audit.record(session, community_id=community_id, actor=actor, action="paper.entered",
                       subject=f"meeting:{meeting_id}", now=now, entry=entry.id, kind="box")
    return await _entry_view(session, entry, view)


async def _check_box_room(session: AsyncSession, meeting_id: int, round_no: int, item_id: int, entry_id: int) -> None:
    """Never more box entries of an item (pending or confirmed) than voters ticked off on paper."""
    voters = int((await session.exec(select(func.count()).select_from(PaperVoter).where(
        PaperVoter.meeting_id == meeting_id, PaperVoter.round == round_no))).one())
    entries = int((await session.exec(select(func.count()).select_from(PaperEntry).where(
        PaperEntry.meeting_id == meeting_id, PaperEntry.round == round_no, PaperEntry.item_id == item_id,
        PaperEntry.kind == "box", col(PaperEntry.status).in_(["pending", "confirmed"]),
        col(PaperEntry.id) <= entry_id))).one())
    if entries > voters:
        raise PaperError("trust.err.box_full", voters=voters)


# ---- the scrutineer --------------------------------------------------------------------------------------------


async def waiting(unit: Unit, community_id: int, resident_id: int, limit: int = 8) -> tuple[list[EntryView], int]:
    """Entries waiting for ``resident_id`` to confirm (meetings they scrutinise, entered by someone else), oldest
    first, and how many wait in all."""
    session = unit.session
    base = (select(PaperEntry).join(Scrutineer, col(Scrutineer.meeting_id) == PaperEntry.meeting_id)
            .join(Meeting, col(Meeting.id) == PaperEntry.meeting_id)
            .where(Scrutineer.resident_id == resident_id, Meeting.community_id == community_id,
                   PaperEntry.status == "pending", PaperEntry.entered_by != resident_id))
    total = int((await session.exec(select(func.count()).select_from(base.subquery()))).one())
    rows = list((await session.exec(base.order_by(col(PaperEntry.id)).limit(limit))).all())
    views: dict[int, MeetingView] = {}
    found = []
    for entry in rows:
        if entry.meeting_id not in views:
            views[entry.meeting_id] = await _view(session, await _meeting(session, community_id, entry.meeting_id))
        found.append(await _entry_view(session, entry, views[entry.meeting_id]))
    return found, total


async def is_scrutineer(unit: Unit, community_id: int, resident_id: int) -> bool:
    statement = (select(Scrutineer.id).join(Meeting, col(Meeting.id) == Scrutineer.meeting_id)
                 .where(Scrutineer.resident_id == resident_id, Meeting.community_id == community_id))
    return (await unit.session.exec(statement)).first() is not None


async def decide(unit: Unit, *, community_id: int, entry_id: int, resident_id: int, confirm: bool,
                 actor: int | None, now: datetime) -> EntryView:
    """A scrutineer confirms (the ballot is recorded) or refuses an entry. Not their own; decided once. A voter
    who voted meanwhile is refused and the refusal kept."""
    session = unit.session
    entry = await session.get(PaperEntry, entry_id)
    if entry is None:
        raise NotFound()
    meeting = await _meeting(session, community_id, entry.meeting_id, lock=True)
    await session.refresh(entry)
    if resident_id not in {rid for rid, _ in await _scrutineers(session, entry.meeting_id)}:
        raise PaperError("trust.err.not_scrutineer")
    if entry.entered_by == resident_id:
        raise PaperError("trust.err.own_entry")
    if entry.status != "pending":
        raise PaperError("trust.err.decided")
    view = await _view(session, meeting)
    if meeting.status != Status.OPEN.value or entry.round != meeting.round:
        raise PaperError("trust.err.paper_not_open")
    if not confirm:
        await _refuse(session, entry, "scrutineer", community_id, actor, now, {})
        return await _entry_view(session, entry, view)
    marks = _marks(entry)
    receipts: dict[str, str] = {}
    if entry.kind == "voter":
        elector = await session.get(MeetingElector, entry.elector_id)
        assert elector is not None
        if await has_voted(session, meeting.id or 0, meeting.round, elector.id or 0):
            await _refuse(session, entry, "voted_online", community_id, actor, now, {"elector": elector.key})
            return await _entry_view(session, entry, view)
        ticked = await session.exec(ballots._insert(session)(PaperVoter)  # type: ignore[call-overload]
                                    .values(meeting_id=meeting.id, round=meeting.round, elector_id=elector.id)
                                    .on_conflict_do_nothing())
        if ticked.rowcount != 1:  # pragma: no cover - has_voted saw the tick under the same lock
            raise PaperError("trust.err.decided")
        bodies = []
        for item in view.items:
            if item.secret:
                await ballots.take_part(session, item.id, meeting.round, elector)
                continue
            cast = await ballots.cast_open(session, meeting.id or 0, item.id, meeting.round, elector,
                                           entry.entered_by, marks.get(item.id, 0), now, Channel.PAPER.value)
            receipts[str(item.id)] = cast.receipt
            bodies.append(ballot_chain.ballot_body("cast", item, meeting.round, cast.receipt, marks.get(item.id, 0),
                                                   Channel.PAPER.value))
        await ballot_chain.append(session, meeting.id or 0, bodies)
    else:
        item = view.item(entry.item_id or 0)
        await _check_box_room(session, meeting.id or 0, meeting.round, item.id, entry.id or 0)
        receipts[str(item.id)] = await ballots.drop_in_box(session, meeting.id or 0, item.id, meeting.round,
                                                           marks[item.id], Channel.PAPER.value)
    claimed = await session.exec(update(PaperEntry)  # type: ignore[call-overload]
                                 .where(col(PaperEntry.id) == entry_id, col(PaperEntry.status) == "pending")
                                 .values(status="confirmed", confirmed_by=resident_id, decided_at=now,
                                         receipts_json=json.dumps(receipts))
                                 .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # pragma: no cover - the meeting lock serialises deciders
        raise PaperError("trust.err.decided")
    await session.refresh(entry)
    await audit.record(session, community_id=community_id, actor=actor, action="paper.confirmed",
                       subject=f"meeting:{meeting.id}", now=now, entry=entry.id, kind=entry.kind)
    return await _entry_view(session, entry, view)


async def scrutineer_ids(unit: Unit, meeting_id: int) -> list[int]:
    return [rid for rid, _ in await _scrutineers(unit.session, meeting_id)]


__all__ = ["Desk", "EntryView", "PaperEntry", "PaperError", "PaperVoter", "Scrutineer", "close_register", "decide",
           "desk", "enter_box", "enter_voter", "has_voted", "is_scrutineer", "name_scrutineer", "on_paper",
           "parse_choice", "resolve_voter", "waiting"]
