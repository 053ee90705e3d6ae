"""Topic conversations, each run through the port and through both doors against the Bot API emulator (every
database): proposing, support, the committee's desk, merging, comments, councils."""

from __future__ import annotations

from datetime import timedelta

from handlers.links import DeskHome, OpenTopic
from handlers.port import SendPhoto
from handlers.topic_comments import WriteComment
from handlers.topic_desk_form import DeskAction
from handlers.topics import RecommendTopic, SupportTopic
from handlers.topics_committee import Acknowledge, MergeNow
from storage import audit, topics
from tests.emulator.support import tiny_png
from tests.support.chat import Harness, PortHarness, UserChat
from tests.support.seed import Seed
from tests.support.topics import open_desk_card, resident, setup_committee

COMMITTEE_CHAT = -1001


async def _bind_committee_chat(director: UserChat) -> None:
    director.harness.group(COMMITTEE_CHAT, "居委会", [director])
    await director.send("/bind", chat_id=COMMITTEE_CHAT)


async def _propose(user: UserChat, title: str, description: str = "具体情况如下。", category: str = "其他") -> None:
    await user.send("/propose")
    await user.send(title)
    await user.send(description)
    await user.press(category)
    await user.tap("topics.form.skip_photo")
    await user.tap("topics.form.submit")


async def _answer(director: UserChat, topic_id: int, text: str) -> None:
    await open_desk_card(director, topic_id)
    await director.tap("topics.desk.answer")
    await director.send(text)
    await director.tap("common.confirm")


# ---- proposing ---------------------------------------------------------------------------------


async def test_propose_shows_similar_topics_then_confirms(chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed)
    bob = await resident(chat, seed, 1002, "Bob", "102")
    await _propose(bob, "3号楼加装电梯", category="旧改与加装电梯")
    alice = await resident(chat, seed, 1001, "Alice", "101")
    await alice.tap("menu.topics")
    await alice.tap("topics.home.propose")
    assert "最多 80 个字" in alice.last.text
    await alice.send("加装电梯 3号楼")
    await alice.send("楼里老人多，爬楼困难。")
    await alice.press("旧改与加装电梯")
    await alice.tap("topics.form.skip_photo")
    preview = alice.last
    assert "请确认您的议题" in preview.text and "已经有相似的议题" in preview.text
    assert "#1 3号楼加装电梯" in preview.text
    assert alice.label("topics.form.similar_open", id=1, title="3号楼加装电梯") in preview.labels
    await alice.tap("topics.form.submit")
    assert any("议题 #2「加装电梯 3号楼」已提交" in text for text in alice.texts())
    assert any("新议题 #2「加装电梯 3号楼」" in text for text in director.texts())
    async with chat.app.sessions() as session:
        assert (await topics.tally(session, chat.app.community_id or 0, 2)).residents == 1


async def test_support_a_similar_topic_instead(chat: Harness, seed: Seed) -> None:
    await setup_committee(chat, seed)
    bob = await resident(chat, seed, 1002, "Bob", "102")
    await _propose(bob, "小区停车太难")
    alice = await resident(chat, seed, 1001, "Alice", "101")
    await alice.send("/propose")
    await alice.send("小区停车难")
    await alice.send("晚上没有车位。")
    await alice.press("停车")
    await alice.tap("topics.form.skip_photo")
    await alice.tap("topics.form.similar_open", id=1, title="小区停车太难")
    assert "议题 #1：小区停车太难" in alice.last.text
    await alice.tap("topics.btn.support", count=1)
    assert "联署：2 位居民 · 2 户" in alice.last.text and alice.label("topics.btn.withdraw") in alice.last.labels
    await alice.send("/cancel")
    async with chat.app.sessions() as session:
        assert (await topics.get_topic(session, chat.app.community_id or 0, 1)).title == "小区停车太难"


async def test_title_errors_keep_the_form_open(chat: Harness, seed: Seed) -> None:
    await setup_committee(chat, seed)
    alice = await resident(chat, seed, 1001, "Alice", "101", language="en")
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


