"""Electorates in chat, over the port and both doors: the committee uploads files and seats representatives, a
resident sees and hands over the household's vote, and a resident cannot open the committee's screen."""

from __future__ import annotations

import io

from openpyxl import Workbook

from storage import electorate_admin, residents
from storage import electorate_files as files
from storage.electorates import Electorate, electorate
from storage.unit import Unit
from tests.support.chat import Harness, PortHarness
from tests.support.seed import Seed

ROSTER = [("1", "1", "101", 80.0, True), ("1", "1", "102", 95.5, True), ("2", "1", "201", 60.0, True)]
OWNERS_CSV = ("楼号,单元,房号,业主,面积\n"
              "1,1,101,王伟,80.01\n"
              "1,1,102,王伟,95.55\n"
              "2,1,201,张三、李四,60\n").encode("gb18030")  # as Excel on Chinese Windows saves it


async def _town(seed: Seed) -> None:
    await seed.roster(ROSTER)
    await seed.committee(9001)
    await seed.resident(1001, "王伟", household=("1", "1", "101"))
    await seed.resident(1002, "Anna", household=("1", "1", "101"), language="en")
    await seed.resident(1003, "Kid", adult=False, household=("1", "1", "101"))
    await seed.resident(1004, "张三", household=("2", "1", "201"))


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def _electors(chat: Harness, kind: Electorate) -> list:
    async with chat.app.sessions() as session:
        return await electorate(session, chat.app.community_id or 0, kind)


async def test_committee_uploads_owners_and_sets_a_group_representative(chat: Harness, seed: Seed) -> None:
    await _town(seed)
    director = chat.user(9001, "Director")
    await director.send("/committee")
    await director.tap("electorates.btn.home")
    assert "业主：0 人" in director.last.text

    await director.tap("electorates.btn.upload_owners")
    await director.send("not a file")
    assert director.last.text == director.label("electorates.err.file_expected")
    bad = "楼号,单元,房号,业主,面积\n1,1,101,王伟,eighty\n9,9,909,X,50\n".encode()
    await director.send_document(bad, "owners.csv")
    assert "第 2 行" in director.last.text and "不是数字" in director.last.text
    assert await _electors(chat, Electorate.OWNERS) == []  # nothing of a bad file is kept
    await director.send_document(OWNERS_CSV, "owners.csv")  # the form stayed open for the corrected file
    assert "业主名单已导入：3 行，新增业主 3 位" in director.last.text
    owners = await _electors(chat, Electorate.OWNERS)
    assert sorted(e.area for e in owners) == [6000, 8001 + 9555]  # 王伟: one head, both flats' areas
    await director.tap("electorates.btn.home")
    assert "业主：2 人（按人数），3 套，专有面积 235.56 ㎡" in director.last.text

    await director.tap("electorates.btn.upload_groups")
    await director.send_document(_xlsx([["居民小组", "楼号"], ["第一小组", "1、2"]]), "groups.xlsx")
    assert "新建小组 1 个" in director.last.text
    await director.tap("electorates.btn.home")
    await director.tap("electorates.btn.groups")
    await director.press("第一小组")
    await director.tap("electorates.btn.add_group_rep")
    await director.send("Nobody")
    assert "没有找到" in director.last.text
    await director.send("1-1-101")  # the household's adults (not the child)
    assert director.last.labels[:2] == ["王伟 1-1-101", "Anna 1-1-101"]
    await director.press("Anna 1-1-101")
    assert "Anna" in director.last.text and "小组代表（1/3）" in director.last.text
    groups = await _electors(chat, Electorate.GROUPS)
    assert [(e.group, e.building) for e in groups] == [("第一小组", "1")]
    await director.tap("electorates.btn.remove", name="Anna")
    assert await _electors(chat, Electorate.GROUPS) == []


