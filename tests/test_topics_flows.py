"""Topic conversations through the port: proposing, support, the committee's desk, merging, comments, councils."""

from __future__ import annotations

from datetime import timedelta

from handlers.links import DeskHome, OpenTopic
from handlers.port import SendPhoto
from handlers.topic_comments import WriteComment
from handlers.topic_desk_form import DeskAction
from handlers.topics import RecommendTopic, SupportTopic
from handlers.topics_committee import Acknowledge, MergeNow
from storage import audit, topics
from tests.support.chat import PortHarness, UserChat
from tests.support.seed import Seed
from tests.support.topics import open_desk_card, resident, setup_committee

COMMITTEE_CHAT = -1001


async def _bind_committee_chat(director: UserChat) -> None:
    await director.send("/bind", chat_id=COMMITTEE_CHAT)


async def _propose(user: UserChat, title: str, description: str = "具体情况如下。", category: str = "其他") -> None:
    await user.send("/propose")
    await user.send(title)
    await user.send(description)
    await user.press(category)
    await user.press("⏭ 跳过（不附照片）")
    await user.press("✅ 确认提交")


async def _answer(director: UserChat, topic_id: int, text: str) -> None:
    await open_desk_card(director, topic_id)
    await director.press("✍️ 答复")
    await director.send(text)
    await director.press("✅ 确认")


# ---- proposing ---------------------------------------------------------------------------------


async def test_propose_shows_similar_topics_then_confirms(port: PortHarness, seed: Seed) -> None:
    director = await setup_committee(port, seed)
    bob = await resident(port, seed, 1002, "Bob", "102")
    await _propose(bob, "3号楼加装电梯", category="旧改与加装电梯")
    alice = await resident(port, seed, 1001, "Alice", "101")
    await alice.press("💬 议题")
    await alice.press("➕ 提出议题")
    assert "最多 80 个字" in alice.last.text
    await alice.send("加装电梯 3号楼")
    await alice.send("楼里老人多，爬楼困难。")
    await alice.press("旧改与加装电梯")
    await alice.press("⏭ 跳过（不附照片）")
    preview = alice.last
    assert "请确认您的议题" in preview.text and "已经有相似的议题" in preview.text
    assert "#1 3号楼加装电梯" in preview.text and "👀 #1 3号楼加装电梯" in preview.labels
    await alice.press("✅ 确认提交")
    assert any("议题 #2「加装电梯 3号楼」已提交" in text for text in alice.texts())
    assert any("新议题 #2「加装电梯 3号楼」" in text for text in director.texts())
    async with port.app.sessions() as session:
        assert (await topics.tally(session, port.app.community_id or 0, 2)).residents == 1


async def test_support_a_similar_topic_instead(port: PortHarness, seed: Seed) -> None:
    await setup_committee(port, seed)
    bob = await resident(port, seed, 1002, "Bob", "102")
    await _propose(bob, "小区停车太难")
    alice = await resident(port, seed, 1001, "Alice", "101")
    await alice.send("/propose")
    await alice.send("小区停车难")
    await alice.send("晚上没有车位。")
    await alice.press("停车")
    await alice.press("⏭ 跳过（不附照片）")
    await alice.press("👀 #1 小区停车太难")
    assert "议题 #1：小区停车太难" in alice.last.text
    await alice.press("👍 联署支持（1）")
    assert "联署：2 位居民 · 2 户" in alice.last.text and "↩️ 撤回联署" in alice.last.labels
    await alice.send("/cancel")
    async with port.app.sessions() as session:
        assert (await topics.get_topic(session, port.app.community_id or 0, 1)).title == "小区停车太难"


async def test_title_errors_keep_the_form_open(port: PortHarness, seed: Seed) -> None:
    await setup_committee(port, seed)
    alice = await resident(port, seed, 1001, "Alice", "101", language="en")
    await alice.send("/propose")
    await alice.send("   ")
    assert "empty" in alice.last.text.lower()
    await alice.send("x" * 81)
    assert "at most 80" in alice.last.text and "81" in alice.last.text
    await alice.send("A lift for building 3")
    assert "describe the situation" in alice.last.text
    await alice.send("y" * 2001)
    assert "at most 2000" in alice.last.text and "2001" in alice.last.text
    await alice.send("Old people live upstairs.")
    assert "choose a category" in alice.last.text


