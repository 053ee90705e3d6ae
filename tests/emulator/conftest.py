"""Fixtures for the emulator's own tests: a started emulator with one bot and three users."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.emulator import BotApiEmulator
from tests.emulator.support import ANN, BOB, CAROL, TOKEN, RawApi


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_bot(TOKEN)
    emulator.add_user(ANN, "Ann", username="ann_w")
    emulator.add_user(BOB, "Bob", last_name="Li")
    emulator.add_user(CAROL, "Carol")
    yield emulator
    await emulator.stop()
    assert not emulator.spec_violations, emulator.spec_violations


@pytest.fixture
async def api(emu: BotApiEmulator) -> AsyncIterator[RawApi]:
    async with aiohttp.ClientSession() as session:
        yield RawApi(emu, session)
