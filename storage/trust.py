"""Trust in the count: the bulletin, receipt look-ups, sealing secret contents on a clock, and ``linli verify``.

The bulletin of a published meeting is derived from its ballot record alone (core.bulletin.replay over the chain's
events): per item, every counted ballot as receipt + choice (+ channel; + the household's address for open items when
the community's setting says so), sorted by receipt. Anyone can recompute the result by counting its rows per option.

:func:`verify` recomputes the chain (core.chain.verify against the published head), replays it, and compares the
result three ways: with the ballot tables (by receipt), with the stored result (per item and option), and, given an
exported bulletin (CSV or JSON), with that file (by receipt, and its own tally against the stored result).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import col, select

from core import bulletin as bulletins
from core import chain, receipts
from core.bulletin import Entry, Mismatch
from core.voting import ItemResult, Status, VoteError
from storage import ballot_chain, proxies
from storage.ballots import MeetingElector, OpenBallot, SecretBallot
from storage.meetings import (
    ItemView,
    Meeting,
    MeetingResult,
    MeetingRound,
    MeetingView,
    _meeting,
    _view,
    result_from_json,
)
from storage.unit import Unit

# ---- the bulletin ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bulletin:
    meeting: MeetingView
    head: str | None  # as published with the result
    entries: tuple[Entry, ...]

    def csv(self) -> bytes:
        return bulletins.to_csv(self.entries)

    def json(self) -> bytes:
        return bulletins.to_json(self.meeting.id, self.head or "", self.entries)


async def _record(unit: Unit, meeting_id: int) -> list[chain.Link]:
    """The meeting's events in sequence order (as stored; ``verify`` judges their storage order)."""
    return sorted(await ballot_chain.stored(unit.session, meeting_id), key=lambda link: link.seq)


async def _published(unit: Unit, community_id: int, meeting_id: int) -> tuple[Meeting, MeetingView]:
    meeting = await _meeting(unit.session, community_id, meeting_id)
    if meeting.status != Status.PUBLISHED.value:
        raise VoteError("trust.err.not_published", title=meeting.title)
    return meeting, await _view(unit.session, meeting)


async def _head(unit: Unit, meeting_id: int, round_no: int) -> str | None:
    statement = select(MeetingRound.chain_head).where(MeetingRound.meeting_id == meeting_id,
                                                      MeetingRound.number == round_no)
    return (await unit.session.exec(statement)).first()


async def bulletin(unit: Unit, community_id: int, meeting_id: int) -> Bulletin:
    """A published meeting's bulletin, replayed from its record."""
    meeting, view = await _published(unit, community_id, meeting_id)
    entries = bulletins.replay(link.body for link in await _record(unit, meeting_id))
    if (await proxies.settings(unit, community_id)).bulletin_households:
        entries = await _with_households(unit, view, entries)
    return Bulletin(view, await _head(unit, meeting_id, meeting.round), tuple(entries))


async def _with_households(unit: Unit, view: MeetingView, entries: list[Entry]) -> list[Entry]:
    """Open items' entries with their voter's household address (secret items: never)."""
    statement = (select(OpenBallot.receipt, MeetingElector.household_id)
                 .join(MeetingElector, col(MeetingElector.id) == OpenBallot.elector_id)
                 .where(OpenBallot.meeting_id == view.id, OpenBallot.round == view.round))
    homes = dict((await unit.session.exec(statement)).all())
    addresses: dict[int, str] = {}
    for household_id in {h for h in homes.values() if h is not None}:
        addresses[household_id] = await proxies.address_of(unit.session, household_id)
    secret = {item.position + 1 for item in view.items if item.secret}
    return [entry if entry.item in secret else Entry(entry.item, entry.receipt, entry.choice, entry.channel,
                                                     addresses.get(homes.get(entry.receipt) or 0, ""))
            for entry in entries]


