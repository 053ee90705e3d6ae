"""Logs keep no secrets: never the bot token; no resident's words or name at the default level."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from bot.app import Linli
from bot.logging_setup import install_redaction
from handlers.port import Sender
from storage.topic_comments import TopicComment
from tests.conftest import TOKEN
from tests.support.chat import RecordingMessenger
from tests.support.inbox import text_update

SECRET_PART = TOKEN.split(":", 1)[1]
WORDS = "我家电话13800138000请别外传"
NAME = "王秘密"


class Capture(logging.Handler):
    """Every record of every logger, formatted as a file handler would (message and traceback)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[tuple[int, str]] = []
        self.changed = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelno, self.format(record)))
        self.changed.set()

    def text(self, level: int = logging.DEBUG) -> str:
        return "\n".join(line for levelno, line in self.lines if levelno >= level)

    async def wait_for(self, fragment: str, times: int = 1, timeout: float = 20) -> None:
        async def until() -> None:
            while self.text().count(fragment) < times:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(until(), timeout)


@pytest.fixture
def capture() -> Iterator[Capture]:
    handler = Capture()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(previous)


def assert_clean(capture: Capture) -> None:
    everything = capture.text()
    assert TOKEN not in everything and SECRET_PART not in everything
    default_level = capture.text(logging.INFO)
    assert WORDS not in default_level and NAME not in default_level


@pytest.mark.parametrize("door_name", ["aiogram", "ptb"])
async def test_no_token_in_logs_during_an_api_outage(app: Linli, capture: Capture, door_name: str) -> None:
    from bot.emulator import BotApiEmulator

    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_bot(TOKEN)
    emulator.add_user(4001, NAME, language_code="zh-hans")
    if door_name == "aiogram":
        from bot.doors.aiogram_door import AiogramDoor

        door: Any = AiogramDoor(app, TOKEN, emulator.base_url)
    else:
        from bot.doors.ptb_door import PtbDoor

        door = PtbDoor(app, TOKEN, emulator.base_url)
    running = asyncio.create_task(door.run())
    try:
        emulator.user_sends(4001, WORDS)
        await app.settle(emulator.last_update_id(), timeout=15)
        await emulator.stop()  # the Bot API goes away
        await capture.wait_for("could not fetch updates", times=2)
        # Whatever a library logs with the URL in it, the token does not get through.
        url = f"{emulator.base_url}/bot{TOKEN}/getUpdates"
        logging.getLogger("aiohttp.client").warning("request to %s failed", url)
        try:
            raise ConnectionError(f"Cannot connect: {url}")
        except ConnectionError:
            logging.getLogger("httpx").exception("HTTP Request failed")
    finally:
        await door.stop()
        await asyncio.wait_for(running, 15)
    assert "[token]" in capture.text()
    assert_clean(capture)


async def test_no_words_or_names_in_logs_when_the_database_refuses(app: Linli, capture: Capture,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    install_redaction(TOKEN)
    messenger = RecordingMessenger()
    messenger.reachable.add(4001)

    async def failing_insert(ctx: Any) -> None:
        # A bug: the comment points at a topic that does not exist; the database refuses the insert.
        ctx.uow.session.add(TopicComment(topic_id=987654, resident_id=987654, text=ctx.incoming.text,
                                         created_at=ctx.now()))
        await ctx.uow.session.flush()

    monkeypatch.setattr(app.dispatcher, "dispatch", failing_insert)
    incoming = replace(text_update(1, 4001, WORDS), sender=Sender(4001, NAME, "zh-hans"))
    await app.handle(incoming, messenger)
    assert "update 1 failed" in capture.text(logging.ERROR)
    assert "IntegrityError" in capture.text(logging.ERROR)
    assert_clean(capture)
