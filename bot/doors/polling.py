"""Our own long-polling loop, shared by both doors: inbox first, then acknowledge.

Both frameworks advance the getUpdates offset before their handlers finish (aiogram runs updates as
tasks, PTB's Updater queues them), so an update being handled when the process dies would be lost.
Here each batch is converted to :class:`Incoming`, written to the inbox and committed, and only then
is the next offset (which tells Telegram the batch arrived) asked for. Handling runs from the inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from bot.app import Linli
from handlers.port import Incoming, Messenger

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query", "poll_answer"]  # poll_answer: answers in our public polls
Batch = list[tuple[int, Incoming | None]]  # (update id, what it means to us; None if nothing)
Fetch = Callable[[int | None, int], Coroutine[Any, Any, Batch]]  # (offset, long-poll timeout) → batch


async def run_beside(main: Coroutine[Any, Any, None], side: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` with ``side`` beside it (start-up work that need not hold up the first getUpdates, such as
    the command list); ``side`` is cancelled if still running when ``main`` ends."""
    aside = asyncio.create_task(side)
    try:
        await main
    finally:
        if not aside.done():
            aside.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await aside


class FetchFailed(Exception):
    """getUpdates did not work. ``permanent`` (a revoked token) stops the door; anything else is retried."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.permanent = reason, permanent


class Poller:
    def __init__(self, app: Linli, messenger: Messenger, fetch: Fetch, *, timeout: int = 10,
                 max_backoff: float = 30.0) -> None:
        self.app, self.messenger, self.fetch = app, messenger, fetch
        self.timeout, self.max_backoff = timeout, max_backoff
        self.offset: int | None = None
        self._stop = asyncio.Event()

    async def run(self) -> None:
        """Poll until :meth:`stop`; then wait for the updates being handled."""
        failures = 0
        stopping = asyncio.create_task(self._stop.wait())
        try:
            while not self._stop.is_set():
                fetching = asyncio.create_task(self.fetch(self.offset, self.timeout))
                self.app.polling.set()  # start-up work that can wait (the scheduler) waits for this
                await asyncio.wait({fetching, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not fetching.done():  # stopping: an unacknowledged batch is simply delivered again later
                    fetching.cancel()
                    with contextlib.suppress(asyncio.CancelledError, FetchFailed):
                        await fetching
                    break
                try:
                    batch = fetching.result()
                except FetchFailed as exc:
                    if exc.permanent:
                        raise
                    failures += 1
                    delay = min(self.max_backoff, 0.5 * 2 ** min(failures, 8))
                    log.warning("could not fetch updates (%s); trying again in %.1fs", exc.reason, delay)
                    await self._pause(delay)
                    continue
                failures = 0
                try:
                    taken = not batch or await self._take(batch)
                except Exception:  # a bug while storing: keep the batch unacknowledged and try again
                    log.exception("could not store a batch of updates")
                    taken = False
                if not taken:
                    await self._pause(self.app.settings.inbox_retry_seconds)
        finally:
            stopping.cancel()
            await self.app.quiesce()

    async def _take(self, batch: Batch) -> bool:
        """Store the batch; True once it may be acknowledged (the next getUpdates carries the new offset)."""
        incomings = [incoming for _, incoming in batch if incoming is not None]
        if incomings and not await self.app.accept(incomings, self.messenger):
            return False  # the database is away: Telegram keeps the batch and sends it again
        self.offset = max(update_id for update_id, _ in batch) + 1
        self.app.schedule(incomings, self.messenger)
        return True

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    def stop(self) -> None:
        self._stop.set()
