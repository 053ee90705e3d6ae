"""Native polls as Telegram has them (Bot API 10.1 data): sendPoll's limits, answers, changes and retractions as
``poll_answer`` updates, stopPoll, and the automatic closing of ``open_period`` / ``close_date``."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bot.emulator import BotApiEmulator
from tests.emulator.support import ANN, BOB, CAROL, RawApi

GROUP = -100777


@pytest.fixture
def group(emu: BotApiEmulator) -> int:
    emu.add_group(GROUP, "居委会", [ANN, BOB])
    return GROUP


async def _poll(api: RawApi, chat_id: int, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"chat_id": chat_id, "question": "Paint the door?", "is_anonymous": False,
                              "options": [{"text": "Red"}, {"text": "Green"}, {"text": "Blue"}], **extra}
    return await api.ok("sendPoll", **params)


def _answers(updates: list[dict[str, Any]]) -> list[tuple[int, list[int]]]:
    return [(u["poll_answer"]["user"]["id"], u["poll_answer"]["option_ids"]) for u in updates if "poll_answer" in u]


async def test_answers_changes_and_retractions_arrive_as_poll_answers(api: RawApi, emu: BotApiEmulator,
                                                                      group: int) -> None:
    sent = await _poll(api, group)
    poll_id = sent["poll"]["id"]
    emu.user_answers_poll(ANN, sent["message_id"], [0], chat_id=group)
    emu.user_answers_poll(BOB, sent["message_id"], [2], chat_id=group)
    emu.user_answers_poll(ANN, sent["message_id"], [1], chat_id=group)  # changed
    emu.user_answers_poll(BOB, sent["message_id"], [], chat_id=group)  # retracted
    updates = await api.ok("getUpdates", allowed_updates=["message", "poll_answer", "poll"])
    assert _answers(updates) == [(ANN, [0]), (BOB, [2]), (ANN, [1]), (BOB, [])]
    assert {u["poll_answer"]["poll_id"] for u in updates if "poll_answer" in u} == {poll_id}
    last_state = [u["poll"] for u in updates if "poll" in u][-1]
    assert [o["voter_count"] for o in last_state["options"]] == [0, 1, 0]
    assert last_state["total_voter_count"] == 1

    final = await api.ok("stopPoll", chat_id=group, message_id=sent["message_id"])
    assert final["is_closed"] is True and final["id"] == poll_id
    assert [o["voter_count"] for o in final["options"]] == [0, 1, 0]
    stopped = await api.ok("getUpdates", offset=updates[-1]["update_id"] + 1)
    assert [u["poll"]["is_closed"] for u in stopped if "poll" in u] == [True]  # bots hear of a stopped poll
    with pytest.raises(ValueError, match="closed"):
        emu.user_answers_poll(ANN, sent["message_id"], [2], chat_id=group)
    await api.fails("stopPoll", 400, "Bad Request: poll has already been closed", chat_id=group,
                    message_id=sent["message_id"])
    await api.fails("editMessageText", 400, "Bad Request: there is no text in the message to edit",
                    chat_id=group, message_id=sent["message_id"], text="Painted")


async def test_what_a_client_cannot_do_is_refused(api: RawApi, emu: BotApiEmulator, group: int) -> None:
    sent = await _poll(api, group)
    with pytest.raises(ValueError, match="no vote to retract"):
        emu.user_answers_poll(ANN, sent["message_id"], [], chat_id=group)
    with pytest.raises(ValueError, match="one answer only"):
        emu.user_answers_poll(ANN, sent["message_id"], [0, 1], chat_id=group)
    with pytest.raises(ValueError, match="out of range"):
        emu.user_answers_poll(ANN, sent["message_id"], [3], chat_id=group)
    with pytest.raises(ValueError, match="not a member"):
        emu.user_answers_poll(CAROL, sent["message_id"], [0], chat_id=group)
    fixed = await _poll(api, group, allows_revoting=False)
    emu.user_answers_poll(ANN, fixed["message_id"], [0], chat_id=group)
    with pytest.raises(ValueError, match="changing a vote"):
        emu.user_answers_poll(ANN, fixed["message_id"], [1], chat_id=group)


async def test_anonymous_polls_and_allowed_updates_hide_who_answered(api: RawApi, emu: BotApiEmulator,
                                                                     group: int) -> None:
    anonymous = await _poll(api, group, is_anonymous=True)
    public = await _poll(api, group)
    await api.ok("getUpdates", allowed_updates=["message", "callback_query"])  # like a bot that never asked
    emu.user_answers_poll(ANN, public["message_id"], [0], chat_id=group)
    await api.ok("getUpdates", allowed_updates=["message", "poll_answer"])
    emu.user_answers_poll(BOB, anonymous["message_id"], [1], chat_id=group)
    emu.user_answers_poll(BOB, public["message_id"], [1], chat_id=group)
    updates = await api.ok("getUpdates")
    assert _answers(updates) == [(BOB, [1])]  # not Ann's (filtered out then), not the anonymous poll's
    assert not any("poll" in u for u in updates)


async def test_limits_follow_the_spec(api: RawApi, group: int) -> None:
    await _poll(api, group, question="Q" * 300)
    await api.fails("sendPoll", 400, "Bad Request: poll question length must not exceed 300", chat_id=group,
                    question="Q" * 301, options=[{"text": "a"}, {"text": "b"}])
    await api.ok("sendPoll", chat_id=group, question="?", options=[{"text": str(i)} for i in range(12)])
    await api.fails("sendPoll", 400, "Bad Request: poll can't have more than 12 options", chat_id=group,
                    question="?", options=[{"text": str(i)} for i in range(13)])
    await api.fails("sendPoll", 400, "Bad Request: poll options length must not exceed 100", chat_id=group,
                    question="?", options=[{"text": "x" * 101}, {"text": "b"}])
    await api.fails("sendPoll", 400, "Bad Request: poll must have at least 1 option", chat_id=group,
                    question="?", options=[])
    # Bot API 10.1 lets Telegram close a poll by itself up to 2,628,000 s (about 30 days) ahead.
    await _poll(api, group, open_period=2_628_000)
    await _poll(api, group, close_date=int(time.time()) + 10 * 86_400)
    await api.fails("sendPoll", 400, "Bad Request: wrong open period specified", chat_id=group, question="?",
                    options=[{"text": "a"}, {"text": "b"}], open_period=2_628_001)
    await api.fails("sendPoll", 400, "Bad Request: wrong open period specified", chat_id=group, question="?",
                    options=[{"text": "a"}, {"text": "b"}], open_period=4)
    await api.fails("sendPoll", 400, "Bad Request: wrong close date specified", chat_id=group, question="?",
                    options=[{"text": "a"}, {"text": "b"}], close_date=int(time.time()) + 2_628_100)
    await api.fails("sendPoll", 400, "Bad Request: can't use open_period and close_date together", chat_id=group,
                    question="?", options=[{"text": "a"}, {"text": "b"}], open_period=60,
                    close_date=int(time.time()) + 60)


async def test_open_period_closes_the_poll_by_itself(api: RawApi, emu: BotApiEmulator, group: int) -> None:
    timed = await _poll(api, group, open_period=600)
    untimed = await _poll(api, group)
    emu.user_answers_poll(ANN, timed["message_id"], [0], chat_id=group)
    assert emu.time_passes(time.time() + 300) == []
    assert emu.time_passes(time.time() + 601) == [timed["poll"]["id"]]
    assert emu.message(group, timed["message_id"])["poll"]["is_closed"] is True
    assert emu.message(group, untimed["message_id"])["poll"]["is_closed"] is False
    with pytest.raises(ValueError, match="closed"):
        emu.user_answers_poll(BOB, timed["message_id"], [1], chat_id=group)
    await api.fails("stopPoll", 400, "Bad Request: poll has already been closed", chat_id=group,
                    message_id=timed["message_id"])
    updates = await api.ok("getUpdates", allowed_updates=["poll_answer", "poll"])
    closed = [u["poll"] for u in updates if "poll" in u and u["poll"]["is_closed"]]
    assert [p["id"] for p in closed] == [timed["poll"]["id"]]
    assert [o["voter_count"] for o in closed[0]["options"]] == [1, 0, 0]


async def test_only_the_bots_own_poll_can_be_stopped(api: RawApi, emu: BotApiEmulator, group: int) -> None:
    emu.user_sends(ANN, "hello", chat_id=group)
    text = await api.ok("sendMessage", chat_id=group, text="no poll here")
    await api.fails("stopPoll", 400, "Bad Request: message with poll to stop not found", chat_id=group,
                    message_id=text["message_id"])
    await api.fails("stopPoll", 400, "Bad Request: message with poll to stop not found", chat_id=group,
                    message_id=9999)
