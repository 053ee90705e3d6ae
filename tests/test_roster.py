"""Roster import from XLSX and CSV, invite codes, and the CLI around it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.app import Linli
from core.errors import InvalidInput
from storage import community as homes
from storage.roster import codes_csv, import_roster, open_codes, parse_rows, read_table


def test_chinese_headings_and_owner_flags(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["楼号", "单元", "房号", "面积", "业主"])
    sheet.append([3, 2, 501, 88.5, "是"])
    sheet.append([3, 2, 502, None, ""])
    sheet.append([None, None, None, None, None])
    book.save(path)
    rows = parse_rows(read_table(path))
    assert [(r.building, r.unit, r.room, r.floor_area, r.has_owner) for r in rows] == [
        ("3", "2", "501", 88.5, True), ("3", "2", "502", 0.0, False)]


def test_csv_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes("building,unit,room,floor_area,owner\n1,1,101,80,yes\n".encode("utf-8-sig"))
    assert parse_rows(read_table(path))[0].floor_area == 80.0


@pytest.mark.parametrize(("table", "key"), [
    ([], "errors.roster_empty"),
    ([["building", "room"]], "errors.roster_missing_columns"),
    ([["building", "unit", "room", "area"], ["1", "1", "", "5"]], "errors.roster_bad_row"),
    ([["building", "unit", "room", "area"], ["1", "1", "101", "big"]], "errors.roster_bad_area"),
    ([["building", "unit", "room", "area"], ["1", "1", "101", "-3"]], "errors.roster_bad_area"),
])
def test_bad_rosters_are_explained(table: list, key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_rows(table)
    assert caught.value.key == key


async def test_import_is_idempotent_and_codes_unique(app: Linli) -> None:
    rows = parse_rows([["building", "unit", "room", "floor_area", "owner"],
                       ["1", "1", "101", "80", "1"], ["1", "1", "102", "70", "0"]])
    async with app.sessions() as session:
        community = await homes.get_community(session, app.community_id or 0)
        first = await import_roster(session, community, rows, app.clock.now(), codes_per_household=3)
        again = await import_roster(session, community, rows, app.clock.now(), codes_per_household=3)
        await session.commit()
        listed = await open_codes(session, community.id or 0)
    assert (first.households_created, again.households_created, again.households_updated) == (2, 0, 2)
    codes = [code for *_, code in first.codes]
    assert len(codes) == 6 == len(set(codes)) and len(listed) == 6
    parsed = list(csv.reader(io.StringIO(codes_csv(first.codes))))
    assert parsed[0] == ["building", "unit", "room", "code"] and len(parsed) == 7
