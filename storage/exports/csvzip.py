"""The same tables as a zip of CSV files: UTF-8 with a BOM (Excel and WPS open Chinese correctly), one per table.

Each file is ``<slug>.csv`` (ASCII names: every unzip tool agrees on them); its first row holds the headers in the
export's language. Values: dates ``2026-11-09``, times ``2026-11-09 14:30`` in the community's time zone (Excel
reads both as dates), areas ``1234.56`` (m², exact), percentages ``33.3%``, yes/no in the export's language.
Text a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``, tab or CR first) is prefixed with ``'``.
Rows stream from the table into the zip: nothing but the current row is held.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from locales.catalogs import Translator
from storage.exports.tables import (
    ExportInfo,
    Kind,
    Table,
    area,
    check_unique_slugs,
    labels,
    local,
    local_date,
    neutralised,
    percent_text,
)


def _formatter(kind: Kind, info: ExportInfo, yes: str, no: str) -> Callable[[Any], str]:
    zone = info.zone
    formats: dict[Kind, Callable[[Any], str]] = {
        Kind.TEXT: lambda value: neutralised(str(value)),
        Kind.INT: lambda value: str(int(value)),
        Kind.BOOL: lambda value: yes if value else no,
        Kind.DATE: lambda value: local_date(value, zone).isoformat(),
        Kind.DATETIME: lambda value: local(value, zone).strftime("%Y-%m-%d %H:%M"),
        Kind.PERCENT: percent_text,
        Kind.AREA: lambda value: f"{area(value):f}",
    }
    return formats[kind]


def write_table_csv(table: Table, stream: IO[str], info: ExportInfo, t: Callable[..., str]) -> int:
    """One table as CSV text (the caller chooses the encoding); returns the number of data rows."""
    yes, no = t("exports.value.yes"), t("exports.value.no")
    formatters = [_formatter(column.kind, info, yes, no) for column in table.columns]
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([neutralised(t(column.header)) for column in table.columns])
    count = 0
    width = len(formatters)
    for row in table.rows:
        if len(row) != width:
            raise ValueError(f"{table.slug}: a row has {len(row)} values for {width} columns")
        writer.writerow(["" if value is None else fmt(value) for fmt, value in zip(formatters, row, strict=True)])
        count += 1
    return count


def write_csv_zip(tables: Sequence[Table], out: str | Path | IO[bytes], info: ExportInfo,
                  translator: Translator | None = None) -> dict[str, int]:
    """Write ``tables`` as ``<slug>.csv`` files in one zip; returns the data rows written per slug."""
    if not tables:
        raise ValueError("an export needs at least one table")
    check_unique_slugs(tables)
    t = labels(info.language, translator)
    counts: dict[str, int] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            with archive.open(f"{table.slug}.csv", "w", force_zip64=True) as raw, \
                    io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
                counts[table.slug] = write_table_csv(table, text, info, t)
    return counts
