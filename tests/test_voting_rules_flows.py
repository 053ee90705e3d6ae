"""Voting rules, write-ins and further rounds in chat, over the port and both doors (every database): the committee
sets the community's tie-break (confirmed with the law's default named), an over-lax owners' quorum is refused, a
meeting gets its own rule before voting; a voter writes in another resident, picked by name; the election leaves a
seat unfilled and the committee starts the further round from the meeting's screen, the voters are told, vote, and
the result names the rule."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from handlers.links import VotingRules
from tests.support.chat import Harness, UserChat
from tests.support.meetings import read
from tests.support.seed import Seed


async def _people(chat: Harness, seed: Seed) -> tuple[UserChat, list[UserChat]]:
    await seed.committee(9001)
    director = chat.user(9001, "Director")
    await director.send("/start")
    users = []
    for user_id, name in ((1001, "Alice"), (1002, "Bob"), (1003, "Carol"), (1004, "Dan")):
        await seed.resident(user_id, name)
        user = chat.user(user_id, name)
        await user.send("/start")
        users.append(user)
    return director, users


def _at(chat: Harness, hours: int) -> str:
    moment = chat.app.clock.now() + timedelta(hours=hours)
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


async def _desk(director: UserChat, meeting_id: int, title: str, status: str) -> None:
    await director.send("/meetings")
    await director.press(f"#{meeting_id} {title} · " + director.label(f"voting.status.{status}"))


async def test_rules_screen_changes_confirm_and_refusals(chat: Harness, seed: Seed) -> None:
    director, (alice, *_) = await _people(chat, seed)
    await director.send("/meetings")
    await director.tap("voting_rules.btn.home")
    assert "本居民区的表决规则" in director.last.text and director.label("voting_rules.law") in director.last.text
    await director.tap("voting_rules.btn.kind", kind=director.label("voting.kind.election"))
    await director.press(director.label("voting_rules.tie.lot"))
    confirm = director.last.text
    assert "法定默认：相同票数者另行选举" in confirm and "抽签" in confirm  # the law's default is named
    await director.tap("common.confirm")
    assert "✓ " + director.label("voting_rules.tie.lot") in director.last.labels
    assert director.label("voting_rules.own") in director.last.text

    await director.tap("menu.back")
    await director.tap("voting_rules.btn.kind", kind=director.label("voting.kind.owners"))
    toast = await director.press("过半数")  # participation below the Civil Code's 2/3: refused
    assert toast.alert and toast.text == director.label("voting_rules.err.weaker_than_law")
    await director.tap("menu.back")
    await director.tap("voting_rules.btn.kind", kind=director.label("voting.kind.representatives"))
    await director.press("过半数")
    assert director.label("voting_rules.weaker") in director.last.text  # a local rule: allowed, with a warning
    await director.tap("common.cancel")

    toast = await alice.press_data(chat.app.codec.pack(VotingRules()))  # a resident: refused
    assert toast.alert and toast.text == alice.label("errors.committee_only")


async def test_a_write_in_then_a_further_round_from_chat(chat: Harness, seed: Seed) -> None:
    director, (alice, bob, carol, dan) = await _people(chat, seed)
    await director.send("/meetings")
    await director.tap("voting.desk.new")
    await director.tap("voting.kind.election")
    await director.tap("voting.mode.adults")
    await director.send("居委会换届")
    await director.send("委员")
    await director.send("选两名委员。")
    await director.send("张三\n李四\n王五")
    await director.send("2")
    await director.tap("voting.item.secret")
    await director.tap("voting.new.skip")
    await director.tap("voting.new.done_items")
    await director.send(f"{_at(chat, 1)} {_at(chat, 48)}")
    await director.tap("voting.new.create")
    await director.tap("voting.act.publish")

    # before voting: this meeting's own rule, confirmed with the law's value named
    await director.tap("voting_rules.btn.meeting")
    assert director.label("voting_rules.write_in.on") in director.last.text
    await director.press("不少于 1/4")
    assert "另行选举当选" in director.last.text and "法定默认：三分之一以上（含）" in director.last.text
    await director.tap("common.confirm")
    assert (await read(chat.app, 1)).rules.further == ">=1/4"
    await director.tap("voting.btn.desk")
    await director.tap("voting.act.open")

    # Alice writes in Dan, picked by name among the registered adults, and marks 张三 too
    await alice.tap("voting.btn.ballot")
    await alice.tap("voting_rules.btn.write_in")
    await alice.send("Nobody")
    assert "Nobody" in alice.last.text
    await alice.send("Da")
    await alice.press("Dan")
    assert "✅ Dan" in alice.last.labels
    await alice.press("▫️ 张三")
    await alice.tap("voting.btn.confirm_secret")
    assert "回执编号" in alice.last.text
    for user, picks in ((bob, ("张三", "李四")), (carol, ("张三", "王五")), (dan, ("李四",))):
        await user.tap("voting.btn.ballot")
        for pick in picks:
            await user.press("▫️ " + pick)
        await user.tap("voting.btn.confirm_secret")
    await _desk(director, 1, "居委会换届", "open")
    await director.tap("voting.act.close")
    results = next(t for t in alice.texts() if "投票结果" in t)
    assert "当选：张三（未选出 1 个）" in results and "Dan：1 票" in results and "李四：2 票" in results

    # the committee starts the further round from the meeting's screen: the best placed of the others
    await _desk(director, 1, "居委会换届", "published")
    await director.tap("voting_rules.btn.further")
    assert "李四、王五、Dan" in director.last.text and "1 个席位" in director.last.text
    await director.send(_at(chat, 24))
    assert any("另行选举（第 #2 次会议，接续 #1）已开始投票：5 人可以投票" in t for t in director.texts())
    closes = _at(chat, 24)
    assert all("开始投票" in u.last.text and closes in u.last.text for u in (alice, bob, carol, dan))  # told
    await alice.tap("voting.btn.ballot")
    assert director.label("voting_rules.btn.write_in") not in alice.last.labels  # candidates are the rule's
    for user, pick in ((alice, "李四"), (bob, "李四"), (carol, "王五")):
        if user is not alice:
            await user.tap("voting.btn.ballot")
        await user.press("▫️ " + pick)
        await user.tap("voting.btn.confirm_secret")
    await _desk(director, 2, "居委会换届", "open")
    await director.tap("voting.act.close")
    results = [t for t in bob.texts() if "投票结果" in t][-1]
    assert "当选：李四（未选出 0 个）" in results and "李四：2 票" in results
    assert "另行选举规则（得票多者当选）" in results and "通过 不少于 1/4" in results  # the rule it was counted under
    await _desk(director, 1, "居委会换届", "published")
    toast = await director.tap("voting_rules.btn.further")  # started already: said so
    assert toast.alert and "#2" in (toast.text or "")
