"""Telegram's flood limits, respected on the way out.

About 30 messages a second overall, about one a second per chat (short bursts are fine), and in a group
also at most 20 a minute. A 429 from the server is honoured: nothing goes to that chat for ``retry_after``.

Time is injectable (``clock``: monotonic seconds, ``sleep``), so tests move time instead of waiting for it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import assert_never

from bot.config import Settings
from handlers.port import (
    Action,
    AnswerButton,
    EditText,
    FileSource,
    Messenger,
    RetryLater,
    SendDocument,
    SendError,
    SendPhoto,
    SendPoll,
    SendText,
    Sent,
    StopPoll,
)

log = logging.getLogger(__name__)

MonotonicClock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


def chat_of(action: Action) -> int | None:
    """The chat an action sends to (None for a button answer, which Telegram does not count)."""
    match action:
        case AnswerButton():
            return None
        case SendText() | EditText() | SendDocument() | SendPhoto() | SendPoll() | StopPoll():
            return action.chat_id
        case _:
            assert_never(action)


class SlidingWindow:
    """At most ``limit`` sends in any ``seconds``-long window.

    Per-chat and per-group limits are counts per window (a burst of 3, then about one a second).
    A leaky bucket would allow a full burst *plus* its refill inside one window.
    The window is kept a little longer than the server's (``margin``): the server times a request
    when it arrives, we when we send it, and the two clocks differ by the trip's jitter.
    """

    def __init__(self, limit: int, seconds: float, margin: float = 0.25) -> None:
        self.limit, self.seconds = limit, seconds + margin
        self._times: deque[float] = deque()

    def delay(self, now: float) -> float:
        """Seconds until one more send fits (0: now)."""
        while self._times and now - self._times[0] >= self.seconds:
            self._times.popleft()
        if len(self._times) < self.limit:
            return 0.0
        return self.seconds - (now - self._times[0])

    def take(self, now: float) -> None:
        self._times.append(now)


def limited(inner: Messenger, settings: Settings) -> LimitedMessenger:
    """The door's messenger, within the limits the settings give."""
    return LimitedMessenger(inner, per_second=settings.flood_per_second, per_chat_burst=settings.flood_chat_burst,
                            per_chat_seconds=settings.flood_chat_seconds,
                            group_per_minute=settings.flood_group_per_minute)


class LimitedMessenger:
    """Wraps a door's messenger with Telegram's limits and 429 handling.

    ``perform`` waits for its turn and retries a 429 (replies to the user who is waiting for them);
    ``delay`` and ``perform_once`` let the outbox skip a chat that is not ready and send to the others.
    """

    def __init__(self, inner: Messenger, *, per_second: float = 30, per_chat_burst: int = 3,
                 per_chat_seconds: float = 3, group_per_minute: int = 20, max_retries: int = 5,
                 clock: MonotonicClock = time.monotonic, sleep: Sleep = asyncio.sleep) -> None:
        self.inner = inner
        self.clock, self.sleep = clock, sleep
        self.overall = SlidingWindow(max(1, round(per_second)), 1, margin=0.05)
        self.per_chat_burst, self.per_chat_seconds = per_chat_burst, per_chat_seconds
        self.group_per_minute = group_per_minute
        self.max_retries = max_retries
        self._chats: dict[int, tuple[SlidingWindow, ...]] = {}
        self._blocked_until: dict[int, float] = {}

    def _windows(self, chat_id: int) -> tuple[SlidingWindow, ...]:
        windows = self._chats.get(chat_id)
        if windows is None:
            if len(self._chats) > 10_000:
                self._chats.clear()
                self._blocked_until.clear()
            windows = (self.overall, SlidingWindow(self.per_chat_burst, self.per_chat_seconds))
            if chat_id < 0:  # a group: about one a second, and at most 20 a minute
                windows += (SlidingWindow(self.group_per_minute, 60),)
            self._chats[chat_id] = windows
        return windows

    def delay(self, chat_id: int) -> float:
        """Seconds until a message to ``chat_id`` may go out (0: now)."""
        now = self.clock()
        blocked = self._blocked_until.get(chat_id, now) - now
        return max(blocked, *(window.delay(now) for window in self._windows(chat_id)))

    def _take(self, chat_id: int) -> None:
        now = self.clock()
        for window in self._windows(chat_id):
            window.take(now)

    async def _wait_turn(self, chat_id: int) -> None:
        # No lock: checking and taking happen without an await in between, and a chat's waiter
        # that loses the slot to another simply waits again.
        while (wait := self.delay(chat_id)) > 0:
            await self.sleep(wait + 0.01)
        self._take(chat_id)

    def _blocked(self, chat_id: int | None, exc: RetryLater) -> None:
        if chat_id is not None:
            self._blocked_until[chat_id] = max(self._blocked_until.get(chat_id, 0.0), self.clock() + exc.retry_after)

    async def perform(self, action: Action) -> Sent:
        chat_id = chat_of(action)
        for attempt in range(self.max_retries + 1):
            if chat_id is not None:
                await self._wait_turn(chat_id)
            try:
                return await self.inner.perform(action)
            except RetryLater as exc:
                self._blocked(chat_id, exc)
                if attempt == self.max_retries:
                    raise
                log.warning("flood limit on chat %s: waiting %.1fs", chat_id, exc.retry_after)
                if chat_id is None:
                    await self.sleep(exc.retry_after)
        raise AssertionError("unreachable")

    async def download(self, file_id: str) -> bytes:
        """A file a user sent (downloads are not messages: no limit applies)."""
        if not isinstance(self.inner, FileSource):
            raise SendError("this door cannot download files")
        return await self.inner.download(file_id)

    async def perform_once(self, action: Action) -> Sent:
        """Send now if the limits allow, without waiting or retrying; else :class:`RetryLater`."""
        chat_id = chat_of(action)
        if chat_id is not None:
            wait = self.delay(chat_id)
            if wait > 0:
                raise RetryLater(wait)
            self._take(chat_id)
        try:
            return await self.inner.perform(action)
        except RetryLater as exc:
            self._blocked(chat_id, exc)
            raise
