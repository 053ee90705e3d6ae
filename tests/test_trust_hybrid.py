"""A hybrid residents' meeting end to end, in chat (the port and both doors, both databases): 30 residents vote
online, 25 in the hall on paper (two of them invalid), one online voter wrongly entered on paper is refused and the
refusal recorded, a paper voter cannot vote online afterwards, a written proxy's holder casts the grantor's vote as
well as their own. Quorum and result count both channels and equal a hand count; the result shows each channel's
share; the record verifies clean and the bulletin recomputes the result."""

from __future__ import annotations

import re

from core import bulletin as bulletins
from core.voting import Status
from storage import audit, trust
from storage.unit import Unit
from tests.emulator.support import tiny_png
from tests.support.chat import Harness, UserChat
from tests.support.meetings import read
from tests.support.seed import Seed

ONLINE, PAPER, OTHERS = 30, 25, 3


def _online_choice(n: int) -> tuple[str, str]:
    return ("反对" if n % 3 == 0 else "赞成"), ("乙" if n % 2 else "甲")


def _paper_choice(n: int) -> str:
    return "x" if n < 2 else ("2" if n % 4 == 0 else "1")


def _box_choice(n: int) -> str:
    return "x" if n < 2 else ("1" if n < 14 else "2")


async def _create(director: UserChat) -> None:
    await director.send("/meetings")
    await director.tap("voting.desk.new")
    await director.tap("voting.kind.residents")
    await director.tap("voting.mode.adults")
    await director.send("小区停车管理")
    await director.tap("voting.item.motion", k="k")
    await director.send("停车管理办法")
    await director.send("地面车位按登记顺序分配。")
    await director.tap("voting.item.open")
    await director.tap("voting.new.skip")
    await director.tap("voting.new.add_item")
    await director.tap("voting.item.single", k="k")
    await director.send("收费方案")
    await director.send("选一个收费方案。")
    await director.send("甲\n乙")
    await director.tap("voting.item.secret")
    await director.tap("voting.new.skip")
    await director.tap("voting.new.done_items")
    await director.send("2026-11-25 10:00 2026-11-27 18:00")
    await director.tap("voting.new.create")
    await director.tap("voting.act.publish")
    await director.tap("voting.act.open")


async def _vote(user: UserChat, motion: str, plan: str) -> None:
    await user.press("▫️ " + motion)
    await user.tap("voting.btn.confirm")
    await user.tap("voting.btn.next_item", position=2)
    await user.press("▫️ " + plan)
    await user.tap("voting.btn.confirm_secret")


def _entry_id(director: UserChat) -> int:
    found = re.search(r"#(\d+) ", director.last.text)
    assert found is not None, director.last.text
    return int(found.group(1))