# ---- receipts --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counted:
    """A receipt's ballot as counted: the item and the options it marks (positions; empty: invalid)."""

    item: ItemView
    positions: tuple[int, ...]
    channel: str


async def lookup(unit: Unit, community_id: int, meeting_id: int, typed: str) -> Counted | None:
    """The ballot behind a receipt in a published meeting, as counted; None for anything else (a typo, an unknown
    receipt, another meeting's: the same answer)."""
    _, view = await _published(unit, community_id, meeting_id)
    code = receipts.parse(typed)
    if code is None:
        return None
    for entry in bulletins.replay(link.body for link in await _record(unit, meeting_id)):
        if entry.receipt == code:
            item = next(i for i in view.items if i.position + 1 == entry.item)
            names = {ballot_chain.option_choice(item, o.position): o.position for o in item.options}
            return Counted(item, tuple(names[c] for c in entry.choice if c in names), entry.channel)
    return None


# ---- proxies as a resident sees them ---------------------------------------------------------------------------


async def proxies_held(unit: Unit, community_id: int, resident_id: int) -> list[tuple[MeetingView, int, str]]:
    """Open meetings where ``resident_id`` holds written proxies: (meeting, grantor id, grantor's name)."""
    statement = (select(Meeting).join(proxies.MeetingProxy, col(proxies.MeetingProxy.meeting_id) == Meeting.id)
                 .where(Meeting.community_id == community_id, Meeting.status == Status.OPEN.value,
                        proxies.MeetingProxy.proxy_id == resident_id).distinct())
    found = []
    for meeting in (await unit.session.exec(statement)).all():
        view = await _view(unit.session, meeting)
        for held in await proxies.proxies(unit, community_id, view.id, held_by=resident_id):
            found.append((view, held.grantor_id, held.grantor))
    return found


# ---- sealing on a clock ----------------------------------------------------------------------------------------


async def due_seals(unit: Unit) -> list[tuple[int, int]]:
    """(community, meeting) of open meetings with a batch of secret contents waiting to be sealed."""
    due = await ballot_chain.due_batches(unit.session)
    if not due:
        return []
    statement = select(Meeting.community_id, Meeting.id).where(col(Meeting.id).in_(due),
                                                               Meeting.status == Status.OPEN.value)
    return [(int(c), int(m or 0)) for c, m in (await unit.session.exec(statement)).all()]


async def seal_batches(unit: Unit, community_id: int, meeting_id: int) -> int:
    """Seal the items of an open meeting with a full batch waiting (a unit of work of its own); returns how many
    contents were sealed."""
    session = unit.session
    meeting = await _meeting(session, community_id, meeting_id, lock=True)
    if meeting.status != Status.OPEN.value:
        return 0  # closing seals the rest
    full = await ballot_chain.full_items(session, meeting_id)
    if not full:
        return 0
    return await ballot_chain.seal(session, meeting_id, (await _view(session, meeting)).items, full)


# ---- verify ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TallyMismatch:
    item: int  # position + 1
    what: str  # "cast", "invalid" or an option's name on the record
    recorded: int  # recomputed from the record (or the bulletin)
    stored: int  # in the stored result


@dataclass(frozen=True, slots=True)
class Report:
    meeting_id: int
    title: str
    status: str
    events: int
    head: str  # the last stored event's hash
    published_head: str | None
    chain: tuple[chain.Finding, ...]
    tables: tuple[Mismatch, ...]  # the ballot tables against the record, by receipt
    tally: tuple[TallyMismatch, ...]  # the stored result against the record's tally
    bulletin: tuple[Mismatch, ...] = ()  # an exported bulletin against the record, by receipt
    bulletin_tally: tuple[TallyMismatch, ...] = ()  # the bulletin's own tally against the stored result
    bulletin_head: str | None = None  # the head a JSON bulletin names
    counted: dict[int, bulletins.ItemTally] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not (self.chain or self.tables or self.tally or self.bulletin or self.bulletin_tally
                    or (self.bulletin_head is not None and self.bulletin_head != self.published_head))


