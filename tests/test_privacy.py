"""Deleting one's data (defect 6): nothing personal is left in any table; the person can come back.

The scenario gives one resident every kind of personal data the bot keeps, through the real handlers, then
deletes it and scans every column of every table for their name, address and Telegram id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select as core_select
from sqlmodel import SQLModel, select

from storage import audit, councils, residents, schema, topic_comments, topics
from storage.audit import AuditEntry
from storage.community import get_community
from storage.registration import CodeAttempt, InviteCode, JoinRequest
from storage.residents import Resident
from storage.unit import Unit
from tests.support.chat import PortHarness, UserChat
from tests.support.seed import Seed

USER_ID = 777_000_123
NAME = "庄晓梅 Zhuang"
ADDRESS = "88-6-4321"
ROOM = "4321"
ROSTER_TABLES = {"building", "household"}  # the community's own roster: flats, not people

assert schema.metadata is SQLModel.metadata


async def _scan(app: Any) -> list[str]:
    """Every cell of every table that still holds the name, the address or the Telegram id."""
    found: list[str] = []
    async with app.sessions() as session:
        connection = await session.connection()
        for table in SQLModel.metadata.sorted_tables:
            for row in (await connection.execute(core_select(table))).mappings():
                for column, value in row.items():
                    where = f"{table.name}.{column}={value!r}"
                    if isinstance(value, bool) or value is None:
                        continue
                    if isinstance(value, int) and value == USER_ID:
                        found.append(where)
                    elif isinstance(value, str):
                        needles = [NAME, "庄晓梅", str(USER_ID)]
                        if table.name not in ROSTER_TABLES:
                            needles += [ADDRESS, ROOM]
                        if any(needle in value for needle in needles):
                            found.append(where)
    return found


async def _everything_about_her(port: PortHarness, seed: Seed) -> tuple[UserChat, UserChat, int]:
    app = port.app
    codes = await seed.roster([("88", "6", ROOM, 90.0, True), ("1", "1", "101", 80.0, True)], codes_per_household=1)
    await seed.configure(adult_population=10)
    await seed.committee(9001)
    await seed.committee(9002, "Member Wu")  # never opened the bot: the alert to them stays in the outbox
    director = port.user(9001, "Director")
    await director.send("/start")
    await seed.resident(1002, "Neighbour", household=("1", "1", "101"))
    other_topic = await seed.topic(1002, "楼道灯坏了")

    she = port.user(USER_ID, NAME, language="en")
    await she.send("/start WRONGCODE")  # a wrong try is kept with her Telegram id
    await she.send("/cancel")
    await she.send("/start")
    await she.tap("start.ask_to_join")
    await she.send(NAME)
    await she.tap("common.yes")
    await she.send(ADDRESS)
    await she.tap("common.confirm")
    # asked, then refused
    await director.tap("join.reject", message=director.find_button_message(director.label("join.reject")))
    await she.send(f"/start {codes[('88', '6', ROOM)][0]}")  # then registered with the household's code
    await she.send(NAME)
    await she.tap("common.yes")
    await she.tap("common.confirm")
    assert any("You are registered" in text for text in she.texts())
    await director.send(f"/grant {USER_ID} committee")
    await she.send("/grant 1002 building_leader")  # acting as committee: her id in role_grant.granted_by

    topic_id = await seed.topic(USER_ID, "加装电梯", "三楼以上老人多，上下楼困难。")
    await seed.support(other_topic, USER_ID)  # 2 of 10 adults: a demand, recorded while she supports
    async with app.sessions() as session:
        community = await get_community(session, app.community_id or 0)
        her = await residents.by_telegram_id(session, app.community_id or 0, USER_ID)
        director_row = await residents.by_telegram_id(session, app.community_id or 0, 9001)
        await topic_comments.add(Unit(session), community=community, topic_id=other_topic, resident=her,
                                 text="我也支持，晚上太黑了。", now=app.clock.now())
        council = await councils.create(Unit(session), community=community, actor=director_row, name="议事厅",
                                        now=app.clock.now())
        await councils.add_member(Unit(session), community=community, council_id=council.id or 0,
                                  resident_id=her.id or 0, actor=director_row, now=app.clock.now())
        await session.commit()
    await she.send("/propose")  # a half-filled form
    await she.send(f"Title by {NAME}")
    return she, director, topic_id


async def test_delete_my_data_leaves_nothing_personal(port: PortHarness, seed: Seed) -> None:
    app = port.app
    she, director, topic_id = await _everything_about_her(port, seed)
    async with app.sessions() as session:
        her = await residents.by_telegram_id(session, app.community_id or 0, USER_ID)
        assert her is not None and her.verified and her.household_id is not None
        assert (await session.exec(select(JoinRequest))).first() is not None
        assert (await session.exec(select(CodeAttempt))).first() is not None
        resident_id = her.id
    before = await _scan(app)
    assert any(cell.startswith("outbox_message.") for cell in before)  # the committee's card about her
    assert any(cell.startswith("join_request.") for cell in before)
    assert any(cell.startswith("audit_entry.actor_telegram_id") for cell in before)

    await she.send("/menu")
    await she.tap("menu.me")
    await she.tap("me.forget")
    assert "Deleted:" in she.last.text
    await she.tap("me.forget_yes")
    assert "What stays, and why" in she.last.text and "random pseudonym" in she.last.text

    assert await _scan(app) == []
    async with app.sessions() as session:
        anonymous = await session.get(Resident, resident_id)
        assert anonymous is not None and anonymous.forgotten_at is not None
        assert (anonymous.display_name, anonymous.household_id, anonymous.verified, anonymous.verified_at,
                anonymous.is_adult) == ("", None, False, None, False)
        assert (await session.exec(select(InviteCode).where(InviteCode.used_by_resident_id == resident_id))).all() \
            == []
        assert (await session.exec(select(JoinRequest))).all() == []
        assert await residents.roles_of(session, resident_id or 0) == set()
        pseudonyms = {e.actor_pseudonym for e in (await session.exec(select(AuditEntry))).all() if e.actor_pseudonym}
        assert len(pseudonyms) == 1 and pseudonyms.pop().startswith("anon-")  # her actions still belong together
        joined = await audit.entries(session, app.community_id or 0, "resident:joined_with_code")
        assert joined and all("household_id" not in entry.detail_json for entry in joined)
        topic = await topics.get_topic(session, app.community_id or 0, topic_id)
        assert topic.title == "加装电梯"  # her topic stays public, without her name
        assert topic.proposer_id == resident_id
    await director.send("/topics")
    await director.tap("topics.home.new")
    await director.press(next(label for label in director.last.labels if label.startswith(f"#{topic_id} ")))
    assert "加装电梯" in director.last.text and NAME not in director.last.text


async def test_coming_back_with_a_fresh_code(port: PortHarness, seed: Seed) -> None:
    """Her household's code was used; the committee issues a new one and she registers again."""
    she, director, _ = await _everything_about_her(port, seed)
    await she.send("/menu")
    await she.tap("menu.me")
    await she.tap("me.forget")
    await she.tap("me.forget_yes")
    await director.send("/newcode 88-6-9999")
    assert "没有找到" in director.last.text
    await director.send(f"/newcode {ADDRESS}")
    text = director.last.text
    assert "88-6-4321" in text and "新邀请码" in text
    code = text.split("：", 1)[1].split()[0]
    await she.send(f"/start {code}")
    await she.send("Xiaomei")
    await she.tap("common.yes")
    await she.tap("common.confirm")
    assert "You are registered" in "".join(she.texts()[-3:])
    async with port.app.sessions() as session:
        again = await residents.by_telegram_id(session, port.app.community_id or 0, USER_ID)
        assert again is not None and again.verified and again.display_name == "Xiaomei"
        assert again.forgotten_at is None and again.household_id is not None


async def test_a_guest_can_delete_what_the_bot_keeps_about_them(port: PortHarness, seed: Seed) -> None:
    """No resident row, but a pending join request (name, address) and a committee card about it."""
    await seed.roster([("88", "6", ROOM, 90.0, True)], codes_per_household=0)
    await seed.committee(9001)
    director = port.user(9001, "Director")
    await director.send("/start")
    she = port.user(USER_ID, NAME, language="en")
    await she.send("/start")
    await she.tap("start.ask_to_join")
    await she.send(NAME)
    await she.tap("common.yes")
    await she.send(ADDRESS)
    await she.tap("common.confirm")
    assert await _scan(port.app) != []
    await she.send("/menu")
    await she.tap("menu.me")
    await she.tap("me.forget")
    await she.tap("me.forget_yes")
    assert await _scan(port.app) == []
    async with port.app.sessions() as session:
        assert (await session.exec(select(JoinRequest))).all() == []
