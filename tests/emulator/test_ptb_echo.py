"""python-telegram-bot 22 with real long polling against the emulator."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.emulator import BotApiEmulator
from tests.emulator.support import ANN, BOB, TOKEN, tiny_png

MENU = InlineKeyboardMarkup([[InlineKeyboardButton("Join", callback_data="join:7")]])


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("Event 7", reply_markup=MENU)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(update.effective_message.text)


async def join(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Joined")
    await query.edit_message_text("Event 7 (you are in)")


def build(emu: BotApiEmulator) -> Application:
    application = (
        ApplicationBuilder().token(TOKEN).base_url(f"{emu.base_url}/bot")
        .base_file_url(f"{emu.base_url}/file/bot").build()
    )
    application.add_handler(MessageHandler(filters.Text(["/menu"]), menu))
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(join, pattern="^join:7$"))
    return application


@pytest.fixture
async def polling(emu: BotApiEmulator) -> AsyncIterator[Application]:
    application = build(emu)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0)
    await emu.wait_until(emu.is_polling, description="PTB polling")
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


async def test_echo_and_button_round_trip(emu: BotApiEmulator, polling: Application) -> None:
    emu.user_sends(ANN, "hello")
    await emu.wait_until(lambda: len(emu.bot_messages(ANN)) == 1, description="the echo")
    assert emu.bot_messages(ANN)[0]["text"] == "hello"

    emu.user_sends(ANN, "/menu")
    await emu.wait_until(lambda: len(emu.bot_messages(ANN)) == 2, description="the menu")
    menu_message = emu.bot_messages(ANN)[-1]
    query_id = emu.user_presses(ANN, menu_message["message_id"], "join:7")
    await emu.wait_until(lambda: emu.message(ANN, menu_message["message_id"]).get("edit_date") is not None,
                         description="the edit after the press")
    await emu.settle()
    assert emu.callback_answers[query_id]["text"] == "Joined"
    assert emu.message(ANN, menu_message["message_id"])["text"] == "Event 7 (you are in)"

    assert emu.errors == []
    assert all(not r.unknown_params for r in emu.requests), [r for r in emu.requests if r.unknown_params]
    assert [r.method for r in emu.requests[:2]] == ["getMe", "deleteWebhook"]


async def test_shutdown_confirms_the_offset(emu: BotApiEmulator) -> None:
    application = build(emu)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0)
    emu.user_sends(ANN, "hello")
    await emu.wait_until(lambda: len(emu.bot_messages(ANN)) == 1)
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    assert emu.pending_updates() == 0 and emu.confirmed_update_id == emu.last_update_id()
    assert emu.errors == []


async def test_errors_surface_as_ptb_exceptions(emu: BotApiEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB 22 warns about RetryAfter.retry_after otherwise
    application = build(emu)
    await application.initialize()
    try:
        emu.user_sends(ANN, "hi")
        with pytest.raises(BadRequest, match="Message is too long"):
            await application.bot.send_message(ANN, "x" * 4097)
        with pytest.raises(Forbidden, match="bot can't initiate conversation"):
            await application.bot.send_message(BOB, "hi")
        emu.set_flood_limits(per_chat_per_second=1, burst_window=1.0, retry_after=2)
        await application.bot.send_message(ANN, "one")
        with pytest.raises(RetryAfter) as caught:
            await application.bot.send_message(ANN, "two")
        assert caught.value.retry_after == dt.timedelta(seconds=2)
    finally:
        await application.shutdown()


async def test_files_polls_and_commands_through_ptb(emu: BotApiEmulator) -> None:
    application = build(emu)
    await application.initialize()
    bot = application.bot
    try:
        document = emu.user_sends_document(ANN, b"%PDF-1.4 minutes", "minutes.pdf", "application/pdf")
        file = await bot.get_file(document["document"]["file_id"])
        assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 minutes"
        sent = await bot.send_photo(ANN, tiny_png(50, 20), caption="<i>lamp</i>", parse_mode="HTML")
        assert sent.photo and sent.caption == "lamp"
        sent_document = await bot.send_document(ANN, b"id,vote\n", filename="votes.csv")
        assert sent_document.document is not None and sent_document.document.file_name == "votes.csv"
        poll = await bot.send_poll(ANN, "Paint the door?", ["Red", "Green"], is_anonymous=False)
        assert (await bot.stop_poll(ANN, poll.message_id)).is_closed
        await bot.set_my_commands([BotCommand("start", "Begin")], language_code="zh")
        assert [c.command for c in await bot.get_my_commands(language_code="zh")] == ["start"]
        assert await bot.pin_chat_message(ANN, sent.message_id)
        assert await bot.delete_message(ANN, sent_document.message_id)
        assert emu.errors == []
        assert all(not r.unknown_params for r in emu.requests), [r for r in emu.requests if r.unknown_params]
    finally:
        await application.shutdown()