def read_bulletin(data: bytes) -> bulletins.Published:
    """A bulletin file as exported (JSON or CSV, with or without a BOM)."""
    if data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{"):
        return bulletins.from_json(data)
    return bulletins.from_csv(data)


async def verify(unit: Unit, meeting_id: int, bulletin_file: bytes | None = None) -> Report:
    """Recompute the meeting's record and tally and compare (see the module). Any community: the operator's tool."""
    session = unit.session
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise VoteError("trust.err.no_meeting", id=meeting_id)
    view = await _view(session, meeting)
    stored = await ballot_chain.stored(session, meeting_id)
    published = await _head(unit, meeting_id, meeting.round) if meeting.status == Status.PUBLISHED.value else None
    findings = chain.verify(stored, head=published)
    record = bulletins.replay(link.body for link in sorted(stored, key=lambda link: link.seq))
    tables = bulletins.compare(record, await _table_entries(unit, view))
    results = await _results(unit, view)
    counted = bulletins.tally(record)
    tally = _tally_mismatches(view, counted, results)
    last = stored[-1].hash if stored else chain.GENESIS
    report = Report(meeting_id, meeting.title, meeting.status, len(stored), last, published, tuple(findings),
                    tuple(tables), tuple(tally), counted=counted)
    if bulletin_file is None:
        return report
    file = read_bulletin(bulletin_file)
    return Report(**{**{name: getattr(report, name) for name in Report.__dataclass_fields__},
                     "bulletin": tuple(bulletins.compare(record, file.entries)),
                     "bulletin_tally": tuple(_tally_mismatches(view, bulletins.tally(file.entries), results)),
                     "bulletin_head": file.head})


async def _table_entries(unit: Unit, view: MeetingView) -> list[Entry]:
    """The standing ballots of the meeting's current round as the tables hold them (sealed secret contents)."""
    items = {item.id: item for item in view.items}
    found = []
    for table in (OpenBallot, SecretBallot):
        statement = select(table.item_id, table.receipt, table.marks, table.channel).where(  # type: ignore[attr-defined]
            table.meeting_id == view.id, table.round == view.round)  # type: ignore[attr-defined]
        for item_id, receipt, marks, channel in (await unit.session.exec(statement)).all():
            item = items.get(int(item_id))
            if item is not None:
                found.append(Entry(item.position + 1, receipt, tuple(ballot_chain.choice_of(item, int(marks))),
                                   channel))
    return found


async def _results(unit: Unit, view: MeetingView) -> dict[int, ItemResult]:
    statement = select(MeetingResult).where(col(MeetingResult.item_id).in_([i.id for i in view.items] or [0]),
                                            MeetingResult.round == view.round)
    return {row.item_id: result_from_json(row.outcome_json) for row in (await unit.session.exec(statement)).all()}


def _tally_mismatches(view: MeetingView, counted: dict[int, bulletins.ItemTally],
                      results: dict[int, ItemResult]) -> list[TallyMismatch]:
    found = []
    for item in view.items:
        result = results.get(item.id)
        if result is None:
            continue
        number = item.position + 1
        tally = counted.get(number) or bulletins.ItemTally(number, 0, 0, {}, {})
        pairs = [("cast", tally.cast, result.took_part), ("invalid", tally.invalid, result.invalid)]
        pairs += [(ballot_chain.option_choice(item, o.position), tally.votes.get(
            ballot_chain.option_choice(item, o.position), 0), o.heads) for o in result.options]
        found += [TallyMismatch(number, what, recorded, stored) for what, recorded, stored in pairs
                  if recorded != stored]
    return found


__all__ = ["Bulletin", "Counted", "Report", "TallyMismatch", "bulletin", "due_seals", "lookup",
           "proxies_held", "read_bulletin", "seal_batches", "verify"]
