"""Outgoing messages respect flood limits and honour 429 retry_after — on a fake clock, nothing sleeps."""

from __future__ import annotations

import pytest

from bot.limits import LimitedMessenger, chat_of
from handlers.port import (
    Action,
    AnswerButton,
    EditText,
    RetryLater,
    SendDocument,
    SendPhoto,
    SendPoll,
    SendText,
    Sent,
    StopPoll,
)


class FakeTime:
    """Monotonic seconds that move only when someone 'sleeps'."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class Recorder:
    def __init__(self, time: FakeTime, failures: int = 0, retry_after: float = 5) -> None:
        self.time, self.failures, self.retry_after = time, failures, retry_after
        self.calls: list[tuple[float, int | None]] = []

    async def perform(self, action: Action) -> Sent:
        self.calls.append((self.time(), chat_of(action)))
        if len(self.calls) <= self.failures:
            raise RetryLater(self.retry_after)
        return Sent(len(self.calls))


def _limited(time: FakeTime, inner: Recorder, **limits: float) -> LimitedMessenger:
    return LimitedMessenger(inner, clock=time, sleep=time.sleep, **limits)  # type: ignore[arg-type]


async def test_retries_after_429_waiting_retry_after() -> None:
    time = FakeTime()
    inner = Recorder(time, failures=2, retry_after=5)
    await _limited(time, inner).perform(SendText(1, "hi"))
    assert len(inner.calls) == 3
    assert inner.calls[1][0] - inner.calls[0][0] >= 5 and inner.calls[2][0] - inner.calls[1][0] >= 5


async def test_gives_up_after_max_retries() -> None:
    time = FakeTime()
    limited = LimitedMessenger(Recorder(time, failures=10), max_retries=2, clock=time, sleep=time.sleep)
    with pytest.raises(RetryLater):
        await limited.perform(SendText(1, "hi"))


async def test_per_chat_window_spaces_out_a_burst() -> None:
    time = FakeTime()
    inner = Recorder(time)
    limited = _limited(time, inner, per_chat_burst=2, per_chat_seconds=1)
    for _ in range(4):
        await limited.perform(SendText(7, "hi"))
    times = [t for t, _ in inner.calls]
    assert times[1] == times[0]  # a burst of two goes at once
    assert times[2] - times[0] >= 1 and times[3] - times[1] >= 1  # then the window must have moved on


async def test_group_gets_both_one_a_second_and_twenty_a_minute() -> None:
    time = FakeTime()
    inner = Recorder(time)
    limited = _limited(time, inner)  # Telegram's defaults
    for number in range(27):
        await limited.perform(SendText(-100, f"alert {number}"))
    times = [t for t, _ in inner.calls]
    assert all(times[i + 3] - times[i] >= 3 for i in range(len(times) - 3))  # ~1/s (3 in any 3 s)
    assert all(times[i + 20] - times[i] >= 60 for i in range(len(times) - 20))  # ≤ 20 in any minute
    assert times[-1] - times[0] < 90  # but no slower than that


async def test_delay_tells_which_chat_is_ready() -> None:
    time = FakeTime()
    inner = Recorder(time)
    limited = _limited(time, inner, group_per_minute=2, per_chat_burst=5, per_chat_seconds=1)
    assert limited.delay(-5) == 0
    await limited.perform_once(SendText(-5, "one"))
    await limited.perform_once(SendText(-5, "two"))
    assert limited.delay(-5) > 59  # the group's minute is full …
    assert limited.delay(42) == 0  # … a private chat is not held back by it
    with pytest.raises(RetryLater):  # and perform_once never waits
        await limited.perform_once(SendText(-5, "three"))
    assert len(inner.calls) == 2
    time.now += 61
    assert limited.delay(-5) == 0


async def test_a_429_holds_back_only_that_chat() -> None:
    time = FakeTime()
    inner = Recorder(time, failures=1, retry_after=30)
    limited = _limited(time, inner)
    with pytest.raises(RetryLater):
        await limited.perform_once(SendText(8, "refused"))
    assert 29 < limited.delay(8) <= 30
    assert limited.delay(9) == 0
    await limited.perform_once(SendText(9, "fine"))
    assert time.slept == []


async def test_button_answers_are_not_counted_against_a_chat() -> None:
    time = FakeTime()
    inner = Recorder(time)
    limited = _limited(time, inner, per_chat_burst=1, per_chat_seconds=1)
    for number in range(5):
        await limited.perform(AnswerButton(str(number)))
    assert time.slept == []


def test_every_action_names_its_chat() -> None:
    actions: list[Action] = [SendText(1, "t"), EditText(2, 5, "t"), SendDocument(3, "a.csv", b"x"),
                             SendPhoto(4, "file-id"), SendPoll(5, "q?", ("a", "b")), StopPoll(6, 9)]
    assert [chat_of(a) for a in actions] == [1, 2, 3, 4, 5, 6]
    assert chat_of(AnswerButton("q")) is None
