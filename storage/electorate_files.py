"""Reading the electorates' files (CSV or XLSX, like the roster): owners, residents' groups, representatives.

Each ``parse_*`` turns a sheet (first row: headings, Chinese or English) into typed rows, or raises
:class:`ElectorateProblems` naming every bad row at once (nothing is imported while there is one). What the rows
mean for the database (a flat, a building, a registered resident) is checked when they are imported
(``storage.electorate_admin``), and reported the same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from core.errors import InvalidInput
from storage.roster import (
    FALSE_WORDS,
    HEADINGS,
    MAX_LENGTH,
    RowProblem,
    _clean,
    _heading,
    hundredths,
    parse_area,
)

MAX_ROWS = 20_000
NAME_LIMIT = 64
GROUP_NAME_LIMIT = 60
DEVELOPER_WORDS = {"开发商", "开发企业", "建设单位", "developer"}
SPLIT_NAMES = re.compile(r"\s*[、;；/]\s*")
SPLIT_BUILDINGS = re.compile(r"[\s,，、;；/]+")

OWNER_HEADINGS = {
    "building": HEADINGS["building"],
    "unit": HEADINGS["unit"],
    "room": HEADINGS["room"],
    "owner": {"owner", "owner_name", "name", "业主", "业主姓名", "业主名称", "姓名", "产权人", "所有权人", "权利人"},
    "area": HEADINGS["floor_area"],
    "id_tail": {"id_tail", "id", "证件号", "证件号码", "身份证", "身份证号", "证件号后四位", "身份证后四位",
                "证件尾号"},
    "developer": {"developer", "is_developer", "开发商", "开发商未售"},
    "share": {"share", "share_note", "份额", "共有份额", "共有方式"},
}
GROUP_HEADINGS = {
    "group": {"group", "residents_group", "group_name", "居民小组", "小组", "组", "组名", "小组名称"},
    "buildings": {"buildings", "building"} | HEADINGS["building"],
}
REPRESENTATIVE_HEADINGS = {
    "group": GROUP_HEADINGS["group"],
    "name": {"name", "姓名", "代表", "代表姓名", "名字"},
    "building": HEADINGS["building"],
    "unit": HEADINGS["unit"],
    "room": HEADINGS["room"],
    "kind": {"kind", "type", "role", "类型", "身份", "代表类型"},
}
GROUP_KIND_WORDS = {"group", "group_rep", "小组代表", "居民小组代表", "组代表"}
REPRESENTATIVE_KIND_WORDS = {"representative", "居民代表", "代表"}
BOTH_KIND_WORDS = {"both", "两者", "都是", "小组代表和居民代表"}


class ElectorateProblems(InvalidInput):
    """Every bad row of an electorates file at once; nothing is imported while there is one."""

    key = "electorates.bad_rows"

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(count=len(problems))
        self.problems = problems


def normalize_name(name: str) -> str:
    """A name as compared: full-width folded (NFKC), no spaces, case-folded (``王 伟`` is ``王伟``)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).casefold()


def _index(header: list[object], headings: dict[str, set[str]]) -> dict[str, int]:
    names = [_heading(cell) for cell in header]
    index: dict[str, int] = {}
    for name, accepted in headings.items():
        for position, heading in enumerate(names):
            if heading in accepted and position not in index.values():
                index[name] = position
                break
    return index


def _rows(table: list[list[object]], headings: dict[str, set[str]], required: tuple[str, ...]
          ) -> tuple[dict[str, str], list[tuple[int, dict[str, str]]]]:
    """(column titles as written, [(line, {field: value})]) for the non-empty rows of ``table``."""
    if not table:
        raise InvalidInput("electorates.err.empty_file")
    index = _index(table[0], headings)
    missing = [name for name in required if name not in index]
    if missing:
        raise InvalidInput("electorates.err.missing_columns", columns=", ".join(missing))
    if len(table) > MAX_ROWS + 1:
        raise InvalidInput("electorates.err.too_many_rows", max=MAX_ROWS)
    titles = {name: _clean(table[0][position]) for name, position in index.items()}
    rows = []
    for line, raw in enumerate(table[1:], start=2):
        cells = [_clean(cell) for cell in raw]
        if not any(cells):
            continue
        rows.append((line, {name: cells[position] if position < len(cells) else ""
                            for name, position in index.items()}))
    if not rows:
        raise InvalidInput("electorates.err.empty_file")
    return titles, rows


