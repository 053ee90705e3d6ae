"""Edits, deletes, pins, button presses and callback answers."""

from __future__ import annotations

import pytest

from bot.emulator import BotApiEmulator
from bot.emulator.methods_messages import NOT_MODIFIED
from tests.emulator.support import ANN, RawApi

MARKUP = {"inline_keyboard": [[{"text": "Join", "callback_data": "join:7"}]]}


@pytest.fixture
async def menu(api: RawApi, emu: BotApiEmulator) -> dict:
    emu.user_sends(ANN, "/start")
    return await api.ok("sendMessage", chat_id=ANN, text="Event 7", reply_markup=MARKUP)


async def test_edit_text_and_not_modified(api: RawApi, emu: BotApiEmulator, menu: dict) -> None:
    mid = menu["message_id"]
    await api.fails("editMessageText", 400, f"Bad Request: {NOT_MODIFIED}", chat_id=ANN, message_id=mid,
                    text="Event 7", reply_markup=MARKUP)
    edited = await api.ok("editMessageText", chat_id=ANN, message_id=mid, text="Event 7 (full)",
                          reply_markup=MARKUP)
    assert edited["text"] == "Event 7 (full)" and "edit_date" in edited
    # Like Telegram: an edit without reply_markup removes the keyboard, so it counts as a change.
    edited = await api.ok("editMessageText", chat_id=ANN, message_id=mid, text="Event 7 (full)")
    assert "reply_markup" not in edited
    assert emu.message(ANN, mid)["text"] == "Event 7 (full)"


async def test_edit_reply_markup(api: RawApi, menu: dict) -> None:
    mid = menu["message_id"]
    await api.fails("editMessageReplyMarkup", 400, f"Bad Request: {NOT_MODIFIED}", chat_id=ANN, message_id=mid,
                    reply_markup=MARKUP)
    done = await api.ok("editMessageReplyMarkup", chat_id=ANN, message_id=mid)
    assert "reply_markup" not in done
    await api.fails("editMessageReplyMarkup", 400, f"Bad Request: {NOT_MODIFIED}", chat_id=ANN, message_id=mid)


async def test_edit_errors(api: RawApi, menu: dict) -> None:
    await api.fails("editMessageText", 400, "Bad Request: message to edit not found", chat_id=ANN, message_id=99,
                    text="x")
    await api.fails("editMessageText", 400, "Bad Request: message can't be edited", chat_id=ANN, message_id=1,
                    text="x")  # message 1 is Ann's /start
    await api.fails("editMessageText", 400, "Bad Request: message text is empty", chat_id=ANN,
                    message_id=menu["message_id"])
    await api.fails("editMessageCaption", 400, "Bad Request: there is no caption in the message to edit",
                    chat_id=ANN, message_id=menu["message_id"], caption="c")


async def test_button_press_and_single_answer(api: RawApi, emu: BotApiEmulator, menu: dict) -> None:
    query_id = emu.user_presses(ANN, menu["message_id"], "join:7")
    update = (await api.ok("getUpdates"))[-1]["callback_query"]
    assert (update["id"], update["data"], update["message"]["text"]) == (query_id, "join:7", "Event 7")
    await api.ok("answerCallbackQuery", callback_query_id=query_id, text="Joined", show_alert=True)
    assert emu.callback_answers[query_id] == {"text": "Joined", "show_alert": True, "url": None, "cache_time": 0}
    invalid = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    await api.fails("answerCallbackQuery", 400, invalid, callback_query_id=query_id)
    await api.fails("answerCallbackQuery", 400, invalid, callback_query_id="123")
    second = emu.user_presses(ANN, menu["message_id"], "join:7")
    await api.fails("answerCallbackQuery", 400, "Bad Request: MESSAGE_TOO_LONG", callback_query_id=second,
                    text="x" * 201)
    await api.fails("answerCallbackQuery", 400, "Bad Request: MESSAGE_TOO_LONG", callback_query_id=second,
                    text="😀" * 201)
    await api.ok("answerCallbackQuery", callback_query_id=second, text="😀" * 200)  # characters, not UTF-16 units


