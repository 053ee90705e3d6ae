"""The workbook writer: openpyxl write-only (rows streamed to disk as they come), ready to print as it opens.

Per sheet: the name and headers from the catalog in the export's language; the header row frozen, bold, repeated
on every printed page (print titles) and filterable; column widths from the header and the first rows (East Asian
wide characters count 2) so Chinese fits; dates and times as real Excel dates in the community's time zone,
numbers as numbers, areas with two decimals, percentages formatted; landscape A4 fitted to the page width,
gridlines printed, "page / pages" in the footer, the community and period in the header. Text is never a formula.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from core.widths import display_width
from locales.catalogs import Translator
from storage.exports.tables import (
    Column,
    ExportInfo,
    Kind,
    Table,
    area,
    check_unique_slugs,
    labels,
    local,
    local_date,
    ratio,
)

SAMPLE_ROWS = 200  # rows read ahead to size the columns (the only rows held at once)
MIN_WIDTH = 6
MAX_WIDTH = 48
PADDING = 2

NUMBER_FORMATS: dict[Kind, str] = {
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
    Kind.PERCENT: "0.0%",
    Kind.AREA: "#,##0.00",
}
# What a value of each kind looks like on screen, in columns (text and areas are measured per value).
FIXED_WIDTHS: dict[Kind, int] = {Kind.DATE: 10, Kind.DATETIME: 16, Kind.PERCENT: 6, Kind.BOOL: 2}
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
HEADER_FILL = PatternFill("solid", fgColor="DDE5EE")


def sheet_name(title: str, taken: set[str]) -> str:
    """An Excel sheet name: no ``[]:*?/\\``, at most 31 characters, unique in the workbook (case-insensitive)."""
    base = SHEET_NAME_FORBIDDEN.sub(" ", title).strip().strip("'")[:31] or "Sheet"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


def _header_footer_text(text: str) -> str:
    return text.replace("&", "&&")


class _ColumnWriter:
    """One column's value conversion and, for kinds that need a number format or wrapping, its reusable styled
    cell (write-only rows are written as they are appended, so one cell per column serves every row).

    Plain kinds (int, text, yes/no) go to openpyxl as plain values: the fast path, like a bare dump."""

    def __init__(self, sheet: WriteOnlyWorksheet, column: Column, yes: str, no: str, info: ExportInfo,
                 wrap: bool) -> None:
        self.kind = column.kind
        self.cell = WriteOnlyCell(sheet)
        self.styled = column.kind in NUMBER_FORMATS or wrap  # ints need no format: General shows them
        if column.kind in NUMBER_FORMATS:
            self.cell.number_format = NUMBER_FORMATS[column.kind]
        if wrap:
            self.cell.alignment = Alignment(wrap_text=True, vertical="top")
        self.text_cell = WriteOnlyCell(sheet)  # plain text that openpyxl would take for a formula ("=…")
        zone = info.zone
        convert: dict[Kind, Callable[[Any], Any]] = {
            Kind.TEXT: str,
            Kind.INT: int,
            Kind.BOOL: lambda value: yes if value else no,
            Kind.DATE: lambda value: local_date(value, zone),
            Kind.DATETIME: lambda value: local(value, zone),
            Kind.PERCENT: lambda value: float(ratio(value)),
            Kind.AREA: area,
        }
        self.convert = convert[column.kind]
        self.text = column.kind is Kind.TEXT

    def __call__(self, value: Any) -> Any:
        if value is None:
            return None
        converted = self.convert(value)
        if self.text:
            if ILLEGAL_CHARACTERS_RE.search(converted):  # control characters Excel refuses: dropped
                converted = ILLEGAL_CHARACTERS_RE.sub("", converted)
            if converted.startswith("=") or self.styled:
                cell = self.cell if self.styled else self.text_cell
                cell.value = converted
                cell.data_type = "s"  # "=…" stays text: openpyxl would otherwise write it as a formula
                return cell
            return converted
        if not self.styled:
            return converted
        self.cell.value = converted
        return self.cell


def _shown_width(kind: Kind, value: Any) -> int:
    if value is None:
        return 0
    if kind in FIXED_WIDTHS:
        return FIXED_WIDTHS[kind]
    if kind is Kind.AREA:
        return len(f"{area(value):,.2f}")
    if kind is Kind.INT:
        return len(str(value))
    return display_width(str(value))


def _widths(columns: Sequence[Column], headers: Sequence[str], sample: Sequence[Sequence[Any]],
            yes: str, no: str) -> list[tuple[float, bool]]:
    """(width, wrap) per column: the widest of the header and the sampled values, within bounds."""
    result = []
    for index, (column, header) in enumerate(zip(columns, headers, strict=True)):
        kind = column.kind
        widest = max((_shown_width(kind, row[index]) for row in sample), default=0)
        if kind is Kind.BOOL:
            widest = max(display_width(yes), display_width(no))
        wanted = max(widest, display_width(header), MIN_WIDTH - PADDING) + PADDING
        result.append((float(min(wanted, MAX_WIDTH)), kind is Kind.TEXT and wanted > MAX_WIDTH))
    return result


def _write_sheet(workbook: Workbook, table: Table, info: ExportInfo, t: Callable[..., str], taken: set[str]) -> int:
    sheet = workbook.create_sheet(sheet_name(t(table.name), taken))
    columns = table.columns
    headers = [t(column.header) for column in columns]
    yes, no = t("exports.value.yes"), t("exports.value.no")
    rows = iter(table.rows)
    sample = list(itertools.islice(rows, SAMPLE_ROWS))
    widths = _widths(columns, headers, sample, yes, no)

    # Everything before the first row: sheet properties, view (frozen header), columns.
    for index, (width, _) in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages tall as it takes
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddHeader.center.text = _header_footer_text(f"{info.community} · {t(table.name)} · {info.period}")
    sheet.oddFooter.center.text = "&P / &N"

    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        header_cells.append(cell)
    sheet.append(header_cells)

    writers = [_ColumnWriter(sheet, column, yes, no, info, wrap) for column, (_, wrap) in zip(columns, widths,
                                                                                              strict=True)]
    count = 0
    width = len(columns)
    for row in itertools.chain(sample, rows):
        if len(row) != width:
            raise ValueError(f"{table.slug}: a row has {len(row)} values for {width} columns")
        sheet.append([write(value) for write, value in zip(writers, row, strict=True)])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(width)}{count + 1}"
    return count


def write_xlsx(tables: Sequence[Table], out: str | Path | IO[bytes], info: ExportInfo,
               translator: Translator | None = None) -> dict[str, int]:
    """Write ``tables`` as one workbook (a sheet each, in order) to a path or a binary file; returns the number
    of data rows written per table slug."""
    if not tables:
        raise ValueError("a workbook needs at least one table")
    check_unique_slugs(tables)
    t = labels(info.language, translator)
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "Linli"
    workbook.properties.title = f"{info.community} {info.period}"
    taken: set[str] = set()
    try:
        counts = {table.slug: _write_sheet(workbook, table, info, t, taken) for table in tables}
    except BaseException:
        _discard(workbook)
        raise
    workbook.save(out if not isinstance(out, Path) else str(out))
    return counts


def _discard(workbook: Workbook) -> None:
    """After a failure half-way: close every sheet's stream and remove its temporary file."""
    for sheet in workbook.worksheets:
        try:
            if not sheet.closed:
                sheet.close()
        except Exception:  # best effort: the original error is what matters
            pass
        writer = getattr(sheet, "_writer", None)
        if writer is not None and isinstance(writer.out, str):
            try:
                writer.cleanup()
            except (OSError, ValueError):
                pass

