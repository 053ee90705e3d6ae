"""What the emulated Telegram knows: bots, users, chats, messages, update queues.

Single event loop, no threads: call everything from the loop the server runs
on. Every change calls :meth:`EmulatorState.notify`, which wakes long polls
and ``wait_until`` callers.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.errors import ApiError, bad_request, chat_not_found, forbidden
from bot.emulator.media import FileStore

log = logging.getLogger(__name__)

UPDATE_TYPES = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection", "business_message",
    "edited_business_message", "deleted_business_messages", "guest_message", "message_reaction",
    "message_reaction_count", "inline_query", "chosen_inline_result", "callback_query", "shipping_query",
    "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer", "my_chat_member", "chat_member",
    "chat_join_request", "chat_boost", "removed_chat_boost", "managed_bot",
)
# What a bot receives when it never set allowed_updates (or set an empty list).
DEFAULT_UPDATE_TYPES = frozenset(UPDATE_TYPES) - {"chat_member", "message_reaction", "message_reaction_count"}

Observer = Callable[[str, dict[str, Any]], None]


@dataclass
class ChatRecord:
    """A chat: its Chat object, members (user ids) and whether the bot is an admin there."""

    chat: dict[str, Any]
    member_ids: set[int] = field(default_factory=set)
    bot_is_admin: bool = True

    @property
    def id(self) -> int:
        """The chat id."""
        return int(self.chat["id"])

    @property
    def is_group(self) -> bool:
        """True for groups and supergroups."""
        return self.chat["type"] in ("group", "supergroup")


@dataclass
class CallbackRecord:
    """A button press the bot may answer once."""

    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False


@dataclass
class PollRecord:
    """A native poll the bot sent: where it is and who voted for what."""

    chat_id: int
    message_id: int
    votes: dict[int, list[int]] = field(default_factory=dict)
    closes_at: float | None = None  # Unix time Telegram closes it by itself (open_period / close_date)


@dataclass
class BotState:
    """Everything one bot (one token) sees."""

    token: str
    user: dict[str, Any]
    updates: list[dict[str, Any]] = field(default_factory=list)
    next_update_id: int = 1
    confirmed_update_id: int = 0
    delivered_update_ids: set[int] = field(default_factory=set)
    dropped_updates: list[dict[str, Any]] = field(default_factory=list)
    allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
    webhook: dict[str, Any] = field(default_factory=dict)
    messages: dict[int, dict[int, dict[str, Any]]] = field(default_factory=dict)
    last_message_id: dict[int, int] = field(default_factory=dict)
    started_user_ids: set[int] = field(default_factory=set)
    blocked_user_ids: set[int] = field(default_factory=set)
    callbacks: dict[str, CallbackRecord] = field(default_factory=dict)
    callback_answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    menu_buttons: dict[int | None, dict[str, Any]] = field(default_factory=dict)
    reply_keyboards: dict[int, dict[str, Any]] = field(default_factory=dict)
    polls: dict[str, PollRecord] = field(default_factory=dict)
    pinned: dict[int, list[int]] = field(default_factory=dict)
    chat_actions: list[dict[str, Any]] = field(default_factory=list)
    poll_generation: int = 0

    @property
    def id(self) -> int:
        """The bot's user id (the number before ":" in the token)."""
        return int(self.user["id"])

    def sender(self) -> dict[str, Any]:
        """The bot as the ``from`` of its messages."""
        return {key: self.user[key] for key in ("id", "is_bot", "first_name", "username") if key in self.user}


