"""Sends queued outbox rows: claim, send, mark — fairly across chats, within the flood limits.

The only driver of the outbox: a loop that drains what is due, then sleeps until it is woken (a handler
queued something), until a throttled chat becomes ready, or for ``poll_seconds`` (rows queued by
another process, postponed rows coming due, leases running out).

Fair: rows come round-robin across chats (see :func:`storage.outbox.due`), and when the messenger knows
the flood limits (:class:`~handlers.port.PacedMessenger`) a chat that is not ready is skipped for this
pass instead of waited for — so 27 alerts to a group at 20 a minute never hold up a private notice.
Safe with several workers and across restarts; see :mod:`storage.outbox` for the bound on duplicates.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Literal, assert_never

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from handlers.port import (
    EditText,
    Messenger,
    OutboxAction,
    PacedMessenger,
    RetryLater,
    SendDocument,
    SendError,
    SendPhoto,
    SendPoll,
    SendText,
    Sent,
    StopPoll,
)
from storage import outbox
from storage.action_codec import CorruptAction
from storage.outbox import OutboxMessage, SentHook, hook_prefix
from storage.unit import Unit

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # a network failure is tried again this many times in all, then the row is marked failed
TRANSIENT_RETRY = timedelta(seconds=30)
Outcome = Literal["sent", "postponed", "failed"]
SEND_TIMEOUT = 30.0  # seconds; well inside storage.outbox.LEASE, so a live sender never loses its claim mid-send


def _harmless(action: OutboxAction, error: SendError) -> bool:
    """A refusal that means the action's effect is already there."""
    match action:
        case EditText():
            return "not modified" in error.description
        case StopPoll():
            return "already been closed" in error.description
        case SendText() | SendDocument() | SendPhoto() | SendPoll():
            return False
        case _:
            assert_never(action)


class OutboxSender:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], messenger: Messenger, clock: Clock,
                 *, poll_seconds: float = 5.0, send_timeout: float = SEND_TIMEOUT,
                 on_sent: Mapping[str, SentHook] | None = None) -> None:
        self.sessions = sessions
        self.on_sent = dict(on_sent or {})  # dedupe-key prefix → what its feature records of the platform's answer
        self.messenger = messenger
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.send_timeout = send_timeout
        self.next_ready: float | None = None  # seconds until the soonest skipped chat may be sent to
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._idle.clear()
        self._wake.set()

    def _delay(self, chat_id: int) -> float:
        return self.messenger.delay(chat_id) if isinstance(self.messenger, PacedMessenger) else 0.0

    async def _perform(self, action: OutboxAction) -> Sent:
        send = (self.messenger.perform_once if isinstance(self.messenger, PacedMessenger)
                else self.messenger.perform)
        try:
            return await asyncio.wait_for(send(action), self.send_timeout)
        except TimeoutError:
            raise SendError(f"no answer within {self.send_timeout:g}s", permanent=False) from None

    async def drain_once(self) -> int:
        """Send what is due now, skipping chats the flood limits hold back. Returns how many were sent."""
        sent = 0
        self.next_ready = None
        async with self.sessions() as session:
            rows = await outbox.due(session, self.clock.now())
        held: set[int] = set()  # chats skipped in this pass: their later rows wait too, to keep each chat's order
        for row in rows:
            assert row.id is not None
            if row.chat_id in held:
                continue
            wait = self._delay(row.chat_id)
            if wait > 0:
                held.add(row.chat_id)
                self.next_ready = wait if self.next_ready is None else min(self.next_ready, wait)
                continue
            async with self.sessions() as session:
                if not await outbox.claim(session, row.id, self.clock.now()):
                    continue
                await session.commit()
            outcome = await self._send(row)
            if outcome == "sent":
                sent += 1
            elif outcome == "postponed":  # the chat's later rows wait for it
                held.add(row.chat_id)
        return sent

    async def _send(self, row: OutboxMessage) -> Outcome:
        """Carry out one claimed row and record the outcome."""
        assert row.id is not None
        try:
            action = row.action
            result = await self._perform(action)
        except CorruptAction as exc:
            log.error("outbox %s cannot be read: %s", row.id, exc)
            await self._finish(outbox.mark_failed, row.id, f"corrupt: {exc}")
            return "failed"
        except RetryLater as exc:
            until = self.clock.now() + timedelta(seconds=exc.retry_after)
            await self._finish(outbox.postpone, row.id, until, str(exc))
            return "postponed"
        except SendError as exc:
            if _harmless(action, exc):
                await self._finish(outbox.mark_sent, row.id, self.clock.now())
                return "sent"
            if not exc.permanent and row.attempts + 1 < MAX_ATTEMPTS:  # +1: the claim counted one
                log.warning("outbox %s to %s: %s; trying again later", row.id, row.chat_id, exc.description)
                await self._finish(outbox.postpone, row.id, self.clock.now() + TRANSIENT_RETRY, exc.description)
                return "postponed"
            log.info("outbox %s to %s refused: %s", row.id, row.chat_id, exc.description)
            await self._finish(outbox.mark_failed, row.id, exc.description)
            return "failed"
        await self._mark_sent(row, result)
        return "sent"

    async def _mark_sent(self, row: OutboxMessage, result: Sent) -> None:
        """Mark the row sent and, in the same unit of work, let its feature record the answer (a poll's id)."""
        assert row.id is not None
        hook = self.on_sent.get(hook_prefix(row.dedupe_key))
        if hook is not None:
            try:
                async with self.sessions() as session:
                    await outbox.mark_sent(session, row.id, self.clock.now(), result.message_id)
                    await hook(Unit(session), row.dedupe_key, result)
                    await session.commit()
                return
            except Exception:  # the row was sent all the same: never send it again for a failed record
                log.exception("outbox %s: recording what was sent failed", row.id)
        await self._finish(outbox.mark_sent, row.id, self.clock.now(), result.message_id)

    async def _finish(self, mark: Callable[..., Awaitable[None]], message_id: int, *args: object) -> None:
        async with self.sessions() as session:
            await mark(session, message_id, *args)
            await session.commit()

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.drain_once()
            except Exception:  # keep the loop alive; the rows stay in the database
                log.exception("outbox drain failed")
                self.next_ready = None
            held = self.next_ready
            if held is None and not self._wake.is_set():
                self._idle.set()
            timeout = self.poll_seconds if held is None else min(self.poll_seconds, held + 0.01)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)
            except TimeoutError:
                pass

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="linli-outbox")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def idle(self) -> None:
        """Wait until every woken drain has finished and no due row is held back by the limits."""
        await self._idle.wait()
