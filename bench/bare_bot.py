"""A bare echo bot in its own process, for start-up and memory baselines.

    python -m bench.bare_bot aiogram|ptb BASE_URL TOKEN

Imports only the chosen framework (and nothing of Linli), polls ``BASE_URL`` until SIGTERM.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Any


async def aiogram_bot(base_url: str, token: str, stop: asyncio.Event) -> None:
    from aiogram import Bot, Dispatcher, F, Router
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message

    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))
    router = Router()

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False, polling_timeout=10))
    await stop.wait()
    await dispatcher.stop_polling()
    await polling


async def ptb_bot(base_url: str, token: str, stop: asyncio.Event) -> None:
    from telegram.ext import ApplicationBuilder, MessageHandler, filters

    async def echo(update: Any, _context: Any) -> None:
        if update.effective_message is not None and update.effective_message.text is not None:
            await update.effective_message.reply_text(update.effective_message.text)

    application = (ApplicationBuilder().token(token).base_url(f"{base_url}/bot")
                   .base_file_url(f"{base_url}/file/bot").build())
    application.add_handler(MessageHandler(filters.TEXT, echo))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=10)
        await stop.wait()
        await application.updater.stop()
        await application.stop()


async def main(framework: str, base_url: str, token: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await (aiogram_bot if framework == "aiogram" else ptb_bot)(base_url, token, stop)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
