"""The full monthly export from a database (issue 11, item 7): a month of 100,000 ballots cast by 5,000 residents,
seeded in a migrated SQLite file (or PostgreSQL), exported by ``storage.exports.monthly_data.write_month`` as the
workbook — every sheet, the ballots streamed from the database through a worker thread into openpyxl write-only —
next to a bare dump of the same rows: the same ballots streamed out of the same database (one query per ballot
table, ``yield_per``) straight into an openpyxl write-only sheet. Target ≤ 1.5 × in time and in peak memory.

    python -m bench --only exports                         (with the writer-only figure)
    python -m bench.monthly_export_bench [--ballots 100000] [--residents 5000] [--rounds 3] [--database postgres]

The month: one residents' meeting of ``items`` motions (a third secret) with every resident on its register, each
voting on every item, counted by the use case. Time: the two alternate ``rounds`` times, the fastest of each counts.
Peak memory: one more run of each under ``tracemalloc`` (Python allocations, the database driver's included).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import insert
from sqlmodel import col, select

from core.monthly import Month
from storage.db import create_engine, session_factory, upgrade
from storage.exports.monthly_data import Format, Source, write_month
from storage.exports.tables import labels
from storage.unit import Unit

BALLOTS = 100_000
RESIDENTS = 5_000
TARGET = 1.5
NOW = datetime(2026, 12, 1, 1, tzinfo=UTC)  # 09:00 on the 1st in Shanghai: November is exported
OPENED = datetime(2026, 11, 20, 2, tzinfo=UTC)


@dataclass(frozen=True)
class Figures:
    ballots: int
    residents: int
    bare_s: float
    linli_s: float
    bare_peak_mb: float
    linli_peak_mb: float
    linli_file_mb: float
    bare_file_mb: float

    @property
    def time_ratio(self) -> float:
        return self.linli_s / self.bare_s

    @property
    def memory_ratio(self) -> float:
        return self.linli_peak_mb / self.bare_peak_mb


async def seed(url: str, ballots: int, residents: int) -> int:
    """The community, its residents and households, a November meeting with ``ballots`` ballots; its id."""
    from core.voting import ItemKind, MeetingKind, Mode
    from storage import meetings
    from storage.ballots import MeetingElector, OpenBallot, SecretBallot, SecretParticipation
    from storage.community import Building, Household, ensure_community
    from storage.meetings import Draft, DraftItem
    from storage.residents import Resident

    items = max(1, -(-ballots // residents))
    engine = create_engine(url)
    sessions = session_factory(engine)
    rng = random.Random(11)
    try:
        async with sessions() as session:
            community = await ensure_community(session, "碧波路居民区", "Asia/Shanghai", OPENED)
            community_id = community.id or 0
            buildings = [Building(community_id=community_id, name=str(n)) for n in range(1, 21)]
            session.add_all(buildings)
            await session.flush()
            homes = [Household(community_id=community_id, building_id=buildings[n % 20].id or 0, unit=str(n % 4 + 1),
                               room=str(100 + n), floor_area=80.0, area_hundredths=8000)
                     for n in range(residents * 2 // 5)]
            session.add_all(homes)
            await session.flush()
            people = [{"community_id": community_id, "telegram_user_id": 10_000 + n, "display_name": f"居民{n}",
                       "language": "zh-Hans", "verified": True, "verified_at": OPENED, "is_adult": True,
                       "household_id": homes[n % len(homes)].id, "created_at": OPENED} for n in range(residents)]
            await session.exec(insert(Resident), params=people)  # type: ignore[call-overload]
            draft = Draft(MeetingKind.RESIDENTS, Mode.ADULTS, "十一月居民会议", tuple(
                DraftItem(ItemKind.MOTION, f"第{n + 1}项决议", "决议全文。", secret=n % 3 == 2) for n in range(items)),
                None, OPENED + timedelta(days=3))
            view = await meetings.create(Unit(session), community_id=community_id, created_by=None, draft=draft,
                                         now=OPENED)
            await meetings.publish(Unit(session), community_id=community_id, meeting_id=view.id, actor=None,
                                   now=OPENED)
            await meetings.open_voting(Unit(session), community_id=community_id, meeting_id=view.id, now=OPENED)
            electors = (await session.exec(select(MeetingElector.id, MeetingElector.building).where(
                MeetingElector.meeting_id == view.id).order_by(col(MeetingElector.id)))).all()
            caster = {elector: resident for elector, resident in enumerate(
                (await session.exec(select(Resident.id).order_by(col(Resident.id)))).all())}
            left = ballots
            alphabet = "ACDEFGHJKMNPRTUVWXY3479"  # core.receipts: 8 characters, unique within the meeting
            codes = rng.sample(range(len(alphabet) ** 8), ballots)
            receipts = iter("".join(alphabet[code // len(alphabet) ** k % len(alphabet)] for k in range(8))
                            for code in codes)
            for item in view.items:
                count = min(left, len(electors))
                left -= count
                if item.secret:
                    await session.exec(insert(SecretParticipation), params=[  # type: ignore[call-overload]
                        {"item_id": item.id, "round": 1, "elector_id": e, "building": b, "grp": ""}
                        for e, b in electors[:count]])
                    await session.exec(insert(SecretBallot), params=[  # type: ignore[call-overload]
                        {"id": rng.randbytes(16).hex(), "meeting_id": view.id, "item_id": item.id, "round": 1,
                         "marks": rng.choice((1, 1, 2, 4)), "receipt": next(receipts), "channel": "online"}
                        for _ in range(count)])
                else:
                    await session.exec(insert(OpenBallot), params=[  # type: ignore[call-overload]
                        {"meeting_id": view.id, "item_id": item.id, "round": 1, "elector_id": e,
                         "marks": rng.choice((1, 1, 2, 4)), "receipt": next(receipts), "channel": "online",
                         "building": b, "grp": "", "area": 0, "cast_by": caster[n], "changes": 0,
                         "cast_at": OPENED + timedelta(seconds=n)} for n, (e, b) in enumerate(electors[:count])])
            await meetings.close(Unit(session), community_id=community_id, meeting_id=view.id,
                                 now=OPENED + timedelta(days=2))
            await session.commit()
        return community_id
    finally:
        await engine.dispose()


async def linli_export(url: str, community_id: int, path: Path) -> None:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            await write_month(Unit(session), community_id, Month(2026, 11), Format.XLSX, path, now=NOW, actor=None,
                              source=Source.CLI)
            await session.rollback()  # every run exports the same month: no audit rows pile up
    finally:
        await engine.dispose()


async def bare_dump(url: str, community_id: int, path: Path) -> None:
    """The baseline: the ballot rows of the export — meeting, item, round, secret, household, name, receipt, choice
    (the marks, untranslated), channel, cast at — selected by hand-written joins from the same database and dumped
    into one write-only sheet as they come (no other sheet, no styles, no look-ups in Python)."""
    from sqlalchemy import literal, null, true
    from sqlalchemy import select as sa_select

    from storage.ballots import MeetingElector, OpenBallot, SecretBallot
    from storage.community import Building, Household
    from storage.meetings import Meeting, MeetingItem

    household = col(Building.name) + "-" + col(Household.unit) + "-" + col(Household.room)
    open_rows = (sa_select(col(Meeting.title), col(MeetingItem.title), col(OpenBallot.round), literal(False),
                           household, null(), col(OpenBallot.receipt), col(OpenBallot.marks), col(OpenBallot.channel),
                           col(OpenBallot.cast_at))
                 .join(MeetingItem, col(MeetingItem.id) == OpenBallot.item_id)
                 .join(Meeting, col(Meeting.id) == MeetingItem.meeting_id)
                 .join(MeetingElector, col(MeetingElector.id) == OpenBallot.elector_id)
                 .outerjoin(Household, col(Household.id) == MeetingElector.household_id)
                 .outerjoin(Building, col(Building.id) == Household.building_id)
                 .where(col(Meeting.community_id) == community_id)
                 .order_by(col(OpenBallot.item_id), col(MeetingElector.building), col(MeetingElector.household_id)))
    secret_rows = (sa_select(col(Meeting.title), col(MeetingItem.title), col(SecretBallot.round), true(), null(),
                             null(), col(SecretBallot.receipt), col(SecretBallot.marks), null(), null())
                   .join(MeetingItem, col(MeetingItem.id) == SecretBallot.item_id)
                   .join(Meeting, col(Meeting.id) == MeetingItem.meeting_id)
                   .where(col(Meeting.community_id) == community_id)
                   .order_by(col(SecretBallot.item_id), col(SecretBallot.receipt)))
    engine = create_engine(url)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("ballots")
    sheet.append(["meeting", "item", "round", "secret", "household", "name", "receipt", "choice", "channel",
                  "cast_at"])
    try:
        async with session_factory(engine)() as session:
            for statement in (open_rows, secret_rows):
                result = await session.stream(statement.execution_options(yield_per=2000))
                async for rows in result.partitions(2000):
                    for row in rows:
                        values = list(row)
                        if values[9] is not None:
                            values[9] = values[9].replace(tzinfo=None)
                        sheet.append(values)
    finally:
        await engine.dispose()
    await asyncio.to_thread(workbook.save, str(path))


async def _timed(run: Callable[[], Awaitable[None]]) -> float:
    started = time.perf_counter()
    await run()
    return time.perf_counter() - started


async def _peak_mb(run: Callable[[], Awaitable[None]]) -> float:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        await run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


async def measure_in(url: str, ballots: int = BALLOTS, residents: int = RESIDENTS, rounds: int = 3) -> Figures:
    labels("zh-Hans")("exports.sheet.ballots")  # the catalogs, loaded once at start in the bot
    community_id = await seed(url, ballots, residents)
    with tempfile.TemporaryDirectory(prefix="linli-monthly-bench-") as folder:
        bare_path, linli_path = Path(folder) / "bare.xlsx", Path(folder) / "linli.xlsx"

        def bare() -> Awaitable[None]:
            return bare_dump(url, community_id, bare_path)

        def linli() -> Awaitable[None]:
            return linli_export(url, community_id, linli_path)

        bare_times, linli_times = [], []
        for _ in range(rounds):
            bare_times.append(await _timed(bare))
            linli_times.append(await _timed(linli))
        bare_peak = await _peak_mb(bare)
        linli_peak = await _peak_mb(linli)
        sizes = [size / 2**20 for size in await asyncio.to_thread(lambda: [os.path.getsize(linli_path),
                                                                            os.path.getsize(bare_path)])]
        return Figures(ballots, residents, min(bare_times), min(linli_times), bare_peak, linli_peak, *sizes)


async def run(ballots: int = BALLOTS, residents: int = RESIDENTS, rounds: int = 3,
              database: str = "sqlite") -> Figures:
    if database == "postgres":
        from tests.support.databases import create_postgres_database, drop_postgres_database, pg_url

        name = create_postgres_database()
        if name is None:
            raise SystemExit("PostgreSQL is not reachable on 127.0.0.1:5432")
        try:
            return await measure_in(pg_url(name), ballots, residents, rounds)
        finally:
            drop_postgres_database(name)
    with tempfile.TemporaryDirectory(prefix="linli-monthly-db-") as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        await upgrade(url)
        return await measure_in(url, ballots, residents, rounds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.monthly_export_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ballots", type=int, default=BALLOTS)
    parser.add_argument("--residents", type=int, default=RESIDENTS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    arguments = parser.parse_args(argv)
    figures = asyncio.run(run(arguments.ballots, arguments.residents, arguments.rounds, arguments.database))
    print(f"{figures.ballots:,} ballots, {figures.residents:,} residents ({arguments.database}) · time "
          f"{figures.linli_s:.2f} s vs bare {figures.bare_s:.2f} s ({figures.time_ratio:.2f}×) · peak "
          f"{figures.linli_peak_mb:.1f} MB vs bare {figures.bare_peak_mb:.1f} MB ({figures.memory_ratio:.2f}×) · file "
          f"{figures.linli_file_mb:.1f} MB vs {figures.bare_file_mb:.1f} MB · target ≤ {TARGET}× in both")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
