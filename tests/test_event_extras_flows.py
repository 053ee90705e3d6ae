"""An event's extras as people use them, through the port and both doors against the Bot API emulator (every
database): the programme, volunteers and check-in, with their bad inputs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from core import event_extras as rules
from handlers.event_checkin import CheckInHome, DoorCheckIn, ImHere, SetCode
from handlers.event_programme import AcceptItem, ProgrammeHome, ProgrammeQueue, ProposeItem
from handlers.event_volunteers import SignUp, VolunteerDesk
from storage import event_checkin as checkin
from storage import event_programme, event_volunteers
from storage.event_programme import ItemInput
from storage.events import Event
from storage.unit import Unit
from tests.support.chat import Harness, PortHarness, UserChat
from tests.support.event_extras import Units, make_event, many_residents
from tests.support.seed import Seed
from tests.support.topics import resident

# markup-looking text, entities, astral emoji and CJK: what a resident could type, at every length
WORST = ("<b>&amp;😀" + "邻里<i>x</i>&lt;" + "🎉" * 3) * 40
ROSTER = [("1", "1", "101", 80.0, True), ("1", "1", "102", 80.0, True), ("2", "1", "201", 60.0, False)]


async def _setup(chat: Harness, seed: Seed) -> tuple[UserChat, UserChat, UserChat]:
    """A roster, the director (committee), Alice (1-1-101, English) and Bob (1-1-102)."""
    await seed.roster(ROSTER, codes_per_household=0)
    await seed.committee(9001)
    director = chat.user(9001, "Director")
    await director.send("/start")
    alice = await resident(chat, seed, 1001, "Alice", "101", language="en")
    bob = await resident(chat, seed, 1002, "Bob", "102")
    return director, alice, bob


async def _propose(user: UserChat, title: str, performers: str, minutes: str, needs: str | None = None) -> None:
    await user.send("/programme")
    await user.tap("extras.programme.propose")
    await user.send(title)
    await user.send(performers)
    await user.send(minutes)
    if needs is None:
        await user.tap("extras.form.no_needs")
    else:
        await user.send(needs)
    await user.tap("extras.form.submit")


async def _open_queue(director: UserChat, waiting: int) -> None:
    await director.send("/programme")
    await director.tap("extras.programme.queue", count=waiting)


# ---- programme -----------------------------------------------------------------------------------


async def test_residents_propose_the_committee_accepts_declines_and_orders(chat: Harness, seed: Seed) -> None:
    director, alice, bob = await _setup(chat, seed)
    await make_event(chat.app, title="相约九号")
    await alice.send("/programme")
    assert "Programme · 相约九号" in alice.last.text and "The programme is still empty." in alice.last.text
    await _propose(alice, "Tai chi fan", "Building 3 tai chi team", "8")
    assert "“Tai chi fan” was submitted" in alice.last.text
    assert any("新节目提议 #1：「Tai chi fan」— Building 3 tai chi team（8 分钟）" in t for t in director.texts())

    await _open_queue(director, 1)
    assert "#1 Tai chi fan — Building 3 tai chi team（8 分钟）· 提议人 Alice" in director.last.text
    await director.press("#1 Tai chi fan")
    assert "需要：—" in director.last.text and "提议：Alice" in director.last.text
    toast = await director.tap("extras.item.accept_at", place=1)
    assert toast.text == director.label("extras.item.accepted", place=1)
    assert "没有待审的提议" in director.last.text
    assert "Your item “Tai chi fan” is on the programme of “相约九号”, at place 1." in alice.last.text

    await _propose(bob, "京剧选段", "张阿姨", "１２ 分钟", needs="话筒两个")
    await _open_queue(director, 1)
    await director.press("#2 京剧选段")
    assert "需要：话筒两个" in director.last.text
    await director.tap("extras.item.decline")
    await director.send("这次时间不够，下个月优先")
    assert "已告知提议人" in director.last.text
    assert "你提议的节目「京剧选段」这次没有入选「相约九号」。居委会的理由：这次时间不够，下个月优先" in bob.last.text
    await bob.send("/programme")
    assert "· 京剧选段：未入选（这次时间不够，下个月优先）" in bob.last.text

    await director.send("/programme")
    await director.tap("extras.programme.add")
    await director.send("开场致辞")
    await director.send("居委会主任")
    await director.send("5")
    await director.tap("extras.form.no_needs")
    toast = await director.tap("extras.form.submit")
    assert toast.text == director.label("extras.form.added", place=2)
    assert ("1. Tai chi fan — Building 3 tai chi team（8 分钟）\n2. 开场致辞 — 居委会主任（5 分钟）"
            in director.last.text)
    assert "共 2 个节目，13 分钟；其中 1 个由居民自己策划。" in director.last.text

    await director.tap("extras.programme.order")
    await director.press("2. 开场致辞")
    await director.tap("extras.item.move_to", place=1)
    assert "1. 开场致辞" in director.last.text and "2. Tai chi fan" in director.last.text
    await alice.send("/programme")
    assert "2 items, 13 minutes; 1 of them planned by residents." in alice.last.text
    assert "1. 开场致辞 — 居委会主任 (5 min)" in alice.last.text


async def test_programme_bad_input_and_committee_buttons(chat: Harness, seed: Seed) -> None:
    _, alice, bob = await _setup(chat, seed)
    event_id = await make_event(chat.app)
    await alice.send("/programme")
    await alice.tap("extras.programme.propose")
    await alice.send("x" * 41)
    assert "at most 40 characters, yours has 41" in alice.last.text
    await alice.send("Tai chi")
    await alice.send("Team")
    await alice.send("ninety")
    assert "whole number of minutes from 1 to 60" in alice.last.text
    await alice.send("61")
    assert "whole number of minutes from 1 to 60" in alice.last.text
    await alice.send("10")
    await alice.tap("extras.form.no_needs")
    await alice.tap("common.cancel")
    assert "Cancelled; nothing was submitted." in alice.last.text

    # committee actions by a resident: refused by the guard, however the button was obtained
    for tap in (ProgrammeQueue(event_id), AcceptItem(1, 1)):
        toast = await bob.press_data(chat.app.codec.pack(tap))
        assert toast.alert and toast.text == bob.label("errors.committee_only")
    forged = await alice.press_data(f"xa:{event_id}~AAAAAAAA")
    assert forged.alert and "expired" in (forged.text or "")
    missing = await alice.press_data(chat.app.codec.pack(ProgrammeHome(event_id + 40)))
    assert missing.alert and "Not found" in (missing.text or "")

    started = await make_event(chat.app, title="已开始", starts_in=timedelta(minutes=-5))
    await bob.send("/programme")  # two events now: a list
    assert bob.label("extras.programme.pick") in bob.last.text
    await bob.press_data(chat.app.codec.pack(ProgrammeHome(started)))
    assert bob.label("extras.programme.propose") not in bob.last.labels
    toast = await bob.press_data(chat.app.codec.pack(ProposeItem(started)))
    assert toast.alert and "已开始" in (toast.text or "")


# ---- volunteers ----------------------------------------------------------------------------------


async def test_volunteers_sign_up_full_roles_and_who_is_where(chat: Harness, seed: Seed) -> None:
    director, alice, bob = await _setup(chat, seed)
    event_id = await make_event(chat.app)
    await alice.send("/volunteer")
    assert "not set up any roles" in alice.last.text
    await director.send("/volunteer")
    await director.tap("extras.volunteer.desk")
    await director.tap("extras.desk.add_usual")
    assert "布置会场：0/2" in director.last.text and "接待：0/2" in director.last.text
    await director.press("摄影")
    await director.press("−1")
    assert "摄影：已报名 0/1" in director.last.text
    await director.tap("menu.back")
    await director.tap("extras.desk.add_role")
    await director.send("茶水")
    await director.send("三")
    assert "1 到 50 之间的数字" in director.last.text
    await director.send("3")
    assert "已添加岗位「茶水」，3 人。" in director.texts()[-2]

    await bob.send("/volunteer")
    await bob.tap("extras.volunteer.sign_up", name="摄影", taken=0, slots=1)
    assert "摄影：1/1 ✅ 你在这里" in bob.last.text
    assert bob.label("extras.volunteer.drop_out", name="摄影") in bob.last.labels
    await alice.send("/volunteer")
    assert "· 摄影: 1/1 (full)" in alice.last.text
    toast = await alice.tap("extras.volunteer.sign_up_full", name="摄影")
    assert toast.alert and toast.text == alice.label("extras.err.role_full", role="摄影")
    await alice.tap("extras.volunteer.sign_up", name="巡逻", taken=0, slots=2)
    assert "· 巡逻: 1/2 ✅ you" in alice.last.text

    await director.send("/volunteer")
    await director.tap("extras.volunteer.desk")
    assert "志愿者 2/10" in director.last.text
    assert "摄影：1/1（已满）\n   Bob（1-1-102）" in director.last.text
    assert "巡逻：1/2\n   Alice（1-1-101）" in director.last.text
    await director.press("摄影")
    assert director.label("extras.desk.delete") not in director.last.labels
    assert "−1" not in director.last.labels and "+1" in director.last.labels  # never below who signed up

    await bob.tap("extras.volunteer.drop_out", name="摄影")
    assert "· 摄影：0/1\n" in bob.last.text + "\n"
    # a resident may not see the desk, even with a signed button
    toast = await bob.press_data(chat.app.codec.pack(VolunteerDesk(event_id)))
    assert toast.alert and toast.text == bob.label("errors.committee_only")
    async with chat.app.sessions() as session:
        board = await event_volunteers.board(Unit(session), chat.app.community_id or 0, event_id)
    assert [(r.name, r.taken) for r in board.roles if r.taken] == [("巡逻", 1)]
    toast = await bob.press_data(chat.app.codec.pack(SignUp(board.roles[0].id + 100)))
    assert toast.alert and toast.text == bob.label("errors.not_found")


# ---- check-in ------------------------------------------------------------------------------------


async def test_check_in_with_the_code_word_and_at_the_door(chat: Harness, seed: Seed) -> None:
    director, alice, bob = await _setup(chat, seed)
    await seed.resident(1003, "Alice's husband", household=("1", "1", "101"))
    husband = chat.user(1003, "Husband")
    await husband.send("/start")
    event_id = await make_event(chat.app, starts_in=timedelta(minutes=20))

    await director.send("/checkin")
    assert "签到口令：（还没有设置）" in director.last.text
    await director.tap("extras.checkin.set_code")
    await director.send("桂花 27")
    assert "签到口令已设为：桂花27" in director.texts()[-2]

    await alice.send("/checkin")
    assert "At the venue?" in alice.last.text
    await alice.tap("extras.checkin.im_here")
    await alice.send("osmanthus")
    assert "{left}" not in alice.last.text and "4 more tries this hour" in alice.last.text
    await alice.send("桂花２７")
    assert "How many adults came" in alice.last.text
    await alice.press("2")
    assert "And how many children?" in alice.last.text
    await alice.press("1")
    assert "Welcome! Checked in: 2 adults, 1 children." in alice.last.text

    await husband.send("/checkin")
    assert "已签到" in husband.last.text and "2 位成人，1 位儿童" in husband.last.text
    assert husband.label("extras.checkin.im_here") not in husband.last.labels
    toast = await husband.press_data(chat.app.codec.pack(ImHere(event_id)))
    assert toast.alert and toast.text == husband.label("extras.err.already_checked_in", people=3)

    await director.send("/checkin")
    await director.tap("extras.checkin.door")
    await director.send("nobody-here")
    assert "没有找到" in director.last.text
    await director.send("2号楼1单元201")
    await director.press("2-1-201")
    assert "签到：2-1-201" in director.last.text
    await director.press("1")
    await director.press("0")
    assert "已为 2-1-201 签到：1 位成人，0 位儿童。" in director.last.text
    await director.tap("extras.door.next")
    await director.send("bob")
    await director.press("Bob (1-1-102)")
    await director.press("2")
    await director.press("2")
    await director.tap("extras.checkin.back")
    assert "到场 8 人（成人 5，儿童 3），3 户" in director.last.text
    await director.tap("extras.checkin.attendees")
    assert "Bob (1-1-102)：2 位成人，2 位儿童（居委会登记）" in director.last.text
    assert "Alice (1-1-101)：2 位成人，1 位儿童" in director.last.text

    await bob.send("/checkin")
    assert "已签到" in bob.last.text
    toast = await bob.press_data(chat.app.codec.pack(DoorCheckIn(event_id)))
    assert toast.alert and toast.text == bob.label("errors.committee_only")


async def test_check_in_refused_outside_the_time_and_after_too_many_wrong_codes(chat: Harness, seed: Seed) -> None:
    director, alice, bob = await _setup(chat, seed)
    later = await make_event(chat.app, title="下周活动", starts_in=timedelta(days=7), code="月亮11")
    await alice.send("/checkin")
    assert "Check-in opens at" in alice.last.text and alice.label("extras.checkin.im_here") not in alice.last.labels
    toast = await alice.press_data(chat.app.codec.pack(ImHere(later)))
    assert toast.alert and "Check-in is not open now" in (toast.text or "")

    now = await make_event(chat.app, title="正在进行", starts_in=timedelta(minutes=-30), code="荷花50")
    await bob.send("/checkin")
    await bob.press_data(chat.app.codec.pack(CheckInHome(now)))
    await bob.tap("extras.checkin.im_here")
    for left in (4, 3, 2, 1):
        await bob.send("荷花")
        assert f"本小时还可以试 {left} 次" in bob.last.text
    await bob.send("荷花")
    assert "口令输错太多次了" in bob.last.text
    await bob.send("荷花50")  # the form is closed: no code is taken any more
    assert "荷花50" not in bob.last.text and "口令正确" not in bob.last.text
    toast = await bob.press_data(chat.app.codec.pack(ImHere(now)))
    assert toast.alert and "口令输错太多次了" in (toast.text or "")
    # setting the code is the committee's; the committee checks Bob in at the door instead
    toast = await alice.press_data(chat.app.codec.pack(SetCode(now)))
    assert toast.alert and toast.text == alice.label("errors.committee_only")
    await director.press_data(chat.app.codec.pack(DoorCheckIn(now)))
    await director.send("Bob")
    await director.press("Bob (1-1-102)")
    await director.press("1")
    await director.press("0")
    assert "已为 Bob (1-1-102) 签到：1 位成人，0 位儿童。" in director.last.text
    await bob.press_data(chat.app.codec.pack(CheckInHome(now)))
    assert "已签到" in bob.last.text


# ---- worst-case content ----------------------------------------------------------------------------


async def test_every_screen_fits_telegram_with_worst_case_content(port: PortHarness, seed: Seed) -> None:
    """Longest titles, names and needs, markup-looking text and astral emoji, many items, roles, volunteers and
    check-ins: every screen and notice is one Telegram accepts (the port's messenger refuses what it would not)."""
    app, community = port.app, port.app.community_id or 0
    await seed.roster([("1", "1", str(100 + i), 80.0, True) for i in range(1, 41)], codes_per_household=0)
    await seed.committee(9001, name=WORST[:64])
    director = port.user(9001, "Director")
    await director.send("/start")
    people = [await resident(port, seed, 1000 + i, WORST[i:i + 64], str(101 + i)) for i in range(3)]
    event_id = await make_event(app, title=WORST[:80], starts_in=timedelta(minutes=10), code="桂花27")
    async with app.sessions() as session:
        await session.exec(update(Event).values(venue=WORST[:80]))  # type: ignore[call-overload]
        await session.commit()
    units = Units(app)
    for person in people:
        await _propose(person, WORST[:40], WORST[:80], "60", needs=WORST[:200])
    ids = await many_residents(app, 40)
    for n in range(40):
        entry = ItemInput(WORST[n:n + 40], WORST[:80], 60, WORST[:200])
        await units.run(event_programme.add, community, event_id, ids[0], entry, app.clock.now())
    for n in range(rules.ROLES_PER_EVENT):
        role = await units.run(event_volunteers.add_role, community, event_id, f"{n:02d}{WORST[:22]}", 50,
                               app.clock.now())
        if n == 0:
            for person_id in ids:
                await units.run(event_volunteers.sign_up, community, role.id, person_id, app.clock.now())
    for person_id in ids:
        await units.run(checkin.committee_check_in, community, event_id, ids[0], household_id=None,
                        resident_id=person_id, adults=2, children=4, now=app.clock.now())

    await _open_queue(director, 3)
    await director.press(director.last.labels[0])
    await director.tap("extras.item.accept_at", place=1)
    await director.send("/programme")
    await director.tap("extras.programme.order")
    await director.press(director.last.labels[0])
    await director.send("/volunteer")
    await director.tap("extras.volunteer.desk")
    await director.press(director.last.labels[0])
    await director.send("/checkin")
    await director.tap("extras.checkin.attendees")
    await people[1].send("/programme")
    await people[1].send("/volunteer")
    await people[1].send("/checkin")
    await people[1].tap("extras.checkin.im_here")
    await people[1].send("桂花27")
    await people[1].press("6")
    assert port.messenger.refused == []
    assert "共 41 个节目，2460 分钟" in people[1].messages[-5].text  # the totals survive a full screen
