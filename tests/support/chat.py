"""Script users and assert on what they see — through the port directly, or through the emulator.

Both backends offer the same API::

    alice = harness.user(1001, "Alice")
    await alice.send("/start ABCD2345")
    await alice.tap("common.confirm")
    assert "注册成功" in alice.last.text
"""

from __future__ import annotations

import asyncio
import html
import re
from dataclasses import dataclass, field
from itertools import count
from typing import Any, assert_never

from bot.app import Linli
from bot.emulator.errors import ApiError
from bot.emulator.formatting import format_text
from bot.emulator.keyboards import check_reply_markup
from bot.emulator.methods_bot import CALLBACK_ANSWER_LIMIT
from handlers.port import (
    Action,
    AnswerButton,
    Attachment,
    ChatKind,
    EditText,
    Incoming,
    PollAnswer,
    SendDocument,
    Sender,
    SendError,
    SendPhoto,
    SendPoll,
    SendText,
    Sent,
    StopPoll,
)

TAG = re.compile(r"<[^>]+>")
# Like Telegram's, update ids only grow: a second harness on the same database (a "restart") must not
# reuse ids the inbox has seen, or its updates would be taken for duplicates.
_UPDATE_IDS = count(1)


def plain(text: str) -> str:
    """What a user reads: Telegram HTML without tags, entities decoded."""
    return html.unescape(TAG.sub("", text))


@dataclass
class Poll:
    """A native poll as the user sees it."""

    options: list[str]
    closed: bool = False
    poll_id: str | None = None  # Telegram's id of the poll


@dataclass
class Msg:
    """A message as the user sees it now (after edits)."""

    message_id: int
    text: str  # plain text as displayed
    buttons: list[list[tuple[str, str | None]]] = field(default_factory=list)  # (label, callback data)
    document: tuple[str, bytes] | None = None
    from_bot: bool = True
    poll: Poll | None = None

    @property
    def labels(self) -> list[str]:
        return [label for row in self.buttons for label, _ in row]

    def data_of(self, label: str) -> str:
        for row in self.buttons:
            for text, data in row:
                if text == label:
                    assert data is not None
                    return data
        raise AssertionError(f"no button {label!r} on message: {self.text!r} (buttons: {self.labels})")


@dataclass
class Toast:
    text: str | None
    alert: bool


class Harness:
    """Backend-neutral parts: users, chats, lookups."""

    app: Linli
    backend: str  # "port", "aiogram" or "ptb"

    def __init__(self) -> None:
        self._update_ids = _UPDATE_IDS

    def user(self, user_id: int, name: str = "Resident", language: str | None = "zh-hans") -> UserChat:
        return UserChat(self, user_id, name, language)

    def group(self, chat_id: int, title: str, members: list[UserChat]) -> None:
        """A group chat with the bot and ``members`` (the port needs none: any chat id is a chat)."""

    # backend primitives -----------------------------------------------------------------
    async def push_text(self, user: UserChat, chat_id: int, text: str) -> None:
        raise NotImplementedError

    async def push_press(self, user: UserChat, chat_id: int, message_id: int, data: str,
                         forged: bool = False) -> Toast:
        raise NotImplementedError

    async def push_attachment(self, user: UserChat, chat_id: int, kind: str, data: bytes, name: str) -> None:
        raise NotImplementedError

    async def push_poll_answer(self, user: UserChat, chat_id: int, message_id: int, option_ids: list[int]) -> None:
        raise NotImplementedError

    async def flush_outbox(self) -> None:
        """Send what the outbox holds now (after a scheduler job queued something)."""
        raise NotImplementedError

    def bot_messages(self, chat_id: int) -> list[Msg]:
        raise NotImplementedError