async def test_markup_is_shown_literally(port: PortHarness, seed: Seed) -> None:
    await setup_committee(port, seed)
    alice = await resident(port, seed, 1001, "Alice", "101")
    await alice.send("/propose")
    await alice.send("<b>加装</b>电梯 & <i>x</i>")
    await alice.send("<a href='http://x'>点我</a>")
    await alice.press("其他")
    await alice.press("⏭ 跳过（不附照片）")
    assert "<b>加装</b>电梯 & <i>x</i>" in alice.last.text and "<a href='http://x'>点我</a>" in alice.last.text
    await alice.press("✅ 确认提交")
    await alice.press("💬 查看议题")
    assert "<b>加装</b>电梯 & <i>x</i>" in alice.last.text


async def test_photo_step_refuses_a_document_then_takes_a_photo(port: PortHarness, seed: Seed) -> None:
    await setup_committee(port, seed)
    alice = await resident(port, seed, 1001, "Alice", "101")
    await alice.send("/propose")
    await alice.send("路灯坏了")
    await alice.send("2号楼门口的路灯不亮。")
    await alice.press("安全")
    await alice.send_document(b"%PDF-1.4", "lamp.pdf")
    assert "这是一个文件，不是照片" in alice.last.text
    await alice.send("看照片")
    assert "请发送一张照片" in alice.last.text
    await alice.send_photo(b"jpeg-bytes-of-a-lamp")
    assert "照片：是" in alice.last.text
    await alice.press("✅ 确认提交")
    await alice.press("💬 查看议题")
    assert "🖼 附有照片" in alice.last.text
    await alice.press("🖼 照片")
    sent = [a for a in port.messenger.actions if isinstance(a, SendPhoto)]
    assert sent and isinstance(sent[-1].photo, str) and sent[-1].photo.startswith("file-")


async def test_edit_and_cancel_from_the_preview(port: PortHarness, seed: Seed) -> None:
    await setup_committee(port, seed)
    alice = await resident(port, seed, 1001, "Alice", "101")
    await alice.send("/propose")
    await alice.send("旧标题")
    await alice.send("说明")
    await alice.press("其他")
    await alice.press("⏭ 跳过（不附照片）")
    await alice.press("✏️ 修改")
    await alice.press("标题")
    assert "当前内容：旧标题" in alice.last.text
    await alice.send("新标题")
    assert "请确认您的议题" in alice.last.text and "新标题" in alice.last.text
    await alice.press("✏️ 修改")
    await alice.press("分类")
    await alice.press("停车")
    assert "分类：停车" in alice.last.text
    await alice.press("✖️ 取消")
    assert "已取消" in alice.last.text
    async with port.app.sessions() as session:
        rows = await topics.categories(session, port.app.community_id or 0)
        community = await _community(port, session)
        assert rows and not await topics.proposed_today(session, community, 1, port.app.clock.now())


async def _community(port: PortHarness, session):
    from storage.community import get_community

    return await get_community(session, port.app.community_id or 0)


async def test_unverified_and_unregistered_cannot_propose_or_support(port: PortHarness, seed: Seed) -> None:
    await setup_committee(port, seed)
    alice = await resident(port, seed, 1001, "Alice", "101")
    await _propose(alice, "加装电梯")
    await seed.resident(1005, "Guest", verified=False, language="en")
    guest = port.user(1005, "Guest", language="en")
    await guest.send("/propose")
    assert "not been verified" in guest.last.text or "verified" in guest.last.text
    stranger = port.user(1006, "Stranger", language="en")
    await stranger.send("/propose")
    assert "register" in stranger.last.text.lower()
    await stranger.send("/topics")
    await stranger.press("🆕 Newest")
    await stranger.press(stranger.last.labels[0])
    toast = await stranger.press("👍 Support (1)")
    assert toast.alert and "register" in (toast.text or "").lower()
    async with port.app.sessions() as session:
        assert (await topics.tally(session, port.app.community_id or 0, 1)).residents == 1


