"""Telegram's flood limits, respected on the way out.

About 30 messages a second overall, about one a second per private chat (short bursts are fine),
at most 20 a minute per group. A 429 from the server is honoured by waiting ``retry_after``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from aiolimiter import AsyncLimiter

from bot.config import Settings
from handlers.port import Action, AnswerButton, Messenger, RetryLater, Sent

log = logging.getLogger(__name__)


def _chat_of(action: Action) -> int | None:
    return None if isinstance(action, AnswerButton) else action.chat_id


class SlidingWindow:
    """At most ``limit`` acquisitions in any ``seconds``-long window; waits for the oldest to leave.

    Per-chat and per-group limits are counts per window (a burst of 3, then about one a second).
    A leaky bucket (aiolimiter) would allow a full burst *plus* its refill inside one window.
    The window is kept a little longer than the server's (``margin``): the server times a request
    when it arrives, we when we send it, and the two clocks differ by the trip's jitter.
    """

    def __init__(self, limit: int, seconds: float, margin: float = 0.25) -> None:
        self.limit, self.seconds = limit, seconds + margin
        self._times: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            loop = asyncio.get_running_loop()
            while True:
                now = loop.time()
                while self._times and now - self._times[0] >= self.seconds:
                    self._times.popleft()
                if len(self._times) < self.limit:
                    self._times.append(now)
                    return
                await asyncio.sleep(self.seconds - (now - self._times[0]) + 0.01)


def limited(inner: Messenger, settings: Settings) -> LimitedMessenger:
    """The door's messenger, within the limits the settings give."""
    return LimitedMessenger(inner, per_second=settings.flood_per_second, per_chat_burst=settings.flood_chat_burst,
                            per_chat_seconds=settings.flood_chat_seconds,
                            group_per_minute=settings.flood_group_per_minute)


class LimitedMessenger(Messenger):
    """Wraps a door's messenger with leaky-bucket limits and 429 retries."""

    def __init__(self, inner: Messenger, *, per_second: float = 30, per_chat_burst: int = 3,
                 per_chat_seconds: float = 3, group_per_minute: int = 20, max_retries: int = 5) -> None:
        self.inner = inner
        self.overall = AsyncLimiter(per_second, 1)
        self.per_chat_burst, self.per_chat_seconds = per_chat_burst, per_chat_seconds
        self.group_per_minute = group_per_minute
        self.max_retries = max_retries
        self._chats: dict[int, SlidingWindow] = {}

    def _chat_limiter(self, chat_id: int) -> SlidingWindow:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            limiter = (SlidingWindow(self.group_per_minute, 60) if chat_id < 0
                       else SlidingWindow(self.per_chat_burst, self.per_chat_seconds))
            if len(self._chats) > 10_000:
                self._chats.clear()
            self._chats[chat_id] = limiter
        return limiter

    async def perform(self, action: Action) -> Sent:
        chat_id = _chat_of(action)
        for attempt in range(self.max_retries + 1):
            if chat_id is not None:
                await self._chat_limiter(chat_id).acquire()
                await self.overall.acquire()
            try:
                return await self.inner.perform(action)
            except RetryLater as exc:
                if attempt == self.max_retries:
                    raise
                log.warning("flood limit on chat %s: waiting %.1fs", chat_id, exc.retry_after)
                await asyncio.sleep(exc.retry_after)
        raise AssertionError("unreachable")