async def test_markup_is_shown_literally(chat: Harness, seed: Seed) -> None:
    await setup_committee(chat, seed)
    alice = await resident(chat, seed, 1001, "Alice", "101")
    await alice.send("/propose")
    await alice.send("<b>加装</b>电梯 & <i>x</i>")
    await alice.send("<a href='http://x'>点我</a>")
    await alice.press("其他")
    await alice.tap("topics.form.skip_photo")
    assert "<b>加装</b>电梯 & <i>x</i>" in alice.last.text and "<a href='http://x'>点我</a>" in alice.last.text
    await alice.tap("topics.form.submit")
    await alice.tap("topics.btn.open")
    assert "<b>加装</b>电梯 & <i>x</i>" in alice.last.text


async def test_photo_step_refuses_a_document_then_takes_a_photo(chat: Harness, seed: Seed) -> None:
    await setup_committee(chat, seed)
    alice = await resident(chat, seed, 1001, "Alice", "101")
    await alice.send("/propose")
    await alice.send("路灯坏了")
    await alice.send("2号楼门口的路灯不亮。")
    await alice.press("安全")
    await alice.send_document(b"%PDF-1.4", "lamp.pdf")
    assert "这是一个文件，不是照片" in alice.last.text
    await alice.send("看照片")
    assert "请发送一张照片" in alice.last.text
    await alice.send_photo(tiny_png())
    assert "照片：是" in alice.last.text
    await alice.tap("topics.form.submit")
    await alice.tap("topics.btn.open")
    assert alice.label("topics.card.photo") in alice.last.text
    await alice.tap("topics.btn.photo")
    assert "议题 #1：路灯坏了" in alice.last.text  # the photo, captioned with the title
    if isinstance(chat, PortHarness):  # sent again by the stored file id, not uploaded anew
        sent = [a for a in chat.messenger.actions if isinstance(a, SendPhoto)]
        assert sent and isinstance(sent[-1].photo, str) and sent[-1].photo.startswith("file-")


async def test_edit_and_cancel_from_the_preview(chat: Harness, seed: Seed) -> None:
    await setup_committee(chat, seed)
    alice = await resident(chat, seed, 1001, "Alice", "101")
    await alice.send("/propose")
    await alice.send("旧标题")
    await alice.send("说明")
    await alice.press("其他")
    await alice.tap("topics.form.skip_photo")
    await alice.tap("common.edit")
    await alice.tap("topics.form.field_title")
    assert alice.label("topics.form.current", value="旧标题") in alice.last.text
    await alice.send("新标题")
    assert "请确认您的议题" in alice.last.text and "新标题" in alice.last.text
    await alice.tap("common.edit")
    await alice.tap("topics.form.field_category")
    await alice.press("停车")
    assert "分类：停车" in alice.last.text
    await alice.tap("common.cancel")
    assert "已取消" in alice.last.text
    async with chat.app.sessions() as session:
        rows = await topics.categories(session, chat.app.community_id or 0)
        community = await _community(chat, session)
        assert rows and not await topics.proposed_today(session, community, 1, chat.app.clock.now())


async def _community(chat: Harness, session):
    from storage.community import get_community

    return await get_community(session, chat.app.community_id or 0)


async def test_unverified_and_unregistered_cannot_propose_or_support(chat: Harness, seed: Seed) -> None:
    await setup_committee(chat, seed)
    alice = await resident(chat, seed, 1001, "Alice", "101")
    await _propose(alice, "加装电梯")
    await seed.resident(1005, "Guest", verified=False, language="en")
    guest = chat.user(1005, "Guest", language="en")
    await guest.send("/propose")
    assert "verified" in guest.last.text
    await guest.send("/topics")
    await guest.tap("topics.home.new")
    await guest.press(guest.last.labels[0])
    toast = await guest.tap("topics.btn.support", count=1)
    assert toast.alert and "verified" in (toast.text or "")
    stranger = chat.user(1006, "Stranger", language="en")
    await stranger.send("/propose")
    assert "register" in stranger.last.text.lower()
    await stranger.send("/topics")
    await stranger.tap("topics.home.new")
    await stranger.press(stranger.last.labels[0])
    toast = await stranger.tap("topics.btn.support", count=1)
    assert toast.alert and "register" in (toast.text or "").lower()
    async with chat.app.sessions() as session:
        assert (await topics.tally(session, chat.app.community_id or 0, 1)).residents == 1