async def test_press_sees_the_message_as_edited(api: RawApi, emu: BotApiEmulator, menu: dict) -> None:
    await api.ok("editMessageText", chat_id=ANN, message_id=menu["message_id"], text="Event 7, 3 seats left",
                 reply_markup=MARKUP)
    emu.user_presses(ANN, menu["message_id"], "join:7")
    update = (await api.ok("getUpdates"))[-1]["callback_query"]
    assert update["message"]["text"] == "Event 7, 3 seats left"


async def test_pressing_a_button_that_is_not_there_needs_forged(emu: BotApiEmulator, menu: dict) -> None:
    with pytest.raises(ValueError, match="no button with callback_data"):
        emu.user_presses(ANN, menu["message_id"], "join:8")
    assert emu.user_presses(ANN, menu["message_id"], "join:8", forged=True)


async def test_delete_and_pin(api: RawApi, emu: BotApiEmulator, menu: dict) -> None:
    assert await api.ok("pinChatMessage", chat_id=ANN, message_id=menu["message_id"]) is True
    assert emu.chat_messages(ANN)[-1]["pinned_message"]["message_id"] == menu["message_id"]
    assert emu.bot_messages(ANN)[-1]["message_id"] == menu["message_id"]  # service messages are left out
    assert (await api.ok("getChat", chat_id=ANN))["pinned_message"]["text"] == "Event 7"
    assert await api.ok("unpinChatMessage", chat_id=ANN) is True
    assert await api.ok("deleteMessage", chat_id=ANN, message_id=menu["message_id"]) is True
    await api.fails("deleteMessage", 400, "Bad Request: message to delete not found", chat_id=ANN,
                    message_id=menu["message_id"])
    with pytest.raises(KeyError):
        emu.message(ANN, menu["message_id"])


async def test_polls(api: RawApi, emu: BotApiEmulator, menu: dict) -> None:
    sent = await api.ok("sendPoll", chat_id=ANN, question="Paint the door?", is_anonymous=False,
                        options=[{"text": "Red"}, {"text": "Green"}])
    emu.user_answers_poll(ANN, sent["message_id"], [1])
    updates = await api.ok("getUpdates")
    assert updates[-2]["poll_answer"]["option_ids"] == [1]
    assert updates[-1]["poll"]["options"][1]["voter_count"] == 1
    closed = await api.ok("stopPoll", chat_id=ANN, message_id=sent["message_id"])
    assert closed["is_closed"] is True
    await api.fails("stopPoll", 400, "Bad Request: poll has already been closed", chat_id=ANN,
                    message_id=sent["message_id"])
    await api.fails("sendPoll", 400, "Bad Request: poll can't have more than 12 options", chat_id=ANN,
                    question="Q", options=[{"text": str(i)} for i in range(13)])


async def test_commands_menu_and_chat_action(api: RawApi, emu: BotApiEmulator, menu: dict) -> None:
    commands = [{"command": "start", "description": "Begin"}, {"command": "help", "description": "Help"}]
    assert await api.ok("setMyCommands", commands=commands, language_code="zh") is True
    assert await api.ok("getMyCommands", language_code="zh") == commands
    assert emu.commands(language_code="zh") == commands
    await api.fails("setMyCommands", 400, "Bad Request: BOT_COMMAND_INVALID",
                    commands=[{"command": "Start", "description": "x"}])
    await api.fails("setMyCommands", 400,
                    "Bad Request: invalid language code specified (a two-letter ISO 639-1 code is expected)",
                    commands=commands, language_code="zh-hans")
    assert await api.ok("deleteMyCommands", language_code="zh") is True
    assert await api.ok("getMyCommands", language_code="zh") == []
    assert await api.ok("setChatMenuButton", chat_id=ANN, menu_button={"type": "commands"}) is True
    assert await api.ok("getChatMenuButton", chat_id=ANN) == {"type": "commands"}
    assert await api.ok("sendChatAction", chat_id=ANN, action="typing") is True
    await api.fails("sendChatAction", 400, "Bad Request: wrong parameter action in request", chat_id=ANN,
                    action="dancing")
    assert [a["action"] for a in emu.chat_actions(ANN)] == ["typing"]
