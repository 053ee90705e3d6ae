"""Electorates on a real database (SQLite and PostgreSQL): who is in each, owners counted by head and area,
the imports (good rows, bad rows, twice), the 2-3 seats of a group, and who holds a household's vote."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from bot.app import Linli
from core.errors import NotAllowed
from core.owners import Choice, Flat, Matter, count_owners
from storage import audit, electorate_admin, privacy
from storage import community as homes
from storage.electorate_files import (
    ElectorateProblems,
    owner_key,
    parse_groups,
    parse_owners,
    parse_representatives,
)
from storage.electorates import (
    Elector,
    Electorate,
    HouseholdRepresentative,
    claim_household,
    electorate,
    household_holder,
    owner_flats,
)
from storage.unit import Unit
from tests.support.seed import Seed

ROSTER = [("1", "1", "101", 80.0, True), ("1", "1", "102", 95.5, True), ("2", "1", "201", 60.0, True),
          ("2", "1", "202", 70.25, True), ("3", "1", "301", 100.0, True)]
OWNERS = [["楼号", "单元", "房号", "业主", "面积", "证件号后四位", "开发商"],
          ["1", "1", "101", "王伟", "80.01", "1234", ""],
          ["1", "1", "102", "王伟", "95.55", "1234", ""],  # one owner, two flats: one head, two areas
          ["2", "1", "201", "张三、李四", "60", "", ""],  # co-owners: one vote for the flat
          ["2", "1", "202", "某某置业", "70.25", "", "是"],  # the developer's unsold flats: one head
          ["3", "1", "301", "某某置业", "100.00", "", "是"]]


async def _homes(app: Linli) -> dict[str, int]:
    async with app.sessions() as session:
        found = {}
        for building, unit, room, *_ in ROSTER:
            home = await homes.find_household(session, app.community_id or 0, building, unit, room)
            assert home is not None and home.id is not None
            found[f"{building}-{unit}-{room}"] = home.id
        return found


async def _electorate(app: Linli, kind: Electorate) -> list[Elector]:
    async with app.sessions() as session:
        return await electorate(session, app.community_id or 0, kind)


async def _run(app: Linli, use_case, *args, **kwargs):  # type: ignore[no-untyped-def]
    async with app.sessions() as session:
        result = await use_case(Unit(session), app.community_id or 0, *args, **kwargs)
        await session.commit()
        return result


@pytest.fixture
async def town(app: Linli, seed: Seed) -> dict[str, int]:
    """Five flats; residents: 1001/1002 adults of 1-1-101 (1003 a child there), 1004 adult of 2-1-201,
    1005 unverified in 2-1-202, 1006 adult of 3-1-301."""
    await seed.roster(ROSTER)
    await seed.resident(1001, "王伟", household=("1", "1", "101"))
    await seed.resident(1002, "Anna", household=("1", "1", "101"))
    await seed.resident(1003, "Kid", adult=False, household=("1", "1", "101"))
    await seed.resident(1004, "张三", household=("2", "1", "201"))
    await seed.resident(1005, "Guest", verified=False, household=("2", "1", "202"))
    await seed.resident(1006, "Bob", household=("3", "1", "301"))
    return await _homes(app)


async def _resident_ids(app: Linli) -> dict[int, int]:
    from storage.residents import Resident

    async with app.sessions() as session:
        return {r.telegram_user_id: r.id or 0 for r in (await session.exec(select(Resident))).all()}


# ---- residents and households --------------------------------------------------------------------------------


async def test_adults_verified_and_households(app: Linli, town: dict[str, int]) -> None:
    rid = await _resident_ids(app)
    adults = await _electorate(app, Electorate.ADULTS)
    assert [e.resident_ids for e in adults] == sorted([(rid[u],) for u in (1001, 1002, 1004, 1006)],
                                                      key=lambda ids: f"r:{ids[0]}")
    verified = await _electorate(app, Electorate.VERIFIED)
    assert {e.resident_ids[0] for e in verified} == {rid[u] for u in (1001, 1002, 1003, 1004, 1006)}
    households = {e.key: e for e in await _electorate(app, Electorate.HOUSEHOLDS)}
    # No holder yet: every verified adult of the household may cast its one vote.
    assert households[f"h:{town['1-1-101']}"].resident_ids == (rid[1001], rid[1002])
    assert households[f"h:{town['1-1-101']}"].building == "1"
    assert f"h:{town['2-1-202']}" not in households  # nobody verified lives there

    async with app.sessions() as session:
        assert await claim_household(session, town["1-1-101"], rid[1002], app.clock.now()) == rid[1002]
        await session.commit()
    households = {e.key: e for e in await _electorate(app, Electorate.HOUSEHOLDS)}
    assert households[f"h:{town['1-1-101']}"].resident_ids == (rid[1002],)  # the holder alone


async def test_claim_refuses_a_child_an_outsider_and_a_second_claimant(app: Linli, town: dict[str, int]) -> None:
    rid = await _resident_ids(app)
    async with app.sessions() as session:
        with pytest.raises(NotAllowed):
            await claim_household(session, town["1-1-101"], rid[1003], app.clock.now())  # a child
        with pytest.raises(NotAllowed):
            await claim_household(session, town["1-1-101"], rid[1004], app.clock.now())  # another household
        assert await claim_household(session, town["1-1-101"], rid[1001], app.clock.now()) == rid[1001]
        assert await claim_household(session, town["1-1-101"], rid[1002], app.clock.now()) == rid[1001]
        assert await household_holder(session, town["1-1-101"]) == rid[1001]
        await session.commit()


async def test_a_holder_who_moved_away_holds_nothing_and_is_replaced(app: Linli, seed: Seed,
                                                                     town: dict[str, int]) -> None:
    rid = await _resident_ids(app)
    async with app.sessions() as session:
        await claim_household(session, town["1-1-101"], rid[1001], app.clock.now())
        await session.commit()
    await seed.resident(1001, "王伟", household=("3", "1", "301"))  # moved
    async with app.sessions() as session:
        assert await household_holder(session, town["1-1-101"]) is None
        assert await claim_household(session, town["1-1-101"], rid[1002], app.clock.now()) == rid[1002]
        await session.commit()


async def test_twenty_adults_claim_one_household_at_once_one_holds_it(app: Linli, seed: Seed) -> None:
    await seed.roster([("9", "1", "901", 90.0, True)])
    for n in range(20):
        await seed.resident(5000 + n, f"Adult {n}", household=("9", "1", "901"))
    rid = await _resident_ids(app)
    async with app.sessions() as session:
        home = await homes.find_household(session, app.community_id or 0, "9", "1", "901")
        assert home is not None and home.id is not None
        household_id = home.id

    async def claim(user_id: int) -> int:
        async with app.sessions() as session:
            holder = await claim_household(session, household_id, rid[user_id], app.clock.now())
            await session.commit()
            return holder

    holders = await asyncio.gather(*(claim(5000 + n) for n in range(20)))
    assert len(set(holders)) == 1 and holders[0] in {rid[5000 + n] for n in range(20)}
    async with app.sessions() as session:
        rows = (await session.exec(select(HouseholdRepresentative))).all()
        assert [(r.household_id, r.resident_id) for r in rows] == [(household_id, holders[0])]


async def test_an_adult_hands_the_vote_on_and_the_committee_clears_it(app: Linli, town: dict[str, int]) -> None:
    rid = await _resident_ids(app)
    now = app.clock.now()
    vote = await _run(app, electorate_admin.my_household, rid[1001])
    assert vote.holder is None and [p.resident_id for p in vote.adults] == [rid[1001], rid[1002]]
    handed = await _run(app, electorate_admin.hand_household_vote, rid[1001], rid[1002], actor=1001, now=now)
    assert handed.vote.holder is not None and handed.vote.holder.resident_id == rid[1002]
    # Anna hears of it (王伟 made the change); the child does not: only adults may hold the vote.
    assert [r.chat_id for n in handed.notices for r in n.recipients] == [1002]
    with pytest.raises(NotAllowed):  # not an adult of the household
        await _run(app, electorate_admin.hand_household_vote, rid[1001], rid[1003], actor=1001, now=now)
    with pytest.raises(NotAllowed):
        await _run(app, electorate_admin.hand_household_vote, rid[1004], rid[1001], actor=1004, now=now)
    cleared = await _run(app, electorate_admin.committee_set_household_vote, town["1-1-101"], None, actor=9001,
                         actor_resident_id=None, now=now)
    assert cleared.vote.holder is None
    async with app.sessions() as session:
        entries = await audit.entries(session, app.community_id or 0)
        assert [e.action for e in entries] == ["electorates:household_rep_set", "electorates:household_rep_cleared"]
        assert "王伟" not in "".join(e.detail_json + e.subject for e in entries)


# ---- owners ------------------------------------------------------------------------------------------------


async def test_owners_by_head_and_area(app: Linli, town: dict[str, int]) -> None:
    imported = await _run(app, electorate_admin.import_owners, parse_owners(OWNERS), actor=9001,
                          now=app.clock.now())
    assert (imported.rows, imported.created) == (5, 4)  # 王伟, 张三, 李四, the developer
    rid = await _resident_ids(app)
    owners = {e.flat_ids: e for e in await _electorate(app, Electorate.OWNERS)}
    assert sorted(owners) == sorted([(town["1-1-101"], town["1-1-102"]), (town["2-1-201"],),
                                     (town["2-1-202"], town["3-1-301"])])
    wang = owners[(town["1-1-101"], town["1-1-102"])]
    assert wang.area == 8001 + 9555  # exact hundredths from "80.01" and "95.55"
    assert wang.resident_ids == (rid[1001],)  # linked by name to the resident of their flat
    co_owned = owners[(town["2-1-201"],)]
    assert co_owned.area == 6000 and "+" in co_owned.key and co_owned.resident_ids == (rid[1004],)
    developer = owners[(town["2-1-202"], town["3-1-301"])]
    assert developer.area == 7025 + 10000 and developer.resident_ids == ()

    async with app.sessions() as session:
        flats = await owner_flats(session, app.community_id or 0)
    assert len(flats) == 5 and len({f.owner for f in flats}) == 3
    assert {f.owner for f in flats} == set(e.key for e in owners.values())
    # The tally counts them as the law says: the owner of two flats is one head with both areas.
    votes = {town["1-1-101"]: Choice.YES, town["1-1-102"]: Choice.YES}
    result = count_owners(Matter.OTHER_MAJOR, flats, votes)
    assert (result.eligible.heads, result.took_part.heads, result.took_part.area) == (3, 1, 17556)
    assert (await _run(app, electorate_admin.counts)).owner_heads == 3


async def test_importing_owners_twice_changes_nothing_and_a_new_file_replaces_a_flats_owners(
        app: Linli, town: dict[str, int]) -> None:
    now = app.clock.now()
    await _run(app, electorate_admin.import_owners, parse_owners(OWNERS), actor=None, now=now)
    before = await _electorate(app, Electorate.OWNERS)
    again = await _run(app, electorate_admin.import_owners, parse_owners(OWNERS), actor=None, now=now)
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    assert await _electorate(app, Electorate.OWNERS) == before

    sold = [OWNERS[0], ["2", "1", "201", "张三", "", "", ""]]  # 李四 sold his share: 张三 owns 201 alone
    changed = await _run(app, electorate_admin.import_owners, parse_owners(sold), actor=None, now=now)
    assert changed.removed == 1  # 李四 owns nothing now
    owners = {e.flat_ids: e for e in await _electorate(app, Electorate.OWNERS)}
    assert "+" not in owners[(town["2-1-201"],)].key
    async with app.sessions() as session:
        home = await session.get(homes.Household, town["2-1-201"])
        assert home is not None and home.area_hundredths == 6000  # no area in the file: kept


def test_owner_files_with_bad_rows_name_every_one() -> None:
    bad = [["building", "unit", "room", "owner", "area"],
           ["1", "1", "101", "", "80"],
           ["1", "", "102", "Li", "80"],
           ["1", "1", "103", "Li", "eighty"],
           ["1", "1", "104", "Li", "-3"],
           ["1", "1", "105", "Li", "80.5"],
           ["1", "1", "105", "Wu", "81"]]
    with pytest.raises(ElectorateProblems) as caught:
        parse_owners(bad)
    assert [(p.line, p.key) for p in caught.value.problems] == [
        (2, "roster.problem.missing"), (3, "roster.problem.missing"), (4, "roster.problem.not_a_number"),
        (5, "roster.problem.area_not_positive"), (7, "electorates.problem.area_conflict")]
    assert owner_key("王 伟", "110101199001011234", False) == "王伟#1234"  # only the tail is kept
    assert owner_key("Anyone", "", True) == "developer"


async def test_owners_of_flats_not_on_the_roster_are_refused_and_nothing_is_written(
        app: Linli, town: dict[str, int]) -> None:
    rows = parse_owners([["楼号", "单元", "房号", "业主"], ["1", "1", "101", "王伟"], ["7", "7", "707", "X"]])
    with pytest.raises(ElectorateProblems) as caught:
        await _run(app, electorate_admin.import_owners, rows, actor=None, now=app.clock.now())
    assert [(p.line, p.key, p.value) for p in caught.value.problems] == [
        (3, "electorates.problem.unknown_flat", "7-7-707")]
    assert await _electorate(app, Electorate.OWNERS) == []


# ---- groups and representatives -------------------------------------------------------------------------------


GROUPS = [["居民小组", "楼号"], ["第一小组", "1、2"], ["第二小组", "3"]]


async def test_groups_and_representatives_from_files(app: Linli, town: dict[str, int]) -> None:
    now = app.clock.now()
    first = await _run(app, electorate_admin.import_groups, parse_groups(GROUPS), actor=None, now=now)
    assert (first.created, first.updated) == (2, 3)
    again = await _run(app, electorate_admin.import_groups, parse_groups(GROUPS), actor=None, now=now)
    assert (again.created, again.updated) == (0, 0)
    adults = {e.resident_ids[0]: e for e in await _electorate(app, Electorate.ADULTS)}
    rid = await _resident_ids(app)
    assert adults[rid[1006]].group == "第二小组" and adults[rid[1001]].group == "第一小组"

    reps = parse_representatives([["小组", "姓名", "楼号", "单元", "房号", "类型"],
                                  ["第一小组", "王伟", "", "", "", ""],  # by name
                                  ["第一小组", "", "2", "1", "201", "小组代表"],  # by address (one adult there)
                                  ["", "Bob", "", "", "", "居民代表"]])
    imported = await _run(app, electorate_admin.import_representatives, reps, actor=None, now=now)
    assert imported.created == 4  # two group seats, two residents' representatives
    groups_ = await _electorate(app, Electorate.GROUPS)
    assert {(e.key, e.group) for e in groups_} == {(f"r:{rid[1001]}", "第一小组"), (f"r:{rid[1004]}", "第一小组")}
    representatives = await _electorate(app, Electorate.REPRESENTATIVES)
    assert [e.resident_ids for e in representatives] == sorted([(rid[1001],), (rid[1006],)],
                                                               key=lambda ids: f"r:{ids[0]}")
    again_reps = await _run(app, electorate_admin.import_representatives, reps, actor=None, now=now)
    assert (again_reps.created, again_reps.removed) == (0, 0)
    assert await _electorate(app, Electorate.GROUPS) == groups_


async def test_representative_files_with_unknown_people_are_refused(app: Linli, town: dict[str, int]) -> None:
    now = app.clock.now()
    await _run(app, electorate_admin.import_groups, parse_groups(GROUPS), actor=None, now=now)
    reps = parse_representatives([["小组", "姓名", "楼号", "单元", "房号"],
                                  ["第一小组", "Nobody", "", "", ""],
                                  ["第一小组", "", "1", "1", "101"],  # two adults live there: who?
                                  ["第九小组", "Bob", "", "", ""],
                                  ["第一小组", "Guest", "", "", ""]])  # not verified
    with pytest.raises(ElectorateProblems) as caught:
        await _run(app, electorate_admin.import_representatives, reps, actor=None, now=now)
    assert [(p.line, p.key) for p in caught.value.problems] == [
        (2, "electorates.problem.no_such_resident"), (3, "electorates.problem.ambiguous_resident"),
        (4, "electorates.problem.unknown_group"), (5, "electorates.problem.no_such_resident")]
    with pytest.raises(ElectorateProblems):
        parse_groups([["group", "buildings"], ["A", "1"], ["B", "1"]])  # one building in two groups


async def test_a_fourth_group_representative_is_refused(app: Linli, seed: Seed, town: dict[str, int]) -> None:
    now = app.clock.now()
    await _run(app, electorate_admin.import_groups, parse_groups(GROUPS), actor=None, now=now)
    rid = await _resident_ids(app)
    group_id = (await _run(app, electorate_admin.groups))[0].group_id
    for user in (1001, 1002, 1004):
        view = await _run(app, electorate_admin.add_group_rep, group_id, rid[user], actor=9001, now=now)
    assert view.full and len(view.reps) == 3
    with pytest.raises(NotAllowed) as caught:
        await _run(app, electorate_admin.add_group_rep, group_id, rid[1006], actor=9001, now=now)
    assert caught.value.key == "electorates.err.group_full"
    view = await _run(app, electorate_admin.remove_group_rep, group_id, rid[1002], actor=9001, now=now)
    view = await _run(app, electorate_admin.add_group_rep, group_id, rid[1006], actor=9001, now=now)
    assert [p.resident_id for p in view.reps] == [rid[1001], rid[1006], rid[1004]]  # by seat
    reps = parse_representatives([["小组", "姓名"], ["第一小组", "王伟"], ["第一小组", "Anna"], ["第一小组", "张三"],
                                  ["第一小组", "Bob"]])
    with pytest.raises(ElectorateProblems) as file_caught:
        await _run(app, electorate_admin.import_representatives, reps, actor=None, now=now)
    assert [(p.line, p.key) for p in file_caught.value.problems] == [(5, "electorates.problem.group_full")]


async def test_two_committee_members_seat_the_last_place_at_once(app: Linli, town: dict[str, int]) -> None:
    now = app.clock.now()
    await _run(app, electorate_admin.import_groups, parse_groups(GROUPS), actor=None, now=now)
    rid = await _resident_ids(app)
    group_id = (await _run(app, electorate_admin.groups))[0].group_id
    for user in (1001, 1002):
        await _run(app, electorate_admin.add_group_rep, group_id, rid[user], actor=9001, now=now)

    async def add(user: int) -> str:
        try:
            await _run(app, electorate_admin.add_group_rep, group_id, rid[user], actor=9001, now=now)
        except NotAllowed as refused:
            return refused.key
        return "seated"

    outcomes = await asyncio.gather(add(1004), add(1006))
    assert sorted(outcomes) == ["electorates.err.group_full", "seated"]
    assert len((await _run(app, electorate_admin.group, group_id)).reps) == 3


async def test_forgetting_a_resident_leaves_no_seat_no_vote_no_owner_link(app: Linli, town: dict[str, int]) -> None:
    now = app.clock.now()
    rid = await _resident_ids(app)
    await _run(app, electorate_admin.import_owners, parse_owners(OWNERS), actor=None, now=now)
    await _run(app, electorate_admin.import_groups, parse_groups(GROUPS), actor=None, now=now)
    group_id = (await _run(app, electorate_admin.groups))[0].group_id
    await _run(app, electorate_admin.add_group_rep, group_id, rid[1001], actor=9001, now=now)
    await _run(app, electorate_admin.add_representative, rid[1001], actor=9001, now=now)
    await _run(app, electorate_admin.hand_household_vote, rid[1001], rid[1001], actor=1001, now=now)
    async with app.sessions() as session:
        await privacy.forget(Unit(session), community_id=app.community_id or 0, telegram_user_id=1001, now=now)
        await session.commit()
    assert await _electorate(app, Electorate.GROUPS) == []
    assert await _electorate(app, Electorate.REPRESENTATIVES) == []
    owners = {e.flat_ids: e for e in await _electorate(app, Electorate.OWNERS)}
    assert owners[(town["1-1-101"], town["1-1-102"])].resident_ids == ()
    async with app.sessions() as session:
        assert await household_holder(session, town["1-1-101"]) is None
        entries = await audit.entries(session, app.community_id or 0, "electorates:household_rep_set")
        assert all("household_id" not in e.detail_json for e in entries)  # nothing ties them to the home


def test_flats_count_as_the_law_says() -> None:
    """The head keys this module gives are what core.owners counts: same key, one head."""
    flats = [Flat(1, 8000, "o:1"), Flat(2, 9000, "o:1"), Flat(3, 6000, "o:2+3"), Flat(4, 100, "o:9"),
             Flat(5, 100, "o:9")]
    result = count_owners(Matter.USE_MAINTENANCE_FUND, flats, {1: Choice.YES, 2: Choice.YES, 3: Choice.NO})
    assert (result.eligible.heads, result.took_part.heads, result.yes.area) == (3, 2, 17000)


def test_migration_keeps_areas_exact_and_turns_group_names_into_groups(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """0009 on a database with data: floor areas become hundredths, the roster's group names residents' groups."""
    import sqlite3

    from storage.db import upgrade_sync

    path = tmp_path / "old.db"
    upgrade_sync(f"sqlite+aiosqlite:///{path}", "0008")
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO community (id, name, timezone, agenda_threshold, answer_days, created_at) "
                   "VALUES (1, 'c', 'Asia/Shanghai', 20, 3, '2026-01-01 00:00:00')")
        db.execute("INSERT INTO building (id, community_id, name, group_name) VALUES (1, 1, '1', '第一小组'), "
                   "(2, 1, '2', '第一小组'), (3, 1, '3', NULL)")
        db.execute("INSERT INTO household (id, community_id, building_id, unit, room, floor_area, has_owner) "
                   "VALUES (1, 1, 1, '1', '101', 95.55, 1), (2, 1, 3, '1', '301', 0.29, 0)")
    upgrade_sync(f"sqlite+aiosqlite:///{path}")
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT area_hundredths FROM household ORDER BY id").fetchall() == [(9555,), (29,)]
        assert db.execute("SELECT id, name FROM resident_group").fetchall() == [(1, "第一小组")]
        assert db.execute("SELECT group_id FROM building ORDER BY id").fetchall() == [(1,), (1,), (None,)]