async def test_at_most_three_topics_a_day(chat: Harness, seed: Seed) -> None:
    await setup_committee(chat, seed)
    alice = await resident(chat, seed, 1001, "Alice", "101", language="en")
    for n in range(3):
        await seed.topic(1001, f"Topic {n}")
    await alice.send("/propose")
    assert "at most 3 topics a day" in alice.last.text
    chat.app.clock.advance(timedelta(days=1))
    await alice.send("/propose")
    assert "Please write a title" in alice.last.text


# ---- support and the law's threshold -----------------------------------------------------------


async def test_double_tap_and_forged_support_count_once(chat: Harness, seed: Seed) -> None:
    await setup_committee(chat, seed)
    await resident(chat, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "加装电梯")
    alice = await resident(chat, seed, 1001, "Alice", "101")
    await alice.send("/topics")
    await alice.tap("topics.home.hot")
    await alice.press(f"#{topic_id} 加装电梯 · 👍1")
    card = alice.find_button_message(alice.label("topics.btn.support", count=1))
    data = card.data_of(alice.label("topics.btn.support", count=1))
    await alice.tap("topics.btn.support", count=1, message=card)
    toast = await alice.press_data(data, card.message_id)
    assert "只计一次" in (toast.text or "")
    forged = await alice.press_data(f"ts:{topic_id}~AAAAAAAA", card.message_id)
    assert forged.alert and "过期" in (forged.text or "")
    async with chat.app.sessions() as session:
        assert (await topics.tally(session, chat.app.community_id or 0, topic_id)).residents == 2
    await alice.tap("topics.btn.withdraw")
    assert "联署：1 位居民" in alice.last.text


async def test_households_rule_reached_but_not_adults(chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed, adults=1000, households=10)  # 1/5 of ten households is two
    await _bind_committee_chat(director)
    bob = await resident(chat, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "加装电梯")
    alice = await resident(chat, seed, 1001, "Alice", "101")
    await alice.send("/topics")
    await alice.tap("topics.home.new")
    await alice.press(f"#{topic_id} 加装电梯 · 👍1")
    await alice.tap("topics.btn.support", count=1)
    card = alice.find_button_message(alice.label("topics.btn.withdraw")).text
    assert "已达到法定门槛（五分之一的住户）" in alice.last.text  # and she is told, like every supporter
    assert "要求召开居民会议" in card and "五分之一的住户" in card and "五分之一的成年居民" not in card
    assert "住户：2/2" in card and "成年居民：2/200" in card
    alert = chat.bot_messages(COMMITTEE_CHAT)[-1].text
    assert "已达到法定门槛" in alert and "五分之一的住户" in alert and "成年居民 2/1000，住户 2/10" in alert
    assert any("已达到法定门槛（五分之一的住户）" in text for text in bob.texts())
    async with chat.app.sessions() as session:
        topic = await topics.get_topic(session, chat.app.community_id or 0, topic_id)
        assert topic.meeting_demanded_at == chat.app.clock.now() and topic.meeting_demanded_rule == "households"


async def test_adults_rule_reached_but_not_households(chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed, adults=10, households=10)
    await resident(chat, seed, 1002, "Bob", "101")
    topic_id = await seed.topic(1002, "Noise at night")
    kid = await resident(chat, seed, 1003, "Kid", "101", adult=False)
    await kid.send("/topics")
    await kid.tap("topics.home.new")
    await kid.press(f"#{topic_id} Noise at night · 👍1")
    await kid.tap("topics.btn.support", count=1)
    assert "已达到法定门槛" not in kid.last.text  # a child's support does not count toward the law
    mother = await resident(chat, seed, 1001, "Mother", "101")
    await mother.send("/topics")
    await mother.tap("topics.home.new")
    await mother.press(f"#{topic_id} Noise at night · 👍2")
    await mother.tap("topics.btn.support", count=2)
    card = mother.find_button_message(mother.label("topics.btn.withdraw")).text
    assert "五分之一的成年居民" in card and "五分之一的住户" not in card and "住户：1/2" in card
    assert any("已达到法定门槛：五分之一的成年居民" in text for text in director.texts())


