"""Write-ins (另选他人): on an election item that allows it, a voter adds another eligible person to the ballot —
picked from the community's registered adults (searched by name), never typed as free text — who is then a
candidate like the others, counted the same way.

What is kept: an option (the person, ``written_in``), once per item and person (a unique key: two voters writing in
the same person at once add one option). Who wrote them in is kept nowhere: not on the option, not in the
conversation state (only the meeting and item being filled in), and no audit entry is written at that moment (its
time would match the voter's handled update in the inbox); the option row, with no time, is the record, and the
results list every written-in candidate. So a secret ballot stays secret. A written-in person who is never marked
simply gets no votes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select

from core import voting as rules
from core.errors import NotFound, StaleButton
from core.voting import ItemKind, VoteError
from storage import voting
from storage.community import Building, Household
from storage.electorate_admin import SEARCH_LIMIT
from storage.electorate_files import normalize_name
from storage.meetings import FROZEN_ITEMS, MeetingItem, MeetingOption
from storage.residents import Resident
from storage.unit import Unit
from storage.voting import BallotView


@dataclass(frozen=True, slots=True)
class Eligible:
    """Someone who may be written in: a verified adult resident of the community."""

    resident_id: int
    name: str
    address: str = ""


@dataclass(frozen=True, slots=True)
class WrittenIn:
    ballot: BallotView
    position: int  # the option the person is (new, or already on the ballot)
    new: bool


async def _writable(unit: Unit, *, community_id: int, meeting_id: int, item_id: int, round_no: int,
                    resident_id: int) -> BallotView:
    """The voter's ballot of the item, if they may write someone in on it now: on the register, voting open in this
    round, an item that allows write-ins, a secret ballot not yet final."""
    shown = await voting.ballot(unit, community_id=community_id, meeting_id=meeting_id, item_id=item_id,
                                resident_id=resident_id, round_no=round_no)
    if shown.item.kind is not ItemKind.ELECTION or not shown.item.write_in:
        raise StaleButton()
    if shown.final:
        raise VoteError("voting.ballot.already_final")
    return shown


async def _eligible(unit: Unit, community_id: int, where: list[object], limit: int | None = None) -> list[Eligible]:
    statement = (select(col(Resident.id), col(Resident.display_name), col(Building.name),  # type: ignore[call-overload]
                        col(Household.unit), col(Household.room))
                 .select_from(Resident)
                 .join(Household, col(Household.id) == col(Resident.household_id), isouter=True)
                 .join(Building, col(Building.id) == col(Household.building_id), isouter=True)
                 .where(Resident.community_id == community_id, col(Resident.verified).is_(True),
                        col(Resident.is_adult).is_(True), col(Resident.forgotten_at).is_(None), *where)
                 .order_by(col(Resident.id)))
    if limit is not None:
        statement = statement.limit(limit)
    return [Eligible(rid, name, f"{building}-{unit_}-{room}" if building else "")
            for rid, name, building, unit_, room in (await unit.session.exec(statement)).all()]


async def search(unit: Unit, *, community_id: int, meeting_id: int, item_id: int, round_no: int, resident_id: int,
                 query: str) -> list[Eligible]:
    """Registered adults whose name contains ``query`` (only for a voter who may write in on the item now)."""
    await _writable(unit, community_id=community_id, meeting_id=meeting_id, item_id=item_id, round_no=round_no,
                    resident_id=resident_id)
    query = query.strip()[:40]
    if not query:
        return []
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return await _eligible(unit, community_id, [col(Resident.display_name).ilike(pattern, escape="\\")],
                           SEARCH_LIMIT)


async def write_in(unit: Unit, *, community_id: int, meeting_id: int, item_id: int, round_no: int,
                   resident_id: int, candidate_id: int) -> WrittenIn:
    """Put ``candidate_id`` on the item's ballot (if not on it already) and return the voter's ballot.

    The item's row is locked while its options are read and one is added (PostgreSQL; SQLite's write lock is taken
    at BEGIN), so two write-ins of different people take different positions; the same person twice is one option.
    Refused: someone not eligible to be written in, or an item whose ballot is full (its marks are a bit mask).
    """
    session = unit.session
    await _writable(unit, community_id=community_id, meeting_id=meeting_id, item_id=item_id, round_no=round_no,
                    resident_id=resident_id)
    found = await _eligible(unit, community_id, [col(Resident.id) == candidate_id])
    if not found:
        raise NotFound("voting_rules.err.not_eligible_candidate")
    person = found[0]
    await session.exec(select(MeetingItem.id).where(col(MeetingItem.id) == item_id).with_for_update())
    options = list((await session.exec(select(MeetingOption.position, MeetingOption.label,
                                              MeetingOption.candidate_id)
                                       .where(MeetingOption.item_id == item_id)
                                       .order_by(col(MeetingOption.position)))).all())
    position = next((p for p, _, cid in options if cid == candidate_id), None)
    if position is None:  # listed by name only, with exactly this name: the same candidate
        position = next((p for p, label, cid in options
                         if cid is None and normalize_name(label) == normalize_name(person.name)), None)
    new = position is None
    if position is None:
        if len(options) >= rules.MAX_OPTIONS:
            raise VoteError("voting_rules.err.ballot_full", limit=rules.MAX_OPTIONS)
        labels = {normalize_name(label) for _, label, _ in options}
        label = person.name[:rules.OPTION_LIMIT]
        if normalize_name(label) in labels:  # another candidate of the same name: tell them apart by the address
            label = f"{person.name[:rules.OPTION_LIMIT - len(person.address) - 1]} {person.address}".strip()
        if normalize_name(label) in labels:
            label = f"{person.name[:rules.OPTION_LIMIT - 8]} #{candidate_id}"[:rules.OPTION_LIMIT]
        position = int((await session.exec(select(func.coalesce(func.max(MeetingOption.position), -1))
                                           .where(MeetingOption.item_id == item_id))).one()) + 1
        session.add(MeetingOption(item_id=item_id, position=position, label=label, candidate_id=candidate_id,
                                  written_in=True))
        await session.flush()
    for cached in [k for k in FROZEN_ITEMS if k[0] == meeting_id]:
        FROZEN_ITEMS.pop(cached, None)
    shown = await voting.ballot(unit, community_id=community_id, meeting_id=meeting_id, item_id=item_id,
                                resident_id=resident_id, round_no=round_no)
    return WrittenIn(shown, position, new)
