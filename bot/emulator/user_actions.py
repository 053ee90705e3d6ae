"""The people's side: users writing, pressing buttons, voting, blocking the bot.

Each action stores what Telegram would store and queues the update the bot
would receive. Misuse (unknown user, a user outside the group, a button that
does not exist) raises ValueError: a real client could not do it either.
Groups behave as if the bot's privacy mode were off (it sees every message).
"""

from __future__ import annotations

import copy
import re
import time
from typing import Any

from bot.emulator.errors import ApiError
from bot.emulator.keyboards import callback_data_of
from bot.emulator.media import store_document, store_photo
from bot.emulator.state import BotState, CallbackRecord, ChatRecord, EmulatorState, chat_instance, expire_poll

_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?(?=\s|$)")


def chat_of_user(state: EmulatorState, bot: BotState, user_id: int, chat_id: int | None) -> ChatRecord:
    """The chat a user acts in (their private chat by default); marks the bot as started there."""
    state.user(user_id)
    record = state.chats.get(user_id if chat_id is None else chat_id)
    if record is None:
        raise ValueError(f"unknown chat {chat_id}: call add_group first")
    if record.is_group and user_id not in record.member_ids:
        raise ValueError(f"user {user_id} is not a member of chat {record.id}")
    if record.chat["type"] == "private":
        if record.id != user_id:
            raise ValueError(f"chat {record.id} is another user's private chat")
        if user_id in bot.blocked_user_ids:
            raise ValueError(f"user {user_id} has blocked the bot: call user_unblocks_bot first")
        bot.started_user_ids.add(user_id)
    return record


def _post_from_user(
    state: EmulatorState, bot: BotState, user_id: int, record: ChatRecord, content: dict[str, Any], reply_to: int | None
) -> dict[str, Any]:
    if reply_to is not None:
        target = state.message(bot, record.id, reply_to)
        if target is None:
            raise ValueError(f"no message {reply_to} in chat {record.id} to reply to")
        replied = copy.deepcopy(target)
        replied.pop("reply_to_message", None)
        content = {"reply_to_message": replied, **content}
    message = state.add_message(bot, record, state.users[user_id], content)
    state.push_update(bot, "message", message)
    return copy.deepcopy(message)


def user_sends(
    state: EmulatorState, bot: BotState, user_id: int, text: str, *, chat_id: int | None = None,
    reply_to: int | None = None,
) -> dict[str, Any]:
    """A text message; "/cmd" or "/cmd@bot" at the start gets a bot_command entity."""
    if not text:
        raise ValueError("a Telegram message cannot be empty")
    record = chat_of_user(state, bot, user_id, chat_id)
    content: dict[str, Any] = {"text": text}
    command = _COMMAND_RE.match(text)
    if command:
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.group(0))}]
    return _post_from_user(state, bot, user_id, record, content, reply_to)


def user_sends_photo(
    state: EmulatorState, bot: BotState, user_id: int, data: bytes, *, caption: str | None = None,
    chat_id: int | None = None,
) -> dict[str, Any]:
    """A photo (must be a real PNG/JPEG/GIF/WebP image) with an optional caption."""
    record = chat_of_user(state, bot, user_id, chat_id)
    try:
        sizes = store_photo(state.files, data)
    except ApiError as error:
        raise ValueError(f"Telegram would not accept this photo: {error.description}") from None
    content: dict[str, Any] = {"photo": sizes}
    if caption:
        content["caption"] = caption
    return _post_from_user(state, bot, user_id, record, content, None)


def user_sends_document(
    state: EmulatorState, bot: BotState, user_id: int, data: bytes, file_name: str,
    mime_type: str = "application/octet-stream", *, chat_id: int | None = None,
) -> dict[str, Any]:
    """A file sent as a document."""
    record = chat_of_user(state, bot, user_id, chat_id)
    document = store_document(state.files, data, file_name, mime_type)
    return _post_from_user(state, bot, user_id, record, {"document": document}, None)


