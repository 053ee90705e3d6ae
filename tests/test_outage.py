"""The database goes away for a while: users are told at once, nothing is lost, nothing is done twice.

``LINLI_TEST_OUTAGE_SECONDS`` sets how long the outage in the door test lasts (default 3).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import Linli
from bot.config import Settings
from core.clock import FrozenClock
from tests.conftest import TOKEN
from tests.support.chat import RecordingMessenger
from tests.support.inbox import (
    comment_texts,
    inbox_counts,
    press_update,
    text_update,
    topic_with_residents,
    write_comment,
)
from tests.support.outage import Switchable, outage, switchable
from tests.support.seed import Seed

OUTAGE_SECONDS = float(os.environ.get("LINLI_TEST_OUTAGE_SECONDS", "3"))
UNAVAILABLE = "服务暂时不可用"
USERS = [5001, 5002, 5003]


@pytest.fixture
async def database(db_url: str) -> Switchable:
    db = switchable(db_url)
    await db.start()
    return db


@pytest.fixture
async def fragile_app(settings: Settings, clock: FrozenClock, database: Switchable) -> AsyncIterator[Linli]:
    tuned = settings.model_copy(update={"database_url": database.url, "inbox_retry_seconds": 0.2})
    app = Linli(tuned, clock=clock, engine=database.engine())
    await app.prepare(migrate=False)
    yield app
    await app.close()


async def test_an_update_stored_before_the_outage_waits_in_the_inbox(fragile_app: Linli, database: Switchable) -> None:
    app = fragile_app
    topic = await topic_with_residents(Seed(app), USERS[:1])
    messenger = RecordingMessenger()
    messenger.reachable.add(5001)
    await app.handle(press_update(1, 5001, write_comment(app, topic)), messenger)
    comment = text_update(2, 5001, "停电期间写的评论")
    assert await app.accept([comment], messenger)  # stored and acknowledged ...
    async with outage(database):  # ... then the database goes away before it is handled
        app.schedule([comment], messenger)
        await app.quiesce()
        assert UNAVAILABLE in messenger.chats[5001][-1].text
        told = len(messenger.actions)
        assert await _resume_fails(app, messenger)
        assert len(messenger.actions) == told  # told once, not on every retry
    assert await app.resume(messenger) == 1
    assert await comment_texts(app) == ["停电期间写的评论"]
    assert await inbox_counts(app) == {"done": 2}
    assert await app.resume(messenger) == 0


async def _resume_fails(app: Linli, messenger: RecordingMessenger) -> bool:
    try:
        await app.resume(messenger)
    except Exception:
        return True
    return False


@pytest.mark.parametrize("door_name", ["ptb", "aiogram"])
async def test_updates_sent_during_an_outage_are_answered_and_handled_once(
        fragile_app: Linli, database: Switchable, door_name: str) -> None:
    from bot.emulator import BotApiEmulator

    app = fragile_app
    topic = await topic_with_residents(Seed(app), USERS)
    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_bot(TOKEN)
    door = _door(door_name, app, emulator.base_url)
    running = asyncio.create_task(door.run())
    try:
        for user_id in USERS:
            emulator.add_user(user_id, f"Resident {user_id}", language_code="zh-hans")
            emulator.user_sends(user_id, "/help")
            await app.settle(emulator.last_update_id(), timeout=15)
            shown = emulator.bot_messages(user_id)[-1]["message_id"]
            emulator.user_presses(user_id, shown, write_comment(app, topic), forged=True)
            await app.settle(emulator.last_update_id(), timeout=15)
        before = {u: len(emulator.bot_messages(u)) for u in USERS}
        first = emulator.last_update_id() + 1
        async with outage(database):
            for user_id in USERS:
                emulator.user_sends(user_id, f"评论 {user_id}")
                emulator.user_sends(user_id, "/help")
            last = emulator.last_update_id()
            await emulator.wait_until(lambda: all(_notices(emulator, u) == 2 for u in USERS), timeout=20,
                                      description="every update got the outage notice")
            assert emulator.confirmed_update_id < first  # not acknowledged: Telegram keeps them
            await asyncio.sleep(OUTAGE_SECONDS)  # the outage itself (the bot keeps retrying meanwhile)
            assert emulator.confirmed_update_id < first
        for update_id in range(first, last + 1):  # users are handled in parallel: wait for each
            await app.settle(update_id, timeout=30)
        await emulator.wait_until(lambda: emulator.confirmed_update_id >= last, timeout=15)
        assert sorted(await comment_texts(app)) == [f"评论 {u}" for u in USERS]
        counts = await inbox_counts(app)
        assert counts == {"done": last}
        for user_id in USERS:
            after = [m.get("text", "") for m in emulator.bot_messages(user_id)[before[user_id]:]]
            assert _notices(emulator, user_id) == 2  # one per update, not one per retry
            assert len(after) == 2 + 2 + 1  # two notices, then the saved comment (+ the comments page), help
        print(f"\noutage {OUTAGE_SECONDS:.0f}s ({door_name}, {database.url.split(':')[0]}): "
              f"{len(USERS) * 2} updates during the outage, {sum(_notices(emulator, u) for u in USERS)} notices, "
              f"inbox {counts}, comments {len(await comment_texts(app))}/{len(USERS)}, lost 0, doubled 0")
    finally:
        await door.stop()
        await asyncio.wait_for(running, 15)
        await emulator.stop()


def _notices(emulator: Any, user_id: int) -> int:
    return sum(UNAVAILABLE in m.get("text", "") for m in emulator.bot_messages(user_id))


def _door(name: str, app: Linli, url: str) -> Any:
    if name == "aiogram":
        from bot.doors.aiogram_door import AiogramDoor

        return AiogramDoor(app, TOKEN, url)
    from bot.doors.ptb_door import PtbDoor

    return PtbDoor(app, TOKEN, url)