async def test_agenda_threshold_alerts_the_committee(chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed)
    await _bind_committee_chat(director)
    await seed.configure(agenda_threshold=2)
    await resident(chat, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "加装电梯")
    alice = await resident(chat, seed, 1001, "Alice", "101")
    await alice.send("/topics")
    await alice.tap("topics.home.new")
    await alice.press(f"#{topic_id} 加装电梯 · 👍1")
    await alice.tap("topics.btn.support", count=1)
    assert "议程门槛：2/2 ✅ 已达到" in alice.last.text
    alert = chat.bot_messages(COMMITTEE_CHAT)[-1]
    assert "达到议程门槛（2/2）" in alert.text and director.label("topics.btn.handle") in alert.labels
    await director.tap("topics.btn.handle", message=alert, chat_id=COMMITTEE_CHAT)
    await director.tap("topics.desk.agenda", chat_id=COMMITTEE_CHAT)
    assert director.label("topics.status.agenda") in chat.bot_messages(COMMITTEE_CHAT)[-1].text
    assert "已列入议程" in alice.last.text


# ---- the committee's answer --------------------------------------------------------------------


async def test_answer_before_the_deadline_reaches_everyone_in_their_language(chat: Harness,
                                                                             seed: Seed) -> None:
    director = await setup_committee(chat, seed)
    bob = await resident(chat, seed, 1002, "Bob", "102")
    anna = await resident(chat, seed, 1001, "Anna", "101", language="en")
    topic_id = await seed.topic(1002, "加装电梯")
    await seed.support(topic_id, 1001)
    await open_desk_card(director, topic_id)
    await director.tap("topics.desk.acknowledge")
    assert any("已被居委会受理" in text for text in bob.texts())
    assert any("The committee has taken up topic #1" in text for text in anna.texts())
    await director.tap("topics.desk.answer")
    await director.send("我们已联系<物业>，下周答复。")
    assert "请确认对议题 #1 的答复" in director.last.text
    await director.tap("common.confirm")
    assert director.label("topics.ev.answered") in director.last.text and "逾期" not in director.last.text
    assert "我们已联系<物业>，下周答复。" in bob.last.text
    assert "The committee answered topic #1" in anna.last.text
    async with chat.app.sessions() as session:
        topic = await topics.get_topic(session, chat.app.community_id or 0, topic_id)
        assert topic.first_answered_at == chat.app.clock.now() and not topic.answered_late


async def test_answer_after_the_deadline_is_marked_late(chat: Harness, seed: Seed, clock) -> None:
    director = await setup_committee(chat, seed)
    bob = await resident(chat, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "加装电梯")
    clock.advance(timedelta(days=3, hours=2))
    await director.send("/committee")
    await director.tap("committee.topics")
    assert "已超期：1" in director.last.text
    await director.press(director.label("topics.desk.queue_o") + " (1)")
    assert "超期" in director.last.text
    await director.press(f"#{topic_id} 加装电梯 · 👍1")
    assert "已超期，尚未答复" in director.last.text
    await director.tap("topics.desk.answer")
    await director.send("抱歉回复晚了。")
    await director.tap("common.confirm")
    assert "逾期答复" in director.last.text
    assert "抱歉回复晚了" in bob.last.text
    await bob.tap("topics.btn.open")
    assert "逾期答复" in bob.last.text and "已超期" not in bob.last.text


async def test_decline_needs_a_reason_and_closes_the_topic(chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed)
    bob = await resident(chat, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "拆掉围墙")
    await open_desk_card(director, topic_id)
    await director.tap("topics.desk.decline")
    await director.send("   ")
    assert "不能为空" in director.last.text
    await director.send("围墙属于相邻单位，居委会无权处理。")
    await director.tap("common.confirm")
    assert director.label("topics.ev.declined") in director.last.text and "围墙属于相邻单位" in director.last.text
    assert bob.label("topics.ev.declined") in bob.last.text and "围墙属于相邻单位" in bob.last.text
    await bob.tap("topics.btn.open")
    assert "👍" not in " ".join(bob.last.labels)  # no support button on a closed topic
    alice = await resident(chat, seed, 1001, "Alice", "101")
    toast = await alice.press_data(chat.app.codec.pack(SupportTopic(topic_id)))
    assert toast.alert and "已经结束" in (toast.text or "")
    toast = await alice.press_data(chat.app.codec.pack(WriteComment(topic_id)))
    assert toast.alert and "已经结束" in (toast.text or "")


