"""The register and the ballots: who may vote in a round, what they cast, and the count (one GROUP BY per item).

Open items (记名): one ``open_ballot`` row per (item, round, elector), changed in place until closing (an
``INSERT … ON CONFLICT DO UPDATE``: the last one counts, a double tap leaves one row).

Secret items (无记名) are two tables with nothing that joins them:

* ``secret_participation`` — (item, round, elector): who took part, its key is its only identity (no row id,
  no time), so it also makes the ballot final: a second confirmation inserts nothing.
* ``secret_ballot`` — (random 128-bit id, item, round, marks): what was chosen; the id is random (it is the
  voter's receipt for issue 9), there is no time column and no voter column.

Nothing the application stores orders one table like the other: no shared id or sequence, no timestamps, and on
SQLite both are ``WITHOUT ROWID`` tables stored in key order (random for the content). What this does NOT hide
from someone with direct SQL access to PostgreSQL: system columns (``xmin`` of the transaction, ``ctid`` position)
of rows written by one transaction; closing that needs a mixing writer (see the report of issue 8).

The marks of a ballot are a bit mask over the item's options (see core.voting): an item is counted by one
``GROUP BY marks`` (with the building, group and area of each ballot copied in at casting, so turnout by
building and group and owners' area sums come from the same scan).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Integer, UniqueConstraint, func, insert, update
from sqlalchemy import select as sa_select  # sqlmodel's select types four columns at most
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.voting import Group
from storage.electorates import Elector

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
    __table_args__ = (UniqueConstraint("item_id", "round", "elector_id"),)

    id: int | None = Field(default=None, primary_key=True)
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
    """What was chosen on a secret item: a random id, the item, the round, the marks. Nothing of the voter."""

    __tablename__ = "secret_ballot"
    __table_args__ = (Index("ix_secret_ballot_item_id", "item_id", "round"), {"sqlite_with_rowid": False})

    id: str = Field(primary_key=True, max_length=32)
    item_id: int = Field(sa_column=Column(Integer, nullable=False))
    round: int
    marks: int = Field(sa_column=Column(BigInteger, nullable=False))


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


# ---- casting -----------------------------------------------------------------------------------------


async def cast_open(session: AsyncSession, item_id: int, round_no: int, elector: MeetingElector, resident_id: int,
                    marks: int, now: datetime) -> bool:
    """Insert or replace the elector's standing ballot (one statement); True if it was new."""
    values = {"item_id": item_id, "round": round_no, "elector_id": elector.id, "marks": marks,
              "building": elector.building, "grp": elector.grp, "area": elector.area, "cast_by": resident_id,
              "changes": 0, "cast_at": now}
    statement = _insert(session)(OpenBallot).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["item_id", "round", "elector_id"],
        set_={"marks": marks, "cast_by": resident_id, "cast_at": now,
              "changes": col(OpenBallot.changes) + 1}).returning(col(OpenBallot.changes))
    changes = (await session.exec(statement)).one()  # type: ignore[call-overload]
    return int(changes[0]) == 0


async def cast_secret(session: AsyncSession, item_id: int, round_no: int, elector: MeetingElector,
                      marks: int) -> str | None:
    """Record that the elector took part and, only if that was new, the content under a random id (its receipt).
    None: this elector had already voted on the item (the ballot in the box stays as it was)."""
    statement = (_insert(session)(SecretParticipation)
                 .values(item_id=item_id, round=round_no, elector_id=elector.id, building=elector.building,
                         grp=elector.grp)
                 .on_conflict_do_nothing(index_elements=["item_id", "round", "elector_id"]))
    result = await session.exec(statement)  # type: ignore[call-overload]
    if result.rowcount != 1:
        return None
    receipt = secrets.token_hex(16)
    await session.exec(insert(SecretBallot).values(id=receipt, item_id=item_id, round=round_no,  # type: ignore
                                                   marks=marks))
    return receipt


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


async def count_open(session: AsyncSession, item_id: int, round_no: int) -> ItemCount:
    """One GROUP BY over the item's standing ballots: per marks, building and group, heads and area."""
    statement: Any = (sa_select(col(OpenBallot.marks), col(OpenBallot.building), col(OpenBallot.grp), func.count(),
                                func.coalesce(func.sum(OpenBallot.area), 0))
                      .where(col(OpenBallot.item_id) == item_id, col(OpenBallot.round) == round_no)
                 .group_by(col(OpenBallot.marks), col(OpenBallot.building), col(OpenBallot.grp)))
    rows = (await session.exec(statement)).all()
    return _fold([(int(m), b, g, int(n), int(a)) for m, b, g, n, a in rows])


async def count_secret(session: AsyncSession, item_id: int, round_no: int) -> ItemCount:
    """The box (GROUP BY marks) and, apart, the participation (GROUP BY building, group): never joined."""
    box = (select(SecretBallot.marks, func.count()).where(SecretBallot.item_id == item_id,
                                                          SecretBallot.round == round_no)
           .group_by(col(SecretBallot.marks)))
    took = (select(SecretParticipation.building, SecretParticipation.grp, func.count())
            .where(SecretParticipation.item_id == item_id, SecretParticipation.round == round_no)
            .group_by(col(SecretParticipation.building), col(SecretParticipation.grp)))
    groups = [Group(int(m), int(n)) for m, n in (await session.exec(box)).all()]
    by_building: dict[str, int] = {}
    by_group: dict[str, int] = {}
    for building, grp, n in (await session.exec(took)).all():
        by_building[building] = by_building.get(building, 0) + int(n)
        by_group[grp] = by_group.get(grp, 0) + int(n)
    return ItemCount(groups, by_building, by_group)


def _fold(rows: list[tuple[int, str, str, int, int]]) -> ItemCount:
    marks: dict[int, tuple[int, int]] = {}
    by_building: dict[str, int] = {}
    by_group: dict[str, int] = {}
    for mask, building, grp, heads, area in rows:
        h, a = marks.get(mask, (0, 0))
        marks[mask] = (h + heads, a + area)
        by_building[building] = by_building.get(building, 0) + heads
        by_group[grp] = by_group.get(grp, 0) + heads
    return ItemCount([Group(m, h, a) for m, (h, a) in sorted(marks.items())], by_building, by_group)


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
