"""With Telegram's limits enforced by the emulator, the bot's real defaults deliver everything, no 429."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.app import Linli
from bot.config import Settings
from bot.doors.aiogram_door import AiogramDoor
from bot.emulator import BotApiEmulator
from core.clock import SystemClock
from handlers.port import SendText
from storage import outbox
from tests.conftest import TOKEN


@pytest.fixture
async def strict() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_bot(TOKEN)
    emulator.set_flood_limits(per_chat_per_second=1, global_per_second=30, group_per_minute=20, retry_after=1)
    yield emulator
    await emulator.stop()


async def test_a_burst_to_one_chat_is_spaced_not_refused(strict: BotApiEmulator, db_url: str) -> None:
    settings = Settings(_env_file=None, bot_token=TOKEN, database_url=db_url)  # type: ignore[call-arg]
    app = Linli(settings, clock=SystemClock())
    await app.prepare(migrate=False)
    strict.add_user(4242, "Busy")
    strict.user_sends(4242, "hi")  # the user has started the bot
    door = AiogramDoor(app, TOKEN, strict.base_url)
    task = asyncio.create_task(door.run())
    try:
        await strict.wait_until(strict.is_polling, timeout=10)
        await strict.wait_until(lambda: len(strict.bot_messages(4242)) >= 1, timeout=10)  # the reply to "hi"
        async with app.sessions() as session:
            for number in range(5):
                await outbox.enqueue(session, SendText(4242, f"notice {number}"), dedupe_key=f"n{number}",
                                     now=datetime.now(UTC))
            await session.commit()
        assert app.outbox is not None
        app.outbox.wake()
        await strict.wait_until(lambda: len(strict.bot_messages(4242)) >= 6, timeout=20)
    finally:
        await door.stop()
        await task
        await app.close()
    assert [r for r in strict.errors if r.status == 429] == []
    assert [m["text"] for m in strict.bot_messages(4242)][1:] == [f"notice {n}" for n in range(5)]