async def test_a_hybrid_meeting_counts_both_channels_like_a_hand_count(chat: Harness, seed: Seed) -> None:
    await seed.committee(9001)
    director = chat.user(9001, "Director")
    await director.send("/start")
    await seed.resident(9002, "监票员王")
    scrutineer = chat.user(9002, "监票员王")
    await scrutineer.send("/start")
    online: list[UserChat] = []
    for n in range(ONLINE):
        await seed.resident(3000 + n, f"线上{n:02d}")
        online.append(chat.user(3000 + n, f"线上{n:02d}"))
        await online[-1].send("/start")
    others: list[UserChat] = []  # every verified resident has started the bot once (notices reach them)
    for user_id, name in ([(4000 + n, f"纸质{n:02d}") for n in range(PAPER)] + [(5000, "委托人甲")]
                          + [(6000 + n, f"未投{n}") for n in range(OTHERS)]):
        await seed.resident(user_id, name)
        others.append(chat.user(user_id, name))
        await others[-1].send("/start")
    late = others[PAPER - 1]  # votes on paper, then tries online
    register = 2 + ONLINE + PAPER + 1 + OTHERS

    await _create(director)
    assert any("开始投票" in t for t in online[0].texts())

    # the committee names the scrutineer and registers a written proxy (with the signed form's photo)
    await director.tap("trust.btn.paper_desk")
    await director.tap("trust.act.scrutineer")
    await director.send("监票员王")
    assert "监票员王" in director.last.text
    await director.tap("trust.act.proxy")
    await director.send("委托人甲")
    await director.send("线上00")
    await director.send_photo(tiny_png())
    assert "委托人甲" in director.last.text or any("委托人甲 委托 线上00" in t for t in director.texts())
    assert any("委托" in t and "委托人甲" in t for t in online[0].texts())

    # 30 online ballots; the proxy's holder also casts the grantor's
    for n, user in enumerate(online):
        await user.tap("voting.btn.ballot")
        await _vote(user, *_online_choice(n))
        assert any("回执编号" in t for t in user.texts())
    holder = online[0]
    await holder.send("/votes")
    await holder.tap("trust.btn.proxy_ballot", name="委托人甲", id=1)
    assert "代 <b>委托人甲</b>" in holder.last.text or "委托人甲" in holder.last.text
    await _vote(holder, "赞成", "甲")
    assert "委托人甲" in holder.last.text

    # the hall: 25 paper ballots (two invalid), one online voter entered by mistake (refused, recorded)
    await director.send("/meetings")
    await director.press("#1 小区停车管理 · " + director.label("voting.status.open"))
    await director.tap("trust.btn.paper_desk")
    await director.tap("trust.act.voters")
    ids = []
    for n in range(PAPER):
        await director.send(f"纸质{n:02d} {_paper_choice(n)}")
        ids.append(_entry_id(director))
        if n == 10:
            await director.send("线上05 1")  # voted online already
            assert "已拒绝并记录" in director.last.text and "线上05" in director.last.text
    assert director.label("trust.btn.confirm", id=ids[0]) not in director.last.labels  # others confirm
    await scrutineer.send("/paper")
    assert scrutineer.label("trust.btn.confirm", id=ids[0]) in scrutineer.last.labels
    for entry_id in ids:
        await scrutineer.tap("trust.btn.confirm", id=entry_id)
    refused = await late.tap("voting.btn.ballot")  # on paper now: not online as well
    assert refused.alert and late.label("trust.err.on_paper") == refused.text

    # the register closes, then the box's secret ballots are entered and confirmed
    await director.tap("trust.btn.done")
    await director.tap("trust.act.close")
    await director.tap("trust.act.box", position=2)
    box_ids = []
    for n in range(PAPER):
        await director.send(_box_choice(n))
        box_ids.append(_entry_id(director))
    await director.send("1")  # a 26th ballot in the box: more than the hall's voters
    assert director.last.text == director.label("trust.err.box_full", voters=PAPER)
    await scrutineer.send("/paper")
    for entry_id in box_ids:
        await scrutineer.tap("trust.btn.confirm", id=entry_id)

    # closing: both channels counted, equal to the hand count
    await director.send("/meetings")
    await director.press("#1 小区停车管理 · " + director.label("voting.status.open"))
    assert f"实时参与：{ONLINE + PAPER + 1}/{register}" in director.last.text
    await director.tap("voting.act.close")
    meeting = await read(chat.app, 1)
    assert meeting.status is Status.PUBLISHED
    took = ONLINE + PAPER + 1
    motion_yes = sum(_online_choice(n)[0] == "赞成" for n in range(ONLINE)) + 1 \
        + sum(_paper_choice(n) == "1" for n in range(PAPER))
    motion_no = sum(_online_choice(n)[0] == "反对" for n in range(ONLINE)) + sum(_paper_choice(n) == "2"
                                                                               for n in range(PAPER))
    plan_a = sum(_online_choice(n)[1] == "甲" for n in range(ONLINE)) + 1 + sum(_box_choice(n) == "1"
                                                                               for n in range(PAPER))
    plan_b = sum(_online_choice(n)[1] == "乙" for n in range(ONLINE)) + sum(_box_choice(n) == "2"
                                                                           for n in range(PAPER))
    assert (motion_yes, motion_no, plan_a, plan_b) == (38, 16, 28, 26)
    results = next(t for t in online[1].texts() if "投票结果" in t)
    assert f"参与 {took}/{register}（无效 2）" in results, results
    assert f"赞成：{motion_yes} 票" in results and f"反对：{motion_no} 票" in results and "✅ 通过" in results
    assert f"甲：{plan_a} 票" in results and f"乙：{plan_b} 票" in results
    assert "线上 30（53.5%）" in results and "纸质 25（44.6%）" in results and "委托 1（1.7%）" in results
    assert "记录链尾哈希" in results
    head = next(t for t in director.texts() if "投票记录链尾哈希" in t)

    async with chat.app.sessions() as session:
        unit = Unit(session)
        report = await trust.verify(unit, meeting.id)
        found = await trust.bulletin(unit, chat.app.community_id or 0, meeting.id)
        refusals = await audit.entries(session, chat.app.community_id or 0, "paper.refused")
    assert report.clean and report.published_head is not None and report.published_head in head
    counted = bulletins.tally(found.entries)
    assert counted[1].votes == {"yes": motion_yes, "no": motion_no} and counted[1].invalid == 2
    assert counted[2].votes == {"甲": plan_a, "乙": plan_b} and counted[2].cast == took
    assert counted[1].by_channel == counted[2].by_channel == {"online": 30, "paper": 25, "proxy": 1}
    assert len(refusals) == 1 and '"voted_online"' in refusals[0].detail_json
