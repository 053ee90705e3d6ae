"""The notifier: one notice, rendered per recipient in their language, escaped, with signed buttons, queued once."""

from __future__ import annotations

from datetime import timedelta

from bot.app import Linli
from core.notices import Bilingual, Clipped, Label, Labels, Link, Notice, NoticeButton, Recipient, When
from handlers.links import DeskTopic, OpenTopic
from handlers.port import SendText
from scheduler.notifier import Notifier
from scheduler.topic_jobs import alert_overdue_topics
from storage import outbox
from storage.community import get_community
from tests.support.seed import Seed


async def test_one_notice_in_each_recipients_language(app: Linli) -> None:
    notice = Notice(text="topics.alert.recommended", key="k:1",
                    recipients=(Recipient(1, "zh-Hans"), Recipient(2, "en"), Recipient(-100, None)),
                    params={"id": 7, "title": "<b>Lift</b> & stairs", "council": Bilingual("睦邻", "Neighbours"),
                            "text": Clipped("x" * 600, 500)},
                    buttons=((NoticeButton("topics.btn.handle", Link.DESK_TOPIC, 7),),))
    async with app.sessions() as session:
        community = await get_community(session, app.community_id or 0)
        assert await app.notifier.queue(session, community, [notice], app.clock.now()) == 3
        assert await app.notifier.queue(session, community, [notice], app.clock.now()) == 0  # once per recipient
        await session.commit()
        rows = {row.chat_id: row for row in await outbox.due(session, app.clock.now())}
    assert "&lt;b&gt;Lift&lt;/b&gt; &amp; stairs" in rows[1].text and "<b>Lift" not in rows[1].text
    assert "睦邻" in rows[1].text and "Neighbours" in rows[2].text
    assert rows[2].text.startswith(app.translator("en", "topics.alert.recommended")[:10])
    assert rows[-100].text == rows[1].text  # a group chat: the community's default language (zh-Hans here)
    assert ("x" * 499 + "…") in rows[1].text and "x" * 500 not in rows[1].text
    action = rows[2].action
    assert isinstance(action, SendText) and action.buttons is not None
    button = action.buttons[0][0]
    assert button.text == app.translator("en", "topics.btn.handle")
    assert app.codec.unpack(button.data or "") == DeskTopic(7)


async def test_labels_and_times_render_per_language(app: Linli) -> None:
    notifier = Notifier(app.translator, app.codec, default_language="en")
    notice = Notice(text="common.yes", key="k", recipients=())
    assert notifier.render(notice, "en", "Asia/Shanghai") == app.translator("en", "common.yes")
    assert notifier._value(Label("common.no"), "zh-Hans", "UTC") == app.translator("zh-Hans", "common.no")
    joined = notifier._value(Labels(("topics.rule.adults", "topics.rule.households")), "en", "UTC")
    assert joined == app.translator("en", "topics.rule.adults") + app.translator("en", "topics.rule.joiner") + \
        app.translator("en", "topics.rule.households")
    moment = app.clock.now()  # 02:00 UTC
    assert notifier._value(When(moment, "%H:%M"), "en", "Asia/Shanghai") == "10:00"
    assert app.codec.unpack(notifier.button(NoticeButton("topics.btn.open", Link.TOPIC, 3), "en").data or "") \
        == OpenTopic(3)


async def test_overdue_alerts_carry_the_desk_button_and_the_default_language(app: Linli, seed: Seed) -> None:
    await seed.roster([("1", "1", "101", 80.0, True)], codes_per_household=0)
    await seed.resident(1, "Alice", household=("1", "1", "101"))
    await seed.configure(committee_chat_id=-100500)
    topic_id = await seed.topic(1, "加装电梯")
    app.clock.advance(timedelta(days=3, hours=1))
    english = Notifier(app.translator, app.codec, default_language="en")
    assert await alert_overdue_topics(app.sessions, english, app.clock) == 1
    async with app.sessions() as session:
        (row,) = await outbox.due(session, app.clock.now())
    assert row.chat_id == -100500 and row.text.startswith(app.translator("en", "topics.alert.overdue")[:8])
    assert isinstance(row.action, SendText) and row.action.buttons is not None
    assert app.codec.unpack(row.action.buttons[0][0].data or "") == DeskTopic(topic_id)


async def test_a_notice_made_long_by_typed_text_is_clipped_to_telegrams_limit(app: Linli) -> None:
    from core.text import parsed_length

    notice = Notice(text="topics.note.answered", key="k", recipients=(Recipient(1, "en"),),
                    params={"id": 1, "title": "<Lift>", "text": "😀&" * 3000})
    text = app.notifier.render(notice, "en", "UTC")
    assert 4000 < parsed_length(text) <= 4096 and "…" in text and "&lt;Lift&gt;" in text
