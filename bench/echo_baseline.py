"""Baseline: a bare echo bot on aiogram and on python-telegram-bot, long polling the emulator (in process).

Each framework is imported only when its bot runs.

Run from the repository root: ``python -m bench.echo_baseline``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bench.common import BENCH_TOKEN, measure, start_emulator, text_pusher


async def run_aiogram_echo(n: int) -> float:
    """Updates per second of an aiogram echo bot answering ``n`` text messages."""
    from aiogram import Bot, Dispatcher, F, Router
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message

    emu = await start_emulator()
    bot = Bot(BENCH_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))
    router = Router()

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False))
    try:
        await emu.wait_until(emu.is_polling, description="aiogram polling")
        return await measure(emu, text_pusher(emu), n)
    finally:
        await dispatcher.stop_polling()
        await polling
        await emu.stop()


async def _ptb_echo(update: Any, _context: Any) -> None:
    if update.effective_message is not None and update.effective_message.text is not None:
        await update.effective_message.reply_text(update.effective_message.text)


async def run_ptb_echo(n: int) -> float:
    """Updates per second of a python-telegram-bot echo bot answering ``n`` text messages."""
    from telegram.ext import ApplicationBuilder, MessageHandler, filters

    emu = await start_emulator()
    application = (
        ApplicationBuilder().token(BENCH_TOKEN).base_url(f"{emu.base_url}/bot")
        .base_file_url(f"{emu.base_url}/file/bot").build()
    )
    application.add_handler(MessageHandler(filters.TEXT, _ptb_echo))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    try:
        await application.updater.start_polling(poll_interval=0.0)
        await emu.wait_until(emu.is_polling, description="PTB polling")
        return await measure(emu, text_pusher(emu), n)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        await emu.stop()


async def main(n: int = 500) -> None:
    print(f"aiogram echo: {await run_aiogram_echo(n):8.1f} updates/s  (n={n})")
    print(f"PTB echo:     {await run_ptb_echo(n):8.1f} updates/s  (n={n})")


if __name__ == "__main__":
    asyncio.run(main())
