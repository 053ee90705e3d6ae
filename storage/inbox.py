"""The inbox: every incoming update, stored before Telegram is told it arrived, handled from here.

A row is written (unique per update id) and committed before the door advances the getUpdates offset,
so a crash can lose no update. Handling claims the row (pending → done) with a conditional UPDATE
inside the very unit of work that carries the update's effects: both commit together or neither
does, and a duplicated or retried update finds its row done and has no second effect.

The payload (the update as JSON, with the sender's name and words) is erased when the row is done;
the bare row stays a while so a late duplicate is still recognised, then :func:`prune` removes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    delete,
    exists,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession


class InboxStatus(StrEnum):
    PENDING = "pending"  # stored, not handled yet
    DONE = "done"  # handled; its effects committed with this mark
    FAILED = "failed"  # handling raised a bug; the user was told, the update is not retried
    DROPPED = "dropped"  # not handled on purpose (the sender was over the inbound rate)


class InboxUpdate(SQLModel, table=True):
    __tablename__ = "inbox_update"
    __table_args__ = (
        PrimaryKeyConstraint("id", name="pk_inbox_update"),
        UniqueConstraint("update_id", name="uq_inbox_update_update_id"),
        Index("ix_inbox_update_status_user_id", "status", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    update_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    payload: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(default=InboxStatus.PENDING.value, max_length=10)
    received_at: datetime
    done_at: datetime | None = Field(default=None, index=True)


# The hot path's statements go to the Table (Core), not the ORM entity: no ORM bulk-DML bookkeeping per update.
_TABLE: Table = InboxUpdate.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class NewUpdate:
    update_id: int
    user_id: int
    payload: str
    status: InboxStatus = InboxStatus.PENDING


async def record(session: AsyncSession, updates: list[NewUpdate], now: datetime) -> set[int]:
    """Store updates not seen before (duplicates are ignored); returns the update ids that were new.

    The caller commits; only then may the door acknowledge the updates to Telegram.
    """
    if not updates:
        return set()
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    rows = [{"update_id": u.update_id, "user_id": u.user_id, "status": u.status.value, "received_at": now,
             "payload": u.payload if u.status is InboxStatus.PENDING else None,
             "done_at": None if u.status is InboxStatus.PENDING else now} for u in updates]
    statement = (insert(_TABLE).values(rows)
                 .on_conflict_do_nothing(index_elements=["update_id"])
                 .returning(_TABLE.c.update_id))
    result = await session.exec(statement)  # type: ignore[call-overload]
    return {int(row[0]) for row in result.all()}


async def pending_for_user(session: AsyncSession, user_id: int, up_to: int | None = None) -> list[InboxUpdate]:
    """The user's unhandled updates, oldest first (optionally only up to ``up_to``)."""
    statement = select(InboxUpdate).where(InboxUpdate.user_id == user_id,
                                          InboxUpdate.status == InboxStatus.PENDING.value)
    if up_to is not None:
        statement = statement.where(InboxUpdate.update_id <= up_to)
    return list((await session.exec(statement.order_by(col(InboxUpdate.update_id)))).all())


async def pending_users(session: AsyncSession, limit: int = 1000) -> list[int]:
    """Users with unhandled updates, the one waiting longest first."""
    from sqlalchemy import func

    statement = (select(InboxUpdate.user_id, func.min(InboxUpdate.update_id).label("first"))
                 .where(InboxUpdate.status == InboxStatus.PENDING.value)
                 .group_by(col(InboxUpdate.user_id)).order_by("first").limit(limit))
    return [int(user_id) for user_id, _ in (await session.exec(statement)).all()]


async def finish(session: AsyncSession, update_id: int, now: datetime,
                 status: InboxStatus = InboxStatus.DONE, *, first_of_user: int | None = None) -> bool:
    """Mark a pending update handled, erasing its payload. False if it was already finished.

    Run it first in the unit of work that carries the update's effects: on PostgreSQL the row lock
    makes a concurrent claim wait and then find nothing; on SQLite the write lock is taken here.

    ``first_of_user`` (the sender's user id): claim the update only if no older update of that user is still
    pending, in the same statement — the hot path handles an update it has just recorded straight from memory,
    and False sends it back to the ordered read of the user's pending updates (:func:`pending_for_user`).
    """
    table = _TABLE
    statement = (update(table)
                 .where(table.c.update_id == update_id, table.c.status == InboxStatus.PENDING.value)
                 .values(status=status.value, payload=None, done_at=now))
    if first_of_user is not None:
        older = table.alias("older")
        statement = statement.where(~exists().where(older.c.user_id == first_of_user,
                                                    older.c.status == InboxStatus.PENDING.value,
                                                    older.c.update_id < update_id))
    result = await session.exec(statement)  # type: ignore[call-overload]
    return bool(result.rowcount == 1)


async def prune(session: AsyncSession, now: datetime, older_than: timedelta = timedelta(days=2)) -> int:
    """Forget finished rows (Telegram keeps an unconfirmed update for at most 24 hours)."""
    result = await session.exec(  # type: ignore[call-overload]
        delete(InboxUpdate).where(col(InboxUpdate.status) != InboxStatus.PENDING.value,
                                  col(InboxUpdate.done_at) < now - older_than)
    )
    return int(result.rowcount or 0)


async def forget_user(session: AsyncSession, user_id: int) -> int:
    """A person deleted their data: handled updates no longer name them (their words were dropped when done).

    Updates still pending are kept as they are: they are what the person sent after, and are handled next.
    """
    result = await session.exec(  # type: ignore[call-overload]
        update(InboxUpdate).where(col(InboxUpdate.user_id) == user_id,
                                  col(InboxUpdate.status) != InboxStatus.PENDING.value)
        .values(user_id=0, payload=None)
    )
    return int(result.rowcount or 0)


async def counts(session: AsyncSession) -> dict[str, int]:
    """How many rows per status (for tests and operators)."""
    from sqlalchemy import func

    statement = select(InboxUpdate.status, func.count()).group_by(col(InboxUpdate.status))
    return {str(status): int(n) for status, n in (await session.exec(statement)).all()}


async def last_update_id(session: AsyncSession) -> int:
    """The highest update id stored (0 if none)."""
    from sqlalchemy import func

    return int((await session.exec(select(func.max(InboxUpdate.update_id)))).one() or 0)
