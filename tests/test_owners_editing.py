"""Owners edited by the committee in the bot, flat by flat (SQLite and PostgreSQL; the chat over the port and both
doors): find a flat, add owners (linked to a resident or by name), remove one, change the area exactly, mark it
developer-held; counted by head and area as the court's interpretation says; audited by ids only; two members
adding the same owner at once leave one."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.app import Linli
from core.errors import DomainError, InvalidInput
from storage import audit, owner_admin
from storage import community as homes
from storage.electorates import Electorate, electorate
from storage.owner_admin import parse_flat_area
from storage.unit import Unit
from tests.support.chat import Harness
from tests.support.seed import Seed

ROSTER = [("1", "1", "101", 80.0, True), ("1", "1", "102", 95.5, True), ("2", "1", "201", 60.0, True)]


async def _run(app: Linli, use_case, *args, **kwargs):  # type: ignore[no-untyped-def]
    async with app.sessions() as session:
        result = await use_case(Unit(session), app.community_id or 0, *args, **kwargs)
        await session.commit()
        return result


async def _flat(app: Linli, building: str, unit: str, room: str) -> int:
    async with app.sessions() as session:
        home = await homes.find_household(session, app.community_id or 0, building, unit, room)
        assert home is not None and home.id is not None
        return home.id


@pytest.fixture
async def town(app: Linli, seed: Seed) -> dict[str, int]:
    await seed.roster(ROSTER, codes_per_household=0)
    wang = await seed.resident(1001, "王伟", household=("1", "1", "101"))
    await seed.resident(1002, "Kid", adult=False, household=("1", "1", "101"))
    return {"101": await _flat(app, "1", "1", "101"), "102": await _flat(app, "1", "1", "102"),
            "201": await _flat(app, "2", "1", "201"), "wang": wang.id or 0}


@pytest.mark.parametrize(("text", "hundredths"), [("80", 8000), ("95.55", 9555), ("0.01", 1), ("5000", 500000),
                                                  ("95.5", 9550), ("1,234.5", 123450), ("95。55", 9555)])
def test_areas_are_exact_hundredths(text: str, hundredths: int) -> None:
    assert parse_flat_area(text) == hundredths


@pytest.mark.parametrize(("text", "key"), [("95.555", "electorates.owners.err.area_decimals"),
                                           ("0", "electorates.owners.err.area_positive"),
                                           ("-3", "electorates.owners.err.area_positive"),
                                           ("5000.01", "electorates.owners.err.area_big"),
                                           ("eighty", "electorates.owners.err.area_number"),
                                           ("", "electorates.owners.err.area_number")])
def test_bad_areas_are_refused_with_a_reason(text: str, key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_flat_area(text)
    assert refused.value.key == key


async def test_owners_added_removed_and_counted_by_head_and_area(app: Linli, town: dict[str, int]) -> None:
    flat = await _run(app, owner_admin.add_owner, town["101"], "王伟", resident_id=town["wang"], actor=9,
                      now=app.clock.now())
    assert [(o.name, o.resident.resident_id if o.resident else None) for o in flat.owners] == [("王伟", town["wang"])]
    # the same person owns a second flat: one head, both areas
    await _run(app, owner_admin.add_owner, town["102"], " 王伟 ", resident_id=None, actor=9, now=app.clock.now())
    await _run(app, owner_admin.set_area, town["102"], "95.55", actor=9, now=app.clock.now())
    # co-owners of one flat share its one vote
    await _run(app, owner_admin.add_owner, town["201"], "张三", resident_id=None, actor=9, now=app.clock.now())
    flat = await _run(app, owner_admin.add_owner, town["201"], "李四", resident_id=None, actor=9, now=app.clock.now())
    assert [o.name for o in flat.owners] == ["张三", "李四"] and flat.area == 6000
    async with app.sessions() as session:
        owners = await electorate(session, app.community_id or 0, Electorate.OWNERS)
    assert sorted((len(e.flat_ids), e.area, e.resident_ids) for e in owners) == [
        (1, 6000, ()), (2, 8000 + 9555, (town["wang"],))]
    again = await _run(app, owner_admin.add_owner, town["201"], "李四", resident_id=None, actor=9,
                       now=app.clock.now())
    assert len(again.owners) == 2  # a double tap adds nothing
    flat = await _run(app, owner_admin.remove_owner, town["201"], flat.owners[1].owner_id, actor=9,
                      now=app.clock.now())
    assert [o.name for o in flat.owners] == ["张三"]
    flat = await _run(app, owner_admin.remove_owner, town["201"], flat.owners[0].owner_id, actor=9,
                      now=app.clock.now())
    assert flat.owners == ()
    async with app.sessions() as session:
        owners = await electorate(session, app.community_id or 0, Electorate.OWNERS)
        home = await session.get(homes.Household, town["201"])
        assert home is not None and not home.has_owner
        entries = await audit.entries(session, app.community_id or 0)
    assert len(owners) == 1
    actions = [e.action for e in entries]
    assert actions.count("electorates:owner_added") == 4 and actions.count("electorates:owner_removed") == 2
    assert "electorates:area_changed" in actions
    for entry in entries:  # ids only: no names in the audit log
        assert "王伟" not in entry.detail_json + entry.subject and "张三" not in entry.detail_json + entry.subject
    changed = next(e for e in entries if e.action == "electorates:area_changed")
    assert json.loads(changed.detail_json) == {"area": 9555, "was": 9550}


async def test_a_developer_held_flat_counts_with_the_developers_others(app: Linli, town: dict[str, int]) -> None:
    await _run(app, owner_admin.add_owner, town["102"], "买受人", resident_id=None, actor=9, now=app.clock.now())
    for key in ("102", "201"):
        flat = await _run(app, owner_admin.set_developer_held, town[key], True, actor=9, now=app.clock.now())
        assert flat.developer_held and len(flat.owners) == 1
    with pytest.raises(DomainError) as refused:
        await _run(app, owner_admin.add_owner, town["201"], "王五", resident_id=None, actor=9, now=app.clock.now())
    assert refused.value.key == "electorates.owners.err.developer_held"
    async with app.sessions() as session:
        owners = await electorate(session, app.community_id or 0, Electorate.OWNERS)
    assert [(len(e.flat_ids), e.area) for e in owners] == [(2, 9550 + 6000)]  # the buyer left: one head
    flat = await _run(app, owner_admin.set_developer_held, town["201"], False, actor=9, now=app.clock.now())
    assert flat.owners == () and not flat.developer_held


async def test_bad_owner_input_is_refused(app: Linli, town: dict[str, int]) -> None:
    for name, resident, key in (("  ", None, "electorates.owners.err.name"),
                                ("王" * 65, None, "electorates.owners.err.name_long"),
                                ("Kid", 0, "electorates.err.no_such_resident")):  # a child cannot be linked
        with pytest.raises(DomainError) as refused:
            kid = None
            if resident is not None:
                async with app.sessions() as session:
                    from storage.residents import by_telegram_id
                    found = await by_telegram_id(session, app.community_id or 0, 1002)
                    kid = found.id if found else None
            await _run(app, owner_admin.add_owner, town["101"], name, resident_id=kid, actor=9, now=app.clock.now())
        assert refused.value.key == key
    with pytest.raises(DomainError) as refused:
        await _run(app, owner_admin.flat_by_address, "9-9-909")
    assert refused.value.key == "electorates.err.no_such_address"


async def test_two_members_adding_the_same_new_owner_at_once_leave_one(app: Linli, town: dict[str, int]) -> None:
    async def add(flat: str) -> None:
        for attempt in range(20):
            try:
                await _run(app, owner_admin.add_owner, town[flat], "赵六", resident_id=None, actor=9,
                           now=app.clock.now())
                return
            except DomainError:
                raise
            except Exception:  # a busy database: the member taps again
                if attempt == 19:
                    raise
                await asyncio.sleep(0.01 * (attempt + 1))

    await asyncio.gather(*(add(flat) for flat in ("101", "101", "102", "102", "101")))
    async with app.sessions() as session:
        owners = await electorate(session, app.community_id or 0, Electorate.OWNERS)
    assert [(len(e.flat_ids), e.area) for e in owners] == [(2, 8000 + 9550)]  # one person, both flats, once each


# ---- in chat -------------------------------------------------------------------------------------------------


async def test_the_committee_edits_a_flats_owners_in_chat(chat: Harness, seed: Seed) -> None:
    await seed.roster(ROSTER, codes_per_household=0)
    await seed.committee(9001)
    await seed.resident(1001, "王伟", household=("1", "1", "101"))
    director = chat.user(9001, "Director")
    await director.send("/electorates")
    await director.tap("electorates.owners.btn.home")
    await director.send("9-9-909")
    assert "9-9-909" in director.last.text  # not on the roster: said so, the form stays open
    await director.send("1-1-101")
    assert "1-1-101" in director.last.text and "80.00 ㎡" in director.last.text
    assert director.label("electorates.owners.none") in director.last.text

    await director.tap("electorates.owners.btn.add")
    await director.send("王伟")
    assert "王伟 1-1-101" in director.last.labels  # the registered resident of that name, to link
    await director.press("王伟 1-1-101")
    assert "已关联居民 王伟（1-1-101）" in director.last.text and "共 1 套" in director.last.text
    await director.tap("electorates.owners.btn.add")
    await director.send("李四")
    await director.tap("electorates.owners.btn.no_link")
    assert "李四 — 未关联已注册居民" in director.last.text

    await director.tap("electorates.owners.btn.area")
    await director.send("80.015")
    assert director.last.text == director.label("electorates.owners.err.area_decimals")
    await director.send("80.01")
    assert "登记面积 80.01 ㎡" in director.last.text
    await director.tap("electorates.btn.remove", name="李四")
    assert "李四" not in director.last.text

    async with chat.app.sessions() as session:
        owners = await electorate(session, chat.app.community_id or 0, Electorate.OWNERS)
    assert [(e.area, len(e.resident_ids)) for e in owners] == [(8001, 1)]
    await director.tap("electorates.owners.btn.developer")
    assert director.label("electorates.owners.developer_line") in director.last.text
    assert director.label("electorates.owners.btn.add") not in director.last.labels

    resident = chat.user(1001, "王伟")  # a resident cannot use the committee's buttons
    await resident.send("/start")
    toast = await resident.press_data(director.last.data_of(director.label("electorates.owners.btn.not_developer")))
    assert toast.alert
