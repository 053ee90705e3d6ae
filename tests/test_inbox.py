"""The inbox: stored before Telegram is told, handled from there once, finished at start in order."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot import incoming_json
from bot.app import Linli
from bot.config import Settings
from core.clock import FrozenClock
from core.errors import DomainError
from storage import inbox
from tests.conftest import TOKEN
from tests.support.chat import PortHarness, RecordingMessenger
from tests.support.inbox import (
    comment_texts,
    inbox_counts,
    press_update,
    text_update,
    topic_with_residents,
    write_comment,
)
from tests.support.seed import Seed


def _texts(messenger: RecordingMessenger, chat_id: int) -> list[str]:
    return [m.text for m in messenger.chats.get(chat_id, [])]


async def test_a_duplicated_update_has_no_second_effect(app: Linli, seed: Seed) -> None:
    topic = await topic_with_residents(seed, [2001])
    messenger = RecordingMessenger()
    messenger.reachable.add(2001)
    await app.handle(press_update(1, 2001, write_comment(app, topic)), messenger)
    comment = text_update(2, 2001, "楼道灯坏了")
    await app.handle(comment, messenger)
    await app.handle(comment, messenger)  # a webhook retry, or redelivery after a restart
    assert await comment_texts(app) == ["楼道灯坏了"]
    assert sum("评论" in t or "comment" in t.lower() for t in _texts(messenger, 2001)[-3:]) >= 1
    assert len(messenger.actions) == len({id(a) for a in messenger.actions})
    replies_after_duplicate = len(messenger.actions)
    await app.handle(comment, messenger)
    assert len(messenger.actions) == replies_after_duplicate  # nothing said twice either
    assert await inbox_counts(app) == {"done": 2}


async def test_left_over_updates_are_finished_at_start_in_order(settings: Settings, clock: FrozenClock,
                                                                 app: Linli, seed: Seed) -> None:
    topic = await topic_with_residents(seed, [2001, 2002])
    messenger = RecordingMessenger()
    messenger.reachable.update({2001, 2002})
    # Stored (and acknowledged) but the process died before handling any of them.
    batch = [press_update(11, 2001, write_comment(app, topic)), press_update(12, 2002, write_comment(app, topic)),
             text_update(13, 2001, "第一条"), text_update(14, 2002, "第二条"), text_update(15, 2001, "/help")]
    assert await app.accept(batch, messenger)
    assert await inbox_counts(app) == {"pending": 5}
    restarted = Linli(settings, clock=clock)
    await restarted.prepare(migrate=False)
    try:
        assert await restarted.resume(messenger) == 2
        # The text came after the press: in order, it is the comment (out of order it would be "free text").
        assert sorted(await comment_texts(restarted)) == ["第一条", "第二条"]
        assert await inbox_counts(restarted) == {"done": 5}
        assert await restarted.resume(messenger) == 0
    finally:
        await restarted.close()


async def test_a_refusal_and_a_bug_finish_the_update_without_effects(app: Linli, seed: Seed,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    topic = await topic_with_residents(seed, [2001])
    messenger = RecordingMessenger()
    messenger.reachable.add(2001)
    original = app.dispatcher.dispatch

    async def refuse(ctx: Any) -> None:
        await original(ctx)  # the effect is written ...
        raise DomainError("errors.not_allowed")  # ... and rolled back with the refusal

    monkeypatch.setattr(app.dispatcher, "dispatch", refuse)
    await app.handle(press_update(1, 2001, write_comment(app, topic)), messenger)
    await app.handle(text_update(2, 2001, "不会保存"), messenger)
    assert await comment_texts(app) == []
    assert await inbox_counts(app) == {"done": 2}

    async def bug(ctx: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(app.dispatcher, "dispatch", bug)
    await app.handle(text_update(3, 2001, "/help"), messenger)
    assert await inbox_counts(app) == {"done": 2, "failed": 1}
    assert await app.resume(messenger) == 0  # a bug is not retried forever


@pytest.mark.parametrize("door_name", ["aiogram", "ptb"])
async def test_an_update_acknowledged_to_telegram_survives_a_crash(settings: Settings, clock: FrozenClock,
                                                                   app: Linli, seed: Seed, door_name: str) -> None:
    """The process dies while an acknowledged update is being handled: after restart it is handled once."""
    from bot.emulator import BotApiEmulator

    topic = await topic_with_residents(seed, [2001])
    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_bot(TOKEN)
    emulator.add_user(2001, "Resident", language_code="zh-hans")
    try:
        first = _door(door_name, app, emulator.base_url)
        stuck = asyncio.Event()
        original = app.dispatcher.dispatch

        async def hang(ctx: Any) -> None:
            if ctx.incoming.text == "不会丢失":
                stuck.set()
                await asyncio.Event().wait()  # the process "dies" here, mid-update
            await original(ctx)

        app.dispatcher.dispatch = hang  # type: ignore[method-assign]
        running = asyncio.create_task(first.run())
        emulator.user_sends(2001, "/help")
        await app.settle(emulator.last_update_id(), timeout=15)
        shown = emulator.bot_messages(2001)[-1]["message_id"]
        query = emulator.user_presses(2001, shown, write_comment(app, topic), chat_id=2001, forged=True)
        await app.settle(emulator.last_update_id(), timeout=15)
        assert emulator.callback_answers.get(query) is not None
        emulator.user_sends(2001, "不会丢失")
        update_id = emulator.last_update_id()
        await asyncio.wait_for(stuck.wait(), 15)
        # Telegram has been told it arrived (the next getUpdates carried a higher offset) ...
        await emulator.wait_until(lambda: emulator.confirmed_update_id >= update_id, timeout=15)
        # ... and now the process is killed: nothing gets to finish.
        for task in [running, *app._tasks]:
            task.cancel()
        await asyncio.gather(running, *app._tasks, return_exceptions=True)
        if app.outbox is not None:
            await app.outbox.stop()
        assert await comment_texts(app) == []

        restarted = Linli(settings, clock=clock)
        await restarted.prepare(migrate=False)
        second = _door(door_name, restarted, emulator.base_url)
        again = asyncio.create_task(second.run())
        try:
            await restarted.settle(update_id, timeout=15)
            assert await comment_texts(restarted) == ["不会丢失"]
            async with restarted.sessions() as session:
                assert await inbox.counts(session) == {"done": 3}
        finally:
            await second.stop()
            await asyncio.wait_for(again, 15)
            await restarted.close()
    finally:
        await emulator.stop()


def _door(name: str, app: Linli, url: str) -> Any:
    if name == "aiogram":
        from bot.doors.aiogram_door import AiogramDoor

        return AiogramDoor(app, TOKEN, url)
    from bot.doors.ptb_door import PtbDoor

    return PtbDoor(app, TOKEN, url)


async def test_port_harness_still_handles_in_order(port: PortHarness, seed: Seed) -> None:
    topic = await topic_with_residents(seed, [2001])
    resident = port.user(2001, "Resident")
    await resident.press_data(write_comment(port.app, topic), message_id=1)
    await resident.send("按顺序")
    assert await comment_texts(port.app) == ["按顺序"]


async def test_a_fresh_update_waits_for_the_users_older_pending_one(app: Linli, seed: Seed) -> None:
    """The hot path handles an update it has just stored from memory, but never before an older one of the user."""
    topic = await topic_with_residents(seed, [2001])
    messenger = RecordingMessenger()
    messenger.reachable.add(2001)
    left = press_update(21, 2001, write_comment(app, topic))  # stored by a process that died before handling it
    async with app.sessions() as session:
        await inbox.record(session, [inbox.NewUpdate(21, 2001, incoming_json.dumps(left))], app.clock.now())
        await session.commit()
    await app.handle(text_update(22, 2001, "先按后写"), messenger)
    # In order, the text is the comment the press asked for; out of order it would be free text.
    assert await comment_texts(app) == ["先按后写"]
    assert await inbox_counts(app) == {"done": 2}


async def test_claiming_as_the_users_first_pending_update(app: Linli) -> None:
    now = app.clock.now()
    async with app.sessions() as session:
        await inbox.record(session, [inbox.NewUpdate(31, 7, "{}"), inbox.NewUpdate(32, 7, "{}"),
                                     inbox.NewUpdate(33, 8, "{}")], now)
        assert not await inbox.finish(session, 32, now, first_of_user=7)  # 31 waits before it
        assert await inbox.finish(session, 33, now, first_of_user=8)  # another user's order is not held up
        assert await inbox.finish(session, 31, now, first_of_user=7)
        assert await inbox.finish(session, 32, now, first_of_user=7)
        assert not await inbox.finish(session, 32, now, first_of_user=7)  # done already: a duplicate
        await session.commit()


async def test_the_record_is_one_statement_committed_on_its_own(app: Linli) -> None:
    """Storing a batch is one INSERT in autocommit mode: no BEGIN/COMMIT round trips, and durable when it returns."""
    from sqlalchemy import event

    sent: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement.split()[0].upper())

    event.listen(app.engine.sync_engine, "before_cursor_execute", seen)
    try:
        assert await app.accept([text_update(41, 2001, "一条"), text_update(42, 2002, "两条")], RecordingMessenger())
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", seen)
    assert sent == ["INSERT"]
    assert await inbox_counts(app) == {"pending": 2}  # seen by another connection: committed
