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

PROBE = """
import sys
from bot.app import Linli
from bot.config import Settings, Transport
from bot.doors import make_door
import bot.cli, bot.sandbox, bot.jobs, scheduler.runner
for heavy in ("aiogram", "telegram", "alembic", "openpyxl"):
    assert heavy not in sys.modules, f"{heavy} was imported at start-up"
settings = Settings(_env_file=None, bot_token="1:x", database_url="sqlite+aiosqlite:///:memory:",
                    transport=Transport(sys.argv[1]))
door = make_door(Linli(settings), settings.transport, "1:x", "http://127.0.0.1:9")
assert "alembic" not in sys.modules and "openpyxl" not in sys.modules, "Alembic or openpyxl loaded by the bot"
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