def _place_problems(line: int, value: dict[str, str], titles: dict[str, str]) -> list[RowProblem]:
    problems = []
    for name in ("building", "unit", "room"):
        if not value.get(name):
            problems.append(RowProblem(line, titles[name], "", "roster.problem.missing"))
        elif len(value[name]) > MAX_LENGTH[name]:
            problems.append(RowProblem(line, titles[name], value[name], "roster.problem.too_long",
                                       {"max": MAX_LENGTH[name]}))
    return problems


# ---- owners ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OwnerRow:
    line: int
    building: str
    unit: str
    room: str
    name: str
    key: str  # the owner's identity across imports (see storage.electorates.Owner)
    developer: bool
    area: int | None  # hundredths of m², when the file gives one
    share: str = ""


def owner_key(name: str, id_tail: str, developer: bool) -> str:
    """``developer`` for the developer (one owner, whatever the name); else the normalised name, with the last
    four characters of the ID number when given. Only those four are kept: the minimum to tell two 王伟 apart."""
    if developer:
        return "developer"
    tail = normalize_name(id_tail)[-4:]
    return f"{normalize_name(name)}#{tail}" if tail else normalize_name(name)


def parse_owners(table: list[list[object]]) -> list[OwnerRow]:
    """Owners' rows: building, unit, room, owner (several in one cell: ``张三、李四``), optional area (m², two
    decimals, exact), ID-number tail, developer (yes/no) and share note. A flat on several rows has co-owners."""
    titles, rows = _rows(table, OWNER_HEADINGS, ("building", "unit", "room", "owner"))
    problems: list[RowProblem] = []
    result: list[OwnerRow] = []
    areas: dict[tuple[str, str, str], tuple[int, int]] = {}
    for line, value in rows:
        bad = _place_problems(line, value, titles)
        names = [n for n in SPLIT_NAMES.split(value["owner"]) if n] if value["owner"] else []
        if not names:
            bad.append(RowProblem(line, titles["owner"], "", "roster.problem.missing"))
        for name in names:
            if len(name) > NAME_LIMIT:
                bad.append(RowProblem(line, titles["owner"], name, "roster.problem.too_long", {"max": NAME_LIMIT}))
        if len(names) > 1 and value.get("id_tail"):
            bad.append(RowProblem(line, titles["owner"], value["owner"], "electorates.problem.one_owner_per_id"))
        area: int | None = None
        place = (value["building"], value["unit"], value["room"])
        if value.get("area"):
            parsed = parse_area(value["area"])
            if isinstance(parsed, Decimal):
                area = hundredths(parsed)
                earlier = areas.setdefault(place, (area, line))
                if earlier[0] != area:
                    bad.append(RowProblem(line, titles["area"], value["area"], "electorates.problem.area_conflict",
                                          {"other": earlier[1]}))
            else:
                bad.append(RowProblem(line, titles["area"], value["area"], parsed, {"max": 5000}))
        if bad:
            problems.extend(bad)
            continue
        developer = value.get("developer", "").lower() not in FALSE_WORDS
        for name in names:
            is_developer = developer or normalize_name(name) in DEVELOPER_WORDS
            result.append(OwnerRow(line, *place, name=name, key=owner_key(name, value.get("id_tail", ""), is_developer),
                                   developer=is_developer, area=area, share=value.get("share", "")[:40]))
    if problems:
        raise ElectorateProblems(problems)
    return result


# ---- residents' groups --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupRow:
    line: int
    group: str
    buildings: tuple[str, ...]


