"""A Bot-API-compatible HTTP emulator for tests and the terminal sandbox.

    emu = BotApiEmulator()
    await emu.start()                      # emu.base_url == "http://127.0.0.1:PORT"
    emu.add_bot("123:ABC"); emu.add_user(1001, "Ann")
    ... run a real aiogram / python-telegram-bot client against emu.base_url ...
    emu.user_sends(1001, "hello"); await emu.wait_until(lambda: emu.bot_messages(1001))
    await emu.stop()
"""

from bot.emulator.recording import RecordedRequest
from bot.emulator.server import BotApiEmulator
from bot.emulator.spec import BotApiSpec, assert_conforms

__all__ = ["BotApiEmulator", "BotApiSpec", "RecordedRequest", "assert_conforms"]
