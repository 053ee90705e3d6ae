"""Topics end to end: a real door (aiogram and PTB) against the Bot API emulator, on every database."""

from __future__ import annotations

from datetime import timedelta

from handlers.links import OpenTopic
from handlers.topic_comments import WriteComment
from handlers.topics import SupportTopic
from handlers.topics_committee import Acknowledge
from storage import topic_desk, topics
from storage.community import get_community
from storage.residents import by_telegram_id
from tests.emulator.support import tiny_png
from tests.support.chat import EmulatorHarness, UserChat
from tests.support.seed import Seed
from tests.support.topics import open_desk_card, resident, setup_committee

COMMITTEE_CHAT = -100700


async def _open_card(user: UserChat, topic_id: int, title: str, supports: int) -> None:
    await user.send("/topics")
    await user.press("🆕 最新")
    await user.press(f"#{topic_id} {title} · 👍{supports}")


async def test_propose_with_similar_hint_then_confirm(e2e: EmulatorHarness, seed: Seed) -> None:
    director = await setup_committee(e2e, seed)
    await resident(e2e, seed, 1002, "Bob", "102")
    await seed.topic(1002, "3号楼加装电梯", category="renovation")
    alice = await resident(e2e, seed, 1001, "Alice", "101")
    await alice.press("💬 议题")
    await alice.press("➕ 提出议题")
    await alice.send("加装电梯 <3号楼>")
    await alice.send("老人多，爬楼难 & 不安全。")
    await alice.press("旧改与加装电梯")
    await alice.send_photo(tiny_png())
    assert "已经有相似的议题" in alice.last.text and "👀 #1 3号楼加装电梯" in alice.last.labels
    assert "加装电梯 <3号楼>" in alice.last.text and "照片：是" in alice.last.text
    await alice.press("✅ 确认提交")
    assert any("议题 #2「加装电梯 <3号楼>」已提交" in text for text in alice.texts())
    assert any("新议题 #2「加装电梯 <3号楼>」" in text for text in director.texts())
    await alice.press("💬 查看议题")
    await alice.press("🖼 照片")
    assert "议题 #2：加装电梯 <3号楼>" in alice.last.text  # the photo, captioned with the title


async def test_households_rule_reached_but_not_adults(e2e: EmulatorHarness, seed: Seed) -> None:
    director = await setup_committee(e2e, seed, adults=1000, households=10)
    e2e.group(COMMITTEE_CHAT, "居委会", [director])
    await director.send("/bind", chat_id=COMMITTEE_CHAT)
    await resident(e2e, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "加装电梯")
    alice = await resident(e2e, seed, 1001, "Alice", "101")
    await _open_card(alice, topic_id, "加装电梯", 1)
    await alice.press("👍 联署支持（1）")
    card = alice.find_button_message("↩️ 撤回联署").text
    assert "⚖️ 要求召开居民会议" in card and "五分之一的住户" in card and "五分之一的成年居民）" not in card
    alert = e2e.bot_messages(COMMITTEE_CHAT)[-1].text
    assert "已达到法定门槛" in alert and "五分之一的住户" in alert


async def test_adults_rule_reached_but_not_households(e2e: EmulatorHarness, seed: Seed) -> None:
    director = await setup_committee(e2e, seed, adults=10, households=10)
    await resident(e2e, seed, 1002, "Bob", "101")
    topic_id = await seed.topic(1002, "Noise at night")
    anna = await resident(e2e, seed, 1001, "Anna", "101", language="en")
    await anna.send("/topics")
    await anna.press("🆕 Newest")
    await anna.press(f"#{topic_id} Noise at night · 👍1")
    await anna.press("👍 Support (1)")
    card = anna.find_button_message("↩️ Withdraw my support").text
    assert "⚖️ Meeting demanded" in card and "(1/5 of adult residents)" in card and "Households: 1/2" in card
    assert any("已达到法定门槛：五分之一的成年居民" in text for text in director.texts())


async def test_answer_before_and_after_the_deadline(e2e: EmulatorHarness, seed: Seed, clock) -> None:
    director = await setup_committee(e2e, seed)
    bob = await resident(e2e, seed, 1002, "Bob", "102")
    anna = await resident(e2e, seed, 1001, "Anna", "101", language="en")
    early = await seed.topic(1002, "路灯不亮")
    late = await seed.topic(1001, "Bike shed")
    await seed.support(early, 1001)
    await open_desk_card(director, early, label=f"#{early} 路灯不亮 · 👍2")
    await director.press("✍️ 答复")
    await director.send("明天<修>。")
    await director.press("✅ 确认")
    assert "居委会答复" in director.last.text and "逾期" not in director.last.text
    assert "明天<修>。" in bob.last.text and "The committee answered topic #1" in anna.last.text
    clock.advance(timedelta(days=3, hours=1))
    await director.send("/committee")
    await director.press("💬 议题处理")
    await director.press("⏰ 已超期 (1)")
    await director.press(f"#{late} Bike shed · 👍1")
    await director.press("✍️ 答复")
    await director.send("Sorry for the delay: approved.")
    await director.press("✅ 确认")
    assert "逾期答复" in director.last.text
    assert "Sorry for the delay" in anna.last.text
    async with e2e.app.sessions() as session:
        assert (await topics.get_topic(session, e2e.app.community_id or 0, late)).answered_late
        assert not (await topics.get_topic(session, e2e.app.community_id or 0, early)).answered_late


