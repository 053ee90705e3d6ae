"""Property: after any sequence of support, withdraw and merge, the counts equal the distinct eligible supporters.

Runs the real use cases on a migrated SQLite database (a fresh copy per example).
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from core.errors import DomainError
from storage import topic_desk, topics
from storage.community import Building, Community, Household
from storage.db import create_engine, session_factory
from storage.residents import Resident, Role, grant_role
from storage.unit import Unit
from tests.support.databases import SqliteTemplate

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TOPICS = 3
_copies = itertools.count()


@dataclass(frozen=True)
class Person:
    verified: bool
    adult: bool
    household: int | None  # index into three households


people = st.lists(st.builds(Person, st.booleans(), st.booleans(), st.sampled_from([None, 0, 1, 2])),
                  min_size=3, max_size=7)
resident_ix = st.integers(0, 6)
topic_ix = st.integers(0, TOPICS - 1)
operations = st.lists(st.one_of(
    st.tuples(st.just("support"), resident_ix, topic_ix),
    st.tuples(st.just("withdraw"), resident_ix, topic_ix),
    st.tuples(st.just("merge"), topic_ix, topic_ix),
), max_size=25)


async def _scenario(url: str, crowd: list[Person], steps: list[tuple[str, int, int]]) -> None:
    # the first three are the proposers: verified adults
    crowd = [Person(True, True, p.household) for p in crowd[:TOPICS]] + crowd[TOPICS:]
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        async with sessions() as session:
            community = Community(name="P", created_at=NOW, adult_population=1_000_000, agenda_threshold=0)
            session.add(community)
            await session.flush()
            building = Building(community_id=community.id or 0, name="1")
            session.add(building)
            await session.flush()
            homes = [Household(community_id=community.id or 0, building_id=building.id or 0, unit="1",
                               room=str(n)) for n in range(3)]
            session.add_all(homes)
            await session.flush()
            residents = [Resident(community_id=community.id or 0, telegram_user_id=100 + n, display_name=f"R{n}",
                                  verified=p.verified, is_adult=p.adult,
                                  household_id=homes[p.household].id if p.household is not None else None,
                                  created_at=NOW) for n, p in enumerate(crowd)]
            chair = Resident(community_id=community.id or 0, telegram_user_id=99, display_name="Chair",
                             verified=True, created_at=NOW)
            session.add_all([*residents, chair])
            await session.flush()
            await grant_role(session, chair, Role.COMMITTEE, NOW)
            topic_ids = []
            for n in range(TOPICS):
                outcome = await topics.propose(session, community=community, proposer=residents[n], title=f"T{n}",
                                               description="d", category_id=(await topics.categories(
                                                   session, community.id or 0))[0].id or 0,
                                               photo_file_id=None, now=NOW)
                topic_ids.append(outcome.topic.id or 0)
            await session.commit()
            resident_ids = [r.id or 0 for r in residents]
            community_id = community.id or 0

        supporters: dict[int, set[int]] = {n: {n} for n in range(TOPICS)}
        merged: set[int] = set()
        for kind, first, second in steps:
            if kind != "merge" and first >= len(crowd):
                continue
            async with sessions() as session:
                community = await session.get(Community, community_id)
                assert community is not None
                try:
                    if kind == "merge":
                        await topic_desk.merge(Unit(session), community=community, duplicate_id=topic_ids[first],
                                               target_id=topic_ids[second], actor=await session.get(
                                                   Resident, chair.id), now=NOW)
                    else:
                        use_case = topics.support if kind == "support" else topics.withdraw
                        await use_case(session, community=community, topic_id=topic_ids[second],
                                       resident=await session.get(Resident, resident_ids[first]), now=NOW)
                    await session.commit()
                    succeeded = True
                except DomainError:
                    await session.rollback()
                    succeeded = False
            if kind == "merge":
                expected = first != second and first not in merged and second not in merged
                if expected:
                    supporters[second] |= supporters[first]
                    supporters[first] = set()
                    merged.add(first)
            else:
                expected = crowd[first].verified and second not in merged
                if expected:
                    (supporters[second].add if kind == "support" else supporters[second].discard)(first)
            assert succeeded == expected, (kind, first, second)

        async with sessions() as session:
            for n, topic_id in enumerate(topic_ids):
                counted = await topics.tally(session, community_id, topic_id)
                chosen = [crowd[r] for r in supporters[n]]
                assert counted.residents == len(chosen)
                assert counted.adults == sum(p.adult for p in chosen)
                assert counted.households == len({p.household for p in chosen if p.household is not None})
                assert counted.adult_households == len({p.household for p in chosen
                                                        if p.household is not None and p.adult})
                rows = (await session.exec(select(func.count()).select_from(topics.TopicSupport).where(
                    topics.TopicSupport.topic_id == topic_id))).one()
                assert rows == len(supporters[n])  # one row per resident, nothing double-counted
    finally:
        await engine.dispose()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(crowd=people, steps=operations)
def test_counts_equal_distinct_eligible_supporters(sqlite_template: SqliteTemplate, tmp_path: Path,
                                                   crowd: list[Person], steps: list[tuple[str, int, int]]) -> None:
    target = tmp_path / f"example-{next(_copies)}.db"
    shutil.copyfile(sqlite_template.path, target)
    asyncio.run(_scenario(f"sqlite+aiosqlite:///{target}", crowd, steps))
