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


# ---- the features' data (events, their extras, meetings): forgotten, and every count the same -------------------

# Every link to a resident in the schema, and what deleting one's data does with it. A new table or column that
# points at a resident fails this list until someone decides (and storage.privacy_features does it).
DELETED, UNLINKED, KEPT = "deleted", "unlinked", "kept"
RESIDENT_LINKS = {
    ("council", "created_by"): UNLINKED, ("council_member", "resident_id"): DELETED,
    ("council_recommendation", "resident_id"): KEPT, ("comment_report", "resident_id"): KEPT,
    ("event_attendance", "resident_id"): UNLINKED, ("event_attendance", "recorded_by"): UNLINKED,
    ("event_checkin_attempt", "resident_id"): DELETED, ("event_programme_item", "proposer_id"): UNLINKED,
    ("event_programme_item", "decided_by"): UNLINKED, ("event_reply", "resident_id"): UNLINKED,
    ("event_volunteer", "resident_id"): DELETED, ("group_representative", "resident_id"): DELETED,
    ("household_representative", "resident_id"): DELETED, ("invite_code", "used_by_resident_id"): UNLINKED,
    ("meeting", "created_by"): UNLINKED, ("owner", "resident_id"): UNLINKED, ("quick_poll", "created_by"): UNLINKED,
    ("quick_poll", "closed_by"): UNLINKED,
    ("quick_poll_answer", "resident_id"): KEPT,  # it counts as a resident's answer (no Telegram id is left)
    ("quick_poll_answer_change", "resident_id"): UNLINKED, ("representative", "resident_id"): DELETED,
    ("rolegrant", "resident_id"): DELETED, ("meeting_elector", "holder_id"): UNLINKED,
    ("meeting_caster", "resident_id"): DELETED, ("open_ballot", "cast_by"): UNLINKED,
    ("amendment", "author_id"): UNLINKED, ("amendment", "decided_by"): UNLINKED,
    ("meeting_option", "candidate_id"): UNLINKED,
    ("meeting_scrutineer", "resident_id"): DELETED, ("paper_entry", "confirmed_by"): UNLINKED,
    ("meeting_proxy", "registered_by"): UNLINKED,
    # the hall's record and a meeting's proxies stay between anonymous resident rows, so no count changes
    ("paper_entry", "entered_by"): KEPT, ("meeting_proxy", "grantor_id"): KEPT, ("meeting_proxy", "proxy_id"): KEPT,
    ("topic", "answered_by"): UNLINKED, ("topic", "demand_noted_by"): UNLINKED,
    ("topic_comment", "hidden_by"): UNLINKED,
    # public contributions to topics stay with the anonymous resident row (no name, no Telegram id, no home)
    ("topic", "proposer_id"): KEPT, ("topic_comment", "resident_id"): KEPT, ("topic_support", "resident_id"): KEPT,
    ("topic_event", "actor_id"): KEPT,
}
# Columns that hold a resident's id without a foreign key, and how they would show it.
RESIDENT_IDS_WITHOUT_KEY = {
    ("household_representative", "set_by"): lambda value, rid: value == rid,
    ("event_reply", "party"): lambda value, rid: value == -rid,  # a resident without a household
    ("meeting_elector", "key"): lambda value, rid: value == f"r:{rid}",
}


def _resident_links() -> set[tuple[str, str]]:
    return {(table.name, column.name) for table in SQLModel.metadata.sorted_tables for column in table.columns
            if any(key.column.table.name == "resident" for key in column.foreign_keys)}


def test_every_link_to_a_resident_has_a_decision() -> None:
    assert _resident_links() == set(RESIDENT_LINKS)
    assert all((table, column) in {(t.name, c.name) for t in SQLModel.metadata.sorted_tables for c in t.columns}
               for table, column in RESIDENT_IDS_WITHOUT_KEY)


