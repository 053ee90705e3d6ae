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
from storage.roster import (
    RosterProblems,
    RosterRow,
    codes_csv,
    import_roster,
    open_codes,
    parse_rows,
    read_table,
)


def test_chinese_headings_and_owner_flags(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["楼号", "单元", "房号", "面积", "业主"])
    sheet.append([3, 2, 501, 88.5, "是"])
    sheet.append([3, 2, 502, 70, ""])
    sheet.append([3, 2, 503, "66.6㎡", "王芳"])  # an owner column often holds the owner's name
    sheet.append([None, None, None, None, None])
    book.save(path)
    rows = parse_rows(read_table(path))
    assert [(r.building, r.unit, r.room, r.floor_area, r.has_owner) for r in rows] == [
        ("3", "2", "501", 88.5, True), ("3", "2", "502", 70.0, False), ("3", "2", "503", 66.6, True)]


def test_csv_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes("building,unit,room,floor_area,owner\n1,1,101,80,yes\n".encode("utf-8-sig"))
    assert parse_rows(read_table(path))[0].floor_area == 80.0


@pytest.mark.parametrize(("table", "key"), [
    ([], "errors.roster_empty"),
    ([["building", "unit", "room"]], "errors.roster_empty"),
    ([["building", "room"]], "errors.roster_missing_columns"),
])
def test_bad_rosters_are_explained(table: list, key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_rows(table)
    assert caught.value.key == key


ROSTER = "楼栋,单元,室号,建筑面积（㎡）,业主\n5号楼,1,101,80.5,张三\n5号楼,1,102,81,\n"


@pytest.mark.parametrize(("encoding", "delimiter"), [
    ("gbk", ","), ("gb18030", "\t"), ("utf-8-sig", ";"), ("utf-8", "\t"), ("utf-16", "\t"), ("gbk", ";")])
def test_csv_encodings_and_delimiters_excel_writes(tmp_path: Path, encoding: str, delimiter: str) -> None:
    """Excel on Chinese Windows writes GBK without a BOM; "UTF-8 CSV" has a BOM; "Unicode text" is UTF-16 + tabs."""
    path = tmp_path / "roster.csv"
    path.write_bytes(ROSTER.replace(",", delimiter).encode(encoding))
    rows = parse_rows(read_table(path))
    assert [(r.building, r.unit, r.room, r.floor_area, r.has_owner) for r in rows] == [
        ("5号楼", "1", "101", 80.5, True), ("5号楼", "1", "102", 81.0, False)]


def test_a_short_gbk_file_is_not_taken_for_korean_or_big5(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes("楼号,单元,房号\n1,1,101\n".encode("gbk"))
    assert parse_rows(read_table(path))[0].building == "1"


@pytest.mark.parametrize("heading", [["楼号", "单元", "房号", "面积", "业主"],
                                     ["楼栋", "单元", "室号", "建筑面积", "业主"],
                                     ["Building", "Unit", "Room", "Floor_Area", "Owner"],
                                     ["楼 号", "单元号", "房间号", "建筑面积(平方米)", "产权人"]])
def test_usual_headings(heading: list[str]) -> None:
    assert parse_rows([heading, ["2", "1", "301", "90", "是"]]) == [RosterRow("2", "1", "301", 90.0, True)]


def test_every_bad_row_is_reported_at_once_with_row_number_and_value() -> None:
    table = [["楼号", "单元", "房号", "面积", "业主"],
             ["1", "1", "101", "80", "是"],
             ["1", "1", "102", "", "是"],         # 3: area missing
             ["1", "1", "103", "八十", "是"],     # 4: not a number
             ["1", "1", "104", "-3", "是"],       # 5: negative
             ["1", "1", "105", "85000", "是"],    # 6: absurd (a missing decimal point)
             ["1", "1", "101", "80", "是"],       # 7: same household as row 2
             ["1", "", "106", "80", "是"],        # 8: empty unit
             ["", "", "", "", ""],                # blank lines are skipped
             ["1", "2", "x" * 21, "0", "是"]]     # 10: room too long, and an area of 0
    with pytest.raises(RosterProblems) as caught:
        parse_rows(table)
    found = [(p.line, p.column, p.value, p.key) for p in caught.value.problems]
    assert found == [
        (3, "面积", "", "roster.problem.missing"),
        (4, "面积", "八十", "roster.problem.not_a_number"),
        (5, "面积", "-3", "roster.problem.area_not_positive"),
        (6, "面积", "85000", "roster.problem.area_too_big"),
        (7, "房号", "1-1-101", "roster.problem.duplicate"),
        (8, "单元", "", "roster.problem.missing"),
        (10, "房号", "x" * 21, "roster.problem.too_long"),
        (10, "面积", "0", "roster.problem.area_not_positive"),
    ]
    assert caught.value.problems[4].params == {"other": 2}
    assert caught.value.key == "roster.bad_rows" and caught.value.params == {"count": 8}


def test_unreadable_files_are_explained(tmp_path: Path) -> None:
    broken, old = tmp_path / "roster.xlsx", tmp_path / "roster.xls"
    broken.write_bytes(b"not a zip file")
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    for path, key in ((broken, "roster.unreadable"), (old, "roster.old_excel")):
        with pytest.raises(InvalidInput) as caught:
            read_table(path)
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


def test_areas_are_exact_hundredths() -> None:
    """The area a vote weighs is the file's digits in hundredths of m², never a float's approximation."""
    rows = parse_rows([["楼号", "单元", "房号", "面积"], ["1", "1", "101", "95.55"], ["1", "1", "102", "1,234.56㎡"],
                       ["1", "1", "103", "0.29"], ["1", "1", "104", "80.005"]])
    assert [row.hundredths for row in rows] == [9555, 123456, 29, 8001]
    assert RosterRow("1", "1", "105", 0.29, True).hundredths == 29  # from a float too (0.29 * 100 is 28.999…)
