"""The register and the ballots: who may vote in a round, what they cast, and the count (one GROUP BY per item).

Open items (记名): one ``open_ballot`` row per (item, round, elector), changed in place until closing (an
``INSERT … ON CONFLICT DO UPDATE``: the last one counts, a double tap leaves one row).

Secret items (无记名) are stored apart with nothing that joins them:

* ``secret_participation`` — (item, round, elector): who took part, its key is its only identity (no row id,
  no time), so it also makes the ballot final: a second confirmation inserts nothing.
* ``secret_box`` — what was chosen, as the voter confirmed it: a random 128-bit key, the item, the round, the marks,
  the receipt (8 characters, shown once to the voter) and the channel. No time column, no voter column. It is a
  waiting room: the content does not stay in the voter's transaction.
* ``secret_ballot`` — the same content once *sealed*: storage.ballot_chain moves a batch of waiting contents (at
  least ``MIX_BATCH`` of an item, or all of them at closing), in the order of fresh random keys, into this table and
  onto the meeting's hash chain, in a transaction of its own. Its rows, their system columns (``xmin``, ``ctid`` on
  PostgreSQL) and their chain events therefore carry the sealing transaction, never a voter's.

Nothing the application stores orders one table like the other: no shared id or sequence, no timestamps, and on
SQLite all three are ``WITHOUT ROWID`` tables stored in key order (random for the content). What is left to someone
with direct access to the database files is in the README's trust section.

Receipts are unique per meeting over open ballots, waiting and sealed secret contents (each table has a unique
``(meeting, receipt)`` and :func:`draw_receipt`, called with the meeting row locked, checks all three).

The marks of a ballot are a bit mask over the item's options (see core.voting): an item is counted by one
``GROUP BY marks`` (with the building, group and area of each ballot copied in at casting, so turnout by
building and group and owners' area sums come from the same scan).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Integer, UniqueConstraint, func, insert, update
from sqlalchemy import select as sa_select  # sqlmodel's select types four columns at most
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import receipts
from core.bulletin import Channel
from core.voting import Group
from storage.electorates import Elector

MIX_BATCH = 10  # waiting secret contents of an item that are sealed together while voting is open

# ---- tables ------------------------------------------------------------------------------------------


class MeetingElector(SQLModel, table=True):
    """One vote on a round's register, frozen when voting opened (a late addition carries its reason)."""

    __tablename__ = "meeting_elector"
    __table_args__ = (UniqueConstraint("meeting_id", "round", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    round: int
    key: str = Field(max_length=40)  # "r:<resident>", "h:<household>", "o:<owner>"
    household_id: int | None = Field(default=None)
    building: str = Field(default="", max_length=40)
    grp: str = Field(default="", max_length=60)
    area: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))  # hundredths of m²
    holder_id: int | None = Field(default=None, foreign_key="resident.id")  # who casts a household's vote
    late_reason: str | None = Field(default=None, max_length=500)


