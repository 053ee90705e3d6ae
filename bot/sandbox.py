"""``linli sandbox``: the real bot, a real door, the built-in Bot API emulator, and you in the terminal.

You type as a resident; the bot's messages print with their buttons. Only the latest screen's buttons are
numbered (the bot's last message in the chat you are in): a number presses one of them; when that message has
no buttons (a prompt), a number is typed text like any other. Files the bot sends are saved to a folder.

``/as committee`` (or ``resident``, or a user id) switches persona; ``/group`` (or ``/as group``) speaks in a
demo group chat (try ``/bind`` there as the committee), ``/private`` back in the private chat; ``/quit`` leaves.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pydantic import SecretStr

from bot.app import Linli
from bot.config import Settings, Transport
from bot.demo import DEMO_COMMITTEE_ID, DEMO_COMMITTEE_NAME, seed_demo

SANDBOX_TOKEN = "1000000001:SANDBOXsandboxSANDBOXsandbox00000"
RESIDENT_ID = 1001
RESIDENT_NAME = "小王"
GROUP_CHAT_ID = -100100
GROUP_TITLE = "演示群聊"
FILES_DIR = Path("sandbox-files")
HELP = ("/as resident | /as committee | /as <telegram user id> — who you are;  /group — speak in the demo group "
        "chat, /private — back to the private chat;  a number presses a button of the latest screen;  "
        "/vote 2 — answer the latest poll here (/vote alone retracts);  /quit")


@dataclass
class Persona:
    user_id: int
    name: str
    language: str = "zh-hans"


@dataclass
class Screen:
    """Which message versions have been printed, and where the files the bot sent were saved."""

    seen: dict[tuple[int, int], str] = field(default_factory=dict)
    saved: dict[str, Path] = field(default_factory=dict)  # file_id → path


def _fingerprint(message: dict[str, Any]) -> str:
    poll = message.get("poll") or {}
    return repr((message.get("text"), message.get("caption"), message.get("reply_markup"), poll.get("is_closed")))


def _callback_buttons(message: dict[str, Any]) -> list[str]:
    return [button["callback_data"] for row in message.get("reply_markup", {}).get("inline_keyboard", [])
            for button in row if "callback_data" in button]


class Sandbox:
    def __init__(self, app: Linli, emulator: Any, out: TextIO = sys.stdout, files_dir: Path = FILES_DIR) -> None:
        self.app, self.emu, self.out, self.files_dir = app, emulator, out, files_dir
        self.personas = {"resident": Persona(RESIDENT_ID, RESIDENT_NAME),
                         "committee": Persona(DEMO_COMMITTEE_ID, DEMO_COMMITTEE_NAME)}
        self.me = self.personas["resident"]
        self.in_group = False
        self.screen = Screen()
        self._known: set[int] = set()
        self._group_members: set[int] = set()

    # ---- where the person is -----------------------------------------------------------------
    @property
    def chat_id(self) -> int:
        return GROUP_CHAT_ID if self.in_group else self.me.user_id

    @property
    def prompt(self) -> str:
        return f"[{self.me.name}{' @ ' + GROUP_TITLE if self.in_group else ''}] >"

    def _ensure(self, persona: Persona) -> None:
        if persona.user_id not in self._known:
            self.emu.add_user(persona.user_id, persona.name, language_code=persona.language)
            self._known.add(persona.user_id)
        if self.in_group and persona.user_id not in self._group_members:
            self._group_members.add(persona.user_id)
            # Registering the group again with one more member keeps its messages (they belong to the bot's chat).
            self.emu.add_group(GROUP_CHAT_ID, GROUP_TITLE, sorted(self._group_members))

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    # ---- one typed line ----------------------------------------------------------------------
    async def handle_line(self, line: str) -> bool:
        """One line typed by the person; False when they want to leave."""
        line = line.strip()
        if not line:
            return True
        command, _, rest = line.partition(" ")
        if command in {"/quit", "/exit"}:
            return False
        if command == "/as":
            self.switch(rest.strip())
            return True
        if command in {"/group", "/private"}:
            self.switch("group" if command == "/group" else "private")
            return True
        if command in {"/sandbox", "/?"}:
            self.say("  " + HELP)
            return True
        self._ensure(self.me)
        if command == "/vote":
            await self.vote(rest)
            return True
        choices = self.choices()
        if line.isdigit() and int(line) in choices:
            message_id, data = choices[int(line)]
            query_id = self.emu.user_presses(self.me.user_id, message_id, data, chat_id=self.chat_id)
            await self.app.settle(self.emu.last_update_id(), timeout=15)
            answer = self.emu.callback_answers.get(query_id) or {}
            if answer.get("text"):
                self.say(f"  ({'⚠ ' if answer.get('show_alert') else ''}{answer['text']})")
        else:
            self.emu.user_sends(self.me.user_id, line, chat_id=self.chat_id)
            await self.app.settle(self.emu.last_update_id(), timeout=15)
        self.show_new()
        return True

    async def vote(self, numbers: str) -> None:
        """Answer (or with no numbers retract) the bot's latest poll in the current chat, as Telegram's client."""
        polls = [m for m in self.emu.bot_messages(self.chat_id) if "poll" in m]
        if not polls or not all(part.isdigit() for part in numbers.split()):
            self.say("  (no poll here to answer)" if not polls else "  /vote 1 — the option's number")
            return
        try:
            update_id = self.emu.user_answers_poll(self.me.user_id, polls[-1]["message_id"],
                                                   [int(part) - 1 for part in numbers.split()], chat_id=self.chat_id)
        except ValueError as exc:
            self.say(f"  (Telegram would not let you: {exc})")
            return
        if update_id is not None:
            await self.app.settle(update_id, timeout=15)
        self.say("  (answer recorded)" if numbers.split() else "  (answer retracted)")
        self.show_new()

    def switch(self, who: str) -> None:
        if who == "group":
            self.in_group = True
        elif who == "private":
            self.in_group = False
        elif who in self.personas:
            self.me = self.personas[who]
        elif who.isdigit() and 0 < int(who) < 2 ** 52:
            self.me = self.personas.setdefault(who, Persona(int(who), f"User {who}"))
        else:
            self.say("  " + HELP)
            return
        self._ensure(self.me)
        where = f"in {GROUP_TITLE} (group chat {GROUP_CHAT_ID})" if self.in_group else "in your private chat"
        self.say(f"— you are now {self.me.name} (id {self.me.user_id}), {where} —")
        latest = self.latest()
        if latest is not None and _callback_buttons(latest):
            self._print(self.chat_id, latest, "(latest screen)")

    # ---- what the bot shows ------------------------------------------------------------------
    def latest(self) -> dict[str, Any] | None:
        """The bot's last message in the current chat: the only screen whose buttons numbers press."""
        messages = self.emu.bot_messages(self.chat_id)
        return messages[-1] if messages else None

    def choices(self) -> dict[int, tuple[int, str]]:
        """Number → (message id, callback data) for the latest screen; empty at a prompt without buttons."""
        latest = self.latest()
        if latest is None:
            return {}
        return {n: (latest["message_id"], data) for n, data in enumerate(_callback_buttons(latest), start=1)}

    def _chats(self) -> list[int]:
        return sorted(self._known) + ([GROUP_CHAT_ID] if self._group_members else [])

    def show_new(self) -> None:
        """Print every bot message that is new or changed since last time; the latest screen's buttons numbered."""
        for chat_id in self._chats():
            for message in self.emu.bot_messages(chat_id):
                key = (chat_id, message["message_id"])
                fingerprint = _fingerprint(message)
                if self.screen.seen.get(key) == fingerprint:
                    continue
                edited = key in self.screen.seen
                self.screen.seen[key] = fingerprint
                self._print(chat_id, message, "(edited)" if edited else "")

    def _print(self, chat_id: int, message: dict[str, Any], note: str) -> None:
        whom = "" if chat_id == self.chat_id else f" → {self._chat_label(chat_id)}"
        self.say(f"\n🤖{whom}{' ' + note if note else ''}")
        body = message.get("text") or message.get("caption")
        if body:
            self.say(body)
        if "poll" in message:
            poll = message["poll"]
            self.say(f"📊 {poll['question']}{'  (closed)' if poll['is_closed'] else '  (answer: /vote N)'}")
            for number, option in enumerate(poll["options"], start=1):
                self.say(f"   {number}. {option['text']} — {option['voter_count']}")
        saved = self._save_file(message)
        if saved is not None:
            self.say(f"📎 saved to {saved}")
        latest = self.latest() if chat_id == self.chat_id else None
        pressable = latest is not None and latest["message_id"] == message["message_id"]
        number = 0
        for row in message.get("reply_markup", {}).get("inline_keyboard", []):
            cells = []
            for button in row:
                if "callback_data" in button and pressable:
                    number += 1
                    cells.append(f"[{number}] {button['text']}")
                else:
                    cells.append(f"[ ] {button['text']}")
            self.say("   " + "   ".join(cells))

    def _chat_label(self, chat_id: int) -> str:
        if chat_id == GROUP_CHAT_ID:
            return GROUP_TITLE
        names = {p.user_id: p.name for p in self.personas.values()}
        return f"{names.get(chat_id, 'user')} ({chat_id})"

    def _save_file(self, message: dict[str, Any]) -> Path | None:
        """Save a document (or photo) the bot sent into the files folder; its path, or None if there is none."""
        if "document" in message:
            file_id, name = message["document"]["file_id"], message["document"].get("file_name") or "file"
        elif "photo" in message:
            file_id, name = message["photo"][-1]["file_id"], f"photo-{message['message_id']}.png"
        else:
            return None
        if file_id in self.screen.saved:
            return self.screen.saved[file_id]
        data = self.emu.file_bytes(file_id)
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / Path(name).name
        counter = 1
        while path.exists():
            counter += 1
            path = self.files_dir / f"{Path(name).stem}-{counter}{Path(name).suffix}"
        path.write_bytes(data)
        self.screen.saved[file_id] = path
        return path


