"""Quick polls: the committee's advisory native polls in group chats, their answers and their count.

A poll is posted through the outbox (key ``quickpoll:<id>``); when it is sent, :func:`record_sent` (the outbox's
hook for that key) remembers Telegram's poll id and message id. Answers arrive as ``poll_answer`` updates naming
Telegram's poll id, so they are kept by that id (an answer arriving before the send was recorded is not lost).

* ``quick_poll_answer``: each person's current answer, one row per (poll, Telegram user): a change overwrites it,
  a retraction empties it. The newest update wins (``update_id``), whatever order two workers commit in.
* ``quick_poll_answer_change``: every answer, change and retraction as it came, for the record.

Who counts: an answer is a resident's if a verified resident of the poll's community gave it (``resident_id``);
anyone else's is recorded with ``resident_id`` NULL, shown apart and not counted. Closing is a conditional
UPDATE (open → closed), so the scheduler and a committee member pressing "close now" close a poll once: one
stopPoll, one count. An answer locks the poll row first, so it is either in the count or recorded as late.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Column, Text, UniqueConstraint, and_, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import quick_polls as rules
from core.errors import StaleButton
from core.quick_polls import PollStatus, Tally
from handlers.port import SendPoll, Sent, StopPoll
from storage import outbox
from storage.residents import Resident
from storage.unit import Unit

SENT_PREFIX = "quickpoll"  # outbox key of a poll's message: "quickpoll:<id>" (see record_sent)
STOP_PREFIX = "quickpoll-stop"


class QuickPoll(SQLModel, table=True):
    __tablename__ = "quick_poll"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    question: str = Field(max_length=255)
    options_json: str = Field(sa_column=Column(Text, nullable=False))  # ["option", …] in order
    telegram_poll_id: str | None = Field(default=None, max_length=64, unique=True)  # known once sent
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    status: str = Field(default=PollStatus.OPEN.value, max_length=8, index=True)
    closes_at: datetime = Field(index=True)
    created_by: int | None = Field(default=None, foreign_key="resident.id")  # None: deleted their data
    created_at: datetime
    closed_at: datetime | None = None
    closed_by: int | None = Field(default=None, foreign_key="resident.id")  # None: closed at its time

    @property
    def options(self) -> tuple[str, ...]:
        return tuple(json.loads(self.options_json))


class QuickPollAnswer(SQLModel, table=True):
    """A person's current answer (``choice`` "" after a retraction)."""

    __tablename__ = "quick_poll_answer"
    __table_args__ = (UniqueConstraint("telegram_poll_id", "telegram_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    telegram_poll_id: str = Field(max_length=64)  # indexed by the unique constraint
    # NULL once the person had their data deleted: the answer still counts, it names nobody.
    telegram_user_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    resident_id: int | None = Field(default=None, foreign_key="resident.id")  # None: not a resident, not counted
    choice: str = Field(max_length=64)  # "0,2"; "" retracted
    update_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    answered_at: datetime


class QuickPollAnswerChange(SQLModel, table=True):
    """Every answer as it came: the history of a person's answers in a poll."""

    __tablename__ = "quick_poll_answer_change"

    id: int | None = Field(default=None, primary_key=True)
    telegram_poll_id: str = Field(max_length=64, index=True)
    telegram_user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    resident_id: int | None = Field(default=None, foreign_key="resident.id")
    choice: str = Field(max_length=64)
    update_id: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    answered_at: datetime
    late: bool = Field(default=False)  # arrived after the poll was closed: kept, not counted


# ---- read models ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PollView:
    id: int
    community_id: int
    chat_id: int
    question: str
    options: tuple[str, ...]
    closes_at: datetime
    status: PollStatus
    message_id: int | None


@dataclass(frozen=True, slots=True)
class ClosedPoll:
    """A poll just closed, with its count; ``closed_by`` None when its time came."""

    poll: PollView
    tally: Tally
    closed_by: int | None


@dataclass(frozen=True, slots=True)
class AnswerRecorded:
    known: bool  # the poll is one of ours that we know was sent
    counted: bool  # a verified resident's answer in an open poll
    late: bool  # the poll was closed already


def _view(poll: QuickPoll) -> PollView:
    assert poll.id is not None
    return PollView(poll.id, poll.community_id, poll.chat_id, poll.question, poll.options, poll.closes_at,
                    PollStatus(poll.status), poll.message_id)


def _insert(session: AsyncSession):  # type: ignore[no-untyped-def]
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


# ---- posting ----------------------------------------------------------------------------------------


async def post(unit: Unit, *, community_id: int, chat_id: int, draft: rules.Draft, closes_at: datetime,
               created_by: int, now: datetime, action: Callable[[PollView], SendPoll]) -> PollView:
    """Create the poll and queue its message (``action`` builds it, e.g. with a "close now" button for its id)."""
    session = unit.session
    rules.check_closing(closes_at, now)
    poll = QuickPoll(community_id=community_id, chat_id=chat_id, question=draft.question,
                     options_json=json.dumps(list(draft.options), ensure_ascii=False), closes_at=closes_at,
                     created_by=created_by, created_at=now)
    session.add(poll)
    await session.flush()
    view = _view(poll)
    message = action(view)
    assert message.chat_id == chat_id and not message.anonymous, "a quick poll is public, in its own chat"
    await outbox.enqueue(session, message, f"{SENT_PREFIX}:{view.id}", now, community_id=community_id)
    return view


async def record_sent(unit: Unit, dedupe_key: str, sent: Sent) -> None:
    """The outbox hook for ``quickpoll:<id>``: Telegram's poll id and message id of the posted poll."""
    _, _, poll_id = dedupe_key.partition(":")
    await unit.session.exec(update(QuickPoll).where(col(QuickPoll.id) == int(poll_id))  # type: ignore[call-overload]
                            .values(telegram_poll_id=sent.poll_id, message_id=sent.message_id))


# ---- answers ------------------------------------------------------------------------------------


async def record_answer(unit: Unit, *, community_id: int, resident_id: int | None, telegram_poll_id: str,
                        telegram_user_id: int, option_ids: tuple[int, ...], update_id: int,
                        now: datetime) -> AnswerRecorded:
    """Record one ``poll_answer``: always in the history; as the person's current answer unless the poll is closed.

    ``resident_id``: the person's id if they are a verified resident of ``community_id`` (the handler knows it);
    for a poll of another community they are looked up there."""
    session = unit.session
    poll = (await session.exec(select(QuickPoll).where(QuickPoll.telegram_poll_id == telegram_poll_id)
                               .with_for_update())).first()  # waits for a closing in progress
    if poll is not None and poll.community_id != community_id:
        resident_id = (await session.exec(select(Resident.id).where(
            Resident.community_id == poll.community_id, Resident.telegram_user_id == telegram_user_id,
            col(Resident.verified).is_(True), col(Resident.forgotten_at).is_(None)))).first()
    late = poll is not None and poll.status != PollStatus.OPEN.value
    choice = rules.encode_choice(option_ids)
    insert = _insert(session)
    await session.exec(insert(QuickPollAnswerChange).values(  # type: ignore[call-overload]
        telegram_poll_id=telegram_poll_id, telegram_user_id=telegram_user_id, resident_id=resident_id,
        choice=choice, update_id=update_id, answered_at=now, late=late,
    ).on_conflict_do_nothing(index_elements=["update_id"]))
    if not late:
        statement = insert(QuickPollAnswer).values(
            telegram_poll_id=telegram_poll_id, telegram_user_id=telegram_user_id, resident_id=resident_id,
            choice=choice, update_id=update_id, answered_at=now)
        current = QuickPollAnswer.__table__.c  # type: ignore[attr-defined]
        statement = statement.on_conflict_do_update(
            index_elements=["telegram_poll_id", "telegram_user_id"],
            set_={"resident_id": statement.excluded.resident_id, "choice": statement.excluded.choice,
                  "update_id": statement.excluded.update_id, "answered_at": statement.excluded.answered_at},
            where=current.update_id < statement.excluded.update_id)  # the newest answer wins
        await session.exec(statement)  # type: ignore[call-overload]
    return AnswerRecorded(known=poll is not None, counted=resident_id is not None and not late, late=late)


async def _tally(session: AsyncSession, poll: QuickPoll) -> Tally:
    if poll.telegram_poll_id is None:
        return rules.count(len(poll.options), [])
    rows = (await session.exec(select(QuickPollAnswer.choice, QuickPollAnswer.resident_id)
                               .where(QuickPollAnswer.telegram_poll_id == poll.telegram_poll_id))).all()
    return rules.count(len(poll.options), [(rules.decode_choice(choice), resident is not None)
                                          for choice, resident in rows])


async def tally(unit: Unit, poll_id: int) -> Tally:
    """The count so far (or the final one)."""
    poll = await unit.session.get(QuickPoll, poll_id)
    if poll is None:
        raise StaleButton()
    return await _tally(unit.session, poll)


async def get(unit: Unit, poll_id: int) -> PollView:
    poll = await unit.session.get(QuickPoll, poll_id)
    if poll is None:
        raise StaleButton()
    return _view(poll)


# ---- closing ------------------------------------------------------------------------------------


async def _close(session: AsyncSession, poll: QuickPoll, now: datetime, closed_by: int | None) -> ClosedPoll | None:
    """open → closed once (a conditional UPDATE), then stopPoll through the outbox and the count."""
    assert poll.id is not None
    result = await session.exec(update(QuickPoll).where(  # type: ignore[call-overload]
        col(QuickPoll.id) == poll.id, col(QuickPoll.status) == PollStatus.OPEN.value,
        col(QuickPoll.message_id).is_not(None),
    ).values(status=PollStatus.CLOSED.value, closed_at=now, closed_by=closed_by))
    if result.rowcount != 1:
        return None
    await session.refresh(poll)
    assert poll.message_id is not None
    await outbox.enqueue(session, StopPoll(poll.chat_id, poll.message_id), f"{STOP_PREFIX}:{poll.id}", now,
                         community_id=poll.community_id)
    return ClosedPoll(_view(poll), await _tally(session, poll), closed_by)


async def close_now(unit: Unit, *, community_id: int, poll_id: int, closed_by: int, now: datetime) -> ClosedPoll:
    """A committee member closes the poll before its time."""
    session = unit.session
    poll = await session.get(QuickPoll, poll_id)
    if poll is None or poll.community_id != community_id:
        raise StaleButton()
    if poll.status != PollStatus.OPEN.value:
        raise rules.PollAlreadyClosed()
    if poll.message_id is None:
        raise rules.PollNotPosted()
    closed = await _close(session, poll, now, closed_by)
    if closed is None:  # closed by the scheduler (or another member) a moment ago
        raise rules.PollAlreadyClosed()
    return closed


async def close_due(unit: Unit, now: datetime, limit: int = 50) -> list[ClosedPoll]:
    """Close every poll whose time has come (and whose message is in its chat). Safe to run on several workers."""
    session = unit.session
    due = (await session.exec(select(QuickPoll).where(
        and_(col(QuickPoll.status) == PollStatus.OPEN.value, col(QuickPoll.closes_at) <= now,
             col(QuickPoll.message_id).is_not(None)),
    ).order_by(col(QuickPoll.closes_at), col(QuickPoll.id)).limit(limit))).all()
    closed = []
    for poll in due:
        done = await _close(session, poll, now, None)
        if done is not None:
            closed.append(done)
    return closed


# ---- privacy --------------------------------------------------------------------------------------


async def forget_user(session: AsyncSession, telegram_user_id: int) -> None:
    """Someone deletes their data: their answers stay in the counts without their Telegram id; the history of
    their changes goes."""
    await session.exec(update(QuickPollAnswer)  # type: ignore[call-overload]
                       .where(col(QuickPollAnswer.telegram_user_id) == telegram_user_id)
                       .values(telegram_user_id=None))
    await session.exec(delete(QuickPollAnswerChange)  # type: ignore[call-overload]
                       .where(col(QuickPollAnswerChange.telegram_user_id) == telegram_user_id))
