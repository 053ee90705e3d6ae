"""Bot-level methods: getMe, logOut/close, commands, menu button, getChat, getFile,
sendChatAction and answerCallbackQuery."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from bot.emulator.calls import Call, Handler
from bot.emulator.errors import bad_request
from bot.emulator.media import file_object
from bot.emulator.text_entities import char_length, check_link

CALLBACK_ANSWER_LIMIT = 200
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice", "upload_document",
    "choose_sticker", "find_location", "record_video_note", "upload_video_note",
})
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
_SCOPES = frozenset({"default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
                     "chat_administrators", "chat_member"})
_MENU_BUTTON_TYPES = frozenset({"commands", "web_app", "default"})
_GIFT_TYPES = {"unlimited_gifts": True, "limited_gifts": True, "unique_gifts": True, "premium_subscription": True,
               "gifts_from_channels": True}


async def get_me(call: Call) -> dict[str, Any]:
    """getMe: the bot's User with the getMe-only capability fields."""
    return dict(call.bot.user)


async def always_true(call: Call) -> bool:
    """logOut and close: nothing to do locally."""
    return True


def _commands_key(call: Call) -> tuple[str, str]:
    scope = call.get("scope") or {"type": "default"}
    if scope.get("type") not in _SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    language = call.get("language_code", "")
    if language and not _LANGUAGE_RE.match(language):
        raise bad_request("invalid language code specified (a two-letter ISO 639-1 code is expected)")
    return json.dumps(scope, sort_keys=True), language


async def set_my_commands(call: Call) -> bool:
    """setMyCommands: 1-32 lowercase letters/digits/_ per command, 1-256 character descriptions."""
    key = _commands_key(call)
    commands = call.params["commands"]
    if len(commands) > 100:
        raise bad_request("too many commands specified (at most 100)")
    cleaned = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not _COMMAND_RE.match(name.removeprefix("/")):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= char_length(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name.removeprefix("/"), "description": description.strip()})
    if cleaned:
        call.bot.commands[key] = cleaned
    else:
        call.bot.commands.pop(key, None)
    call.state.notify()
    return True


async def get_my_commands(call: Call) -> list[dict[str, Any]]:
    """getMyCommands for exactly this scope and language."""
    return list(call.bot.commands.get(_commands_key(call), []))


async def delete_my_commands(call: Call) -> bool:
    """deleteMyCommands for this scope and language."""
    call.bot.commands.pop(_commands_key(call), None)
    call.state.notify()
    return True


async def set_chat_menu_button(call: Call) -> bool:
    """setChatMenuButton for a private chat, or the default (no chat_id)."""
    chat_id = call.get("chat_id")
    if chat_id is not None and call.state.chat(chat_id).chat["type"] != "private":
        raise bad_request("chat not found")
    button = call.get("menu_button") or {"type": "default"}
    if button.get("type") not in _MENU_BUTTON_TYPES:
        raise bad_request("can't parse MenuButton JSON object")
    if button["type"] == "web_app":
        url = (button.get("web_app") or {}).get("url", "")
        if not button.get("text") or not str(url).startswith("https://"):
            raise bad_request("BUTTON_URL_INVALID")
    call.bot.menu_buttons[chat_id] = dict(button)
    call.state.notify()
    return True


async def get_chat_menu_button(call: Call) -> dict[str, Any]:
    """getChatMenuButton: the chat's button, else the default one."""
    buttons = call.bot.menu_buttons
    return dict(buttons.get(call.get("chat_id")) or buttons.get(None) or {"type": "default"})


async def get_chat(call: Call) -> dict[str, Any]:
    """getChat: the ChatFullInfo of a known chat."""
    record = call.state.chat(call.params["chat_id"])
    info: dict[str, Any] = {**record.chat, "accent_color_id": 0, "max_reaction_count": 11,
                            "accepted_gift_types": dict(_GIFT_TYPES)}
    pinned = call.bot.pinned.get(record.id)
    if pinned:
        message = call.state.message(call.bot, record.id, pinned[-1])
        if message is not None:
            info["pinned_message"] = message
    return info


async def get_file(call: Call) -> dict[str, Any]:
    """getFile: a File with file_path for GET /file/bot<token>/<file_path>."""
    stored = call.state.files.get(call.params["file_id"])
    if stored is None:
        raise bad_request("invalid file_id")
    return file_object(stored)


async def send_chat_action(call: Call) -> bool:
    """sendChatAction: one of Telegram's actions, to a chat the bot may write to."""
    record = call.state.writable_chat(call.bot, call.params["chat_id"])
    action = call.params["action"]
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    event = {"chat_id": record.id, "action": action, "time": time.time()}
    call.bot.chat_actions.append(event)
    call.state.notify()
    call.state.emit("chat_action", event)
    return True


async def answer_callback_query(call: Call) -> bool:
    """answerCallbackQuery: once per query; text up to 200 characters."""
    query_id = call.params["callback_query_id"]
    record = call.bot.callbacks.get(query_id)
    if record is None or record.answered:
        raise bad_request(QUERY_INVALID)
    text = call.get("text")
    if text is not None and char_length(text) > CALLBACK_ANSWER_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")
    url = call.get("url")
    if url is not None and check_link(url) is None:
        raise bad_request("URL_INVALID")
    record.answered = True
    answer = {"text": text, "show_alert": bool(call.get("show_alert", False)), "url": url,
              "cache_time": call.get("cache_time", 0)}
    call.bot.callback_answers[query_id] = answer
    call.state.notify()
    call.state.emit("answered", {"callback_query_id": query_id, "chat_id": record.chat_id,
                                 "message_id": record.message_id, **answer})
    return True


HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "logOut": always_true,
    "close": always_true,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
    "getChat": get_chat,
    "getFile": get_file,
    "sendChatAction": send_chat_action,
    "answerCallbackQuery": answer_callback_query,
}