async def test_merge_with_overlapping_supporters(e2e: EmulatorHarness, seed: Seed) -> None:
    director = await setup_committee(e2e, seed)
    p1 = await resident(e2e, seed, 1001, "P1", "101")
    await resident(e2e, seed, 1002, "P2", "102")
    both = await resident(e2e, seed, 1004, "Both", "104")
    duplicate, target = await seed.topic(1001, "电梯坏了"), await seed.topic(1002, "电梯经常坏")
    await seed.support(duplicate, 1004)
    await seed.support(target, 1004)
    await open_desk_card(director, duplicate, label=f"#{duplicate} 电梯坏了 · 👍2")
    await director.press("🔗 合并重复")
    await director.press(f"#{target} 电梯经常坏")
    await director.press("✅ 确认合并")
    assert "联署：3 位居民" in director.last.text  # P2, Both, P1: Both counted once
    assert any(f"您的联署已转到 #{target}" in text for text in p1.texts())
    assert any(f"您的联署已转到 #{target}" in text for text in both.texts())
    await p1.press("💬 查看议题")
    assert f"议题 #{target}：电梯经常坏" in p1.last.text
    toast = await p1.press_data(e2e.app.codec.pack(SupportTopic(duplicate)))
    assert toast.alert and f"已合并到议题 #{target}" in (toast.text or "")


async def test_council_recommendation(e2e: EmulatorHarness, seed: Seed) -> None:
    director = await setup_committee(e2e, seed)
    await resident(e2e, seed, 1002, "Bob", "102")
    wang = await resident(e2e, seed, 1003, "王阿姨", "103")
    topic_id = await seed.topic(1002, "加装电梯")
    await director.send("/committee")
    await director.press("💬 议题处理")
    await director.press("🏛 议事团")
    await director.press("➕ 新建议事团")
    await director.send("睦邻议事厅")
    await director.press("➕ 添加成员")
    await director.send("王阿")
    await director.press("➕ 王阿姨")
    await open_desk_card(director, topic_id, label=f"#{topic_id} 加装电梯 · 👍1")
    await director.press("🏛 转议事团")
    await director.press("🏛 睦邻议事厅 (1)")
    assert "交给您所在的议事团「睦邻议事厅」" in wang.last.text
    await wang.send("/topics")
    await wang.press("🏛 我的议事团")
    await wang.press(f"#{topic_id} 加装电梯 · 👍1")
    await wang.press("🏛 写议事团建议")
    await wang.send("先做全楼问卷。")
    await wang.press("💬 查看议题")
    assert "议事团「睦邻议事厅」的建议" in wang.last.text and "先做全楼问卷" in wang.last.text


async def test_bad_input(e2e: EmulatorHarness, seed: Seed) -> None:
    director = await setup_committee(e2e, seed)
    await resident(e2e, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "加装电梯")
    alice = await resident(e2e, seed, 1001, "Alice", "101", language="en")
    # the form: empty, too long, a file instead of a photo; the form stays open each time
    await alice.send("/propose")
    await alice.send("x" * 81)
    assert "at most 80" in alice.last.text and "81" in alice.last.text
    await alice.send("<b>Bins</b>")
    await alice.send("d" * 2001)
    assert "at most 2000" in alice.last.text
    await alice.send("Bins overflow on Sundays.")
    await alice.press("Greening and sanitation")
    await alice.send_document(b"%PDF", "bins.pdf")
    assert "That is a file, not a photo" in alice.last.text
    await alice.press("⏭ Skip (no photo)")
    assert "<b>Bins</b>" in alice.find_button_message("✅ Submit").text  # shown literally
    await alice.press("✖️ Cancel")
    # an unverified resident cannot support; a double tap counts once; a resident is not the committee
    await seed.resident(1005, "Guest", verified=False, language="en")
    guest = e2e.user(1005, "Guest", language="en")
    await guest.send("/topics")
    await guest.press("🆕 Newest")
    await guest.press(f"#{topic_id} 加装电梯 · 👍1")
    toast = await guest.press("👍 Support (1)")
    assert toast.alert and "verified" in (toast.text or "")
    await guest.send("/propose")
    assert "verified" in guest.last.text
    await alice.send("/topics")
    await alice.press("🆕 Newest")
    await alice.press(f"#{topic_id} 加装电梯 · 👍1")
    await alice.press("👍 Support (1)")
    toast = await alice.press_data(e2e.app.codec.pack(SupportTopic(topic_id)))
    assert toast.alert and "counts once" in (toast.text or "")
    toast = await alice.press_data(e2e.app.codec.pack(Acknowledge(topic_id)))
    assert toast.alert and "committee members only" in (toast.text or "")
    toast = await alice.press_data(f"ts:{topic_id}~AAAAAAAA")
    assert toast.alert and "expired" in (toast.text or "")
    async with e2e.app.sessions() as session:
        assert (await topics.tally(session, e2e.app.community_id or 0, topic_id)).residents == 2
    # declined: no more support or comments
    await open_desk_card(director, topic_id, label=f"#{topic_id} 加装电梯 · 👍2")
    await director.press("🚫 不予采纳")
    await director.send("不属于居委会职责")
    await director.press("✅ 确认")
    toast = await alice.press_data(e2e.app.codec.pack(WriteComment(topic_id)))
    assert toast.alert and "closed" in (toast.text or "")
    # hidden by the committee: residents cannot open it any more
    hidden = await seed.topic(1002, "广告")
    async with e2e.app.sessions() as session:
        community = await get_community(session, e2e.app.community_id or 0)
        director = await by_telegram_id(session, community.id or 0, 9001)
        await topic_desk.hide(session, community=community, topic_id=hidden, actor=director,
                              reason="商业广告", now=e2e.app.clock.now())
        await session.commit()
    toast = await alice.press_data(e2e.app.codec.pack(OpenTopic(hidden)))
    assert toast.alert and "hidden by the committee" in (toast.text or "")