class UserChat:
    """One user; by default in their private chat with the bot."""

    def __init__(self, harness: Harness, user_id: int, name: str, language: str | None) -> None:
        self.harness, self.user_id, self.name, self.language = harness, user_id, name, language

    # acting -----------------------------------------------------------------------------
    async def send(self, text: str, *, chat_id: int | None = None) -> list[Msg]:
        chat = self.user_id if chat_id is None else chat_id
        before = len(self.harness.bot_messages(chat))
        await self.harness.push_text(self, chat, text)
        return self.harness.bot_messages(chat)[before:]

    async def press(self, label: str, *, message: Msg | None = None, chat_id: int | None = None) -> Toast:
        """Press the button labelled ``label`` on ``message`` (default: the newest message having it)."""
        chat = self.user_id if chat_id is None else chat_id
        target = message or self.find_button_message(label, chat)
        return await self.harness.push_press(self, chat, target.message_id, target.data_of(label))

    def label(self, key: str, /, **params: object) -> str:
        """A catalog text in this user's language: what a button reads, without spelling it out in a test."""
        lang = "en" if (self.language or "zh").lower().startswith("en") else "zh-Hans"
        return self.harness.app.translator(lang, key, **params)

    async def tap(self, key: str, /, *, message: Msg | None = None, chat_id: int | None = None,
                  **params: object) -> Toast:
        """Press the button whose label is the catalog text ``key`` (in this user's language)."""
        return await self.press(self.label(key, **params), message=message, chat_id=chat_id)

    async def press_data(self, data: str, message_id: int | None = None, *, chat_id: int | None = None) -> Toast:
        """Press a button with raw (possibly forged) callback data."""
        chat = self.user_id if chat_id is None else chat_id
        if message_id is None:
            message_id = self.harness.bot_messages(chat)[-1].message_id
        return await self.harness.push_press(self, chat, message_id, data, forged=True)

    async def answer_poll(self, message: Msg, option_ids: list[int], *, chat_id: int | None = None) -> None:
        """Choose ``option_ids`` in the bot's poll ``message`` (a change if chosen before; [] retracts)."""
        await self.harness.push_poll_answer(self, self.user_id if chat_id is None else chat_id, message.message_id,
                                            option_ids)

    async def send_photo(self, data: bytes, *, caption: str | None = None) -> list[Msg]:
        before = len(self.messages)
        await self.harness.push_attachment(self, self.user_id, "photo", data, caption or "")
        return self.messages[before:]

    async def send_document(self, data: bytes, name: str) -> list[Msg]:
        before = len(self.messages)
        await self.harness.push_attachment(self, self.user_id, "document", data, name)
        return self.messages[before:]

    # seeing -----------------------------------------------------------------------------
    @property
    def messages(self) -> list[Msg]:
        return self.harness.bot_messages(self.user_id)

    @property
    def last(self) -> Msg:
        messages = self.messages
        assert messages, f"user {self.user_id} has no messages from the bot"
        return messages[-1]

    def find_button_message(self, label: str, chat_id: int | None = None) -> Msg:
        for message in reversed(self.harness.bot_messages(self.user_id if chat_id is None else chat_id)):
            if label in message.labels:
                return message
        raise AssertionError(f"user {self.user_id} sees no button {label!r}; last: "
                             f"{self.harness.bot_messages(self.user_id if chat_id is None else chat_id)[-1:]}")

    def texts(self) -> list[str]:
        return [m.text for m in self.messages]


# ---- backend 1: straight through the port with a recording messenger -----------------------


def telegram_refusal(action: Action) -> str | None:
    """Why Telegram (the emulator's own checks) would refuse ``action``, or None: HTML, length in characters after
    parsing (text 4,096, caption 1,024, toast 200, poll question 300), buttons (callback data 1-64 bytes, text)."""
    try:
        match action:
            case AnswerButton():
                if action.text is not None and len(action.text) > CALLBACK_ANSWER_LIMIT:
                    return "Bad Request: MESSAGE_TOO_LONG"
                return None
            case SendText() | EditText():
                format_text(action.text, "HTML", None)
            case SendDocument() | SendPhoto():
                format_text(action.caption or "", "HTML", None, caption=True)
            case SendPoll():
                if len(action.question) > 300:
                    return "Bad Request: POLL_QUESTION_INVALID"
            case StopPoll():
                pass
            case _:
                assert_never(action)
        buttons = getattr(action, "buttons", None)
        if buttons:
            check_reply_markup({"inline_keyboard": [
                [{"text": b.text, "callback_data": b.data} if b.data is not None else {"text": b.text, "url": b.url}
                 for b in row] for row in buttons]})
    except ApiError as error:
        return error.description
    return None


