"""The monthly workbook at scale: 100,000 ballot rows through Linli's XLSX writer vs a bare openpyxl write-only dump
of the same rows, in the same run (issue 11, item 7: target ≤ 1.5 × in time and in peak memory).

    python -m bench --only exports [--export-rows 100000] [--rounds 3]
    python -m bench.export_bench [--rows 100000] [--rounds 3]

Both sides read the same lazily generated rows (aware UTC times, as the database returns them). The bare dump
does the least openpyxl needs to accept them (times made naive in the community's zone) and writes plain values
under a plain header; Linli's writer adds what makes the file print and read well (catalog sheet name and headers,
styled header, column widths from a look-ahead of the first rows, number formats, frozen pane, print titles, page
setup, auto-filter, text never a formula). Time: the two alternate ``rounds`` times and the fastest run of each
counts (the machine's load only ever adds time). Peak memory: one more run of each under ``tracemalloc`` (Python
allocations; the catalogs are loaded first, as in the running bot).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from storage.exports.monthly import BALLOTS
from storage.exports.tables import ExportInfo, labels
from storage.exports.xlsx import write_xlsx

ROWS = 100_000
TARGET = 1.5
START = datetime(2026, 11, 1, tzinfo=UTC)
INFO = ExportInfo(period="2026-11", community="碧波路居民区", generated_at=datetime(2026, 12, 1, 1, tzinfo=UTC))
CHOICES = ("赞成", "反对", "弃权")
CHANNELS = ("online", "paper", "proxy")


def ballot_rows(n: int) -> Iterator[tuple[Any, ...]]:
    """``n`` ballots of a month: a third secret (receipt and choice only), the rest open with household and name."""
    for i in range(n):
        secret = i % 3 == 0
        meeting = i % 4 + 1
        channel = CHANNELS[min(i % 10 // 8 + i % 10 // 9, 2)]
        yield (f"2026年第{meeting}次居民会议", f"关于第{meeting}项议题的决议（第二稿）", 2 if i % 7 == 0 else 1, secret,
               None if secret else f"{i % 40 + 1}号楼{i % 6 + 1}单元{i % 30 + 101}室",
               None if secret else f"住户{i % 5000}", f"R{i * 2654435761 % 16**8:08X}", CHOICES[i % 3], channel,
               None if secret else START + timedelta(seconds=i))


def bare_dump(path: Path, n: int) -> None:
    """The baseline: openpyxl write-only, header and values as they come (aware times made naive)."""
    zone = INFO.zone
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("ballots")
    sheet.append(list(BALLOTS.keys))
    for row in ballot_rows(n):
        values = list(row)
        moment = values[9]
        if moment is not None:
            values[9] = moment.astimezone(zone).replace(tzinfo=None)
        sheet.append(values)
    workbook.save(str(path))


def linli_export(path: Path, n: int) -> None:
    write_xlsx([BALLOTS.table(ballot_rows(n))], path, INFO)


@dataclass(frozen=True)
class Figures:
    rows: int
    bare_s: float
    linli_s: float
    bare_peak_mb: float
    linli_peak_mb: float
    bare_file_mb: float
    linli_file_mb: float

    @property
    def time_ratio(self) -> float:
        return self.linli_s / self.bare_s

    @property
    def memory_ratio(self) -> float:
        return self.linli_peak_mb / self.bare_peak_mb


def _timed(write: Callable[[Path, int], None], path: Path, n: int) -> float:
    started = time.perf_counter()
    write(path, n)
    return time.perf_counter() - started


def _peak_mb(write: Callable[[Path, int], None], path: Path, n: int) -> float:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        write(path, n)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def measure(n: int = ROWS, rounds: int = 3) -> Figures:
    labels("zh-Hans")("exports.sheet.ballots")  # the catalogs, loaded once at start in the bot
    with tempfile.TemporaryDirectory(prefix="linli-export-bench-") as folder:
        bare_path, linli_path = Path(folder) / "bare.xlsx", Path(folder) / "linli.xlsx"
        bare_times, linli_times = [], []
        for _ in range(rounds):
            bare_times.append(_timed(bare_dump, bare_path, n))
            linli_times.append(_timed(linli_export, linli_path, n))
        bare_peak = _peak_mb(bare_dump, bare_path, n)
        linli_peak = _peak_mb(linli_export, linli_path, n)
        return Figures(rows=n, bare_s=min(bare_times), linli_s=min(linli_times), bare_peak_mb=bare_peak,
                       linli_peak_mb=linli_peak, bare_file_mb=os.path.getsize(bare_path) / 2**20,
                       linli_file_mb=os.path.getsize(linli_path) / 2**20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.export_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args(argv)
    figures = measure(arguments.rows, arguments.rounds)
    print(f"{figures.rows:,} ballot rows · time {figures.linli_s:.2f} s vs bare {figures.bare_s:.2f} s "
          f"({figures.time_ratio:.2f}×) · peak {figures.linli_peak_mb:.1f} MB vs bare {figures.bare_peak_mb:.1f} MB "
          f"({figures.memory_ratio:.2f}×) · file {figures.linli_file_mb:.1f} MB vs {figures.bare_file_mb:.1f} MB "
          f"· target ≤ {TARGET}× in both")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