async def test_resident_cannot_use_committee_actions(chat: Harness, seed: Seed) -> None:
    await setup_committee(chat, seed)
    alice = await resident(chat, seed, 1001, "Alice", "101", language="en")
    topic_id = await seed.topic(1001, "Lift")
    for tap in (Acknowledge(topic_id), DeskAction(topic_id, "answer"), MergeNow(topic_id, 2), DeskHome()):
        toast = await alice.press_data(chat.app.codec.pack(tap))
        assert toast.alert and "committee members only" in (toast.text or "")
    async with chat.app.sessions() as session:
        topic = await topics.get_topic(session, chat.app.community_id or 0, topic_id)
        assert topic.acknowledged_at is None and topic.status == "submitted"


async def test_hidden_topic_is_refused_to_residents(chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed)
    bob = await resident(chat, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "广告")
    await open_desk_card(director, topic_id)
    await director.tap("topics.desk.hide")
    await director.send("商业广告")
    await director.tap("common.confirm")
    assert "已对居民隐藏：商业广告" in director.last.text
    assert director.label("topics.desk.unhide") in director.last.labels
    assert "已被居委会隐藏" in bob.last.text
    toast = await bob.tap("topics.btn.open")
    assert toast.alert and "已被居委会隐藏" in (toast.text or "")
    async with chat.app.sessions() as session:
        logged = await audit.entries(session, chat.app.community_id or 0, "topic.hidden")
        assert "商业广告" in logged[0].detail_json
    await director.tap("topics.desk.unhide")
    await bob.tap("topics.btn.open", message=bob.find_button_message(bob.label("topics.btn.open")))
    assert "议题 #1：广告" in bob.last.text


# ---- merging -----------------------------------------------------------------------------------


async def test_merge_with_overlapping_supporters_counts_once(chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed)
    await seed.configure(adult_population=1000)
    p1 = await resident(chat, seed, 1001, "P1", "101")
    a = await resident(chat, seed, 1003, "A", "103")
    b = await resident(chat, seed, 1004, "B", "104")
    await resident(chat, seed, 1002, "P2", "102")
    await resident(chat, seed, 1005, "C", "105")
    duplicate = await seed.topic(1001, "电梯坏了")
    target = await seed.topic(1002, "电梯经常坏")
    await seed.support(duplicate, 1003, 1004)
    await seed.support(target, 1004, 1005)
    await open_desk_card(director, duplicate)
    await director.tap("topics.desk.merge")
    assert "#2 电梯经常坏" in director.last.labels  # the similar topic is offered first
    await director.press("#2 电梯经常坏")
    await director.tap("topics.desk.merge_do")
    assert f"议题 #{target}：电梯经常坏" in director.last.text and "联署：5 位居民" in director.last.text
    for user in (p1, a, b):
        assert any(f"已合并。您的联署已转到 #{target}" in text for text in user.texts())
    await a.tap("topics.btn.open")
    assert "联署：5 位居民" in a.last.text
    await a.press_data(chat.app.codec.pack(OpenTopic(duplicate)), a.last.message_id)
    assert "已合并到议题 #2" in a.last.text and a.label("topics.btn.open_merged", id=2) in a.last.labels
    toast = await a.press_data(chat.app.codec.pack(SupportTopic(duplicate)))
    assert toast.alert and "已合并到议题 #2" in (toast.text or "")
    async with chat.app.sessions() as session:
        assert (await topics.tally(session, chat.app.community_id or 0, target)).residents == 5


# ---- discussion --------------------------------------------------------------------------------


