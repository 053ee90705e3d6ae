"""aiogram 3 with real long polling against the emulator: what it sees is what Telegram would send."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.emulator import BotApiEmulator
from tests.emulator.support import ANN, BOB, TOKEN, tiny_png

MENU = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Join", callback_data="join:7")]])


def echo_router() -> Router:
    router = Router()

    @router.message(F.text == "/menu")
    async def menu(message: Message) -> None:
        await message.answer("Event 7", reply_markup=MENU)

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    @router.callback_query(F.data == "join:7")
    async def join(query: CallbackQuery) -> None:
        await query.answer("Joined")
        assert isinstance(query.message, Message)
        await query.message.edit_text("Event 7 (you are in)")

    return router


def make_bot(emu: BotApiEmulator) -> Bot:
    return Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))


@pytest.fixture
async def polling(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    bot = make_bot(emu)
    dispatcher = Dispatcher()
    dispatcher.include_router(echo_router())
    task = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False))
    await emu.wait_until(lambda: emu.is_polling() or task.done(), description="aiogram polling")
    yield bot
    await dispatcher.stop_polling()
    await asyncio.wait_for(task, 5)


async def test_echo_and_button_round_trip(emu: BotApiEmulator, polling: Bot) -> None:
    emu.user_sends(ANN, "hello")
    await emu.wait_until(lambda: len(emu.bot_messages(ANN)) == 1, description="the echo")
    assert emu.bot_messages(ANN)[0]["text"] == "hello"

    emu.user_sends(ANN, "/menu")
    await emu.wait_until(lambda: len(emu.bot_messages(ANN)) == 2, description="the menu")
    menu = emu.bot_messages(ANN)[-1]
    query_id = emu.user_presses(ANN, menu["message_id"], "join:7")
    await emu.wait_until(lambda: emu.message(ANN, menu["message_id"]).get("edit_date") is not None,
                         description="the edit after the press")
    await emu.settle()
    assert emu.callback_answers[query_id]["text"] == "Joined"
    assert emu.unanswered_callback_queries() == []
    assert emu.message(ANN, menu["message_id"])["text"] == "Event 7 (you are in)"
    assert "reply_markup" not in emu.message(ANN, menu["message_id"])  # aiogram's edit dropped the keyboard

    assert emu.errors == []
    assert all(not r.unknown_params for r in emu.requests), [r for r in emu.requests if r.unknown_params]
    first_poll = emu.calls("getUpdates")[0].params
    assert sorted(first_poll["allowed_updates"]) == ["callback_query", "message"]


async def test_errors_surface_as_aiogram_exceptions(emu: BotApiEmulator) -> None:
    bot = make_bot(emu)
    try:
        emu.user_sends(ANN, "hi")
        with pytest.raises(TelegramBadRequest, match="message is too long"):
            await bot.send_message(ANN, "x" * 4097)
        with pytest.raises(TelegramForbiddenError, match="bot can't initiate conversation"):
            await bot.send_message(BOB, "hi")
        emu.set_flood_limits(per_chat_per_second=1, burst_window=1.0, retry_after=2)
        await bot.send_message(ANN, "one")
        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(ANN, "two")
        assert caught.value.retry_after == 2
    finally:
        await bot.session.close()


async def test_files_polls_and_commands_through_aiogram(emu: BotApiEmulator) -> None:
    bot = make_bot(emu)
    try:
        photo = emu.user_sends_photo(ANN, tiny_png(40, 30), caption="lamp")
        downloaded = await bot.download(photo["photo"][-1]["file_id"])
        assert downloaded is not None and downloaded.read() == tiny_png(40, 30)
        sent = await bot.send_document(ANN, BufferedInputFile(b"id,vote\n1,yes\n", filename="votes.csv"),
                                       caption="<b>Results</b>", parse_mode="HTML")
        assert sent.document is not None and sent.document.file_name == "votes.csv"
        assert sent.caption_entities is not None and sent.caption_entities[0].type == "bold"
        photo_back = await bot.send_photo(ANN, photo["photo"][-1]["file_id"])
        assert photo_back.photo is not None
        poll = await bot.send_poll(ANN, "Paint the door?", options=["Red", "Green"], is_anonymous=False)
        stopped = await bot.stop_poll(ANN, poll.message_id)
        assert stopped.is_closed
        await bot.set_my_commands([BotCommand(command="start", description="Begin")])
        assert [c.command for c in await bot.get_my_commands()] == ["start"]
        await bot.send_chat_action(ANN, "typing")
        chat = await bot.get_chat(ANN)
        assert chat.first_name == "Ann"
        assert emu.errors == []
        assert all(not r.unknown_params for r in emu.requests), [r for r in emu.requests if r.unknown_params]
    finally:
        await bot.session.close()