def user_presses(
    state: EmulatorState, bot: BotState, user_id: int, message_id: int, callback_data: str, *,
    chat_id: int | None = None, forged: bool = False,
) -> str:
    """A tap on an inline button; returns the callback query id.

    The button must exist on the message as it is now, unless ``forged``
    (to test how the bot handles stale or tampered payloads).
    """
    record = chat_of_user(state, bot, user_id, chat_id)
    message = state.message(bot, record.id, message_id)
    if message is None:
        raise ValueError(f"no message {message_id} in chat {record.id}")
    buttons = callback_data_of(message.get("reply_markup"))
    if not forged and callback_data not in buttons:
        raise ValueError(f"message {message_id} has no button with callback_data {callback_data!r}; it has {buttons}")
    query_id = state.new_query_id(bot)
    bot.callbacks[query_id] = CallbackRecord(query_id, user_id, record.id, message_id, callback_data)
    query = {"id": query_id, "from": dict(state.users[user_id]), "message": copy.deepcopy(message),
             "chat_instance": chat_instance(bot, record.id), "data": callback_data}
    state.push_update(bot, "callback_query", query)
    return query_id


def user_answers_poll(
    state: EmulatorState, bot: BotState, user_id: int, message_id: int, option_ids: list[int], *,
    chat_id: int | None = None,
) -> int | None:
    """A vote, a changed vote or (with []) a retracted vote in the bot's poll: a ``poll`` update, plus a
    ``poll_answer`` if the poll is public (its update id is returned; None if none was queued).

    Only what a client allows: an open poll, options within it, one option unless multiple answers are allowed,
    a change or retraction only of a vote cast, and only when the poll allows revoting (regular polls do by
    default, quizzes never)."""
    record = chat_of_user(state, bot, user_id, chat_id)
    message = state.message(bot, record.id, message_id)
    if message is None or "poll" not in message:
        raise ValueError(f"no poll in message {message_id} of chat {record.id}")
    poll = message["poll"]
    expire_poll(state, bot, poll["id"])
    if poll["is_closed"]:
        raise ValueError("the poll is closed")
    if len(option_ids) > 1 and not poll["allows_multiple_answers"]:
        raise ValueError("this poll allows one answer only")
    if len(set(option_ids)) != len(option_ids):
        raise ValueError(f"an option chosen twice: {option_ids}")
    if any(not 0 <= i < len(poll["options"]) for i in option_ids):
        raise ValueError(f"option ids out of range: {option_ids}")
    votes = bot.polls[poll["id"]].votes
    previous = votes.get(user_id, [])
    if not option_ids and not previous:
        raise ValueError("there is no vote to retract")
    if previous and not poll["allows_revoting"]:
        raise ValueError("this poll does not allow changing a vote")
    for i in previous:
        poll["options"][i]["voter_count"] -= 1
    for i in option_ids:
        poll["options"][i]["voter_count"] += 1
    votes[user_id] = sorted(option_ids)
    poll["total_voter_count"] = sum(1 for chosen in votes.values() if chosen)
    state.notify()
    queued = None
    if not poll["is_anonymous"]:
        chosen = sorted(option_ids)
        answer = {"poll_id": poll["id"], "user": dict(state.users[user_id]), "option_ids": chosen,
                  "option_persistent_ids": [poll["options"][i]["persistent_id"] for i in chosen]}
        queued = state.push_update(bot, "poll_answer", answer)
    state.push_update(bot, "poll", poll)
    return None if queued is None else int(queued["update_id"])


def _chat_member(bot: BotState, status: str) -> dict[str, Any]:
    member: dict[str, Any] = {"status": status, "user": bot.sender()}
    if status == "kicked":
        member["until_date"] = 0
    return member


def _member_change(state: EmulatorState, bot: BotState, user_id: int, old: str, new: str) -> None:
    update = {"chat": dict(state.chats[user_id].chat), "from": dict(state.users[user_id]), "date": int(time.time()),
              "old_chat_member": _chat_member(bot, old), "new_chat_member": _chat_member(bot, new)}
    state.push_update(bot, "my_chat_member", update)


def user_blocks_bot(state: EmulatorState, bot: BotState, user_id: int) -> None:
    """The user blocks the bot: later sends to them get 403; the bot gets my_chat_member (kicked)."""
    state.user(user_id)
    if user_id not in bot.blocked_user_ids:
        bot.blocked_user_ids.add(user_id)
        _member_change(state, bot, user_id, "member", "kicked")


def user_unblocks_bot(state: EmulatorState, bot: BotState, user_id: int) -> None:
    """The user unblocks (restarts) the bot; the bot gets my_chat_member (member)."""
    state.user(user_id)
    if user_id in bot.blocked_user_ids:
        bot.blocked_user_ids.discard(user_id)
        bot.started_user_ids.add(user_id)
        _member_change(state, bot, user_id, "kicked", "member")
