"""Flood control like Telegram's published limits, off until configured.

Rule (sliding windows, per bot; only message-sending calls count: ``send*``
except sendChatAction, ``edit*``, ``copy*``, ``forward*``; a refused call
does not count):

* global: at most ``floor(global_per_second)`` calls in any 1 s window;
* per chat: at most ``floor(per_chat_per_second * burst_window)`` calls to
  one chat in any ``burst_window`` seconds (defaults 1/s over 3 s: a burst of
  3, then one per second on average);
* per group (group and supergroup chats): at most ``group_per_minute`` calls
  in any 60 s window.

Exceeding one answers 429 with ``retry_after`` = the configured value (or,
if it is None, the whole seconds until the window admits a call again). Until
that time has passed, every further counted call to the same key is refused
too, with the remaining seconds, as Telegram does with bots that do not wait.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

from bot.emulator.errors import too_many_requests


@dataclass(frozen=True)
class FloodLimits:
    """The configured limits; None disables a limit."""

    per_chat_per_second: float | None = 1
    global_per_second: float | None = 30
    group_per_minute: int | None = 20
    retry_after: int | None = 1
    burst_window: float = 3.0


def is_counted_method(method: str) -> bool:
    """Whether a method counts against flood limits."""
    name = method.lower()
    if name == "sendchataction":
        return False
    return name.startswith(("send", "edit", "copy", "forward"))


Window = tuple[tuple[object, ...], float, int]


class FloodControl:
    """Sliding-window counters per bot, chat and group; see the module docstring."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.limits: FloodLimits | None = None
        self._events: dict[tuple[object, ...], deque[float]] = defaultdict(deque)
        self._blocked_until: dict[tuple[object, ...], float] = {}

    def configure(self, limits: FloodLimits | None) -> None:
        """Set (or with None, remove) the limits and forget past calls."""
        self.limits = limits
        self._events.clear()
        self._blocked_until.clear()

    def admit(self, bot_id: int, chat_id: int | None, *, is_group: bool) -> None:
        """Count one call, or raise ApiError 429 if it exceeds a limit."""
        if self.limits is None:
            return
        now = self._clock()
        windows = self._windows(self.limits, bot_id, chat_id, is_group)
        for key, _, _ in windows:
            until = self._blocked_until.get(key)
            if until is not None and now < until:
                raise too_many_requests(max(1, math.ceil(until - now)))
        for key, window, capacity in windows:
            events = self._events[key]
            while events and events[0] <= now - window:
                events.popleft()
            if len(events) >= capacity:
                wait = events[0] + window - now
                retry = self.limits.retry_after if self.limits.retry_after is not None else max(1, math.ceil(wait))
                self._blocked_until[key] = now + retry
                raise too_many_requests(retry)
        for key, _, _ in windows:
            self._events[key].append(now)

    @staticmethod
    def _windows(limits: FloodLimits, bot_id: int, chat_id: int | None, is_group: bool) -> list[Window]:
        windows: list[Window] = []
        if limits.global_per_second:
            windows.append((("global", bot_id), 1.0, max(1, math.floor(limits.global_per_second))))
        if chat_id is not None and limits.per_chat_per_second:
            capacity = max(1, math.floor(limits.per_chat_per_second * limits.burst_window))
            windows.append((("chat", bot_id, chat_id), limits.burst_window, capacity))
        if chat_id is not None and is_group and limits.group_per_minute:
            windows.append((("group", bot_id, chat_id), 60.0, limits.group_per_minute))
        return windows
