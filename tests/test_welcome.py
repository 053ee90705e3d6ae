"""Defect 15: the welcome, the approval and the guest's menu promise only what exists (topics, events and votes).

Every feature that offers itself in the welcome ships routers: an offer is never a promise of something missing."""

from __future__ import annotations

from bot.features import features
from tests.support.chat import Harness
from tests.support.seed import Seed


def _promises_what_exists(text: str) -> None:
    assert "议题" in text or "topics" in text
    assert "投票" in text or "vote" in text
    assert "活动" in text or "event" in text


async def test_welcome_and_approval_promise_only_what_exists(chat: Harness, seed: Seed) -> None:
    offered = [key for feature in features() for key in feature.offers]
    assert offered == ["offer.topics", "offer.events", "offer.votes"]  # a feature adds its line when it ships
    assert all(feature.routers for feature in features() if feature.offers)
    await seed.roster()
    await seed.committee(9001)
    director = chat.user(9001, "Director")
    await director.send("/start")
    for language, chat_id in (("zh-hans", 1007), ("en", 1008)):
        newcomer = chat.user(chat_id, "Newcomer", language=language)
        await newcomer.send("/start")
        _promises_what_exists(newcomer.last.text)
        await newcomer.send("/menu")
        _promises_what_exists(newcomer.last.text)
        await newcomer.tap("start.ask_to_join",
                           message=newcomer.find_button_message(newcomer.label("start.ask_to_join")))
        await newcomer.send("Maria")
        await newcomer.tap("common.yes")
        await newcomer.send("1-1-102")
        await newcomer.tap("common.confirm")
        await director.tap("join.approve", message=director.find_button_message(director.label("join.approve")))
        approval = newcomer.last.text
        assert "批准" in approval or "approved" in approval
        _promises_what_exists(approval)
