"""Closing a meeting of ``n`` ballots on PostgreSQL (the use case: move, count every item by one GROUP BY, store the
results and turnout) next to one hand-written ``SELECT marks, count(*) … GROUP BY marks`` over the same table.

    python -m bench.close_meeting [--n 1000000]

The register and the ballots are bulk-loaded with COPY. Both figures are the best of ``--rounds`` (the use case runs
in a transaction that is rolled back, so every round closes the same open meeting).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import time
from datetime import UTC, datetime, timedelta

import asyncpg

from storage import meetings
from storage.db import create_engine, session_factory
from storage.meetings import Draft, DraftItem
from storage.unit import Unit


def _receipt(i: int) -> str:
    """A distinct receipt per ballot (the meeting's receipts are unique)."""
    from core.receipts import ALPHABET, LENGTH

    digits = []
    for _ in range(LENGTH):
        i, digit = divmod(i, len(ALPHABET))
        digits.append(ALPHABET[digit])
    return "".join(digits)


async def prepare(url: str, n: int) -> tuple[int, int, int]:
    """A community, one resident, an open residents' meeting of one motion, ``n`` electors and ``n`` ballots;
    returns (community id, meeting id, item id)."""
    from core.voting import ItemKind, MeetingKind, Mode
    from storage.community import ensure_community
    from storage.residents import Resident

    now = datetime.now(UTC)
    engine = create_engine(url)
    sessions = session_factory(engine)
    async with sessions() as session:
        community = await ensure_community(session, "bench", "Asia/Shanghai", now)
        resident = Resident(community_id=community.id or 0, telegram_user_id=1, display_name="B", verified=True,
                            created_at=now)
        session.add(resident)
        await session.flush()
        view = await meetings.create(Unit(session), community_id=community.id or 0, created_by=None, now=now,
                                     draft=Draft(MeetingKind.RESIDENTS, Mode.ADULTS, "bench",
                                                 (DraftItem(ItemKind.MOTION, "motion", "text"),), None,
                                                 now + timedelta(days=1)))
        await session.commit()
        ids = (community.id or 0, view.id, view.items[0].id, resident.id or 0)
    await engine.dispose()
    community_id, meeting_id, item_id, resident_id = ids
    raw = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        rng = random.Random(1)
        electors = io.BytesIO("".join(f"{meeting_id}\t1\tr:{i}\t{i % 30}\t\t0\n" for i in range(n)).encode())
        await raw.copy_to_table("meeting_elector", source=electors,
                                columns=["meeting_id", "round", "key", "building", "grp", "area"])
        first = await raw.fetchval("SELECT min(id) FROM meeting_elector WHERE meeting_id = $1", meeting_id)
        stamp = now.isoformat()
        ballots = io.BytesIO("".join(
            f"{meeting_id}\t{item_id}\t1\t{first + i}\t{rng.choice((1, 1, 2, 4))}\t{i % 30}\t\t0\t{resident_id}\t0"
            f"\t{stamp}\t{_receipt(i)}\tonline\n" for i in range(n)).encode())
        await raw.copy_to_table("open_ballot", source=ballots, columns=[
            "meeting_id", "item_id", "round", "elector_id", "marks", "building", "grp", "area", "cast_by", "changes",
            "cast_at", "receipt", "channel"])
        await raw.execute("UPDATE meeting SET status = 'open' WHERE id = $1", meeting_id)
        await raw.execute(
            "INSERT INTO meeting_round (meeting_id, number, status, register_size, register_area, bases_json, "
            "opened_at) VALUES ($1, 1, 'open', $2, 0, $3, $4)", meeting_id, n,
            '{"building": {}, "group": {}}', now)
        await raw.execute("ANALYZE")
    finally:
        await raw.close()
    return community_id, meeting_id, item_id


async def measure(url: str, n: int, rounds: int = 3) -> tuple[float, float]:
    """(seconds to close with the use case, seconds of the hand-written GROUP BY), best of ``rounds``."""
    community_id, meeting_id, item_id = await prepare(url, n)
    engine = create_engine(url)
    sessions = session_factory(engine)
    raw = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    closing, baseline = [], []
    try:
        for _ in range(rounds):
            started = time.perf_counter()
            await raw.fetch("SELECT marks, count(*) FROM open_ballot WHERE item_id = $1 AND round = 1 GROUP BY marks",
                            item_id)
            baseline.append(time.perf_counter() - started)
            async with sessions() as session:
                started = time.perf_counter()
                counted = await meetings.close(Unit(session), community_id=community_id, meeting_id=meeting_id,
                                               now=datetime.now(UTC))
                closing.append(time.perf_counter() - started)
                assert counted.results[0][1].took_part == n
                await session.rollback()
    finally:
        await raw.close()
        await engine.dispose()
    return min(closing), min(baseline)


async def run(n: int, rounds: int = 3) -> tuple[float, float]:
    from tests.support.databases import create_postgres_database, drop_postgres_database, pg_url

    name = create_postgres_database()
    if name is None:
        raise SystemExit("PostgreSQL is not reachable on 127.0.0.1:5432")
    try:
        return await measure(pg_url(name), n, rounds)
    finally:
        drop_postgres_database(name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    close_s, group_s = asyncio.run(run(arguments.n, arguments.rounds))
    print(f"n={arguments.n} ballots: close {close_s * 1000:.0f} ms, GROUP BY {group_s * 1000:.0f} ms, "
          f"ratio {close_s / group_s:.2f}")
