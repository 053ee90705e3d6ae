"""Household roster import (XLSX or CSV) and invite-code lists for printing and other tools."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import InvalidInput
from storage.community import Building, Community, Household
from storage.registration import InviteCode, create_codes

# Accepted column headings, Chinese and English; compared lower-cased, without spaces and without a unit
# in brackets ("建筑面积（㎡）" is "建筑面积").
HEADINGS = {
    "building": {"building", "楼", "楼号", "楼栋", "楼栋号", "栋", "栋号", "幢", "幢号", "楼宇"},
    "unit": {"unit", "单元", "单元号"},
    "room": {"room", "室", "室号", "房号", "房间号", "门牌", "门牌号", "户号"},
    "floor_area": {"floor_area", "area", "面积", "建筑面积", "房屋面积", "专有部分面积", "产权面积"},
    "owner": {"owner", "业主", "业主姓名", "is_owner", "产权", "产权人"},
}
REQUIRED = ("building", "unit", "room")
# Yes/no, or (often) the owner's name: any value but these means "has an owner".
FALSE_WORDS = {"", "0", "no", "n", "false", "否", "无", "没有", "-", "—", "空置"}
MAX_LENGTH = {"building": 40, "unit": 20, "room": 20}
MAX_AREA = Decimal(5000)  # m²; more than this for one household is a typo (a missing decimal point)
_UNIT_SUFFIXES = ("平方米", "平米", "㎡", "m²", "m2", "sqm")


@dataclass(frozen=True)
class RosterRow:
    building: str
    unit: str
    room: str
    floor_area: float
    has_owner: bool
    # Exact, from the file's digits; None: from floor_area (rounded half up to 0.01 m²). floor_area says the same.
    area_hundredths: int | None = field(default=None, compare=False)

    @property
    def hundredths(self) -> int:
        if self.area_hundredths is not None:
            return self.area_hundredths
        return hundredths(Decimal(str(self.floor_area)))


def hundredths(area: Decimal) -> int:
    """m² → hundredths of m², exactly (half up beyond two decimals)."""
    return int((area * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class RowProblem:
    """One bad cell: the file's row number, the column's heading as written there, the value, what is wrong."""

    line: int
    column: str
    value: str
    key: str
    params: dict[str, object] = field(default_factory=dict)


class RosterProblems(InvalidInput):
    """Every bad row of a roster at once; nothing is imported while there is one."""

    key = "roster.bad_rows"

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(count=len(problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    households_created: int
    households_updated: int
    codes: list[tuple[str, str, str, str]]  # building, unit, room, code


def _clean(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _heading(cell: object) -> str:
    text = re.sub(r"\s+", "", _clean(cell).lower())
    return re.sub(r"[(（\[【].*$", "", text)


def header_index(header: list[object]) -> dict[str, int]:
    """Field → column position, for the headings recognised in ``header``."""
    names = [_heading(cell) for cell in header]
    index: dict[str, int] = {}
    for name, accepted in HEADINGS.items():
        for position, heading in enumerate(names):
            if heading in accepted:
                index[name] = position
                break
    return index


def understood(header: list[object]) -> bool:
    """Whether a first row looks like a roster's headings (used to confirm a guessed encoding)."""
    return "building" in header_index(header)


def parse_area(text: str) -> Decimal | str:
    """The area in m² (exact, from the digits as written), or the catalog key of what is wrong with ``text``."""
    if not text:
        return "roster.problem.missing"
    number = text.replace(" ", "")
    for suffix in _UNIT_SUFFIXES:
        number = number.removesuffix(suffix)
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", number):
        number = number.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", number):
        return "roster.problem.not_a_number"
    try:
        area = Decimal(number)
    except InvalidOperation:
        return "roster.problem.not_a_number"
    if area <= 0:
        return "roster.problem.area_not_positive"
    if area > MAX_AREA:
        return "roster.problem.area_too_big"
    return area