class EmulatorState:
    """All bots, users, chats and files, plus the change notification."""

    def __init__(self) -> None:
        self.bots: dict[str, BotState] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.files = FileStore()
        self.observers: list[Observer] = []
        self.stopping = False
        self.version = 0
        self._changed: asyncio.Event | None = None
        self._query_ids = itertools.count(1)
        self._poll_ids = itertools.count(1)

    # ---- change notification ----------------------------------------------------------------

    def reset_wakeup(self) -> None:
        """Forget the wake-up event (call when (re)starting on a new event loop)."""
        self._changed = None

    def notify(self) -> None:
        """Something changed: wake every waiter."""
        self.version += 1
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def wait_changed(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the next change; True if one happened."""
        if timeout <= 0:
            return False
        if self._changed is None:
            self._changed = asyncio.Event()
        event = self._changed
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            return False
        return True

    def emit(self, event: str, data: dict[str, Any]) -> None:
        """Tell observers (e.g. the sandbox) what the bot did."""
        for observer in list(self.observers):
            try:
                observer(event, copy.deepcopy(data))
            except Exception:  # an observer must not break the server
                log.exception("emulator observer failed on %s", event)

    # ---- lookups ------------------------------------------------------------------------------

    def bot(self, token: str | None = None) -> BotState:
        """The bot with this token; without a token, the only bot registered."""
        if token is not None:
            if token not in self.bots:
                raise KeyError(f"no bot registered with token {token!r}")
            return self.bots[token]
        if len(self.bots) != 1:
            raise ValueError(f"{len(self.bots)} bots registered: pass bot_token")
        return next(iter(self.bots.values()))

    def user(self, user_id: int) -> dict[str, Any]:
        """A registered user (ValueError if unknown)."""
        if user_id not in self.users:
            raise ValueError(f"unknown user {user_id}: call add_user first")
        return self.users[user_id]

    def find_user(self, user_id: int) -> dict[str, Any] | None:
        """A user or bot as a User object, or None."""
        if user_id in self.users:
            return dict(self.users[user_id])
        for bot in self.bots.values():
            if bot.id == user_id:
                return bot.sender()
        return None

    def chat(self, chat_id: int | str) -> ChatRecord:
        """The chat with this id or @username, or ApiError 400 "chat not found"."""
        if isinstance(chat_id, str):
            if not chat_id.startswith("@"):
                raise chat_not_found()
            for record in self.chats.values():
                if record.is_group and record.chat.get("username", "").lower() == chat_id[1:].lower():
                    return record
            raise chat_not_found()
        found = self.chats.get(chat_id)
        if found is None:
            raise chat_not_found()
        return found

    def writable_chat(self, bot: BotState, chat_id: int | str) -> ChatRecord:
        """The chat, if the bot may post there: 400 unknown, 403 never started or blocked."""
        record = self.chat(chat_id)
        if record.chat["type"] == "private":
            if record.id in bot.blocked_user_ids:
                raise forbidden("bot was blocked by the user")
            if record.id not in bot.started_user_ids:
                raise forbidden("bot can't initiate conversation with a user")
        return record

    def message(self, bot: BotState, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The stored message, or None."""
        return bot.messages.get(chat_id, {}).get(message_id)

    # ---- building messages and updates ---------------------------------------------------------

    def add_message(self, bot: BotState, record: ChatRecord, sender: dict[str, Any], content: dict[str, Any]) -> dict:
        """Create and store a message in ``record``'s chat; return the stored dict."""
        message_id = bot.last_message_id.get(record.id, 0) + 1
        bot.last_message_id[record.id] = message_id
        message = {"message_id": message_id, "from": dict(sender), "chat": dict(record.chat),
                   "date": int(time.time()), **content}
        bot.messages.setdefault(record.id, {})[message_id] = message
        self.notify()
        return message

    def push_update(self, bot: BotState, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update for the bot (dropped if its allowed_updates exclude ``kind``)."""
        update = {"update_id": bot.next_update_id, kind: copy.deepcopy(payload)}
        bot.next_update_id += 1
        if kind not in bot.allowed_updates:
            bot.dropped_updates.append(update)
            self.notify()
            return None
        bot.updates.append(update)
        self.notify()
        return update

    def new_query_id(self, bot: BotState) -> str:
        """A fresh callback query id (digits, like Telegram's)."""
        return f"{bot.id % 1_000_000}{next(self._query_ids):010d}"

    def new_poll_id(self) -> str:
        """A fresh poll id."""
        return f"5{next(self._poll_ids):017d}"


def chat_instance(bot: BotState, chat_id: int) -> str:
    """A stable chat_instance string for callback queries from one chat."""
    return str((bot.id * 1_000_003 + chat_id) % (2**63))


def require_group_rights(record: ChatRecord, action: str) -> None:
    """400 unless the bot is an admin in a group (private chats are always fine)."""
    if record.is_group and not record.bot_is_admin:
        raise bad_request(f"not enough rights to {action}")


def api_error_to_value_error(error: ApiError) -> ValueError:
    """User-side helpers raise ValueError; keep Telegram's description in it."""
    return ValueError(error.description)


def expire_poll(state: EmulatorState, bot: BotState, poll_id: str, now: float | None = None) -> bool:
    """Close the bot's poll if its open_period / close_date has passed (Telegram does it by itself and tells the
    bot with a ``poll`` update). True if it was closed now."""
    record = bot.polls.get(poll_id)
    if record is None or record.closes_at is None or (time.time() if now is None else now) < record.closes_at:
        return False
    message = state.message(bot, record.chat_id, record.message_id)
    if message is None or message["poll"]["is_closed"]:
        return False
    message["poll"]["is_closed"] = True
    state.push_update(bot, "poll", message["poll"])
    return True