async def test_at_most_three_topics_a_day(port: PortHarness, seed: Seed) -> None:
    await setup_committee(port, seed)
    alice = await resident(port, seed, 1001, "Alice", "101", language="en")
    for n in range(3):
        await seed.topic(1001, f"Topic {n}")
    await alice.send("/propose")
    assert "at most 3 topics a day" in alice.last.text
    port.app.clock.advance(timedelta(days=1))
    await alice.send("/propose")
    assert "Please write a title" in alice.last.text


# ---- support and the law's threshold -----------------------------------------------------------


async def test_double_tap_and_forged_support_count_once(port: PortHarness, seed: Seed) -> None:
    await setup_committee(port, seed)
    await resident(port, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "加装电梯")
    alice = await resident(port, seed, 1001, "Alice", "101")
    await alice.send("/topics")
    await alice.press("🔥 联署最多")
    await alice.press(f"#{topic_id} 加装电梯 · 👍1")
    card = alice.find_button_message("👍 联署支持（1）")
    data = card.data_of("👍 联署支持（1）")
    await alice.press("👍 联署支持（1）", message=card)
    toast = await alice.press_data(data, card.message_id)
    assert "只计一次" in (toast.text or "")
    forged = await alice.press_data(f"ts:{topic_id}~AAAAAAAA", card.message_id)
    assert forged.alert and "过期" in (forged.text or "")
    async with port.app.sessions() as session:
        assert (await topics.tally(session, port.app.community_id or 0, topic_id)).residents == 2
    await alice.press("↩️ 撤回联署")
    assert "联署：1 位居民" in alice.last.text


async def test_households_rule_reached_but_not_adults(port: PortHarness, seed: Seed) -> None:
    director = await setup_committee(port, seed, adults=1000, households=10)  # 1/5 of ten households is two
    await _bind_committee_chat(director)
    bob = await resident(port, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "加装电梯")
    alice = await resident(port, seed, 1001, "Alice", "101")
    await alice.send("/topics")
    await alice.press("🆕 最新")
    await alice.press(f"#{topic_id} 加装电梯 · 👍1")
    await alice.press("👍 联署支持（1）")
    card = alice.find_button_message("↩️ 撤回联署").text
    assert "已达到法定门槛（五分之一的住户）" in alice.last.text  # and she is told, like every supporter
    assert "要求召开居民会议" in card and "五分之一的住户" in card and "五分之一的成年居民" not in card
    assert "住户：2/2" in card and "成年居民：2/200" in card
    alert = port.messenger.chats[COMMITTEE_CHAT][-1].text
    assert "已达到法定门槛" in alert and "五分之一的住户" in alert and "成年居民 2/1000，住户 2/10" in alert
    assert any("已达到法定门槛（五分之一的住户）" in text for text in bob.texts())
    async with port.app.sessions() as session:
        topic = await topics.get_topic(session, port.app.community_id or 0, topic_id)
        assert topic.meeting_demanded_at == port.app.clock.now() and topic.meeting_demanded_rule == "households"


async def test_adults_rule_reached_but_not_households(port: PortHarness, seed: Seed) -> None:
    director = await setup_committee(port, seed, adults=10, households=10)
    await resident(port, seed, 1002, "Bob", "101")
    topic_id = await seed.topic(1002, "Noise at night")
    kid = await resident(port, seed, 1003, "Kid", "101", adult=False)
    await kid.send("/topics")
    await kid.press("🆕 最新")
    await kid.press(f"#{topic_id} Noise at night · 👍1")
    await kid.press("👍 联署支持（1）")
    assert "已达到法定门槛" not in kid.last.text  # a child's support does not count toward the law
    mother = await resident(port, seed, 1001, "Mother", "101")
    await mother.send("/topics")
    await mother.press("🆕 最新")
    await mother.press(f"#{topic_id} Noise at night · 👍2")
    await mother.press("👍 联署支持（2）")
    card = mother.find_button_message("↩️ 撤回联署").text
    assert "五分之一的成年居民" in card and "五分之一的住户" not in card and "住户：1/2" in card
    assert any("已达到法定门槛：五分之一的成年居民" in text for text in director.texts())