async def test_comments_newest_first_with_paging_report_and_hide(chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed)
    bob = await resident(chat, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "加装电梯")
    alice = await resident(chat, seed, 1001, "Alice", "101")
    await alice.send("/topics")
    await alice.tap("topics.home.new")
    await alice.press(f"#{topic_id} 加装电梯 · 👍1")
    await alice.tap("topics.btn.comments", count=0)
    await alice.tap("topics.comment.write")
    await alice.send("z" * 501)
    assert "最多 500 个字" in alice.last.text and "501" in alice.last.text
    for n in range(6):
        chat.app.clock.advance(timedelta(minutes=1))
        await alice.send(f"<i>第{n}条</i>")
        if n < 5:
            await alice.tap("topics.comment.write")
    page = alice.last.text
    assert "评论 6 条（第 1/2 页" in page and page.index("第5条") < page.index("第4条")
    assert "<i>第5条</i>" in page
    await alice.tap("common.next")
    assert "第0条" in alice.last.text
    await bob.send("/topics")
    await bob.tap("topics.home.mine")
    await bob.press(f"#{topic_id} 加装电梯 · 👍1")
    assert "评论（6）" in bob.last.text and "第5条" in bob.last.text
    await bob.tap("topics.btn.comments", count=6)
    toast = await bob.tap("topics.comment.report", number=1)
    assert "已举报" in (toast.text or "")
    toast = await bob.tap("topics.comment.report", number=1)
    assert "已经举报过" in (toast.text or "")
    await director.send("/committee")
    await director.tap("committee.topics")
    await director.press(director.label("topics.desk.reported") + " (1)")
    assert "第5条" in director.last.text
    hide = next(label for label in director.last.labels if label.startswith("🙈 隐藏 #"))
    await director.press(hide)
    await director.send("与议题无关")
    await director.tap("common.confirm")
    assert "已隐藏" in director.last.text
    await bob.tap("topics.btn.back_card")
    await bob.tap("topics.btn.comments", count=6)
    assert "此评论已被居委会隐藏，理由：与议题无关" in bob.last.text and "第5条" not in bob.last.text


async def test_council_recommendation_appears_on_the_card(chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed)
    bob = await resident(chat, seed, 1002, "Bob", "102")
    wang = await resident(chat, seed, 1003, "王阿姨", "103")
    topic_id = await seed.topic(1002, "加装电梯")
    await director.send("/committee")
    await director.tap("committee.topics")
    await director.tap("topics.desk.councils")
    await director.tap("topics.council.new")
    await director.send("睦邻议事厅")
    assert "睦邻议事厅" in director.last.text
    await director.tap("topics.council.add")
    await director.send("没有这个人")
    assert "没有找到" in director.last.text
    await director.send("王")
    await director.press("➕ 王阿姨")
    assert "成员（1）：王阿姨" in director.last.text
    assert "加入议事团「睦邻议事厅」" in wang.last.text
    await open_desk_card(director, topic_id)
    await director.tap("topics.desk.refer")
    await director.press("🏛 睦邻议事厅 (1)")
    assert "已转交议事团「睦邻议事厅」" in director.last.text
    assert any("转交议事团「睦邻议事厅」" in text for text in bob.texts())
    assert "交给您所在的议事团「睦邻议事厅」" in wang.last.text
    await wang.send("/topics")
    await wang.tap("topics.home.council")
    await wang.press(f"#{topic_id} 加装电梯 · 👍1")
    await wang.tap("topics.btn.recommend")
    await wang.send("建议先做全楼问卷，再申请补贴。")
    assert "建议已记录" in wang.last.text
    await wang.tap("topics.btn.open")
    assert "议事团「睦邻议事厅」的建议" in wang.last.text and "先做全楼问卷" in wang.last.text
    assert any("先做全楼问卷" in text for text in director.texts())
    toast = await bob.press_data(chat.app.codec.pack(RecommendTopic(topic_id)))
    assert toast.alert and "议事团的成员" in (toast.text or "")


# ---- browsing and the desk ---------------------------------------------------------------------