async def _continue_update_ids(app: Linli, emulator: Any) -> None:
    """Telegram's update ids only grow; a fresh emulator on a kept database must not reuse stored ones."""
    from storage import inbox

    async with app.sessions() as session:
        last = await inbox.last_update_id(session)
    bot = emulator.state.bot(SANDBOX_TOKEN)
    bot.next_update_id = max(bot.next_update_id, last + 1)


async def run_sandbox(*, demo: bool = False, transport: Transport = Transport.PTB,
                      database_url: str | None = None, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout,
                      files_dir: Path = FILES_DIR) -> None:
    from bot.doors import make_door
    from bot.emulator import BotApiEmulator

    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_bot(SANDBOX_TOKEN, username="linli_sandbox_bot")
    settings = Settings(bot_token=SecretStr(SANDBOX_TOKEN),
                        database_url=database_url or "sqlite+aiosqlite:///linli-sandbox.db",
                        transport=transport, bot_api_url=emulator.base_url)
    app = Linli(settings)
    await app.prepare()
    await _continue_update_ids(app, emulator)
    sandbox = Sandbox(app, emulator, out, files_dir)
    door = make_door(app, transport, SANDBOX_TOKEN, emulator.base_url)
    task = asyncio.create_task(door.run())
    try:
        sandbox.say(f"Linli sandbox — {transport.value} door, database {settings.database_url}, "
                    f"files the bot sends go to {files_dir}/")
        if demo:
            info = await seed_demo(app)
            sandbox.say("Demo community ready. Invite codes (building-unit-room code):")
            for building, unit, room, code in info.codes[:6]:
                sandbox.say(f"  {building}-{unit}-{room}  {code}")
            sandbox.say(f"Committee member: {DEMO_COMMITTEE_NAME} (id {DEMO_COMMITTEE_ID}) — `/as committee`; "
                        f"`/group` to talk in a demo group chat (e.g. /bind).")
        sandbox.say("Type as a resident (try /start or /start <code>); numbers press the latest screen's buttons; "
                    "/sandbox for help; /quit leaves.\n")
        while True:
            sandbox.say(sandbox.prompt)
            line = await asyncio.to_thread(stdin.readline)
            if not line or not await sandbox.handle_line(line):
                break
    finally:
        await door.stop()
        await asyncio.wait_for(task, 15)
        await app.close()
        await emulator.stop()