class RecordingMessenger:
    """Keeps what the bot shows, per chat, like a Telegram client would; refuses what Telegram refuses
    (checked by the emulator's own rules, see :func:`telegram_refusal`)."""

    def __init__(self) -> None:
        self.chats: dict[int, list[Msg]] = {}
        self.toasts: dict[str, Toast] = {}
        self.actions: list[Action] = []
        self.refused: list[tuple[Action, str]] = []
        self.reachable: set[int] = set()
        self.files: dict[str, bytes] = {}  # what users sent, by file id (as Telegram keeps them)
        self._ids = count(1)
        self._poll_ids = count(5_000_001)

    async def download(self, file_id: str) -> bytes:
        if file_id not in self.files:
            raise SendError("Bad Request: invalid file_id")
        return self.files[file_id]

    def _chat(self, chat_id: int) -> list[Msg]:
        if chat_id not in self.reachable:
            raise SendError("Forbidden: bot can't initiate conversation with a user")
        return self.chats.setdefault(chat_id, [])

    def _find(self, chat_id: int, message_id: int) -> Msg | None:
        return next((m for m in self._chat(chat_id) if m.message_id == message_id), None)

    def _post(self, chat_id: int, message: Msg) -> Sent:  # lengths were checked by telegram_refusal
        self._chat(chat_id).append(message)
        return Sent(message.message_id)

    async def perform(self, action: Action) -> Sent:
        self.actions.append(action)
        refusal = telegram_refusal(action)
        if refusal is not None:
            self.refused.append((action, refusal))
            raise SendError(refusal)
        match action:
            case AnswerButton():
                self.toasts[action.callback_id] = Toast(action.text, action.alert)
                return Sent()
            case SendText():
                return self._post(action.chat_id, Msg(next(self._ids), plain(action.text), _buttons(action.buttons)))
            case EditText():
                edited = self._find(action.chat_id, action.message_id)
                if edited is None:
                    raise SendError("Bad Request: message to edit not found")
                edited.text, edited.buttons = plain(action.text), _buttons(action.buttons)
                return Sent(action.message_id)
            case SendDocument():
                content = action.content if isinstance(action.content, bytes) else action.content.encode()
                return self._post(action.chat_id, Msg(next(self._ids), plain(action.caption or ""), [],
                                                      (action.file_name, content)))
            case SendPhoto():
                return self._post(action.chat_id, Msg(next(self._ids), plain(action.caption or ""),
                                                      _buttons(action.buttons)))
            case SendPoll():
                poll = Poll(list(action.options), poll_id=str(next(self._poll_ids)))
                sent = self._post(action.chat_id, Msg(next(self._ids), plain(action.question),
                                                      _buttons(action.buttons), poll=poll))
                return Sent(sent.message_id, poll.poll_id)
            case StopPoll():
                stopped = self._find(action.chat_id, action.message_id)
                if stopped is None or stopped.poll is None:
                    raise SendError("Bad Request: message with poll to stop not found")
                if stopped.poll.closed:
                    raise SendError("Bad Request: poll has already been closed")
                stopped.poll.closed, stopped.buttons = True, _buttons(action.buttons)
                return Sent(action.message_id)
            case _:
                assert_never(action)


def _buttons(buttons: Any) -> list[list[tuple[str, str | None]]]:
    return [[(b.text, b.data) for b in row] for row in buttons] if buttons else []


class PortHarness(Harness):
    backend = "port"

    def __init__(self, app: Linli) -> None:
        super().__init__()
        self.app = app
        self.messenger = RecordingMessenger()
        self._callbacks = count(1)
        self._user_messages = count(10_000)
        from scheduler.outbox_sender import OutboxSender

        self.outbox = OutboxSender(app.sessions, self.messenger, app.clock, on_sent=app.sent_hooks)

    def _incoming(self, user: UserChat, chat_id: int, **fields: Any) -> Incoming:
        self.messenger.reachable.add(chat_id)
        return Incoming(update_id=next(self._update_ids), sender=Sender(user.user_id, user.name, user.language),
                        chat_id=chat_id, chat_kind=ChatKind.PRIVATE if chat_id > 0 else ChatKind.GROUP, **fields)

    async def _run(self, incoming: Incoming) -> None:
        await self.app.handle(incoming, self.messenger)
        await self.outbox.drain_once()

    async def push_text(self, user: UserChat, chat_id: int, text: str) -> None:
        await self._run(self._incoming(user, chat_id, text=text, message_id=next(self._user_messages)))

    async def push_press(self, user: UserChat, chat_id: int, message_id: int, data: str,
                         forged: bool = False) -> Toast:
        callback_id = str(next(self._callbacks))
        await self._run(self._incoming(user, chat_id, callback_data=data, callback_id=callback_id,
                                       message_id=message_id))
        return self.messenger.toasts.get(callback_id, Toast(None, False))

    async def push_attachment(self, user: UserChat, chat_id: int, kind: str, data: bytes, name: str) -> None:
        attachment = Attachment(kind=kind, file_id=f"file-{len(data)}-{next(self._callbacks)}",
                                file_name=name if kind == "document" else None, size=len(data))
        self.messenger.files[attachment.file_id] = data
        await self._run(self._incoming(user, chat_id, attachment=attachment,
                                       text=name if kind == "photo" and name else None,
                                       message_id=next(self._user_messages)))

    async def push_poll_answer(self, user: UserChat, chat_id: int, message_id: int, option_ids: list[int]) -> None:
        poll = next((m.poll for m in self.bot_messages(chat_id) if m.message_id == message_id), None)
        if poll is None or poll.poll_id is None:
            raise ValueError(f"no poll in message {message_id} of chat {chat_id}")
        if poll.closed:
            raise ValueError("the poll is closed")  # a client cannot answer a closed poll
        incoming = Incoming(update_id=next(self._update_ids), sender=Sender(user.user_id, user.name, user.language),
                            chat_id=user.user_id, chat_kind=ChatKind.PRIVATE,
                            poll_answer=PollAnswer(poll.poll_id, tuple(option_ids)))
        await self._run(incoming)

    async def flush_outbox(self) -> None:
        await self.outbox.drain_once()

    def bot_messages(self, chat_id: int) -> list[Msg]:
        return self.messenger.chats.get(chat_id, [])


