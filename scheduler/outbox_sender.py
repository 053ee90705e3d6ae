"""Sends queued outbox rows: claim, send, mark. Safe with several workers and across restarts."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from handlers.port import Button, Messenger, RetryLater, SendError, SendText
from storage import outbox

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # a network failure is tried again this many times in all, then the row is marked failed
TRANSIENT_RETRY = timedelta(seconds=30)


class OutboxSender:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], messenger: Messenger, clock: Clock,
                 *, poll_seconds: float = 5.0) -> None:
        self.sessions = sessions
        self.messenger = messenger
        self.clock = clock
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self._last_release: datetime | None = None

    def wake(self) -> None:
        self._idle.clear()
        self._wake.set()

    async def drain_once(self) -> int:
        """Send everything due now. Returns how many were sent."""
        sent = 0
        now = self.clock.now()
        async with self.sessions() as session:
            if self._last_release is None or now - self._last_release >= timedelta(minutes=1):
                await outbox.release_stuck(session, now, timedelta(minutes=10))
                await session.commit()
                self._last_release = now
            rows = await outbox.due(session, now)
        for row in rows:
            assert row.id is not None
            async with self.sessions() as session:
                if not await outbox.claim(session, row.id, self.clock.now()):
                    continue
                await session.commit()
            buttons = ([[Button(text=b["text"], data=b.get("data"), url=b.get("url")) for b in line]
                        for line in row.buttons] if row.buttons else None)
            try:
                await self.messenger.perform(SendText(chat_id=row.chat_id, text=row.text, buttons=buttons))
            except RetryLater as exc:
                async with self.sessions() as session:
                    until = self.clock.now() + timedelta(seconds=exc.retry_after)
                    await outbox.postpone(session, row.id, until, str(exc))
                    await session.commit()
                continue
            except SendError as exc:
                async with self.sessions() as session:
                    if not exc.permanent and row.attempts + 1 < MAX_ATTEMPTS:  # +1: the claim counted one
                        log.warning("outbox %s to %s: %s; trying again later", row.id, row.chat_id, exc.description)
                        until = self.clock.now() + TRANSIENT_RETRY
                        await outbox.postpone(session, row.id, until, exc.description)
                    else:
                        log.info("outbox %s to %s refused: %s", row.id, row.chat_id, exc.description)
                        await outbox.mark_failed(session, row.id, exc.description)
                    await session.commit()
                continue
            async with self.sessions() as session:
                await outbox.mark_sent(session, row.id, self.clock.now())
                await session.commit()
            sent += 1
        return sent

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.drain_once()
            except Exception:  # keep the loop alive; the rows stay in the database
                log.exception("outbox drain failed")
            if not self._wake.is_set():
                self._idle.set()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
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
        """Wait until every woken drain has finished (used by tests and the sandbox)."""
        await self._idle.wait()
