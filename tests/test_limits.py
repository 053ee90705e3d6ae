"""Outgoing messages respect flood limits and honour 429 retry_after."""

from __future__ import annotations

import time

import pytest

from bot.limits import LimitedMessenger
from handlers.port import Action, Messenger, RetryLater, SendText, Sent


class Flaky(Messenger):
    def __init__(self, failures: int, retry_after: float = 0.05) -> None:
        self.failures, self.retry_after, self.calls = failures, retry_after, 0

    async def perform(self, action: Action) -> Sent:
        self.calls += 1
        if self.calls <= self.failures:
            raise RetryLater(self.retry_after)
        return Sent(self.calls)


async def test_retries_after_429() -> None:
    inner = Flaky(failures=2)
    limited = LimitedMessenger(inner)
    started = time.monotonic()
    await limited.perform(SendText(1, "hi"))
    assert inner.calls == 3
    assert time.monotonic() - started >= 0.1


async def test_gives_up_after_max_retries() -> None:
    limited = LimitedMessenger(Flaky(failures=10, retry_after=0.001), max_retries=2)
    with pytest.raises(RetryLater):
        await limited.perform(SendText(1, "hi"))


async def test_per_chat_bucket_spaces_out_a_burst() -> None:
    inner = Flaky(failures=0)
    limited = LimitedMessenger(inner, per_chat_burst=2, per_chat_seconds=0.2)
    started = time.monotonic()
    for _ in range(4):
        await limited.perform(SendText(7, "hi"))
    assert time.monotonic() - started >= 0.09  # the 3rd and 4th waited for the bucket to leak