# ---- backend 2: through the Bot API emulator and a real door --------------------------------


class EmulatorHarness(Harness):
    """The real framework's HTTP client talks to the emulator; we push updates as users."""

    def __init__(self, app: Linli, emulator: Any, door: Any) -> None:
        super().__init__()
        self.app, self.emu, self.door = app, emulator, door
        self.backend = "aiogram" if "aiogram" in type(door).__module__ else "ptb"
        self._task: asyncio.Task[None] | None = None
        self._known: set[int] = set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self.door.run())

    async def stop(self) -> None:
        await self.door.stop()
        if self._task is not None:
            await asyncio.wait_for(self._task, 15)

    def _ensure_user(self, user: UserChat) -> None:
        if user.user_id not in self._known:
            self.emu.add_user(user.user_id, user.name, language_code=user.language)
            self._known.add(user.user_id)

    def group(self, chat_id: int, title: str, members: list[UserChat]) -> None:
        for member in members:
            self._ensure_user(member)
        self.emu.add_group(chat_id, title, [m.user_id for m in members])

    async def _settle(self, update_id: int) -> None:
        await self.app.settle(update_id, timeout=15)

    async def push_text(self, user: UserChat, chat_id: int, text: str) -> None:
        self._ensure_user(user)
        message = self.emu.user_sends(user.user_id, text, chat_id=chat_id)
        await self._settle(self._update_id_of(message))

    async def push_press(self, user: UserChat, chat_id: int, message_id: int, data: str,
                         forged: bool = False) -> Toast:
        self._ensure_user(user)
        query_id = self.emu.user_presses(user.user_id, message_id, data, chat_id=chat_id, forged=forged)
        await self._settle(self.emu.last_update_id())
        answer = self.emu.callback_answers.get(query_id)
        return Toast(answer.get("text"), bool(answer.get("show_alert"))) if answer else Toast(None, False)

    async def push_attachment(self, user: UserChat, chat_id: int, kind: str, data: bytes, name: str) -> None:
        self._ensure_user(user)
        if kind == "photo":
            message = self.emu.user_sends_photo(user.user_id, data, caption=name or None, chat_id=chat_id)
        else:
            message = self.emu.user_sends_document(user.user_id, data, name, chat_id=chat_id)
        await self._settle(self._update_id_of(message))

    async def push_poll_answer(self, user: UserChat, chat_id: int, message_id: int, option_ids: list[int]) -> None:
        self._ensure_user(user)
        update_id = self.emu.user_answers_poll(user.user_id, message_id, option_ids, chat_id=chat_id)
        assert update_id is not None, "the door must ask for poll_answer updates"
        await self._settle(update_id)

    async def flush_outbox(self) -> None:
        assert self.app.outbox is not None
        self.app.outbox.wake()
        await asyncio.wait_for(self.app.outbox.idle(), 15)

    def _update_id_of(self, _message: dict[str, Any]) -> int:
        return self.emu.last_update_id()

    def bot_messages(self, chat_id: int) -> list[Msg]:
        result = []
        for raw in self.emu.bot_messages(chat_id):
            markup = raw.get("reply_markup", {}).get("inline_keyboard", [])
            buttons = [[(b["text"], b.get("callback_data")) for b in row] for row in markup]
            document = None
            if "document" in raw:
                document = (raw["document"].get("file_name", ""), self.emu.file_bytes(raw["document"]["file_id"]))
            poll, text = None, raw.get("text", raw.get("caption", ""))
            if "poll" in raw:
                poll = Poll([o["text"] for o in raw["poll"]["options"]], raw["poll"]["is_closed"], raw["poll"]["id"])
                text = raw["poll"]["question"]
            result.append(Msg(raw["message_id"], text, buttons, document, poll=poll))
        return result
