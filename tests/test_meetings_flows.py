"""Votes in chat, through the port and both doors (every database): a residents' meeting in household mode from
discussion with an amendment, a postponement, reopening, changed open ballots, closing at the set time by the job,
results with a chart; a secret election; a resident pressing a committee button."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from sqlmodel import col, select

from core.voting import Status
from handlers.voting_committee import Act, DeskAct
from scheduler.meeting_jobs import run_meetings
from storage import outbox
from storage.outbox import OutboxMessage
from tests.support.chat import Harness, PortHarness, UserChat
from tests.support.meetings import read
from tests.support.seed import Seed

ROSTER = [("1", "1", "101", 80.0, True), ("1", "1", "102", 95.5, True), ("2", "1", "201", 60.0, False)]


async def flush(harness: Harness) -> None:
    """Deliver what jobs queued (the outbox sender of the backend)."""
    if isinstance(harness, PortHarness):
        await harness.outbox.drain_once()
        return
    assert harness.app.outbox is not None
    harness.app.outbox.wake()
    await asyncio.wait_for(harness.app.outbox.idle(), 15)


async def tick(harness: Harness) -> int:
    done = await run_meetings(harness.app.sessions, harness.app.notifier, harness.app.clock)
    await flush(harness)
    return done


async def _people(chat: Harness, seed: Seed) -> tuple[UserChat, list[UserChat]]:
    await seed.roster(ROSTER, codes_per_household=0)
    await seed.committee(9001)
    director = chat.user(9001, "Director")
    await director.send("/start")
    users = []
    for user_id, name, room in ((1001, "Alice", ("1", "1", "101")), (1002, "Bob", ("1", "1", "101")),
                                (1003, "Carol", ("1", "1", "102")), (1004, "Dan", ("2", "1", "201"))):
        await seed.resident(user_id, name, household=room)
        user = chat.user(user_id, name)
        await user.send("/start")
        users.append(user)
    return director, users


async def _create(director: UserChat, kind: str, mode: str | None, title: str, item_kind: str | None,
                  item_title: str, text: str, *, options: str | None = None, k: str | None = None,
                  secret: bool | None = False, times: str = "2026-11-25 10:00 2026-11-27 18:00") -> None:
    await director.send("/meetings")
    await director.tap("voting.desk.new")
    await director.tap(f"voting.kind.{kind}")
    if mode:
        await director.tap(f"voting.mode.{mode}")
    await director.send(title)
    if item_kind:
        await director.tap(f"voting.item.{item_kind}", k="k")
    await director.send(item_title)
    await director.send(text)
    if options is not None:
        await director.send(options)
    if k is not None:
        await director.send(k)
    if secret is not None:
        await director.tap("voting.item.secret" if secret else "voting.item.open")
    await director.tap("voting.new.skip")
    await director.tap("voting.new.done_items")
    await director.send(times)
    await director.tap("voting.new.create")
    assert director.label("voting.act.publish") in director.last.labels
    await director.tap("voting.act.publish")


async def _vote(user: UserChat, *choices: str, secret: bool = False) -> None:
    for choice in choices:
        await user.press("▫️ " + choice)
    await user.tap("voting.btn.confirm_secret" if secret else "voting.btn.confirm")


async def test_household_meeting_with_amendment_postponement_and_results(chat: Harness, seed: Seed) -> None:
    director, (alice, bob, carol, dan) = await _people(chat, seed)
    await _create(director, "residents", "households", "居民公约", "motion", "第一章", "爱护公共环境。")
    assert "讨论中" in director.last.text

    # a resident reads it and suggests an amendment
    await carol.tap("menu.votes") if carol.label("menu.votes") in carol.last.labels else await carol.send("/votes")
    await carol.press("#1 居民公约 · " + carol.label("voting.status.discussion"))
    assert "爱护公共环境。" in carol.last.text
    await carol.tap("voting.btn.amend", position=1)
    await carol.send("爱护公共环境，垃圾分类投放。")
    assert "已提交" in carol.last.text
    assert any("收到一条修改意见" in t for t in director.texts())

    # the committee accepts it: a new version, the author is told
    await director.send("/meetings")
    await director.press("#1 居民公约 · " + director.label("voting.status.discussion"))
    assert "待处理的修改意见：1" in director.last.text
    await director.tap("voting.act.amend")
    await director.tap("voting.decide.accepted", id=1)
    assert any("已被采纳，成为第 2 稿" in t for t in carol.texts())

    # voting opens at its time (the job): every household's adults are told
    chat.app.clock.advance(timedelta(days=2))
    assert await tick(chat) == 1
    assert all(any("开始投票" in t for t in u.texts()) for u in (alice, bob, carol, dan))
    await alice.tap("voting.btn.ballot")
    assert "垃圾分类投放" in alice.last.text and "第 2 稿" in alice.last.text
    await _vote(alice, "赞成")
    assert "投票已记录" in alice.last.text
    toast = await bob.tap("voting.btn.ballot")  # Alice holds the household's vote
    assert toast.alert and "Alice" in (toast.text or "")

    # postponed: the round is void, everyone eligible is told
    await director.send("/meetings")
    await director.press("#1 居民公约 · " + director.label("voting.status.open"))
    assert "实时参与：1/3" in director.last.text
    await director.tap("voting.act.postpone")
    await director.send("三位代表提出修改意见，延期表决")
    assert all(any("已延期" in t for t in u.texts()) for u in (alice, bob, carol, dan))

    # new times, reopened by the job: a clean round
    await director.send("/meetings")
    await director.press("#1 居民公约 · " + director.label("voting.status.discussion"))
    await director.tap("voting.act.times")
    await director.send("2026-11-26 09:00 2026-11-28 18:00")
    chat.app.clock.advance(timedelta(days=1))
    assert await tick(chat) == 1
    # a new round, but Alice's claim of the household's vote stands (/household shows her): Bob is told again
    toast = await bob.tap("voting.btn.ballot", message=bob.find_button_message(bob.label("voting.btn.ballot")))
    assert toast.alert and "Alice" in (toast.text or "")
    await alice.tap("voting.btn.ballot", message=alice.find_button_message(alice.label("voting.btn.ballot")))
    await _vote(alice, "反对")
    await alice.tap("voting.btn.change")
    await _vote(alice, "赞成")  # changed: the last one counts
    await carol.tap("voting.btn.ballot")
    await _vote(carol, "赞成")
    await dan.tap("voting.btn.ballot")
    await _vote(dan, "反对")

    # closing at the set time (the job): results to everyone with a chart
    chat.app.clock.advance(timedelta(days=2, hours=9))
    assert await tick(chat) == 1
    meeting = await read(chat.app, 1)
    assert meeting.status is Status.PUBLISHED and meeting.round == 2
    results = next(t for t in alice.texts() if "投票结果" in t)
    assert "✅ 通过" in results and "参与 3/3" in results and "赞成：2 票" in results and "反对：1 票" in results
    assert "居民会议规则" in results and "· 1 号楼：2/2" in results
    async with chat.app.sessions() as session:
        photos = (await session.exec(select(OutboxMessage).where(
            col(OutboxMessage.chat_id) == alice.user_id, col(OutboxMessage.action_json).contains("send_photo")))).all()
    assert len(photos) == 1 and (photos[0].content or b"").startswith(b"\x89PNG")
    assert photos[0].status == outbox.OutboxStatus.SENT.value

    # a resident pressing a committee button is refused
    toast = await bob.press_data(chat.app.codec.pack(DeskAct(1, Act.CLOSE)))
    assert toast.alert and toast.text == bob.label("errors.committee_only")


async def test_a_secret_election(chat: Harness, seed: Seed) -> None:
    director, (alice, bob, carol, dan) = await _people(chat, seed)
    await _create(director, "election", "adults", "居委会换届", None, "委员", "选两名委员。",
                  options="张三\n李四\n王五", k="2", secret=True)
    await director.send("/meetings")
    await director.press("#1 居委会换届 · " + director.label("voting.status.discussion"))
    await director.tap("voting.act.open")
    assert any("开始投票" in t for t in alice.texts())
    await alice.tap("voting.btn.ballot")
    assert "不能再修改" in alice.last.text or "不能修改" in alice.last.text
    await alice.press("▫️ 张三")
    await alice.press("▫️ 李四")
    toast = await alice.press("▫️ 王五")  # a third mark on two seats
    assert toast.alert and "最多只能选 2 项" in (toast.text or "")
    await alice.tap("voting.btn.confirm_secret")
    assert "回执编号" in alice.last.text and alice.label("voting.btn.change") not in alice.last.labels
    receipt = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", alice.last.text)
    assert receipt is not None
    await alice.tap("voting.btn.home")
    await alice.press("#1 居委会换届 · " + alice.label("voting.status.open"))
    assert "不能再修改" in alice.last.text and "▫️ 张三" not in alice.last.labels  # final once confirmed
    for user, picks in ((bob, ("张三",)), (carol, ("张三", "王五")), (dan, ("李四",))):
        await user.tap("voting.btn.ballot")
        await _vote(user, *picks, secret=True)
    await director.send("/meetings")
    await director.press("#1 居委会换届 · " + director.label("voting.status.open"))
    assert "实时参与：4/5" in director.last.text and "张三" not in director.last.text.split("实时参与")[1]
    await director.tap("voting.act.close")
    results = next(t for t in alice.texts() if "投票结果" in t)
    assert "当选：张三" in results and "未选出 1 个" in results and "张三：3 票" in results
    assert "另行选举" in results
    async with chat.app.sessions() as session:
        rows = (await session.exec(select(OutboxMessage.action_json))).all()
    code = receipt.group(0)  # receipts go to the voter's own chat only, never the outbox
    assert not any(code in row or code.replace("-", "") in row for row in rows)


async def test_an_owners_decision_counted_by_area_and_by_head(chat: Harness, seed: Seed) -> None:
    """Civil Code art. 278 item (7) (adding a lift): Alice owns two flats (one head, 80 + 60 m²), Carol one (95.5 m²).
    Everyone takes part; "yes" holds 140 of 235.5 m² (59 %) and 1 of 2 heads: short of 3/4 on both, so it fails —
    and the result says so with the area sums and the rule."""
    from storage import owner_admin
    from storage.residents import Resident
    from storage.unit import Unit

    director, (alice, _bob, carol, _dan) = await _people(chat, seed)
    async with chat.app.sessions() as session:
        homes = {row.telegram_user_id: row for row in (await session.exec(select(Resident))).all()}
        community = chat.app.community_id or 0
        now = chat.app.clock.now()
        for owner, flat in ((1001, 1001), (1001, 1004), (1003, 1003)):  # the flat where that resident lives
            await owner_admin.add_owner(Unit(session), community, homes[flat].household_id or 0,
                                        homes[owner].display_name, resident_id=homes[owner].id, actor=None, now=now)
        await session.commit()
    await director.send("/meetings")
    await director.tap("voting.desk.new")
    await director.tap("voting.kind.owners")
    await director.send("加装电梯")
    await director.send("3号楼加装电梯")
    await director.send("在3号楼加装一部电梯，费用按面积分摊。")
    await director.press(f"(7) {director.label('voting.matter.7')}")
    await director.tap("voting.new.skip")
    await director.tap("voting.new.done_items")
    await director.send("2026-11-25 10:00 2026-11-27 18:00")
    await director.tap("voting.new.create")
    await director.tap("voting.act.publish")
    await director.send("/meetings")
    await director.press("#1 加装电梯 · " + director.label("voting.status.discussion"))
    await director.tap("voting.act.open")
    await alice.tap("voting.btn.ballot")
    await _vote(alice, alice.label("voting.choice.yes"))
    await carol.tap("voting.btn.ballot")
    await _vote(carol, carol.label("voting.choice.no"))
    await director.send("/meetings")
    await director.press("#1 加装电梯 · " + director.label("voting.status.open"))
    await director.tap("voting.act.close")
    results = next(t for t in alice.texts() if "投票结果" in t)
    assert "参与面积 235.50 / 235.50 m²" in results, results
    assert "140.00" in results and "95.50" in results, results
    assert "未通过" in results, results
    assert "四分之三以上（含）" in results and "第278条" in results, results  # the rule it was counted under