class MeetingCaster(SQLModel, table=True):
    """Who may cast which register entry (a household's adults, an owner's linked residents)."""

    __tablename__ = "meeting_caster"
    __table_args__ = (UniqueConstraint("meeting_id", "round", "resident_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    round: int
    resident_id: int = Field(foreign_key="resident.id")
    elector_id: int = Field(foreign_key="meeting_elector.id", index=True)


class OpenBallot(SQLModel, table=True):
    """The standing ballot of one elector on one open item in one round (changed until closing)."""

    __tablename__ = "open_ballot"
    __table_args__ = (UniqueConstraint("item_id", "round", "elector_id"), UniqueConstraint("meeting_id", "receipt"))

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    item_id: int = Field(foreign_key="meeting_item.id")
    round: int
    elector_id: int = Field(foreign_key="meeting_elector.id", index=True)
    marks: int = Field(sa_column=Column(BigInteger, nullable=False))
    building: str = Field(default="", max_length=40)
    grp: str = Field(default="", max_length=60)
    area: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    cast_by: int | None = Field(default=None, foreign_key="resident.id")  # None: the voter deleted their data
    changes: int = Field(default=0)
    cast_at: datetime
    receipt: str = Field(max_length=8)  # kept when the ballot changes
    channel: str = Field(default=Channel.ONLINE.value, max_length=8)  # online | paper | proxy (the last caster's)


class SecretParticipation(SQLModel, table=True):
    """Who took part in a secret item: no row id, no time, nothing of the choice."""

    __tablename__ = "secret_participation"
    __table_args__ = ({"sqlite_with_rowid": False},)

    item_id: int = Field(foreign_key="meeting_item.id", primary_key=True)
    round: int = Field(primary_key=True)
    elector_id: int = Field(foreign_key="meeting_elector.id", primary_key=True)
    building: str = Field(default="", max_length=40)
    grp: str = Field(default="", max_length=60)


class SecretBallot(SQLModel, table=True):
    """What was chosen on a secret item, sealed: a random key, the item, the round, the marks, the receipt, the
    channel. Nothing of the voter; written by the sealing transaction, never the voter's."""

    __tablename__ = "secret_ballot"
    __table_args__ = (Index("ix_secret_ballot_item_id", "item_id", "round"), UniqueConstraint("meeting_id", "receipt"),
                      {"sqlite_with_rowid": False})

    id: str = Field(primary_key=True, max_length=32)
    meeting_id: int = Field(sa_column=Column(Integer, nullable=False))
    item_id: int = Field(sa_column=Column(Integer, nullable=False))
    round: int
    marks: int = Field(sa_column=Column(BigInteger, nullable=False))
    receipt: str = Field(max_length=8)
    channel: str = Field(default=Channel.ONLINE.value, max_length=8)


class SecretBox(SQLModel, table=True):
    """A secret item's content waiting to be sealed (see the module's docstring): the same columns."""

    __tablename__ = "secret_box"
    __table_args__ = (Index("ix_secret_box_item_id", "item_id", "round"), UniqueConstraint("meeting_id", "receipt"),
                      {"sqlite_with_rowid": False})

    id: str = Field(primary_key=True, max_length=32)
    meeting_id: int = Field(sa_column=Column(Integer, nullable=False))
    item_id: int = Field(sa_column=Column(Integer, nullable=False))
    round: int
    marks: int = Field(sa_column=Column(BigInteger, nullable=False))
    receipt: str = Field(max_length=8)
    channel: str = Field(default=Channel.ONLINE.value, max_length=8)


# ---- the register ------------------------------------------------------------------------------------


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def freeze(session: AsyncSession, meeting_id: int, round_no: int, electors: list[Elector]) -> int:
    """Write the round's register (electors, and who may cast each); returns its size."""
    if not electors:
        return 0
    rows = [{"meeting_id": meeting_id, "round": round_no, "key": e.key, "household_id": e.household_id,
             "building": e.building or "", "grp": e.group or "", "area": e.area, "holder_id": e.holder_id,
             "late_reason": None} for e in electors]
    for start in range(0, len(rows), 5000):
        await session.exec(insert(MeetingElector), params=rows[start:start + 5000])  # type: ignore[call-overload]
    ids = dict((await session.exec(select(MeetingElector.key, MeetingElector.id).where(
        MeetingElector.meeting_id == meeting_id, MeetingElector.round == round_no))).all())
    seen: set[int] = set()
    casters = []
    for e in electors:
        for resident_id in e.resident_ids:
            if resident_id not in seen:  # one register entry per person and round (the first listed)
                seen.add(resident_id)
                casters.append({"meeting_id": meeting_id, "round": round_no, "resident_id": resident_id,
                                "elector_id": ids[e.key]})
    for start in range(0, len(casters), 5000):
        await session.exec(insert(MeetingCaster), params=casters[start:start + 5000])  # type: ignore[call-overload]
    return len(rows)


async def add_elector(session: AsyncSession, meeting_id: int, round_no: int, elector: Elector, reason: str) -> bool:
    """A late addition (the committee, with a reason); False if the key or a caster is on the register already."""
    statement = (_insert(session)(MeetingElector)
                 .values(meeting_id=meeting_id, round=round_no, key=elector.key, household_id=elector.household_id,
                         building=elector.building or "", grp=elector.group or "", area=elector.area,
                         holder_id=elector.holder_id, late_reason=reason)
                 .on_conflict_do_nothing(index_elements=["meeting_id", "round", "key"])
                 .returning(col(MeetingElector.id)))
    found = (await session.exec(statement)).first()  # type: ignore[call-overload]
    if found is None:
        return False
    elector_id = int(found[0])
    for resident_id in elector.resident_ids:
        await session.exec(_insert(session)(MeetingCaster)  # type: ignore[call-overload]
                           .values(meeting_id=meeting_id, round=round_no, resident_id=resident_id,
                                   elector_id=elector_id)
                           .on_conflict_do_nothing(index_elements=["meeting_id", "round", "resident_id"]))
    return True


async def register_size(session: AsyncSession, meeting_id: int, round_no: int) -> tuple[int, int]:
    """(electors, their total area)."""
    statement = select(func.count(), func.coalesce(func.sum(MeetingElector.area), 0)).where(
        MeetingElector.meeting_id == meeting_id, MeetingElector.round == round_no)
    count, area = (await session.exec(statement)).one()
    return int(count), int(area)


async def elector_of(session: AsyncSession, meeting_id: int, round_no: int,
                     resident_id: int) -> MeetingElector | None:
    statement = (select(MeetingElector).join(MeetingCaster, col(MeetingCaster.elector_id) == MeetingElector.id)
                 .where(MeetingCaster.meeting_id == meeting_id, MeetingCaster.round == round_no,
                        MeetingCaster.resident_id == resident_id))
    return (await session.exec(statement)).first()


async def is_caster(session: AsyncSession, elector: MeetingElector, resident_id: int) -> bool:
    """Whether ``resident_id`` may cast this register entry (was on the register for it when voting opened)."""
    statement = select(MeetingCaster.id).where(MeetingCaster.elector_id == elector.id,
                                               MeetingCaster.resident_id == resident_id)
    return (await session.exec(statement)).first() is not None


async def claim_holder(session: AsyncSession, elector: MeetingElector, resident_id: int) -> int:
    """A household's vote in this round: ``resident_id`` holds it unless someone already does (a conditional
    UPDATE decides); returns the holder."""
    await session.exec(update(MeetingElector)  # type: ignore[call-overload]
                       .where(col(MeetingElector.id) == elector.id, col(MeetingElector.holder_id).is_(None))
                       .values(holder_id=resident_id).execution_options(synchronize_session=False))
    holder = (await session.exec(select(MeetingElector.holder_id).where(col(MeetingElector.id) == elector.id))).one()
    return int(holder or 0)


async def casters(session: AsyncSession, meeting_id: int, round_no: int, *,
                  not_voted_items: list[int] | None = None) -> list[int]:
    """Resident ids behind the round's register (a household: all its adults on it, whoever holds its vote);
    ``not_voted_items``: only those whose register entry has no ballot on any of these items, and who may cast it
    (a household's vote held by another adult is not theirs to cast)."""
    statement = select(MeetingCaster.resident_id).where(MeetingCaster.meeting_id == meeting_id,
                                                        MeetingCaster.round == round_no)
    if not_voted_items is not None:
        held_by_another = select(MeetingElector.id).where(
            MeetingElector.meeting_id == meeting_id, MeetingElector.round == round_no,
            col(MeetingElector.holder_id).is_not(None), col(MeetingElector.id) == col(MeetingCaster.elector_id),
            col(MeetingElector.holder_id) != col(MeetingCaster.resident_id))
        statement = statement.where(~held_by_another.exists())
        voted_open = select(OpenBallot.elector_id).where(col(OpenBallot.item_id).in_(not_voted_items),
                                                         OpenBallot.round == round_no)
        voted_secret = select(SecretParticipation.elector_id).where(
            col(SecretParticipation.item_id).in_(not_voted_items), SecretParticipation.round == round_no)
        statement = statement.where(col(MeetingCaster.elector_id).not_in(voted_open),
                                    col(MeetingCaster.elector_id).not_in(voted_secret))
    return list((await session.exec(statement.order_by(col(MeetingCaster.resident_id)))).all())


# ---- receipts ----------------------------------------------------------------------------------------

DRAW: Callable[[], str] = receipts.new_receipt  # tests replace it to force a clash


async def receipt_taken(session: AsyncSession, meeting_id: int, receipt: str) -> bool:
    parts = [select(table.receipt).where(table.meeting_id == meeting_id, table.receipt == receipt)  # type: ignore
             for table in (OpenBallot, SecretBox, SecretBallot)]
    union: Any = parts[0].union_all(parts[1], parts[2])  # type: ignore[attr-defined]
    return (await session.exec(union.limit(1))).first() is not None


async def draw_receipt(session: AsyncSession, meeting_id: int) -> str:
    """A receipt no ballot of the meeting has (drawn again on a clash). The caller holds the meeting row's lock
    (PostgreSQL) or the write lock (SQLite), so no one else draws for this meeting meanwhile; the unique
    ``(meeting, receipt)`` of each table backs it up."""
    for _ in range(50):
        receipt = DRAW()
        if not await receipt_taken(session, meeting_id, receipt):
            return receipt
    raise RuntimeError("no free receipt after 50 draws")  # pragma: no cover - 23**8 codes


def content_key() -> str:
    """The random key of a secret content row (never shown to anyone; the receipt is a separate column)."""
    return secrets.token_hex(16)


# ---- casting -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenCast:
    new: bool  # False: the elector's standing ballot was changed
    receipt: str  # the same for every change of (round, item, elector)


async def cast_open(session: AsyncSession, meeting_id: int, item_id: int, round_no: int, elector: MeetingElector,
                    resident_id: int, marks: int, now: datetime, channel: str = Channel.ONLINE.value) -> OpenCast:
    """Insert or replace the elector's standing ballot (the meeting row is locked by the caller); a new ballot
    gets a fresh receipt, a changed one keeps its own."""
    standing = (await session.exec(select(OpenBallot.receipt).where(
        OpenBallot.item_id == item_id, OpenBallot.round == round_no, OpenBallot.elector_id == elector.id))).first()
    receipt = standing or await draw_receipt(session, meeting_id)
    values = {"meeting_id": meeting_id, "item_id": item_id, "round": round_no, "elector_id": elector.id,
              "marks": marks, "building": elector.building, "grp": elector.grp, "area": elector.area,
              "cast_by": resident_id, "changes": 0, "cast_at": now, "receipt": receipt, "channel": channel}
    statement = _insert(session)(OpenBallot).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["item_id", "round", "elector_id"],
        set_={"marks": marks, "cast_by": resident_id, "cast_at": now, "channel": channel,
              "changes": col(OpenBallot.changes) + 1}).returning(col(OpenBallot.changes), col(OpenBallot.receipt))
    changes, kept = (await session.exec(statement)).one()  # type: ignore[call-overload]
    return OpenCast(int(changes) == 0, str(kept))


async def take_part(session: AsyncSession, item_id: int, round_no: int, elector: MeetingElector) -> bool:
    """Tick the elector off a secret item (no row id, no time); False if they already were."""
    statement = (_insert(session)(SecretParticipation)
                 .values(item_id=item_id, round=round_no, elector_id=elector.id, building=elector.building,
                         grp=elector.grp)
                 .on_conflict_do_nothing(index_elements=["item_id", "round", "elector_id"]))
    return bool((await session.exec(statement)).rowcount == 1)  # type: ignore[call-overload]


async def drop_in_box(session: AsyncSession, meeting_id: int, item_id: int, round_no: int, marks: int,
                      channel: str) -> str:
    """A secret content into the waiting box under a random key, with a fresh receipt (returned)."""
    receipt = await draw_receipt(session, meeting_id)
    await session.exec(insert(SecretBox).values(  # type: ignore[call-overload]
        id=content_key(), meeting_id=meeting_id, item_id=item_id, round=round_no, marks=marks, receipt=receipt,
        channel=channel))
    return receipt


async def cast_secret(session: AsyncSession, meeting_id: int, item_id: int, round_no: int, elector: MeetingElector,
                      marks: int, channel: str = Channel.ONLINE.value) -> str | None:
    """Tick the elector off and, only if that was new, put the content in the box; returns its receipt.
    None: this elector had already voted on the item (the ballot in the box stays as it was)."""
    if not await take_part(session, item_id, round_no, elector):
        return None
    return await drop_in_box(session, meeting_id, item_id, round_no, marks, channel)


async def standing_marks(session: AsyncSession, item_id: int, round_no: int, elector_id: int) -> int | None:
    statement = select(OpenBallot.marks).where(OpenBallot.item_id == item_id, OpenBallot.round == round_no,
                                               OpenBallot.elector_id == elector_id)
    return (await session.exec(statement)).first()


async def voted_items(session: AsyncSession, item_ids: list[int], round_no: int, elector_id: int) -> set[int]:
    """Which of ``item_ids`` the elector has voted on (open or secret)."""
    if not item_ids:
        return set()
    open_ = select(OpenBallot.item_id).where(col(OpenBallot.item_id).in_(item_ids), OpenBallot.round == round_no,
                                             OpenBallot.elector_id == elector_id)
    secret = select(SecretParticipation.item_id).where(col(SecretParticipation.item_id).in_(item_ids),
                                                       SecretParticipation.round == round_no,
                                                       SecretParticipation.elector_id == elector_id)
    rows = (await session.exec(open_.union_all(secret))).all()  # type: ignore[call-overload]
    return {int(row if isinstance(row, int) else row[0]) for row in rows}


# ---- counting ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemCount:
    groups: list[Group]
    by_building: dict[str, int]
    by_group: dict[str, int]
    by_channel: dict[str, int] = field(default_factory=dict)


async def count_open(session: AsyncSession, item_id: int, round_no: int) -> ItemCount:
    """One GROUP BY over the item's standing ballots: per marks, building, group and channel, heads and area."""
    statement: Any = (sa_select(col(OpenBallot.marks), col(OpenBallot.building), col(OpenBallot.grp),
                                col(OpenBallot.channel), func.count(), func.coalesce(func.sum(OpenBallot.area), 0))
                      .where(col(OpenBallot.item_id) == item_id, col(OpenBallot.round) == round_no)
                      .group_by(col(OpenBallot.marks), col(OpenBallot.building), col(OpenBallot.grp),
                                col(OpenBallot.channel)))
    rows = (await session.exec(statement)).all()
    return _fold([(int(m), b, g, c, int(n), int(a)) for m, b, g, c, n, a in rows])


async def count_secret(session: AsyncSession, item_id: int, round_no: int) -> ItemCount:
    """The sealed box (GROUP BY marks, channel) and, apart, the participation (GROUP BY building, group): never
    joined."""
    box = (select(SecretBallot.marks, SecretBallot.channel, func.count())
           .where(SecretBallot.item_id == item_id, SecretBallot.round == round_no)
           .group_by(col(SecretBallot.marks), col(SecretBallot.channel)))
    took = (select(SecretParticipation.building, SecretParticipation.grp, func.count())
            .where(SecretParticipation.item_id == item_id, SecretParticipation.round == round_no)
            .group_by(col(SecretParticipation.building), col(SecretParticipation.grp)))
    marks: dict[int, int] = {}
    by_channel: dict[str, int] = {}
    for m, channel, n in (await session.exec(box)).all():
        marks[int(m)] = marks.get(int(m), 0) + int(n)
        by_channel[channel] = by_channel.get(channel, 0) + int(n)
    by_building: dict[str, int] = {}
    by_group: dict[str, int] = {}
    for building, grp, n in (await session.exec(took)).all():
        by_building[building] = by_building.get(building, 0) + int(n)
        by_group[grp] = by_group.get(grp, 0) + int(n)
    return ItemCount([Group(m, n) for m, n in sorted(marks.items())], by_building, by_group, by_channel)


def _fold(rows: list[tuple[int, str, str, str, int, int]]) -> ItemCount:
    marks: dict[int, tuple[int, int]] = {}
    by_building: dict[str, int] = {}
    by_group: dict[str, int] = {}
    by_channel: dict[str, int] = {}
    for mask, building, grp, channel, heads, area in rows:
        h, a = marks.get(mask, (0, 0))
        marks[mask] = (h + heads, a + area)
        by_building[building] = by_building.get(building, 0) + heads
        by_group[grp] = by_group.get(grp, 0) + heads
        by_channel[channel] = by_channel.get(channel, 0) + heads
    return ItemCount([Group(m, h, a) for m, (h, a) in sorted(marks.items())], by_building, by_group, by_channel)


async def took_part(session: AsyncSession, item_ids: list[int], secret_ids: list[int], round_no: int) -> int:
    """Live turnout of a round: distinct register entries with a ballot on any item (never what they chose)."""
    parts = []
    if item_ids:
        parts.append(select(OpenBallot.elector_id).where(col(OpenBallot.item_id).in_(item_ids),
                                                         OpenBallot.round == round_no))
    if secret_ids:
        parts.append(select(SecretParticipation.elector_id).where(col(SecretParticipation.item_id).in_(secret_ids),
                                                                  SecretParticipation.round == round_no))
    if not parts:
        return 0
    union = parts[0] if len(parts) == 1 else parts[0].union(parts[1])  # type: ignore[attr-defined]
    sub = union.subquery()
    return int((await session.exec(select(func.count()).select_from(sub))).one())


async def electors_by_place(session: AsyncSession, meeting_id: int,
                            round_no: int) -> tuple[dict[str, int], dict[str, int]]:
    """The register's size by building and by group (the bases of turnout)."""
    statement = (select(MeetingElector.building, MeetingElector.grp, func.count())
                 .where(MeetingElector.meeting_id == meeting_id, MeetingElector.round == round_no)
                 .group_by(col(MeetingElector.building), col(MeetingElector.grp)))
    by_building: dict[str, int] = {}
    by_group: dict[str, int] = {}
    for building, grp, n in (await session.exec(statement)).all():
        by_building[building] = by_building.get(building, 0) + int(n)
        by_group[grp] = by_group.get(grp, 0) + int(n)
    return by_building, by_group
