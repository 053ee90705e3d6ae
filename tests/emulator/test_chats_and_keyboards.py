"""Who the bot may write to, tokens, unknown methods and parameters, inline keyboards."""

from __future__ import annotations

from typing import Any

import pytest

from bot.emulator import BotApiEmulator
from tests.emulator.support import ANN, BOB, CAROL, RawApi


def keyboard(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"inline_keyboard": [list(buttons)]}


async def test_unknown_token_is_unauthorized(api: RawApi) -> None:
    api.token = "999:nope"
    await api.fails("getMe", 401, "Unauthorized")
    api.token = "not-a-token"
    await api.fails("getMe", 401, "Unauthorized")


async def test_unknown_method_is_404_and_unsupported_method_is_explicit(api: RawApi) -> None:
    await api.fails("sendTelepathy", 404, "Not Found", chat_id=ANN)
    await api.fails("getStickerSet", 400, "Bad Request: method not supported by the emulator", name="x")


async def test_method_names_are_case_insensitive(api: RawApi) -> None:
    assert (await api.ok("getme"))["is_bot"] is True


async def test_chat_rules(api: RawApi, emu: BotApiEmulator) -> None:
    await api.fails("sendMessage", 400, "Bad Request: chat_id is empty", text="x")
    await api.fails("sendMessage", 400, "Bad Request: chat_id is empty", chat_id="", text="x")
    await api.fails("sendMessage", 400, "Bad Request: chat not found", chat_id=424242, text="x")
    await api.fails("sendMessage", 400, "Bad Request: chat not found", chat_id="abc", text="x")
    await api.fails("sendMessage", 403, "Forbidden: bot can't initiate conversation with a user", chat_id=BOB,
                    text="x")
    emu.user_sends(BOB, "hello")
    await api.ok("sendMessage", chat_id=BOB, text="x")
    emu.user_blocks_bot(BOB)
    await api.fails("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=BOB, text="x")
    update = (await api.ok("getUpdates"))[-1]
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    emu.user_unblocks_bot(BOB)
    await api.ok("sendMessage", chat_id=BOB, text="welcome back")


async def test_group_membership_does_not_start_a_private_chat(api: RawApi, emu: BotApiEmulator) -> None:
    emu.add_group(-100500, "Residents", [ANN, CAROL], supergroup=True, username="residents")
    emu.user_sends(CAROL, "hi all", chat_id=-100500)
    await api.ok("sendMessage", chat_id=-100500, text="hello group")
    await api.ok("sendMessage", chat_id="@residents", text="by username")
    await api.fails("sendMessage", 403, "Forbidden: bot can't initiate conversation with a user", chat_id=CAROL,
                    text="x")
    assert [m["text"] for m in emu.chat_messages(-100500)] == ["hi all", "hello group", "by username"]
    chat = await api.ok("getChat", chat_id=-100500)
    assert (chat["type"], chat["title"]) == ("supergroup", "Residents")


async def test_unknown_params_are_ignored_but_recorded(api: RawApi, emu: BotApiEmulator) -> None:
    emu.user_sends(ANN, "hi")
    await api.ok("sendMessage", chat_id=ANN, text="x", reply_to_message_id=1, colour="red")
    assert emu.calls("sendMessage")[-1].unknown_params == ["reply_to_message_id", "colour"]


async def test_wrongly_typed_integer_is_refused(api: RawApi) -> None:
    await api.fails("getUpdates", 400, 'Bad Request: invalid parameter "limit": expected Integer', limit="ten")


async def test_reply_parameters(api: RawApi, emu: BotApiEmulator) -> None:
    asked = emu.user_sends(ANN, "question?")
    sent = await api.ok("sendMessage", chat_id=ANN, text="answer", reply_parameters={"message_id": asked["message_id"]})
    assert sent["reply_to_message"]["text"] == "question?"
    await api.fails("sendMessage", 400, "Bad Request: message to be replied not found", chat_id=ANN, text="x",
                    reply_parameters={"message_id": 999})


@pytest.mark.parametrize(
    ("markup", "description"),
    [
        (keyboard({"text": "A", "callback_data": "x" * 65}), "Bad Request: BUTTON_DATA_INVALID"),
        (keyboard({"text": "A", "callback_data": "投票" * 11}), "Bad Request: BUTTON_DATA_INVALID"),  # 66 bytes
        (keyboard({"text": "A", "callback_data": ""}), "Bad Request: BUTTON_DATA_INVALID"),
        (keyboard({"text": "", "callback_data": "a"}),
         "Bad Request: text buttons are unallowed in the inline keyboard"),
        (keyboard({"text": "A"}),
         "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"),
        ({"inline_keyboard": [[{"text": "b", "callback_data": str(i)} for i in range(101)]]},
         "Bad Request: reply markup is too long"),
        ({"something": 1}, "Bad Request: can't parse reply keyboard markup JSON object"),
    ],
)
async def test_bad_inline_keyboards_are_refused(api: RawApi, emu: BotApiEmulator, markup: dict[str, Any],
                                                description: str) -> None:
    emu.user_sends(ANN, "hi")
    await api.fails("sendMessage", 400, description, chat_id=ANN, text="pick", reply_markup=markup)


async def test_good_keyboards_are_stored(api: RawApi, emu: BotApiEmulator) -> None:
    emu.user_sends(ANN, "hi")
    markup = keyboard({"text": "Yes", "callback_data": "v:1:" + "y" * 60}, {"text": "Site", "url": "https://x.org"})
    sent = await api.ok("sendMessage", chat_id=ANN, text="pick", reply_markup=markup)
    assert sent["reply_markup"] == markup
    await api.ok("sendMessage", chat_id=ANN, text="menu", reply_markup={"keyboard": [["A", {"text": "B"}]]})
    assert emu.reply_keyboard(ANN) == {"keyboard": [["A", {"text": "B"}]]}
    await api.ok("sendMessage", chat_id=ANN, text="bye", reply_markup={"remove_keyboard": True})
    assert "reply_markup" not in emu.bot_messages(ANN)[-1]
