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
