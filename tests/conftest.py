"""Fixtures: every database backend, the app on a frozen clock, and chat drivers for both doors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import Linli
from bot.config import Settings
from core.clock import FrozenClock
from tests.support.chat import EmulatorHarness, Harness, PortHarness
from tests.support.databases import (
    SqliteTemplate,
    create_postgres_database,
    drop_postgres_database,
    pg_url,
    truncate_all,
)
from tests.support.seed import Seed

TOKEN = "123456789:AAtestTOKENforLINLIxxxxxxxxxxxxxxxx"
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    name = create_postgres_database()
    yield name
    if name is not None:
        drop_postgres_database(name)


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: SqliteTemplate) -> str:
    if request.param == "sqlite":
        return sqlite_template.fresh(tmp_path)
    name = request.getfixturevalue("postgres_database")
    if name is None:
        pytest.skip("PostgreSQL not reachable (set LINLI_TEST_POSTGRES=required to fail instead)")
    url = pg_url(name)
    await truncate_all(url)
    return url


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(db_url: str) -> Settings:
    # Scripted users type faster than people: a roomy per-chat bucket keeps scenarios quick.
    # test_flood_limits.py runs with the real defaults against an emulator that enforces Telegram's.
    # The frozen clock puts a whole scenario in one instant: inbound flood control (tested with its
    # real default in test_inbound_flood.py) would otherwise count every step of it.
    return Settings(_env_file=None, bot_token=TOKEN, database_url=db_url,  # type: ignore[call-arg]
                    flood_chat_burst=100, flood_chat_seconds=1, flood_group_per_minute=200,
                    inbound_per_minute=100_000)


@pytest.fixture
async def app(settings: Settings, clock: FrozenClock) -> AsyncIterator[Linli]:
    linli = Linli(settings, clock=clock)
    await linli.prepare(migrate=False)
    yield linli
    await linli.close()


@pytest.fixture
def seed(app: Linli) -> Seed:
    return Seed(app)


@pytest.fixture
def port(app: Linli) -> PortHarness:
    """Conversations straight through the port (fast; every database)."""
    return PortHarness(app)


@asynccontextmanager
async def through_emulator(app: Linli, door_name: str) -> AsyncIterator[EmulatorHarness]:
    """A real door (``"aiogram"`` or ``"ptb"``) polling the Bot API emulator; on exit, checks that the bot asked
    Telegram for nothing it would refuse."""
    from bot.doors.aiogram_door import AiogramDoor
    from bot.doors.ptb_door import PtbDoor
    from bot.emulator import BotApiEmulator

    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_bot(TOKEN)
    door_class = AiogramDoor if door_name == "aiogram" else PtbDoor
    door = door_class(app, TOKEN, emulator.base_url)
    harness = EmulatorHarness(app, emulator, door)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
        await emulator.stop()
    unexpected = [r for r in emulator.errors if not r.expected]
    assert not unexpected, f"the bot made requests Telegram would refuse: {unexpected}"
    assert emulator.spec_violations == []
    assert [r.method for r in emulator.requests if r.unknown_params] == []


@pytest.fixture(params=["aiogram", "ptb"])
async def e2e(request: pytest.FixtureRequest, app: Linli) -> AsyncIterator[EmulatorHarness]:
    """Conversations through the Bot API emulator with a real door (both doors, every database).
    For what only the emulator can show (command lists, group chats seen by Telegram, its refusals)."""
    async with through_emulator(app, request.param) as harness:
        yield harness


@pytest.fixture(params=["port", "aiogram", "ptb"])
async def chat(request: pytest.FixtureRequest, app: Linli) -> AsyncIterator[Harness]:
    """One scenario, three backends: straight through the port, then through each real door and the emulator
    (every database). Write conversation tests against this; use ``port`` only for the port's internals."""
    if request.param == "port":
        yield PortHarness(app)
        return
    async with through_emulator(app, request.param) as harness:
        yield harness