async def test_agenda_threshold_alerts_the_committee(port: PortHarness, seed: Seed) -> None:
    director = await setup_committee(port, seed)
    await _bind_committee_chat(director)
    await seed.configure(agenda_threshold=2)
    await resident(port, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "加装电梯")
    alice = await resident(port, seed, 1001, "Alice", "101")
    await alice.send("/topics")
    await alice.press("🆕 最新")
    await alice.press(f"#{topic_id} 加装电梯 · 👍1")
    await alice.press("👍 联署支持（1）")
    assert "议程门槛：2/2 ✅ 已达到" in alice.last.text
    alert = port.messenger.chats[COMMITTEE_CHAT][-1]
    assert "达到议程门槛（2/2）" in alert.text and "🛠 处理" in alert.labels
    await director.press("🛠 处理", message=alert, chat_id=COMMITTEE_CHAT)
    await director.press("📌 列入议程", chat_id=COMMITTEE_CHAT)
    assert "📌 已列入议程" in port.messenger.chats[COMMITTEE_CHAT][-1].text
    assert "已列入议程" in alice.last.text


# ---- the committee's answer --------------------------------------------------------------------


async def test_answer_before_the_deadline_reaches_everyone_in_their_language(port: PortHarness,
                                                                             seed: Seed) -> None:
    director = await setup_committee(port, seed)
    bob = await resident(port, seed, 1002, "Bob", "102")
    anna = await resident(port, seed, 1001, "Anna", "101", language="en")
    topic_id = await seed.topic(1002, "加装电梯")
    await seed.support(topic_id, 1001)
    await open_desk_card(director, topic_id)
    await director.press("👀 受理")
    assert any("已被居委会受理" in text for text in bob.texts())
    assert any("The committee has taken up topic #1" in text for text in anna.texts())
    await director.press("✍️ 答复")
    await director.send("我们已联系<物业>，下周答复。")
    assert "请确认对议题 #1 的答复" in director.last.text
    await director.press("✅ 确认")
    assert "居委会答复" in director.last.text and "逾期" not in director.last.text
    assert "我们已联系<物业>，下周答复。" in bob.last.text
    assert "The committee answered topic #1" in anna.last.text
    async with port.app.sessions() as session:
        topic = await topics.get_topic(session, port.app.community_id or 0, topic_id)
        assert topic.first_answered_at == port.app.clock.now() and not topic.answered_late


async def test_answer_after_the_deadline_is_marked_late(port: PortHarness, seed: Seed, clock) -> None:
    director = await setup_committee(port, seed)
    bob = await resident(port, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "加装电梯")
    clock.advance(timedelta(days=3, hours=2))
    await director.send("/committee")
    await director.press("💬 议题处理")
    assert "已超期：1" in director.last.text
    await director.press("⏰ 已超期 (1)")
    assert "超期" in director.last.text
    await director.press(f"#{topic_id} 加装电梯 · 👍1")
    assert "已超期，尚未答复" in director.last.text
    await director.press("✍️ 答复")
    await director.send("抱歉回复晚了。")
    await director.press("✅ 确认")
    assert "逾期答复" in director.last.text
    assert "抱歉回复晚了" in bob.last.text
    await bob.press("💬 查看议题")
    assert "逾期答复" in bob.last.text and "已超期" not in bob.last.text


async def test_decline_needs_a_reason_and_closes_the_topic(port: PortHarness, seed: Seed) -> None:
    director = await setup_committee(port, seed)
    bob = await resident(port, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "拆掉围墙")
    await open_desk_card(director, topic_id)
    await director.press("🚫 不予采纳")
    await director.send("   ")
    assert "不能为空" in director.last.text
    await director.send("围墙属于相邻单位，居委会无权处理。")
    await director.press("✅ 确认")
    assert "不予采纳" in director.last.text and "围墙属于相邻单位" in director.last.text
    assert "不予采纳" in bob.last.text and "围墙属于相邻单位" in bob.last.text
    await bob.press("💬 查看议题")
    assert "👍" not in " ".join(bob.last.labels)  # no support button on a closed topic
    alice = await resident(port, seed, 1001, "Alice", "101")
    toast = await alice.press_data(port.app.codec.pack(SupportTopic(topic_id)))
    assert toast.alert and "已经结束" in (toast.text or "")
    toast = await alice.press_data(port.app.codec.pack(WriteComment(topic_id)))
    assert toast.alert and "已经结束" in (toast.text or "")