async def test_browse_by_category_paging_and_search(chat: Harness, seed: Seed) -> None:
    await setup_committee(chat, seed)
    for user_id, room in ((1001, "101"), (1002, "102"), (1003, "103")):
        await resident(chat, seed, user_id, f"R{user_id}", room)
    for n in range(8):
        await seed.topic(1001 + n % 3, f"停车问题 {n}", category="parking")
    await seed.topic(1003, "Greening <the> yard", category="green")
    user = chat.user(1001, "R1001")
    await user.send("/topics")
    await user.tap("topics.home.categories")
    await user.press("停车")
    assert "分类：停车" in user.last.text and user.label("topics.list.page", page=1, pages=2, total=8) in user.last.text
    assert len(user.last.buttons) <= 8
    await user.tap("common.next")
    assert "第 2/2 页" in user.last.text
    await user.tap("topics.btn.home")
    await user.tap("topics.home.search")
    await user.send("<THE>")
    assert "搜索「<THE>」" in user.last.text and "Greening <the> yard" in user.last.text
    await user.send("停车")
    assert "共 8 个" in user.last.text
    await user.tap("common.next")
    assert "第 2/2 页" in user.last.text


async def test_committee_desk_in_the_group_chat_continues_in_private(chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed)
    await _bind_committee_chat(director)
    bob = await resident(chat, seed, 1002, "Bob", "102")
    await _propose(bob, "加装电梯")
    alert = chat.bot_messages(COMMITTEE_CHAT)[-1]
    assert "新议题 #1「加装电梯」" in alert.text
    await director.tap("topics.btn.handle", message=alert, chat_id=COMMITTEE_CHAT)
    assert director.label("topics.card.proposer", name="Bob") in director.harness.bot_messages(COMMITTEE_CHAT)[-1].text
    toast = await director.tap("topics.desk.answer", chat_id=COMMITTEE_CHAT)
    assert toast.alert and "私聊" in (toast.text or "")
    assert "正式答复" in director.last.text  # the prompt arrived in the private chat
    await director.send("收到，马上处理。")
    await director.tap("common.confirm")
    assert "收到，马上处理。" in bob.last.text


async def test_export_csv_and_settings(chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed)
    await resident(chat, seed, 1002, "Bob", "102")
    await seed.topic(1002, "加装电梯")
    await director.send("/committee")
    await director.tap("committee.topics")
    await director.tap("topics.desk.csv")
    name, content = director.last.document or ("", b"")
    assert name.startswith("linli-topics-") and content.decode("utf-8-sig").startswith("id,title,category,status")
    await director.tap("topics.desk.settings")
    settings = director.find_button_message(director.label("topics.desk.setting_a"))
    assert director.label("topics.desk.register_set", count=1000) in settings.text
    await director.tap("topics.desk.setting_a")
    await director.send("abc")
    assert "整数" in director.last.text
    await director.send("5")
    assert "议程门槛（居委会自定）：5 个联署" in director.last.text


async def test_committee_edits_categories(chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed, adults=1000)
    await director.send("/committee")
    await director.tap("committee.topics")
    await director.tap("topics.desk.categories")
    await director.tap("topics.desk.category_new")
    await director.send("群租 / Group renting")
    assert "群租" in director.last.labels
    await director.press("停车")
    await director.tap("topics.desk.category_retire")
    assert "🚫 停车" in director.last.labels
    alice = await resident(chat, seed, 1001, "Alice", "101", language="en")
    await alice.send("/propose")
    await alice.send("Too many tenants")
    await alice.send("Flat 501 is let to twelve people.")
    assert "Group renting" in alice.last.labels and "Parking" not in alice.last.labels


async def test_card_and_lists_stay_within_telegram_limits(chat: Harness, seed: Seed) -> None:
    director = await setup_committee(chat, seed)
    await resident(chat, seed, 1002, "B" * 64, "102")
    topic_id = await seed.topic(1002, "标" * 80, description="长" * 2000)
    await _answer(director, topic_id, "答" * 2000)
    bob = chat.user(1002, "B")
    for _ in range(3):
        await bob.press_data(chat.app.codec.pack(WriteComment(topic_id)))
        await bob.send("评" * 500)
    await bob.press_data(chat.app.codec.pack(OpenTopic(topic_id)))
    card = bob.last
    assert "议题 #1" in card.text and len(card.text) < 4096 and len(card.buttons) <= 8
    await bob.tap("topics.btn.full")
    assert all(len(m.text) <= 4096 for m in bob.messages)
    assert all(len(data.encode()) <= 64 for m in bob.messages for row in m.buttons for _, data in row if data)
