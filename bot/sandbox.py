"""``linli sandbox``: the real bot, a real door, the built-in Bot API emulator, and you in the terminal.

You type as a resident; the bot's messages print with their buttons as numbered choices.
``/as committee`` (or ``resident``, or a user id) switches persona; a number presses a button;
``/quit`` leaves.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

from bot.app import Linli
from bot.config import Settings, Transport
from bot.demo import DEMO_COMMITTEE_ID, DEMO_COMMITTEE_NAME, seed_demo

SANDBOX_TOKEN = "1000000001:SANDBOXsandboxSANDBOXsandbox00000"
RESIDENT_ID = 1001
RESIDENT_NAME = "小王"


@dataclass
class Persona:
    user_id: int
    name: str
    language: str = "zh-hans"


@dataclass
class Screen:
    """What has been printed: message versions and the numbered buttons of the last screen."""

    seen: dict[tuple[int, int], str] = field(default_factory=dict)
    choices: dict[int, tuple[int, int, str]] = field(default_factory=dict)  # n → (chat, message, data)


def _render(message: dict[str, Any]) -> str:
    return message.get("text") or message.get("caption") or (
        f"[document {message['document'].get('file_name', '')}]" if "document" in message else "[photo]")


def _fingerprint(message: dict[str, Any]) -> str:
    return _render(message) + repr(message.get("reply_markup"))


class Sandbox:
    def __init__(self, app: Linli, emulator: Any, out: TextIO = sys.stdout) -> None:
        self.app, self.emu, self.out = app, emulator, out
        self.personas = {"resident": Persona(RESIDENT_ID, RESIDENT_NAME),
                         "committee": Persona(DEMO_COMMITTEE_ID, DEMO_COMMITTEE_NAME)}
        self.me = self.personas["resident"]
        self.screen = Screen()
        self._known: set[int] = set()

    def _ensure(self, persona: Persona) -> None:
        if persona.user_id not in self._known:
            self.emu.add_user(persona.user_id, persona.name, language_code=persona.language)
            self._known.add(persona.user_id)

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    async def handle_line(self, line: str) -> bool:
        """One line typed by the person; False when they want to leave."""
        line = line.strip()
        if not line:
            return True
        if line in {"/quit", "/exit"}:
            return False
        if line.startswith("/as"):
            self.switch(line[3:].strip())
            return True
        self._ensure(self.me)
        if line.isdigit() and int(line) in self.screen.choices:
            chat_id, message_id, data = self.screen.choices[int(line)]
            query_id = self.emu.user_presses(self.me.user_id, message_id, data, chat_id=chat_id)
            await self.app.settle(self.emu.last_update_id(), timeout=15)
            answer = self.emu.callback_answers.get(query_id) or {}
            if answer.get("text"):
                self.say(f"  ({'⚠ ' if answer.get('show_alert') else ''}{answer['text']})")
        else:
            self.emu.user_sends(self.me.user_id, line)
            await self.app.settle(self.emu.last_update_id(), timeout=15)
        self.show_new()
        return True

    def switch(self, who: str) -> None:
        if who in self.personas:
            self.me = self.personas[who]
        elif who.isdigit():
            self.me = self.personas.setdefault(who, Persona(int(who), f"User {who}"))
        else:
            self.say("  /as resident | /as committee | /as <telegram user id>")
            return
        self.say(f"— you are now {self.me.name} (id {self.me.user_id}) —")

    def show_new(self) -> None:
        """Print every bot message that is new or changed since last time, buttons numbered."""
        choices: dict[int, tuple[int, int, str]] = {}
        for chat_id in sorted(self._known):
            for message in self.emu.bot_messages(chat_id):
                key = (chat_id, message["message_id"])
                fingerprint = _fingerprint(message)
                if self.screen.seen.get(key) == fingerprint:
                    continue
                edited = key in self.screen.seen
                self.screen.seen[key] = fingerprint
                whom = "" if chat_id == self.me.user_id else f" → {chat_id}"
                self.say(f"\n🤖{whom}{' (edited)' if edited else ''}\n{_render(message)}")
                for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                    cells = []
                    for button in row:
                        if "callback_data" in button and chat_id == self.me.user_id:
                            number = len(choices) + 1
                            choices[number] = (chat_id, message["message_id"], button["callback_data"])
                            cells.append(f"[{number}] {button['text']}")
                        else:
                            cells.append(f"[ ] {button['text']}")
                    self.say("   " + "   ".join(cells))
        if choices:
            self.screen.choices = choices


async def _continue_update_ids(app: Linli, emulator: Any) -> None:
    """Telegram's update ids only grow; a fresh emulator on a kept database must not reuse stored ones."""
    from storage import inbox

    async with app.sessions() as session:
        last = await inbox.last_update_id(session)
    bot = emulator.state.bot(SANDBOX_TOKEN)
    bot.next_update_id = max(bot.next_update_id, last + 1)


async def run_sandbox(*, demo: bool = False, transport: Transport = Transport.AIOGRAM,
                      database_url: str | None = None, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    from bot.cli import make_door
    from bot.emulator import BotApiEmulator

    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_bot(SANDBOX_TOKEN, username="linli_sandbox_bot")
    settings = Settings(bot_token=SANDBOX_TOKEN, database_url=database_url or "sqlite+aiosqlite:///linli-sandbox.db",
                        transport=transport, bot_api_url=emulator.base_url)
    app = Linli(settings)
    await app.prepare()
    await _continue_update_ids(app, emulator)
    sandbox = Sandbox(app, emulator, out)
    door: Any = make_door(app, transport, SANDBOX_TOKEN, emulator.base_url)
    task = asyncio.create_task(door.run())
    try:
        sandbox.say(f"Linli sandbox — {transport.value} door, database {settings.database_url}")
        if demo:
            info = await seed_demo(app)
            sandbox.say("Demo community ready. Invite codes (building-unit-room code):")
            for building, unit, room, code in info.codes[:6]:
                sandbox.say(f"  {building}-{unit}-{room}  {code}")
            sandbox.say(f"Committee member: {DEMO_COMMITTEE_NAME} (id {DEMO_COMMITTEE_ID}) — `/as committee`.")
        sandbox.say("Type as a resident (try /start or /start <code>); numbers press buttons; /quit leaves.\n")
        while True:
            sandbox.say(f"[{sandbox.me.name}] >")
            line = await asyncio.to_thread(stdin.readline)
            if not line or not await sandbox.handle_line(line):
                break
    finally:
        await door.stop()
        await asyncio.wait_for(task, 15)
        await app.close()
        await emulator.stop()
