"""The ``linli`` command line: roster import with codes out, the first committee member, migrations."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]


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
    assert (env / "codes.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as Excel wants
    rows = list(csv.reader((env / "codes.csv").open(encoding="utf-8-sig", newline="")))
    assert rows[0] == ["building", "unit", "room", "code"] and len(rows) == 5
    assert {tuple(row[:3]) for row in rows[1:]} == {("5", "1", "101"), ("5", "1", "102")}


def test_bad_roster_explained(env: Path) -> None:
    roster = env / "roster.csv"
    roster.write_text("building,room\n1,101\n", encoding="utf-8")
    result = runner.invoke(app, ["import-roster", str(roster)])
    assert result.exit_code == 1 and "名册缺少列" in result.output


def test_gbk_roster_with_bad_rows_lists_them_all_and_writes_nothing(env: Path) -> None:
    roster = env / "roster.csv"
    roster.write_bytes("楼栋\t单元\t室号\t建筑面积\t业主\n5\t1\t101\t八十\t张三\n5\t\t102\t81\t\n5\t1\t101\t80\t\n"
                       "6\t1\t[red]x[/red]\t-2\t\n".encode("gbk"))
    result = runner.invoke(app, ["import-roster", str(roster), "--codes-out", "codes.csv"])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "名册有 4 处问题" in result.output and "未导入任何内容" in result.output
    lines = result.output.splitlines()
    for row, column, value, problem in [("2", "建筑面积", "八十", "不是数字"), ("3", "单元", "—", "不能为空"),
                                        ("4", "室号", "5-1-101", "与第 2 行是同一户"),
                                        ("5", "建筑面积", "-2", "面积必须大于 0")]:
        assert any(line.split()[:3] == [row, column, value] and problem in line for line in lines), result.output
    assert "[red]x[/red]" not in result.output  # rows 5's room was printed as text, not as markup
    assert not (env / "codes.csv").exists() and not (env / "cli.db").exists()


def test_check_validates_without_writing(env: Path) -> None:
    roster = env / "roster.csv"
    roster.write_bytes("楼号;单元;房号;面积\n1;1;101;80\n2;1;101;90\n".encode("gb18030"))
    result = runner.invoke(app, ["import-roster", str(roster), "--check"])
    assert result.exit_code == 0, result.output
    assert "名册检查通过：2 户，2 栋楼" in result.output and not (env / "cli.db").exists()


def test_grant_first_committee_member(env: Path) -> None:
    first = runner.invoke(app, ["grant", "9001", "committee"])
    again = runner.invoke(app, ["grant", "9001", "committee"])
    wrong = runner.invoke(app, ["grant", "9001", "king"])
    assert "granted committee" in first.output and "already had" in again.output
    assert wrong.exit_code == 2 and "unknown role" in wrong.output
    for not_an_id in ("99999999999999999999", "0", "-5"):
        result = runner.invoke(app, ["grant", "--", not_an_id, "committee"])
        assert result.exit_code == 2 and "not a Telegram user id" in result.output, result.output


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


# ---- `linli run` refuses to start without a usable token (issue 6, defect 12) ------------------------------------
def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _one_clear_line(result: object, *needles: str) -> str:
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 1, output  # type: ignore[attr-defined]
    assert "Traceback" not in output and len(output.strip().splitlines()) == 1, output
    for needle in needles:
        assert needle in output, output
    return output


def test_run_without_token_exits_with_a_message_not_the_sandbox(env: Path) -> None:
    result = runner.invoke(app, ["run"], input="")
    _one_clear_line(result, "LINLI_BOT_TOKEN is not set", "@BotFather", "linli sandbox")
    assert not (env / "linli-sandbox.db").exists()


@pytest.mark.parametrize(("token", "hint"), [
    ("bot123456789:AAtestTOKENforLINLIxxxxxxxxxxxxxxxx", "'bot' prefix"),
    ("123456789AAtestTOKENforLINLIxxxxxxxxxxxxxxxx", "':'"),
    ('"123456789:AAtestTOKENforLINLIxxxxxxxxxxxxxxxx"', "quotes"),
    ("123456789:short", "do not fit"),
])
def test_run_with_a_malformed_token_says_so_in_one_line(env: Path, monkeypatch: pytest.MonkeyPatch, token: str,
                                                         hint: str) -> None:
    monkeypatch.setenv("LINLI_BOT_TOKEN", token)
    result = runner.invoke(app, ["run"])
    output = _one_clear_line(result, "LINLI_BOT_TOKEN is malformed", hint)
    assert token not in output and "AAtestTOKEN" not in output


def test_run_with_an_unreachable_bot_api_says_so_in_one_line(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import TOKEN

    monkeypatch.setenv("LINLI_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("LINLI_BOT_API_URL", f"http://127.0.0.1:{_free_port()}")
    output = _one_clear_line(runner.invoke(app, ["run"]), "cannot reach the Bot API at http://127.0.0.1:")
    assert TOKEN not in output and TOKEN.split(":")[1] not in output


async def test_run_with_a_token_telegram_refuses_exits_1(tmp_path: Path) -> None:
    """The real process (subprocess), a well-formed token the Bot API does not know: one line, exit 1."""
    import asyncio
    import os
    import sys

    from bot.emulator import BotApiEmulator
    from tests.conftest import TOKEN

    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_bot(TOKEN)
    unknown = "987654321:AAanotherTOKENnobodyGAVEusxxxxxxxxxx"
    env = {**os.environ, "PYTHONPATH": str(REPO), "LINLI_BOT_TOKEN": unknown,
           "LINLI_BOT_API_URL": emulator.base_url, "LINLI_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    finally:
        await emulator.stop()
    output = (stdout + stderr).decode()
    assert process.returncode == 1, output
    assert "Traceback" not in output and len(output.strip().splitlines()) == 1, output
    assert "refused the token (401)" in output and unknown.split(":")[1] not in output
    assert not (tmp_path / "x.db").exists()  # stopped before touching the database


def test_import_electorates_from_the_command_line(env: Path) -> None:
    roster = env / "roster.csv"
    roster.write_text("楼号,单元,房号,面积\n5,1,101,80\n5,1,102,81\n", encoding="utf-8")
    assert runner.invoke(app, ["import-roster", str(roster)]).exit_code == 0
    owners = env / "owners.csv"
    owners.write_text("楼号,单元,房号,业主,面积\n5,1,101,王伟,80.50\n5,1,102,王伟,81\n", encoding="utf-8")
    result = runner.invoke(app, ["import-electorate", "owners", str(owners)])
    assert result.exit_code == 0, result.output
    assert "owners: 2 rows, 1 created" in result.output
    again = runner.invoke(app, ["import-electorate", "owners", str(owners)])
    assert "0 created, 0 updated, 0 removed" in again.output
    groups = env / "groups.csv"
    groups.write_text("居民小组,楼号\n第一小组,5\n第二小组,9\n", encoding="utf-8")
    bad = runner.invoke(app, ["import-electorate", "groups", str(groups)])
    assert bad.exit_code == 1 and "文件有 1 处问题" in bad.output and "户籍名册中没有这栋楼" in bad.output
    assert runner.invoke(app, ["import-electorate", "voters", str(groups)]).exit_code == 2