async def test_resident_cannot_use_committee_actions(port: PortHarness, seed: Seed) -> None:
    await setup_committee(port, seed)
    alice = await resident(port, seed, 1001, "Alice", "101", language="en")
    topic_id = await seed.topic(1001, "Lift")
    for tap in (Acknowledge(topic_id), DeskAction(topic_id, "answer"), MergeNow(topic_id, 2), DeskHome()):
        toast = await alice.press_data(port.app.codec.pack(tap))
        assert toast.alert and "committee members only" in (toast.text or "")
    async with port.app.sessions() as session:
        topic = await topics.get_topic(session, port.app.community_id or 0, topic_id)
        assert topic.acknowledged_at is None and topic.status == "submitted"


async def test_hidden_topic_is_refused_to_residents(port: PortHarness, seed: Seed) -> None:
    director = await setup_committee(port, seed)
    bob = await resident(port, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "广告")
    await open_desk_card(director, topic_id)
    await director.press("🙈 隐藏")
    await director.send("商业广告")
    await director.press("✅ 确认")
    assert "已对居民隐藏：商业广告" in director.last.text and "👁 取消隐藏" in director.last.labels
    assert "已被居委会隐藏" in bob.last.text
    toast = await bob.press("💬 查看议题")
    assert toast.alert and "已被居委会隐藏" in (toast.text or "")
    async with port.app.sessions() as session:
        logged = await audit.entries(session, port.app.community_id or 0, "topic.hidden")
        assert "商业广告" in logged[0].detail_json
    await director.press("👁 取消隐藏")
    await bob.press("💬 查看议题", message=bob.find_button_message("💬 查看议题"))
    assert "议题 #1：广告" in bob.last.text


# ---- merging -----------------------------------------------------------------------------------


async def test_merge_with_overlapping_supporters_counts_once(port: PortHarness, seed: Seed) -> None:
    director = await setup_committee(port, seed)
    await seed.configure(adult_population=1000)
    p1 = await resident(port, seed, 1001, "P1", "101")
    a = await resident(port, seed, 1003, "A", "103")
    b = await resident(port, seed, 1004, "B", "104")
    await resident(port, seed, 1002, "P2", "102")
    await resident(port, seed, 1005, "C", "105")
    duplicate = await seed.topic(1001, "电梯坏了")
    target = await seed.topic(1002, "电梯经常坏")
    await seed.support(duplicate, 1003, 1004)
    await seed.support(target, 1004, 1005)
    await open_desk_card(director, duplicate)
    await director.press("🔗 合并重复")
    assert "#2 电梯经常坏" in director.last.labels  # the similar topic is offered first
    await director.press("#2 电梯经常坏")
    await director.press("✅ 确认合并")
    assert f"议题 #{target}：电梯经常坏" in director.last.text and "联署：5 位居民" in director.last.text
    for user in (p1, a, b):
        assert any(f"已合并。您的联署已转到 #{target}" in text for text in user.texts())
    await a.press("💬 查看议题")
    assert "联署：5 位居民" in a.last.text
    await a.press_data(port.app.codec.pack(OpenTopic(duplicate)), a.last.message_id)
    assert "已合并到议题 #2" in a.last.text and "🔗 前往议题 #2" in a.last.labels
    toast = await a.press_data(port.app.codec.pack(SupportTopic(duplicate)))
    assert toast.alert and "已合并到议题 #2" in (toast.text or "")
    async with port.app.sessions() as session:
        assert (await topics.tally(session, port.app.community_id or 0, target)).residents == 5


# ---- discussion --------------------------------------------------------------------------------


