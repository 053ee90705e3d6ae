"""The meeting's tamper-evident record: every ballot event on a per-meeting hash chain (core.chain), and the sealing
of secret contents onto it.

``ballot_event`` holds one row per event: the meeting, its sequence number, the previous event's hash, the body as
canonical JSON (core.chain.canonical) and its hash. Events (core.bulletin's docstring defines their bodies):
``cast`` / ``changed`` / ``invalid`` for a ballot (online, paper or proxy), ``voided`` when a round is postponed,
``closed`` when voting ends. An event carries no time and, for a secret item, no voter: receipt and choice only.

Appending is race-free because every writer of a meeting's chain holds the meeting row's lock first
(``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite every unit of work is ``BEGIN IMMEDIATE``): the next sequence
number and the previous hash are read under that lock. Sequence numbers are deliberately *not* a unique constraint,
so a row slipped in by hand with a number already used stays visible to ``linli verify`` as an insertion.

Open ballots are appended in the voter's own unit of work. Secret contents are not: they wait in ``secret_box``
and :func:`seal` moves them — a batch of an item at a time, re-keyed and in random order — to ``secret_ballot`` and
onto the chain in a transaction of its own (the meeting job, once ``MIX_BATCH`` of an item wait; and always at
closing or postponement). So a secret event's position on the chain and its rows' transaction ids say nothing about
when, or in whose transaction, it was cast.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Index, Text, delete, func, insert
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import chain
from core.bulletin import Channel
from core.voting import bits
from storage.ballots import MIX_BATCH, SecretBallot, SecretBox, content_key

if TYPE_CHECKING:
    from storage.meetings import ItemView


class BallotEvent(SQLModel, table=True):
    """One link of a meeting's chain (append-only; no time column)."""

    __tablename__ = "ballot_event"
    __table_args__ = (Index("ix_ballot_event_meeting_id", "meeting_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)  # storage order (verify reports events out of it)
    meeting_id: int = Field(foreign_key="meeting.id")
    seq: int
    prev: str = Field(max_length=64)
    body: str = Field(sa_column=Column(Text, nullable=False))  # canonical JSON
    hash: str = Field(max_length=64)


# ---- bodies --------------------------------------------------------------------------------------------------


def option_choice(item: ItemView, position: int) -> str:
    """How an option is named on the record and the bulletin: a motion's code (yes/no/abstain), else its label
    (``|`` separates marks in the CSV bulletin, so a label's own ``|`` is written ``¦``)."""
    option = item.options[position]
    return option.code or option.label.replace("|", "¦")


def choice_of(item: ItemView, marks: int) -> list[str]:
    return [option_choice(item, p) for p in bits(marks) if p < len(item.options)]


def ballot_body(kind: str, item: ItemView, round_no: int, receipt: str, marks: int, channel: str) -> dict[str, Any]:
    """A ballot event: ``invalid`` for a ballot marking nothing (a spoiled paper ballot), else ``kind``."""
    body: dict[str, Any] = {"kind": kind, "item": item.position + 1, "round": round_no, "receipt": receipt,
                            "channel": channel}
    if marks == 0:
        body["kind"] = "invalid"
    else:
        body["choice"] = choice_of(item, marks)
    return body


# ---- the chain -----------------------------------------------------------------------------------------------


async def _last(session: AsyncSession, meeting_id: int) -> tuple[int, str]:
    statement = (select(BallotEvent.seq, BallotEvent.hash).where(BallotEvent.meeting_id == meeting_id)
                 .order_by(col(BallotEvent.seq).desc(), col(BallotEvent.id).desc()).limit(1))
    found = (await session.exec(statement)).first()
    return (int(found[0]), str(found[1])) if found else (0, chain.GENESIS)


async def append(session: AsyncSession, meeting_id: int, bodies: Iterable[Mapping[str, Any]]) -> str:
    """Append events after the meeting's last (the caller holds the meeting row's lock); returns the new head."""
    seq, prev = await _last(session, meeting_id)
    rows = []
    for body in bodies:
        seq += 1
        digest = chain.digest(seq, prev, body)
        rows.append({"meeting_id": meeting_id, "seq": seq, "prev": prev,
                     "body": chain.canonical(body).decode("utf-8"), "hash": digest})
        prev = digest
    if rows:
        await session.exec(insert(BallotEvent), params=rows)  # type: ignore[call-overload]
    return prev


async def head(session: AsyncSession, meeting_id: int) -> str:
    return (await _last(session, meeting_id))[1]


def _body(text: str) -> dict[str, Any]:
    try:
        parsed = json.loads(text)
    except ValueError:
        return {"unreadable": text}
    return parsed if isinstance(parsed, dict) else {"unreadable": text}


async def stored(session: AsyncSession, meeting_id: int) -> list[chain.Link]:
    """The meeting's events in storage order (as a verifier reads them)."""
    statement = select(BallotEvent).where(BallotEvent.meeting_id == meeting_id).order_by(col(BallotEvent.id))
    return [chain.Link(seq=e.seq, prev=e.prev, body=_body(e.body), hash=e.hash)
            for e in (await session.exec(statement)).all()]


# ---- sealing secret contents -------------------------------------------------------------------------------


async def seal(session: AsyncSession, meeting_id: int, items: Sequence[ItemView],
               item_ids: Iterable[int] | None = None) -> int:
    """Move the waiting secret contents of the meeting (or of ``item_ids``) to ``secret_ballot`` and onto the
    chain, under fresh random keys and in their order; returns how many. The caller holds the meeting row's lock
    and runs this in a unit of work of its own (never a voter's)."""
    statement = select(SecretBox).where(col(SecretBox.meeting_id) == meeting_id)
    if item_ids is not None:
        statement = statement.where(col(SecretBox.item_id).in_(list(item_ids)))
    waiting = list((await session.exec(statement)).all())
    if not waiting:
        return 0
    by_id = {item.id: item for item in items}
    rekeyed = sorted((content_key(), row) for row in waiting)
    await session.exec(insert(SecretBallot), params=[  # type: ignore[call-overload]
        {"id": key, "meeting_id": row.meeting_id, "item_id": row.item_id, "round": row.round, "marks": row.marks,
         "receipt": row.receipt, "channel": row.channel} for key, row in rekeyed])
    await append(session, meeting_id, [ballot_body("cast", by_id[row.item_id], row.round, row.receipt, row.marks,
                                                   row.channel) for _, row in rekeyed])
    await session.exec(delete(SecretBox).where(col(SecretBox.id).in_([row.id for row in waiting])))  # type: ignore
    return len(waiting)


async def due_batches(session: AsyncSession) -> list[int]:
    """Meetings with an item whose waiting secret contents make a batch (``MIX_BATCH`` or more)."""
    statement = (select(SecretBox.meeting_id).group_by(col(SecretBox.meeting_id), col(SecretBox.item_id))
                 .having(func.count() >= MIX_BATCH))
    return sorted({int(m) for m in (await session.exec(statement)).all()})


async def full_items(session: AsyncSession, meeting_id: int) -> list[int]:
    statement = (select(SecretBox.item_id).where(col(SecretBox.meeting_id) == meeting_id)
                 .group_by(col(SecretBox.item_id)).having(func.count() >= MIX_BATCH))
    return [int(i) for i in (await session.exec(statement)).all()]


__all__ = ["BallotEvent", "Channel", "append", "ballot_body", "choice_of", "due_batches", "full_items", "head",
           "option_choice", "seal", "stored"]