def parse_rows(table: list[list[object]]) -> list[RosterRow]:
    """Rows of a sheet (first row: headings) → roster rows, or :class:`RosterProblems` naming every bad one."""
    if not table:
        raise InvalidInput("errors.roster_empty")
    index = header_index(table[0])
    missing = [name for name in REQUIRED if name not in index]
    if missing:
        raise InvalidInput("errors.roster_missing_columns", columns=", ".join(missing))
    titles = {name: _clean(table[0][position]) for name, position in index.items()}
    rows: list[RosterRow] = []
    problems: list[RowProblem] = []
    first_seen: dict[tuple[str, str, str], int] = {}
    for line, raw in enumerate(table[1:], start=2):
        cells = [_clean(cell) for cell in raw]
        if not any(cells):
            continue
        value = {name: cells[position] if position < len(cells) else "" for name, position in index.items()}
        bad = len(problems)
        for name in REQUIRED:
            if not value[name]:
                problems.append(RowProblem(line, titles[name], "", "roster.problem.missing"))
            elif len(value[name]) > MAX_LENGTH[name]:
                problems.append(RowProblem(line, titles[name], value[name], "roster.problem.too_long",
                                           {"max": MAX_LENGTH[name]}))
        place = (value["building"], value["unit"], value["room"])
        if len(problems) == bad:
            if place in first_seen:
                problems.append(RowProblem(line, titles["room"], "-".join(place), "roster.problem.duplicate",
                                           {"other": first_seen[place]}))
            else:
                first_seen[place] = line
        area: Decimal | str = Decimal(0)
        if "floor_area" in index:
            area = parse_area(value["floor_area"])
            if isinstance(area, str):
                problems.append(RowProblem(line, titles["floor_area"], value["floor_area"], area,
                                           {"max": int(MAX_AREA)}))
        if len(problems) > bad:
            continue
        owner = value.get("owner", "").lower()
        assert isinstance(area, Decimal)
        rows.append(RosterRow(building=place[0], unit=place[1], room=place[2], floor_area=float(area),
                              has_owner=owner not in FALSE_WORDS, area_hundredths=hundredths(area)))
    if problems:
        raise RosterProblems(problems)
    if not rows:
        raise InvalidInput("errors.roster_empty")
    return rows


def read_table(path: Path) -> list[list[object]]:
    """The roster file as rows of cells (XLSX, or CSV in UTF-8, GB18030/GBK or UTF-16, comma, tab or semicolon)."""
    from storage import roster_file  # openpyxl and charset-normalizer only when a file is read

    return roster_file.read_table(path, understood)


async def import_roster(session: AsyncSession, community: Community, rows: list[RosterRow], now: datetime,
                        codes_per_household: int = 3) -> ImportResult:
    """Create or update households; new households get ``codes_per_household`` invite codes."""
    assert community.id is not None
    buildings = {b.name: b for b in (await session.exec(
        select(Building).where(Building.community_id == community.id))).all()}
    created = updated = 0
    codes: list[tuple[str, str, str, str]] = []
    for row in rows:
        building = buildings.get(row.building)
        if building is None:
            building = Building(community_id=community.id, name=row.building)
            session.add(building)
            await session.flush()
            buildings[row.building] = building
        household = (await session.exec(select(Household).where(
            Household.building_id == building.id, Household.unit == row.unit, Household.room == row.room))).first()
        if household is None:
            household = Household(community_id=community.id, building_id=building.id or 0, unit=row.unit,
                                  room=row.room, floor_area=row.floor_area, area_hundredths=row.hundredths,
                                  has_owner=row.has_owner)
            session.add(household)
            await session.flush()
            created += 1
            for invite in await create_codes(session, household, codes_per_household, now):
                codes.append((row.building, row.unit, row.room, invite.code))
        else:
            household.floor_area, household.has_owner = row.floor_area, row.has_owner
            household.area_hundredths = row.hundredths
            session.add(household)
            updated += 1
    await session.flush()
    return ImportResult(households_created=created, households_updated=updated, codes=codes)


async def open_codes(session: AsyncSession, community_id: int) -> list[tuple[str, str, str, str]]:
    """Unused, unrevoked codes as (building, unit, room, code), for reprinting."""
    statement = (
        select(Building.name, Household.unit, Household.room, InviteCode.code)
        .join(Household, col(Household.id) == InviteCode.household_id)
        .join(Building, col(Building.id) == Household.building_id)
        .where(InviteCode.community_id == community_id, InviteCode.used_at == None,  # noqa: E711
               InviteCode.revoked == False)  # noqa: E712
        .order_by(Building.name, Household.unit, Household.room, InviteCode.code)
    )
    return [tuple(row) for row in (await session.exec(statement)).all()]  # type: ignore[misc]


def codes_csv(codes: list[tuple[str, str, str, str]]) -> str:
    """The codes as CSV text; write it as UTF-8 with a BOM (``encoding="utf-8-sig"``) so Excel reads it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["building", "unit", "room", "code"])
    writer.writerows(codes)
    return buffer.getvalue()
