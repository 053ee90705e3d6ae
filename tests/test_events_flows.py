"""Event conversations, each run through the port and through both doors against the Bot API emulator (every
database): the committee's form with its bad input, RSVP by number buttons, the waitlist and promotion, changes
everyone hears of, seats taken away after a confirmation, the calendar file, 相约九号, and refused taps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from handlers.events import PickAdults, Rsvp
from handlers.events_committee import ManageEvent
from handlers.links import OpenEvent
from tests.support.chat import Harness, PortHarness, UserChat
from tests.support.seed import Seed
from tests.support.topics import resident, setup_committee


async def _new_event(director: UserChat, *, capacity: str = "4", most: str = "4", deadline: str | None = None) -> None:
    await director.send("/events")
    await director.tap("events.btn.new")
    await director.send("楼道音乐会")
    await director.send("大家一起唱歌。")
    await director.send("2026-12-09 18:30")
    await director.send("20:30")
    await director.send("中心花园")
    await director.send("活动室")
    await director.send(capacity)
    await director.press("0")
    if deadline is None:
        await director.tap("events.form.until_start")
    else:
        await director.send(deadline)
    await director.tap("common.yes")
    await director.press(most)
    await director.tap("events.form.publish")


async def _open(user: UserChat, title: str = "楼道音乐会") -> None:
    await user.send("/events")
    label = next(text for text in user.last.labels if title in text)
    await user.press(label)


async def _go(user: UserChat, adults: int, children: int | None = None) -> None:
    await user.tap("events.btn.going")
    await user.press(str(adults))
    if children is not None:
        await user.press(str(children))


async def test_the_committee_form_explains_bad_input_and_keeps_the_form(chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed)
    await director.send("/events")
    await director.tap("events.btn.new")
    await director.send("楼道音乐会")
    await director.tap("events.form.skip")
    await director.send("明天晚上")
    assert "没看懂这个时间" in director.last.text
    await director.send("2026-12-09 18:30")
    await director.send("17:00")
    assert "结束时间要晚于开始时间" in director.last.text
    await director.send("20:30")
    await director.send("中心花园")
    await director.send("中心 花园")
    assert "雨天场地不能和原场地相同" in director.last.text
    await director.tap("events.form.no_rain")
    await director.send("很多")
    assert "请输入 1 到 100000 之间的整数" in director.last.text
    await director.send("-5")
    assert "请输入 1 到 100000 之间的整数" in director.last.text
    await director.send("３０")  # full-width digits, as a Chinese keyboard types them
    await director.send("30")
    assert "预留座位要少于总名额" in director.last.text
    await director.send("2")
    await director.send("12-10 09:00")
    assert "报名截止时间不能晚于活动开始" in director.last.text
    await director.send("12-08 20:00")
    await director.tap("common.no")
    await director.press("2")
    preview = director.last.text
    assert "请确认活动" in preview and "30 人（预留 2）" in preview and "12-08 (周二) 20:00" in preview
    await director.tap("events.form.publish")
    assert any("楼道音乐会" in text and "报名名单" in text for text in director.texts()[-2:])
    assert "新活动：楼道音乐会" in director.last.text  # the director lives here too: announced like everyone


async def test_rsvp_with_family_waitlist_and_promotion(chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed)
    alice = await resident(chat, seed, 1001, "Alice", "101")
    bob = await resident(chat, seed, 1002, "Bob", "102", language="en")
    await _new_event(director, capacity="4")
    assert any("新活动：楼道音乐会" in text for text in alice.texts())
    assert any("New event: 楼道音乐会" in text for text in bob.texts())
    await alice.tap("events.btn.open")
    assert "还剩 4 个名额" in alice.last.text
    await _go(alice, 2, 1)
    card = alice.last.text
    assert "您家已报名：2 位大人，1 位孩子" in card and "还剩" not in card  # the party, not the places left
    await _open(bob)
    assert "3 going · 1 places left" in bob.last.text and "Alice" not in bob.last.text  # never who
    toast = await _go_toast(bob, 2)
    assert "waitlist, place 1" in (toast or "")
    assert "You're on the waitlist, place 1" in bob.last.text
    await alice.tap("events.btn.cancel_going")
    assert "您已回复：不参加" in alice.last.text
    assert any("Places opened up" in text and "party of 2" in text for text in bob.texts())
    await bob.tap("events.btn.open", message=bob.messages[-1])
    assert "You're going: 2 people" in bob.last.text
    await director.send("/events")
    await director.press(next(t for t in director.last.labels if "楼道音乐会" in t))
    await director.tap("events.btn.manage")
    assert "Bob · 1-1-102 · 2 人" in director.last.text


async def _go_toast(user: UserChat, adults: int) -> str | None:
    await user.tap("events.btn.going")
    await user.press(str(adults))
    return (await user.press("0")).text


async def test_changes_reach_everyone_going_or_waiting_and_the_calendar_follows(chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed)
    alice = await resident(chat, seed, 1001, "Alice", "101")
    bob = await resident(chat, seed, 1002, "Bob", "102")
    carol = await resident(chat, seed, 1003, "Carol", "103")
    await _new_event(director, capacity="3")
    for user, adults in ((alice, 3), (bob, 1)):
        await _open(user)
        await _go(user, adults, 0)
    await _open(carol)
    await carol.tap("events.btn.not_going")
    await carol.tap("events.btn.calendar")
    first = Calendar.from_ical(carol.last.document[1]).walk("VEVENT")[0] if carol.last.document else None
    assert first is not None and str(first["LOCATION"]) == "中心花园" and int(first["SEQUENCE"]) == 0
    assert carol.last.document is not None and carol.last.document[0].endswith(".ics")
    await director.tap("events.manage.rain", message=director.find_button_message(director.label("events.manage.rain")))
    assert any("改到雨天场地：活动室" in text for text in alice.texts())
    assert any("改到雨天场地：活动室" in text for text in bob.texts())  # waiting: told too
    assert not any("雨天场地：活动室" in text for text in carol.texts()[-1:])  # said no: not told
    await carol.tap("events.btn.calendar", message=carol.find_button_message(carol.label("events.btn.calendar")))
    assert carol.last.document is not None
    second = Calendar.from_ical(carol.last.document[1]).walk("VEVENT")[0]
    assert second["UID"] == first["UID"] and int(second["SEQUENCE"]) == 1 and str(second["LOCATION"]) == "活动室"
    await director.tap("events.manage.time")
    await director.send("12-09 19:00")
    assert any("改时间了" in text and "12-09 19:00" in text for text in alice.texts())
    await director.tap("events.manage.cancel")
    await director.tap("events.manage.cancel_yes")
    assert any("已取消" in text for text in bob.texts())
    await _open(alice)
    assert "已取消" in alice.last.text and alice.label("events.btn.going") not in alice.last.labels


async def test_fewer_seats_are_refused_then_moved_to_the_waitlist_after_a_confirmation(
        chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed)
    alice = await resident(chat, seed, 1001, "Alice", "101")
    bob = await resident(chat, seed, 1002, "Bob", "102")
    await _new_event(director, capacity="6")
    for user in (alice, bob):
        await _open(user)
        await _go(user, 3, 0)
    await director.send("/events")
    await director.press(next(t for t in director.last.labels if "楼道音乐会" in t))
    await director.tap("events.btn.manage")
    await director.tap("events.manage.capacity")
    await director.send("五")
    assert "请输入" in director.last.text
    await director.send("4")
    assert "已有 6 人报名，新名额只开放 4 个" in director.last.text and "最后报名的 1 户" in director.last.text
    toast = await director.tap("events.edit.demote", move=1)
    assert "1 户转为候补" in (toast.text or "")
    assert any("转为候补第 1 位" in text for text in bob.texts())
    await _open(bob)
    assert "您家在候补名单第 1 位" in bob.last.text


async def test_refused_taps_double_taps_forged_buttons_and_residents_at_the_committees_buttons(
        chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed)
    alice = await resident(chat, seed, 1001, "Alice", "101")
    await _new_event(director, capacity="10", most="3")
    await _open(alice)
    await _go(alice, 2, 0)
    again = await alice.press_data(chat.app.codec.pack(Rsvp(1, 2, 0)))
    assert again.alert and "没有变化" in (again.text or "")
    too_many = await alice.press_data(chat.app.codec.pack(Rsvp(1, 3, 1)))  # an old or forged-but-signed button
    assert too_many.alert and "1 到 3 人" in (too_many.text or "")
    nobody = await alice.press_data(chat.app.codec.pack(Rsvp(1, 0, 0)))
    assert nobody.alert and "至少一位大人" in (nobody.text or "")
    adults = await alice.press_data(chat.app.codec.pack(PickAdults(1, -1)))
    assert adults.alert and "1 到 3 人" in (adults.text or "")
    elsewhere = await alice.press_data(chat.app.codec.pack(Rsvp(999, 1, 0)))
    assert elsewhere.alert and "没有找到" in (elsewhere.text or "")
    forged = await alice.press_data("wr:1:1:0~AAAAAAAA")
    assert forged.alert and "过期" in (forged.text or "")
    manage = await alice.press_data(chat.app.codec.pack(ManageEvent(1)))
    assert manage.alert and "居委会" in (manage.text or "")
    guest = chat.user(4040, "Guest")
    await guest.send("/start")
    refused = await guest.press_data(chat.app.codec.pack(Rsvp(1, 1, 0)))
    assert refused.alert and refused.text
    await guest.press_data(chat.app.codec.pack(OpenEvent(1)))  # a guest may look, not answer
    assert "楼道音乐会" in guest.last.text and guest.label("events.btn.going") in guest.last.labels
    async with chat.app.sessions() as session:
        from sqlmodel import select

        from storage.events import EventReply

        rows = (await session.exec(select(EventReply))).all()
    assert [(r.adults, r.children, r.status) for r in rows] == [(2, 0, "going")]


async def test_rsvp_after_the_deadline_or_once_the_event_started_is_refused(chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed)
    alice = await resident(chat, seed, 1001, "Alice", "101")
    await _new_event(director, deadline="12-08 20:00")
    await _open(alice)
    assert "报名截止：12-08 (周二) 20:00" in alice.last.text
    chat.app.clock.advance(timedelta(days=15, hours=11))  # type: ignore[attr-defined]  # 12-08 21:00
    toast = await alice.tap("events.btn.going")
    assert toast.alert and "报名已经截止" in (toast.text or "")
    chat.app.clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
    late = await alice.press_data(chat.app.codec.pack(Rsvp(1, 1, 0)))
    assert late.alert and "已经开始或结束" in (late.text or "")


async def test_the_monthly_template_skip_and_change_one_month(chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed)
    await director.send("/events")
    await director.tap("events.btn.monthly")
    assert "还没有设置每月模板" in director.last.text
    await director.tap("events.monthly.set")
    await director.tap("events.tpl.default_title")
    await director.press("9")
    await director.send("25:00")
    assert "没看懂这个时刻" in director.last.text
    await director.send("18:30")
    await director.press("120")
    await director.send("中心花园")
    await director.send("活动室")
    await director.send("80")
    await director.press("14")
    assert "每月 9 日 18:30，120 分钟" in director.last.text
    await director.tap("events.tpl.save")
    home = director.last.text
    assert "2026-11" in home and "2026-12：12-09 (周三) 18:30 · 中心花园 · 待发布" in home
    await director.tap("events.monthly.skip", month="01")
    assert "2027-01" in director.last.text and "本月跳过" in director.last.text
    await director.tap("events.monthly.venue", month="12")
    await director.send("篮球场")
    assert "2026-12：12-09 (周三) 18:30 · 篮球场 · 待发布" in director.last.text


async def test_the_jobs_announce_the_month_and_remind_those_going(port: PortHarness, seed: Seed) -> None:
    """The declared jobs, on an injected clock: the month's 相约九号 is made and announced once, the reminders reach
    those going once (a second tick and a restart change nothing)."""
    from bot.jobs import periodic_jobs

    director = await setup_committee(port, seed)
    alice = await resident(port, seed, 1001, "Alice", "101")
    bob = await resident(port, seed, 1002, "Bob", "102")
    await director.send("/events")
    await director.tap("events.btn.monthly")
    await director.tap("events.monthly.set")
    await director.tap("events.tpl.default_title")
    await director.press("9")
    await director.send("18:30")
    await director.press("120")
    await director.send("中心花园")
    await director.tap("events.form.no_rain")
    await director.tap("events.form.unlimited")
    await director.press("14")
    await director.tap("events.tpl.save")
    jobs = {job.job_id: job for job in periodic_jobs(port.app)}
    assert {"events-monthly", "events-reminders"} <= set(jobs)
    clock = port.app.clock
    clock.advance(timedelta(days=2, hours=9))  # 11-25 19:00 in Shanghai: within 14 days of 12-09 18:30
    assert await jobs["events-monthly"].run() == 3  # director, Alice, Bob
    assert await jobs["events-monthly"].run() == 0
    await port.outbox.drain_once()
    assert any("新活动：相约九号" in text for text in alice.texts())
    await alice.tap("events.btn.open")
    await _go(alice, 2, 0)
    clock.set(clock.now().replace(month=12, day=8, hour=11))  # 12-08 19:00: a day before, less half an hour
    assert await jobs["events-reminders"].run() == 1
    assert await jobs["events-reminders"].run() == 0
    await port.outbox.drain_once()
    assert "提醒：「相约九号」" in alice.last.text and "2026-12-09 18:30" in alice.last.text
    assert not any("提醒" in text for text in bob.texts())


async def test_every_event_screen_stays_within_telegrams_limits_with_worst_case_content(
        port: PortHarness, seed: Seed) -> None:
    """Longest title, description and venues in astral emoji and markup-looking text, 60 households with the longest
    names: the cards, the committee's list of who comes, the notices and the calendar file all go through."""
    from storage.community import get_community
    from storage.residents import Role
    from tests.support.events import draft, unit
    from tests.support.topics import roster

    worst = "😀<b>&" * 20
    await seed.roster(roster(60), codes_per_household=0)
    director = port.user(9001, "D")
    await seed.resident(9001, "D" * 64, roles=(Role.COMMITTEE,))
    await director.send("/start")
    users = []
    for n in range(60):
        await seed.resident(1001 + n, ("名<i>" * 16)[:64], household=("1", "1", str(101 + n)))
        users.append(port.user(1001 + n, "R"))
        await users[-1].send("/start")
    from storage import event_admin

    async with unit(port.app) as work:
        made = await event_admin.create_event(
            work, port.app.community_id or 0,
            draft(port.app.clock.now(), title=worst[:80], description=(worst * 10)[:1000], venue=worst[:80],
                  rain_venue=("☔" + worst)[:80], capacity=200, household_max=6),
            (await seed.committee(9001)).id or 0, port.app.clock.now())
        community = await get_community(work.session, port.app.community_id or 0)
        await port.app.notifier.queue(work.session, community, made.notices, port.app.clock.now())
    await port.outbox.drain_once()
    for user in users:
        await user.press_data(port.app.codec.pack(Rsvp(made.event.id, 4, 2)))
    await director.press_data(port.app.codec.pack(ManageEvent(made.event.id)))
    assert "还有" in director.last.text  # the list was cut to fit, and says so
    await director.tap("events.manage.rain")
    await port.outbox.drain_once()
    first = users[0]
    await first.tap("events.btn.calendar", message=first.find_button_message(first.label("events.btn.calendar")))
    assert first.last.document is not None
    assert port.messenger.refused == []



async def test_other_features_add_lines_and_buttons_to_the_card(port: PortHarness, seed: Seed,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook eventextras uses (programme, volunteers, check-in): lines under the card, rows above calendar."""
    from handlers import events as event_screens
    from handlers.context import Context
    from handlers.port import Keyboard
    from storage.events import EventCard

    async def programme(ctx: Context, shown: EventCard) -> tuple[list[str], Keyboard]:
        return ([f"🎤 节目单 #{shown.event.id}"], [[ctx.button("节目", OpenEvent(shown.event.id))]])

    monkeypatch.setattr(event_screens, "CARD_EXTRAS", [programme])
    director = await setup_committee(port, seed)
    alice = await resident(port, seed, 1001, "Alice", "101")
    await _new_event(director)
    await _open(alice)
    assert "🎤 节目单 #1" in alice.last.text
    assert alice.last.labels.index("节目") < alice.last.labels.index(alice.label("events.btn.calendar"))