def parse_groups(table: list[list[object]]) -> list[GroupRow]:
    """Groups' rows: group name and its buildings (``1、2、3`` in one cell, or one row per building)."""
    titles, rows = _rows(table, GROUP_HEADINGS, ("group", "buildings"))
    problems: list[RowProblem] = []
    result: list[GroupRow] = []
    seen: dict[str, tuple[str, int]] = {}
    for line, value in rows:
        bad = []
        group = value["group"]
        if not group:
            bad.append(RowProblem(line, titles["group"], "", "roster.problem.missing"))
        elif len(group) > GROUP_NAME_LIMIT:
            bad.append(RowProblem(line, titles["group"], group, "roster.problem.too_long", {"max": GROUP_NAME_LIMIT}))
        buildings = tuple(b for b in SPLIT_BUILDINGS.split(value["buildings"]) if b)
        if not buildings:
            bad.append(RowProblem(line, titles["buildings"], "", "roster.problem.missing"))
        for building in buildings:
            other = seen.setdefault(building, (group, line))
            if other[0] != group:
                bad.append(RowProblem(line, titles["buildings"], building, "electorates.problem.building_twice",
                                      {"other": other[1]}))
        if bad:
            problems.extend(bad)
            continue
        result.append(GroupRow(line, group, buildings))
    if problems:
        raise ElectorateProblems(problems)
    return result


# ---- representatives ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RepresentativeRow:
    line: int
    group: str  # "" when the row names a residents' representative only
    name: str
    building: str
    unit: str
    room: str
    group_rep: bool  # one of the group's 2-3 representatives
    representative: bool  # a residents' representative (居民代表)
    column: str = ""  # the heading to name when the person is not found


def parse_representatives(table: list[list[object]]) -> list[RepresentativeRow]:
    """Representatives' rows: group, and the person by name and/or building, unit, room (a registered resident);
    optional kind (小组代表 / 居民代表 / both). Without a kind, a row with a group is both (the group's elected
    representatives are its residents' representatives), a row without one is a residents' representative."""
    titles, rows = _rows(table, REPRESENTATIVE_HEADINGS, ())
    if "name" not in titles and not all(name in titles for name in ("building", "unit", "room")):
        raise InvalidInput("electorates.err.missing_columns", columns="name | building, unit, room")
    problems: list[RowProblem] = []
    result: list[RepresentativeRow] = []
    for line, value in rows:
        bad = []
        kind = value.get("kind", "").strip().lower()
        group = value.get("group", "")
        if kind in GROUP_KIND_WORDS:
            flags = (True, False)
        elif kind in REPRESENTATIVE_KIND_WORDS:
            flags = (False, True)
        elif kind in BOTH_KIND_WORDS or not kind:
            flags = (bool(group), True)
        else:
            flags = (False, False)
            bad.append(RowProblem(line, titles["kind"], value["kind"], "electorates.problem.unknown_kind"))
        if flags[0] and not group:
            column = titles.get("group") or titles.get("kind", "")
            bad.append(RowProblem(line, column, "", "electorates.problem.group_needed"))
        place = tuple(value.get(name, "") for name in ("building", "unit", "room"))
        if not value.get("name") and not all(place):
            bad.append(RowProblem(line, titles.get("name") or titles.get("room", ""), "",
                                  "electorates.problem.who"))
        if any(place) and not all(place):
            bad.extend(_place_problems(line, value, titles))
        if bad:
            problems.extend(bad)
            continue
        building, unit, room = place
        result.append(RepresentativeRow(line, group, value.get("name", ""), building, unit, room, group_rep=flags[0],
                                        representative=flags[1], column=titles.get("name") or titles.get("room", "")))
    if problems:
        raise ElectorateProblems(problems)
    return result


# ---- files ---------------------------------------------------------------------------------------------------


def understood(header: list[object]) -> bool:
    """Whether a first row has headings of any electorates file (confirms a guessed encoding)."""
    return any(_index(header, headings) for headings in (OWNER_HEADINGS, GROUP_HEADINGS, REPRESENTATIVE_HEADINGS))


def read_table(path: Path) -> list[list[object]]:
    from storage import roster_file

    return roster_file.read_table(path, understood)


def read_bytes(data: bytes, file_name: str) -> list[list[object]]:
    """A file sent in chat, as a table (the same readers as a file on disk)."""
    import tempfile

    suffix = Path(file_name or "upload.csv").suffix.lower() or ".csv"
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"upload{suffix}"
        path.write_bytes(data)
        return read_table(path)
