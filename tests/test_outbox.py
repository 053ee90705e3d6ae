"""The outbox: queued in the same transaction, claimed once, sent once — across restarts and workers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.app import Linli
from core.clock import FrozenClock
from handlers.port import Action, Messenger, RetryLater, SendError, SendText, Sent
from scheduler.outbox_sender import OutboxSender
from storage import outbox


class FakeMessenger(Messenger):
    def __init__(self, fail_with: Exception | None = None) -> None:
        self.sent: list[SendText] = []
        self.fail_with = fail_with

    async def perform(self, action: Action) -> Sent:
        await asyncio.sleep(0)  # let another worker interleave
        if self.fail_with is not None:
            error, self.fail_with = self.fail_with, None
            raise error
        assert isinstance(action, SendText)
        self.sent.append(action)
        return Sent(len(self.sent))


async def _queue(app: Linli, *keys: str) -> None:
    async with app.sessions() as session:
        for key in keys:
            await outbox.enqueue(session, chat_id=42, text=f"hello {key}", dedupe_key=key, now=app.clock.now())
        await session.commit()


async def test_same_key_is_queued_once(app: Linli) -> None:
    await _queue(app, "a", "a", "b")
    async with app.sessions() as session:
        assert await outbox.pending_count(session) == 2


async def test_restart_neither_loses_nor_repeats(app: Linli) -> None:
    await _queue(app, "a", "b")
    first = FakeMessenger()
    assert await OutboxSender(app.sessions, first, app.clock).drain_once() == 2
    second = FakeMessenger()  # a new process after a restart
    assert await OutboxSender(app.sessions, second, app.clock).drain_once() == 0
    assert [m.text for m in first.sent] == ["hello a", "hello b"] and second.sent == []


async def test_two_workers_send_each_message_once(app: Linli) -> None:
    await _queue(app, *[f"k{i}" for i in range(10)])
    one, two = FakeMessenger(), FakeMessenger()
    await asyncio.gather(OutboxSender(app.sessions, one, app.clock).drain_once(),
                         OutboxSender(app.sessions, two, app.clock).drain_once())
    texts = [m.text for m in one.sent + two.sent]
    assert sorted(texts) == sorted(f"hello k{i}" for i in range(10))


async def test_flood_limit_postpones_then_sends(app: Linli, clock: FrozenClock) -> None:
    await _queue(app, "a")
    messenger = FakeMessenger(fail_with=RetryLater(30))
    sender = OutboxSender(app.sessions, messenger, clock)
    assert await sender.drain_once() == 0
    assert await sender.drain_once() == 0  # not due yet
    clock.advance(timedelta(seconds=31))
    assert await sender.drain_once() == 1
    assert [m.text for m in messenger.sent] == ["hello a"]


async def test_refused_message_is_marked_failed_not_retried(app: Linli) -> None:
    await _queue(app, "a")
    messenger = FakeMessenger(fail_with=SendError("Forbidden: bot was blocked by the user"))
    sender = OutboxSender(app.sessions, messenger, app.clock)
    assert await sender.drain_once() == 0
    assert await sender.drain_once() == 0
    async with app.sessions() as session:
        assert await outbox.pending_count(session) == 0
        assert await outbox.due(session, app.clock.now()) == []


async def test_message_claimed_by_a_dead_worker_is_sent_later(app: Linli, clock: FrozenClock) -> None:
    await _queue(app, "a")
    async with app.sessions() as session:
        row = (await outbox.due(session, clock.now()))[0]
        assert await outbox.claim(session, row.id or 0, clock.now())
        await session.commit()
    messenger = FakeMessenger()
    sender = OutboxSender(app.sessions, messenger, clock)
    assert await sender.drain_once() == 0  # still claimed, within the grace period
    clock.advance(timedelta(minutes=11))
    assert await sender.drain_once() == 1


async def test_network_failure_is_retried_then_given_up(app: Linli, clock: FrozenClock) -> None:
    await _queue(app, "a")
    messenger = FakeMessenger(fail_with=SendError("connection reset", permanent=False))
    sender = OutboxSender(app.sessions, messenger, clock)
    assert await sender.drain_once() == 0
    clock.advance(timedelta(seconds=31))
    assert await sender.drain_once() == 1  # the blip passed: the message still goes out
    assert [m.text for m in messenger.sent] == ["hello a"]

    await _queue(app, "b")

    class Down(FakeMessenger):
        async def perform(self, action: Action) -> Sent:
            raise SendError("network down", permanent=False)

    down = OutboxSender(app.sessions, Down(), clock)
    for _ in range(10):
        await down.drain_once()
        clock.advance(timedelta(seconds=31))
    async with app.sessions() as session:
        assert await outbox.pending_count(session) == 0  # given up after a bounded number of tries