async def _pointing_at(app: Any, resident_id: int, telegram_id: int) -> list[str]:
    """Every cell that still points at the resident (a link not KEPT, or an id without a key) or holds the Telegram
    id."""
    found: list[str] = []
    async with app.sessions() as session:
        connection = await session.connection()
        for table in SQLModel.metadata.sorted_tables:
            for row in (await connection.execute(core_select(table))).mappings():
                for column, value in row.items():
                    where = f"{table.name}.{column}={value!r}"
                    link = RESIDENT_LINKS.get((table.name, column))
                    if link is not None and link != KEPT and value == resident_id:
                        found.append(where)
                    test = RESIDENT_IDS_WITHOUT_KEY.get((table.name, column))
                    if test is not None and test(value, resident_id):
                        found.append(where)
                    if isinstance(value, int) and not isinstance(value, bool) and value == telegram_id:
                        found.append(where)
    return found


async def test_forgetting_keeps_every_count_and_names_nobody(app: Any, seed: Seed) -> None:
    from datetime import timedelta

    from core.voting import ItemKind, Mode
    from storage import event_checkin, event_programme, event_volunteers, events, meetings, privacy
    from storage.event_extras_export import extras_summary
    from storage.event_programme import ItemInput
    from storage.meetings import DraftItem, MeetingResult
    from tests.support.events import FIRST, going, households, make_event, seats, unit
    from tests.support.meetings import MOTION, cast, close, create, open_voting, read

    ids = await households(app, seed, 3)  # she (1001) lives alone in 101; 1002 and 1003 are neighbours
    her, community, now = ids[FIRST], app.community_id or 0, app.clock.now()
    neighbour = FIRST + 1
    # an event about to start (it will be the past), and one to come with no seat left
    past = await make_event(app, ids, starts_at=now + timedelta(minutes=20), ends_at=now + timedelta(hours=2))
    future = await make_event(app, ids, capacity=2)
    later = await make_event(app, ids, capacity=1, title="第二场")
    await going(app, ids, past, FIRST, 2, 1)
    await going(app, ids, past, neighbour, 1)  # will not come: a no-show
    await going(app, ids, future, FIRST, 2)
    await going(app, ids, future, neighbour, 1)  # waits
    await going(app, ids, later, FIRST + 2, 1)
    await going(app, ids, later, FIRST, 1)  # she waits
    async with unit(app) as work:
        role = await event_volunteers.add_role(work, community, past, "摄影", 2, now)
        soon_role = await event_volunteers.add_role(work, community, future, "接待", 2, now)
        await event_volunteers.sign_up(work, community, role.id, her, now)
        await event_volunteers.sign_up(work, community, soon_role.id, her, now)
        item = await event_programme.propose(work, community, past, her, ItemInput("太极扇", "晓梅", 8), now)
        await event_programme.accept(work, community, item.item.id, ids[9001], 1, now)
        await event_programme.propose(work, community, future, her, ItemInput("合唱", "晓梅", 5), now)
        await event_checkin.set_code(work, community, past, "Moon7", now)
        await event_checkin.enter_code(work, community, past, her, "wrong", now)
        await event_checkin.enter_code(work, community, past, her, "moon7", now)
        await event_checkin.check_in(work, community, past, her, 2, 1, now)

    # meetings: a closed one she voted in, an open one (an open and a secret item, and her amendment), a household one
    secret = DraftItem(ItemKind.SINGLE, "方案", "选一个", ("甲", "乙"), secret=True)
    closed = await create(app, MOTION, open_now=True)
    await cast(app, FIRST, closed, 1)
    await cast(app, neighbour, closed, 2)
    await close(app, closed.id)
    open_ = await create(app, MOTION, secret)
    async with unit(app) as work:
        await meetings.amend(work, community_id=community, item_id=open_.items[0].id, author_id=her,
                             text="第一条：爱护公共环境和绿化。", now=now)
    await open_voting(app, open_.id)
    open_ = await read(app, open_.id)
    await cast(app, FIRST, open_, 1)
    await cast(app, FIRST, open_, 1, item=1)
    await cast(app, neighbour, open_, 2)
    homes = await create(app, mode=Mode.HOUSEHOLDS, open_now=True)
    await cast(app, FIRST, homes, 4)

    app.clock.advance(timedelta(hours=3))  # the first event is over
    later_now = app.clock.now()
    async with app.sessions() as session:
        before = await events.month_summary(session, community, past_month := _month(app, now), later_now)
        extras_before = await extras_summary(session, [past, future], later_now)
        results_before = sorted((r.item_id, r.round, r.outcome_json) for r in
                                (await session.exec(select(MeetingResult))).all())
    (summary,) = [s for s in before if s.event_id == past]  # the monthly export's row, extras filled in
    assert (summary.going, summary.attended, summary.no_shows, summary.no_show_parties) == (4, 3, 1, 1)
    assert (summary.programme_items, summary.programme_by_residents, summary.volunteers) == (1, 1, 1)
    assert await _pointing_at(app, her, FIRST) != []

    async with app.sessions() as session:
        forgotten = await privacy.forget(Unit(session), community_id=community, telegram_user_id=FIRST,
                                         now=later_now)
        await session.commit()
    assert await _pointing_at(app, her, FIRST) == []

    # the past is as it was: replies, going, attended, no-shows, programme, volunteers; so are closed results
    async with app.sessions() as session:
        after = await events.month_summary(session, community, past_month, later_now)
        extras_after = await extras_summary(session, [past, future], later_now)
        results_after = sorted((r.item_id, r.round, r.outcome_json) for r in
                               (await session.exec(select(MeetingResult))).all())
    assert [s for s in after if s.event_id == past] == [s for s in before if s.event_id == past]
    assert results_after == results_before
    assert extras_after[past] == extras_before[past]
    assert (extras_after[past].attended_people, extras_after[past].no_show_parties) == (3, 1)
    assert (extras_after[past].programme_resident_planned, extras_after[past].volunteers) == (1, 1)
    assert extras_after[future].volunteers == 0  # her slot at the event to come is free again
    # the event to come: her seats went to the neighbour waiting, who is told; her place on the other waitlist went
    going_future, waiting_future = await seats(app, future)
    assert going_future == [(neighbour, 1)] and waiting_future == []
    assert [n.recipients[0].chat_id for n in forgotten.notices] == [neighbour]
    assert await seats(app, later) == ([(FIRST + 2, 1)], [])
    # the open meetings count her ballots, linked to no one
    for meeting, took_part in ((open_, [2, 1]), (homes, [1])):  # the secret item: she alone
        counted = await close(app, meeting.id)
        assert [result.took_part for _, result in counted.results] == took_part


def _month(app: Any, moment: Any) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")


async def test_a_household_keeps_its_seats_when_the_one_who_answered_is_forgotten(app: Any, seed: Seed) -> None:
    from storage import privacy
    from storage.events import EventReply
    from tests.support.events import FIRST, going, households, make_event, seats

    ids = await households(app, seed, 2)
    husband = await seed.resident(2001, "Husband", household=("1", "1", "101"))
    event_id = await make_event(app, ids, capacity=3)
    await going(app, ids, event_id, FIRST, 2, 1)
    await going(app, ids, event_id, FIRST + 1, 1)  # waits
    async with app.sessions() as session:
        forgotten = await privacy.forget(Unit(session), community_id=app.community_id or 0, telegram_user_id=FIRST,
                                         now=app.clock.now())
        await session.commit()
    assert forgotten.notices == ()  # nobody promoted: the household still comes
    assert await seats(app, event_id) == ([(2001, 3)], [(FIRST + 1, 1)])
    async with app.sessions() as session:
        rows = (await session.exec(select(EventReply.resident_id).where(EventReply.event_id == event_id))).all()
    assert ids[FIRST] not in rows and husband.id in rows
