"""Reading a roster file as a table of cells: XLSX, or CSV in whatever encoding and delimiter it came in.

Excel on Chinese Windows writes CSV in GBK (GB18030 is its superset), without a BOM; "UTF-8 CSV" has a BOM;
"Unicode text" is UTF-16 with tabs. The encoding is guessed with charset-normalizer among those a Chinese
roster can have, and confirmed by the content: the decoding whose first row has recognised headings wins.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import charset_normalizer
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core.errors import InvalidInput

Table = list[list[object]]
# Encodings a roster made in mainland China (or Hong Kong, Taiwan) can come in, after UTF-8.
LIKELY_ENCODINGS = ["gb18030", "big5", "utf_16", "utf_32"]
DELIMITERS = ",\t;"
SAMPLE_BYTES = 64 * 1024


def read_table(path: Path, understood: Callable[[list[object]], bool] = bool) -> Table:
    """The file's rows as lists of cells. ``understood(first_row)`` tells a right decoding from a wrong one."""
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise InvalidInput("roster.old_excel")
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(path)
    return _read_csv(path.read_bytes(), understood)


def _read_xlsx(path: Path) -> Table:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InvalidInput("roster.unreadable") from exc
    try:
        sheet = workbook.active
        return [list(row) for row in sheet.iter_rows(values_only=True)] if sheet is not None else []
    finally:
        workbook.close()


def _candidates(data: bytes) -> list[str]:
    found: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        found.append("utf_8_sig")
    found.append("utf_8")
    found += [match.encoding for match in charset_normalizer.from_bytes(data[:SAMPLE_BYTES],
                                                                        cp_isolation=LIKELY_ENCODINGS)]
    found += LIKELY_ENCODINGS[:1]
    return list(dict.fromkeys(found))


def _decode(data: bytes, understood: Callable[[list[object]], bool]) -> str:
    """The text under the first likely encoding that decodes cleanly and whose first row is understood."""
    first_clean: str | None = None
    for encoding in _candidates(data):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        text = text.removeprefix("\ufeff")
        first_clean = first_clean if first_clean is not None else text
        first_line = next((line for line in text.splitlines() if line.strip()), "")
        header: list[object] = list(next(csv.reader([first_line], delimiter=_delimiter(first_line)), []))
        if understood(header):
            return text
    if first_clean is None:
        raise InvalidInput("roster.unreadable")
    return first_clean


def _delimiter(sample: str) -> str:
    """Comma, tab or semicolon: csv.Sniffer's pick, else the one the heading row has most of."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        heading = sample.splitlines()[0] if sample else ""
        return max(DELIMITERS, key=heading.count)


def _read_csv(data: bytes, understood: Callable[[list[object]], bool]) -> Table:
    text = _decode(data, understood)
    sample = "\n".join(text.splitlines()[:20])
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(sample))]
