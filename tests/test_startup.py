"""Start-up stays lean: a process imports only the framework of the door it runs (``import aiogram`` alone is
~165 MB of RSS), and a restart on a migrated database loads neither Alembic nor openpyxl."""

from __future__ import annotations

import ast
import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Only what an export, a chart or a calendar file needs: imported when one is made, never at start-up.
LAZY = ("openpyxl", "matplotlib", "mplfonts", "icalendar")

PROBE = """
import sys
LAZY = ("openpyxl", "matplotlib", "mplfonts", "icalendar")
from bot.app import Linli
from bot.config import Settings, Transport
from bot.doors import make_door
import bot.cli, bot.sandbox, bot.jobs, scheduler.runner
for heavy in ("aiogram", "telegram", "alembic", *LAZY):
    assert heavy not in sys.modules, f"{heavy} was imported at start-up"
settings = Settings(_env_file=None, bot_token="1:x", database_url="sqlite+aiosqlite:///:memory:",
                    transport=Transport(sys.argv[1]))
door = make_door(Linli(settings), settings.transport, "1:x", "http://127.0.0.1:9")
loaded = [name for name in ("alembic", *LAZY) if name in sys.modules]
assert not loaded, f"{loaded} loaded by the bot"
print(type(door).__name__, "aiogram" in sys.modules, "telegram" in sys.modules)
"""


def _probe(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize(("transport", "expected"), [("ptb", "PtbDoor False True"),
                                                     ("aiogram", "AiogramDoor True False")])
def test_only_the_configured_framework_is_imported(transport: str, expected: str) -> None:
    assert _probe(transport) == expected


def test_ptb_is_the_default_door() -> None:
    from bot.config import Settings, Transport

    assert Settings(_env_file=None).transport is Transport.PTB  # type: ignore[call-arg]


def test_no_cli_sandbox_import_circle() -> None:
    """The door factory lives in bot.doors: neither bot.sandbox nor the benchmarks import bot.cli (even lazily)."""
    for path in [ROOT / "bot" / "sandbox.py", *sorted((ROOT / "bench").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert "bot.cli" not in imported, path


async def test_a_restart_on_a_migrated_database_skips_alembic(tmp_path: Path) -> None:
    from alembic import command

    from storage.db import alembic_config, at_head, create_engine, script_heads, upgrade_if_behind

    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    engine = create_engine(url)
    try:
        assert script_heads() and not await at_head(engine)  # empty: migrate
        await upgrade_if_behind(engine, url)
        assert await at_head(engine)
        await asyncio.to_thread(command.downgrade, alembic_config(url), "-1")
        assert not await at_head(engine)  # behind: migrate again
        await upgrade_if_behind(engine, url)
        assert await at_head(engine)
    finally:
        await engine.dispose()


async def test_bot_run_imports_no_export_chart_or_calendar_library_before_its_first_poll(tmp_path: Path) -> None:
    """The real ``python -m bot run`` (PTB, a migrated SQLite file) against the emulator: ``-X importtime`` lists
    every module it imported up to its first getUpdates (and a moment after); none of the lazy ones is there."""
    from bot.emulator import BotApiEmulator
    from storage.db import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'linli.db'}"
    await upgrade(url)
    token = "4200:AA" + "x" * 35
    emulator = BotApiEmulator(self_check=False)
    await emulator.start()
    emulator.add_bot(token)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}, "PYTHONPATH": str(ROOT),
           "LINLI_BOT_TOKEN": token, "LINLI_BOT_API_URL": emulator.base_url, "LINLI_DATABASE_URL": url}
    log = tmp_path / "importtime.txt"
    with log.open("w") as stderr:
        process = await asyncio.create_subprocess_exec(sys.executable, "-X", "importtime", "-m", "bot", "run",
                                                       env=env, cwd=tmp_path, stdout=asyncio.subprocess.DEVNULL,
                                                       stderr=stderr)
        try:
            await emulator.wait_until(lambda: emulator.is_polling(token) or process.returncode is not None,
                                      timeout=120, description="the first getUpdates of linli run")
            assert process.returncode is None, log.read_text()[-2000:]
            await asyncio.sleep(0.5)  # what start-up does right after (the scheduler, the command list)
        finally:
            if process.returncode is None:
                process.terminate()
            await process.wait()
            await emulator.stop()
    imported = {line.rsplit("|", 1)[1].strip() for line in log.read_text().splitlines()
                if line.startswith("import time:") and "|" in line}
    assert "storage.inbox" in imported and "telegram.ext" in imported  # the log is the bot's
    assert not {name for name in imported if name.split(".")[0] in LAZY}