async def test_a_resident_sees_and_hands_over_the_household_vote(chat: Harness, seed: Seed) -> None:
    await _town(seed)
    wang, anna, kid = chat.user(1001, "王伟"), chat.user(1002, "Anna", language="en"), chat.user(1003, "Kid")
    await anna.send("/start")  # so Anna's chat with the bot exists (the notice is sent there)
    await wang.send("/household")
    assert "1-1-101" in wang.last.text and "还没有确定" in wang.last.text
    await wang.tap("electorates.btn.take_vote")
    assert "投票人：王伟（家庭成员确定）" in wang.last.text
    assert "Your household's vote is now cast by 王伟 (chosen in the household)" in anna.last.text
    await wang.tap("electorates.btn.hand_vote", name="Anna")
    assert "投票人：Anna" in wang.last.text
    async with chat.app.sessions() as session:
        resident = await residents.by_telegram_id(session, chat.app.community_id or 0, 1002)
        assert resident is not None
    households = await _electors(chat, Electorate.HOUSEHOLDS)
    # Anna casts it; every adult of the household stays on the register (the others are told who holds it)
    assert [e.holder_id for e in households if e.building == "1"] == [resident.id]

    await kid.send("/household")  # a child sees who holds it, and may not change it
    assert kid.label("electorates.household.adults_only") in kid.last.text
    assert kid.label("electorates.btn.take_vote") not in kid.last.labels


async def test_a_resident_cannot_open_the_committee_screen(chat: Harness, seed: Seed) -> None:
    await _town(seed)
    wang = chat.user(1001, "王伟")
    await wang.send("/electorates")
    assert wang.last.text == wang.label("errors.committee_only")
    await wang.send("/household")
    forged = wang.last.buttons[0][0][1]  # a signed HandVote of the resident's own screen …
    assert forged is not None
    toast = await wang.press_data(forged.replace("ew:", "ea:", 1))  # … turned into the committee's: refused
    assert toast.alert
    async with chat.app.sessions() as session:
        assert await electorate(session, chat.app.community_id or 0, Electorate.GROUPS) == []


async def test_in_the_committee_chat_the_counts_show_and_forms_are_sent_to_private(chat: Harness, seed: Seed) -> None:
    await _town(seed)
    director = chat.user(9001, "Director")
    chat.group(-100502, "居委会", [director])
    await director.send("/bind", chat_id=-100502)
    await director.send("/electorates", chat_id=-100502)
    assert "成年居民（已认证）：4" in chat.bot_messages(-100502)[-1].text
    toast = await director.tap("electorates.btn.upload_owners", chat_id=-100502)
    assert toast.alert and toast.text == director.label("electorates.err.private_only")
    await director.tap("electorates.btn.groups", chat_id=-100502)
    assert director.label("electorates.no_groups") == chat.bot_messages(-100502)[-1].text


async def test_a_long_list_of_representatives_with_long_names_fits_one_message(port: PortHarness, seed: Seed) -> None:
    rows = [("楼" * 40, "单" * 20, f"{n:0>20}", 80.0, True) for n in range(60)]
    await seed.roster(rows, codes_per_household=0)
    await seed.committee(9001)
    lines = [["姓名", "楼号", "单元", "房号", "类型"]]
    for n, (building, unit, room, *_) in enumerate(rows):
        name = ("<b>&😀" * 16)[:60] + f"{n:04}"
        await seed.resident(2000 + n, name, household=(building, unit, room))
        lines.append([name, building, unit, room, "居民代表"])
    async with port.app.sessions() as session:
        imported = await electorate_admin.import_representatives(
            Unit(session), port.app.community_id or 0, files.parse_representatives(lines), actor=None,
            now=port.app.clock.now())
        await session.commit()
    assert imported.created == 60
    director = port.user(9001, "Director")
    await director.send("/electorates")
    await director.tap("electorates.btn.representatives")
    assert port.messenger.refused == []
    assert "居民代表（60 人）" in director.last.text
    assert director.last.text.endswith("…") and "<b>&😀" in director.last.text  # shown literally, cut to fit
    await director.tap("electorates.btn.add_representative")
    await director.send("😀")
    assert port.messenger.refused == [] and len(director.last.labels) == 9  # 8 found and cancel
