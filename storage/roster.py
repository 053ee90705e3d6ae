"""Household roster import (XLSX or CSV) and invite-code lists for printing and other tools."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import InvalidInput
from storage.community import Building, Community, Household
from storage.registration import InviteCode, create_codes

# Accepted column headings (lower-cased), Chinese and English.
HEADINGS = {
    "building": {"building", "楼", "楼号", "楼栋", "幢"},
    "unit": {"unit", "单元"},
    "room": {"room", "室", "房号", "门牌"},
    "floor_area": {"floor_area", "area", "面积", "建筑面积", "专有部分面积"},
    "owner": {"owner", "业主", "is_owner", "产权"},
}
TRUE_WORDS = {"1", "yes", "y", "true", "是", "有", "owner", "业主"}


@dataclass(frozen=True)
class RosterRow:
    building: str
    unit: str
    room: str
    floor_area: float
    has_owner: bool


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


def parse_rows(table: list[list[object]]) -> list[RosterRow]:
    """Rows of a sheet (first row: headings) → roster rows. Errors name the line."""
    if not table:
        raise InvalidInput("errors.roster_empty")
    header = [_clean(cell).lower() for cell in table[0]]
    index: dict[str, int] = {}
    for field, names in HEADINGS.items():
        for position, heading in enumerate(header):
            if heading in names:
                index[field] = position
                break
    missing = [field for field in ("building", "unit", "room") if field not in index]
    if missing:
        raise InvalidInput("errors.roster_missing_columns", columns=", ".join(missing))
    rows: list[RosterRow] = []
    for line, raw in enumerate(table[1:], start=2):
        cells = [_clean(cell) for cell in raw]
        if not any(cells):
            continue

        def cell(field: str, cells: list[str] = cells) -> str:
            position = index.get(field)
            return cells[position] if position is not None and position < len(cells) else ""

        building, unit, room = cell("building"), cell("unit"), cell("room")
        if not building or not room:
            raise InvalidInput("errors.roster_bad_row", line=line)
        try:
            area = float(cell("floor_area") or 0)
        except ValueError as exc:
            raise InvalidInput("errors.roster_bad_area", line=line) from exc
        if area < 0:
            raise InvalidInput("errors.roster_bad_area", line=line)
        rows.append(RosterRow(building=building[:40], unit=(unit or "1")[:20], room=room[:20], floor_area=area,
                              has_owner=cell("owner").lower() in TRUE_WORDS))
    return rows


def read_table(path: Path) -> list[list[object]]:
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook  # only when a spreadsheet is read: ~6 MB the running bot spares

        workbook = load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.active
        assert sheet is not None
        table = [list(row) for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return table
    text = path.read_bytes().decode("utf-8-sig")
    return [list(row) for row in csv.reader(io.StringIO(text))]


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
            household = Household(community_id=community.id, building_id=building.id, unit=row.unit,
                                  room=row.room, floor_area=row.floor_area, has_owner=row.has_owner)
            session.add(household)
            await session.flush()
            created += 1
            for invite in await create_codes(session, household, codes_per_household, now):
                codes.append((row.building, row.unit, row.room, invite.code))
        else:
            household.floor_area, household.has_owner = row.floor_area, row.has_owner
            session.add(household)
            updated += 1
    await session.flush()
    return ImportResult(households_created=created, households_updated=updated, codes=codes)


async def open_codes(session: AsyncSession, community_id: int) -> list[tuple[str, str, str, str]]:
    """Unused, unrevoked codes as (building, unit, room, code), for reprinting."""
    statement = (
        select(Building.name, Household.unit, Household.room, InviteCode.code)
        .join(Household, Household.id == InviteCode.household_id)
        .join(Building, Building.id == Household.building_id)
        .where(InviteCode.community_id == community_id, InviteCode.used_at == None,  # noqa: E711
               InviteCode.revoked == False)  # noqa: E712
        .order_by(Building.name, Household.unit, Household.room, InviteCode.code)
    )
    return [tuple(row) for row in (await session.exec(statement)).all()]  # type: ignore[misc]


def codes_csv(codes: list[tuple[str, str, str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["building", "unit", "room", "code"])
    writer.writerows(codes)
    return buffer.getvalue()
