"""Inbound flood control: one user sending too fast is told once to slow down, then ignored a while.

Counted per user over a sliding minute on the app's clock (injectable, so tests need no sleeping).
The state is in memory on purpose: it protects this process, and forgetting it on restart is harmless.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

WINDOW = timedelta(minutes=1)


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # this update went over the rate: drop it and tell the user once
    DROP = "drop"  # the user is cooling down: drop silently


@dataclass
class _User:
    times: deque[datetime] = field(default_factory=deque)
    cool_until: datetime | None = None


class InboundFlood:
    def __init__(self, per_minute: int, cooldown: timedelta, *, max_users: int = 100_000) -> None:
        self.per_minute, self.cooldown, self.max_users = per_minute, cooldown, max_users
        self._users: dict[int, _User] = {}

    def check(self, user_id: int, now: datetime) -> Verdict:
        user = self._users.get(user_id)
        if user is None:
            if len(self._users) >= self.max_users:
                self._forget_idle(now)
            user = self._users[user_id] = _User()
        if user.cool_until is not None:
            if now < user.cool_until:
                return Verdict.DROP
            user.cool_until = None
            user.times.clear()
        while user.times and now - user.times[0] >= WINDOW:
            user.times.popleft()
        if len(user.times) >= self.per_minute:
            user.cool_until = now + self.cooldown
            return Verdict.WARN
        user.times.append(now)
        return Verdict.ALLOW

    def _forget_idle(self, now: datetime) -> None:
        for user_id in [u for u, s in self._users.items()
                        if (s.cool_until is None or s.cool_until <= now)
                        and (not s.times or now - s.times[-1] >= WINDOW)]:
            del self._users[user_id]
        if len(self._users) >= self.max_users:
            self._users.clear()
