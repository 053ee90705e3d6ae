"""The ``linli`` command line: roster import with codes out, the first committee member, migrations."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LINLI_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("LINLI_BOT_TOKEN", raising=False)
    return tmp_path


def test_import_roster_writes_codes(env: Path) -> None:
    roster = env / "roster.csv"
    roster.write_text("楼号,单元,房号,面积,业主\n5,1,101,80,是\n5,1,102,81,否\n", encoding="utf-8")
    result = runner.invoke(app, ["import-roster", str(roster), "--codes-out", "codes.csv",
                                 "--codes-per-household", "2"])
    assert result.exit_code == 0, result.output
    assert "households: 2 new" in result.output
    rows = list(csv.reader((env / "codes.csv").open(encoding="utf-8")))
    assert rows[0] == ["building", "unit", "room", "code"] and len(rows) == 5
    assert {tuple(row[:3]) for row in rows[1:]} == {("5", "1", "101"), ("5", "1", "102")}


def test_bad_roster_explained(env: Path) -> None:
    roster = env / "roster.csv"
    roster.write_text("building,room\n1,101\n", encoding="utf-8")
    result = runner.invoke(app, ["import-roster", str(roster)])
    assert result.exit_code == 1 and "名册缺少列" in result.output


def test_grant_first_committee_member(env: Path) -> None:
    first = runner.invoke(app, ["grant", "9001", "committee"])
    again = runner.invoke(app, ["grant", "9001", "committee"])
    wrong = runner.invoke(app, ["grant", "9001", "king"])
    assert "granted committee" in first.output and "already had" in again.output
    assert wrong.exit_code == 2 and "unknown role" in wrong.output


def test_migrate(env: Path) -> None:
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0 and "head" in result.output
    assert (env / "cli.db").exists()


@pytest.mark.parametrize("transport", ["aiogram", "ptb"])
async def test_run_serves_until_stopped(tmp_path: Path, transport: str) -> None:
    """`linli run` for real: the configured token, door and Bot API URL (the emulator stands in for Telegram)."""
    import asyncio

    from bot.cli import _run
    from bot.config import Settings
    from bot.emulator import BotApiEmulator
    from tests.conftest import TOKEN

    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_bot(TOKEN)
    emulator.add_user(1001, "Alice", language_code="en")
    settings = Settings(_env_file=None, bot_token=TOKEN, transport=transport,  # type: ignore[call-arg]
                        bot_api_url=emulator.base_url, database_url=f"sqlite:///{tmp_path / 'run.db'}")
    stop = asyncio.Event()
    running = asyncio.create_task(_run(settings, stop))
    try:
        await emulator.wait_until(emulator.is_polling, timeout=15)
        emulator.user_sends(1001, "/start")
        await emulator.wait_until(lambda: len(emulator.bot_messages(1001)) == 1, timeout=15)
        assert "Welcome to Linli" in emulator.bot_messages(1001)[0]["text"]
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
        await emulator.stop()
    assert emulator.errors == [] and emulator.spec_violations == []
    assert {c["command"] for c in emulator.commands(language_code="zh")} >= {"start", "topics"}