async def test_comments_newest_first_with_paging_report_and_hide(port: PortHarness, seed: Seed) -> None:
    director = await setup_committee(port, seed)
    bob = await resident(port, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "加装电梯")
    alice = await resident(port, seed, 1001, "Alice", "101")
    await alice.send("/topics")
    await alice.press("🆕 最新")
    await alice.press(f"#{topic_id} 加装电梯 · 👍1")
    await alice.press("💬 评论（0）")
    await alice.press("✍️ 写评论")
    await alice.send("z" * 501)
    assert "最多 500 个字" in alice.last.text and "501" in alice.last.text
    for n in range(6):
        port.app.clock.advance(timedelta(minutes=1))
        await alice.send(f"<i>第{n}条</i>")
        if n < 5:
            await alice.press("✍️ 写评论")
    page = alice.last.text
    assert "评论 6 条（第 1/2 页" in page and page.index("第5条") < page.index("第4条")
    assert "<i>第5条</i>" in page
    await alice.press("下一页 ▶")
    assert "第0条" in alice.last.text
    await bob.send("/topics")
    await bob.press("📝 我提出的")
    await bob.press(f"#{topic_id} 加装电梯 · 👍1")
    assert "评论（6）" in bob.last.text and "第5条" in bob.last.text
    await bob.press("💬 评论（6）")
    toast = await bob.press("🚩 举报 1")
    assert "已举报" in (toast.text or "")
    toast = await bob.press("🚩 举报 1")
    assert "已经举报过" in (toast.text or "")
    await director.send("/committee")
    await director.press("💬 议题处理")
    await director.press("🚩 被举报的评论 (1)")
    assert "第5条" in director.last.text
    hide = next(label for label in director.last.labels if label.startswith("🙈 隐藏 #"))
    await director.press(hide)
    await director.send("与议题无关")
    await director.press("✅ 确认")
    assert "已隐藏" in director.last.text
    await bob.press("◀ 返回议题")
    await bob.press("💬 评论（6）")
    assert "此评论已被居委会隐藏，理由：与议题无关" in bob.last.text and "第5条" not in bob.last.text


async def test_council_recommendation_appears_on_the_card(port: PortHarness, seed: Seed) -> None:
    director = await setup_committee(port, seed)
    bob = await resident(port, seed, 1002, "Bob", "102")
    wang = await resident(port, seed, 1003, "王阿姨", "103")
    topic_id = await seed.topic(1002, "加装电梯")
    await director.send("/committee")
    await director.press("💬 议题处理")
    await director.press("🏛 议事团")
    await director.press("➕ 新建议事团")
    await director.send("睦邻议事厅")
    assert "睦邻议事厅" in director.last.text
    await director.press("➕ 添加成员")
    await director.send("没有这个人")
    assert "没有找到" in director.last.text
    await director.send("王")
    await director.press("➕ 王阿姨")
    assert "成员（1）：王阿姨" in director.last.text
    assert "加入议事团「睦邻议事厅」" in wang.last.text
    await open_desk_card(director, topic_id)
    await director.press("🏛 转议事团")
    await director.press("🏛 睦邻议事厅 (1)")
    assert "已转交议事团「睦邻议事厅」" in director.last.text
    assert any("转交议事团「睦邻议事厅」" in text for text in bob.texts())
    assert "交给您所在的议事团「睦邻议事厅」" in wang.last.text
    await wang.send("/topics")
    await wang.press("🏛 我的议事团")
    await wang.press(f"#{topic_id} 加装电梯 · 👍1")
    await wang.press("🏛 写议事团建议")
    await wang.send("建议先做全楼问卷，再申请补贴。")
    assert "建议已记录" in wang.last.text
    await wang.press("💬 查看议题")
    assert "议事团「睦邻议事厅」的建议" in wang.last.text and "先做全楼问卷" in wang.last.text
    assert any("先做全楼问卷" in text for text in director.texts())
    toast = await bob.press_data(port.app.codec.pack(RecommendTopic(topic_id)))
    assert toast.alert and "议事团的成员" in (toast.text or "")


# ---- browsing and the desk ---------------------------------------------------------------------


async def test_browse_by_category_paging_and_search(port: PortHarness, seed: Seed) -> None:
    await setup_committee(port, seed)
    for user_id, room in ((1001, "101"), (1002, "102"), (1003, "103")):
        await resident(port, seed, user_id, f"R{user_id}", room)
    for n in range(8):
        await seed.topic(1001 + n % 3, f"停车问题 {n}", category="parking")
    await seed.topic(1003, "Greening <the> yard", category="green")
    user = port.user(1001, "R1001")
    await user.send("/topics")
    await user.press("📂 按分类")
    await user.press("停车")
    assert "分类：停车" in user.last.text and "第 1/2 页，共 8 个" in user.last.text
    assert len(user.last.buttons) <= 8
    await user.press("下一页 ▶")
    assert "第 2/2 页" in user.last.text
    await user.press("◀ 议题首页")
    await user.press("🔍 搜索")
    await user.send("<THE>")
    assert "搜索「<THE>」" in user.last.text and "Greening <the> yard" in user.last.text
    await user.send("停车")
    assert "共 8 个" in user.last.text
    await user.press("下一页 ▶")
    assert "第 2/2 页" in user.last.text


async def test_committee_desk_in_the_group_chat_continues_in_private(port: PortHarness, seed: Seed) -> None:
    director = await setup_committee(port, seed)
    await _bind_committee_chat(director)
    bob = await resident(port, seed, 1002, "Bob", "102")
    await _propose(bob, "加装电梯")
    alert = port.messenger.chats[COMMITTEE_CHAT][-1]
    assert "新议题 #1「加装电梯」" in alert.text
    await director.press("🛠 处理", message=alert, chat_id=COMMITTEE_CHAT)
    assert "提出人：Bob" in director.harness.bot_messages(COMMITTEE_CHAT)[-1].text
    toast = await director.press("✍️ 答复", chat_id=COMMITTEE_CHAT)
    assert toast.alert and "私聊" in (toast.text or "")
    assert "正式答复" in director.last.text  # the prompt arrived in the private chat
    await director.send("收到，马上处理。")
    await director.press("✅ 确认")
    assert "收到，马上处理。" in bob.last.text


async def test_export_csv_and_settings(port: PortHarness, seed: Seed) -> None:
    director = await setup_committee(port, seed)
    await resident(port, seed, 1002, "Bob", "102")
    await seed.topic(1002, "加装电梯")
    await director.send("/committee")
    await director.press("💬 议题处理")
    await director.press("📄 导出 CSV")
    name, content = director.last.document or ("", b"")
    assert name.startswith("linli-topics-") and content.decode("utf-8-sig").startswith("id,title,category,status")
    await director.press("⚙️ 门槛与期限")
    assert "1000 人（居委会登记）" in director.find_button_message("📌 议程门槛").text
    await director.press("📌 议程门槛")
    await director.send("abc")
    assert "整数" in director.last.text
    await director.send("5")
    assert "议程门槛（居委会自定）：5 个联署" in director.last.text


async def test_committee_edits_categories(port: PortHarness, seed: Seed) -> None:
    director = await setup_committee(port, seed, adults=1000)
    await director.send("/committee")
    await director.press("💬 议题处理")
    await director.press("📂 分类")
    await director.press("➕ 新分类")
    await director.send("群租 / Group renting")
    assert "群租" in director.last.labels
    await director.press("停车")
    await director.press("🚫 停用")
    assert "🚫 停车" in director.last.labels
    alice = await resident(port, seed, 1001, "Alice", "101", language="en")
    await alice.send("/propose")
    await alice.send("Too many tenants")
    await alice.send("Flat 501 is let to twelve people.")
    assert "Group renting" in alice.last.labels and "Parking" not in alice.last.labels


async def test_card_and_lists_stay_within_telegram_limits(port: PortHarness, seed: Seed) -> None:
    director = await setup_committee(port, seed)
    await resident(port, seed, 1002, "B" * 64, "102")
    topic_id = await seed.topic(1002, "标" * 80, description="长" * 2000)
    await _answer(director, topic_id, "答" * 2000)
    bob = port.user(1002, "B")
    for _ in range(3):
        await bob.press_data(port.app.codec.pack(WriteComment(topic_id)))
        await bob.send("评" * 500)
    await bob.press_data(port.app.codec.pack(OpenTopic(topic_id)))
    card = bob.last
    assert "议题 #1" in card.text and len(card.text) < 4096 and len(card.buttons) <= 8
    await bob.press("📄 全文")
    assert all(len(m.text) <= 4096 for m in bob.messages)
    assert all(len(data.encode()) <= 64 for m in bob.messages for row in m.buttons for _, data in row if data)
