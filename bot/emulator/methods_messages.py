"""sendMessage, the edit* methods, deleteMessage and pinning."""

from __future__ import annotations

import copy
import time
from typing import Any

from bot.emulator.calls import Call, Handler
from bot.emulator.errors import bad_request
from bot.emulator.state import ChatRecord, require_group_rights

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same as a current "
    "content and reply markup of the message"
)
_COMPARED_FIELDS = ("text", "entities", "caption", "caption_entities", "reply_markup")
_MEDIA_FIELDS = ("photo", "document", "video", "audio", "animation", "voice")


async def send_message(call: Call) -> dict[str, Any]:
    """sendMessage: text 1-4096 after parsing, optional keyboard and reply."""
    record = call.state.writable_chat(call.bot, call.params["chat_id"])
    text = call.formatted("text", "parse_mode", "entities", caption=False)
    markup = call.reply_markup()
    content: dict[str, Any] = {**call.reply_to(record), "text": text.text}
    if text.entities:
        content["entities"] = text.entities
    call.admit(record)
    return call.post(record, content, markup)


def message_to_edit(call: Call) -> tuple[ChatRecord, dict[str, Any]]:
    """The bot's own message named by chat_id + message_id (inline messages are not emulated)."""
    if call.get("inline_message_id") is not None:
        raise bad_request("MESSAGE_ID_INVALID")
    if call.get("chat_id") is None:
        raise bad_request("chat_id is empty")
    if call.get("message_id") is None:
        raise bad_request("message identifier is not specified")
    record = call.state.writable_chat(call.bot, call.params["chat_id"])
    message = call.state.message(call.bot, record.id, call.params["message_id"])
    if message is None:
        raise bad_request("message to edit not found")
    if message["from"]["id"] != call.bot.id:
        raise bad_request("message can't be edited")
    return record, message


def apply_edit(call: Call, record: ChatRecord, message: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Apply ``changes`` (a None value removes the field); 400 "not modified" if nothing changes."""
    edited = copy.deepcopy(message)
    for key, value in changes.items():
        if value is None:
            edited.pop(key, None)
        else:
            edited[key] = value
    if all(edited.get(key) == message.get(key) for key in _COMPARED_FIELDS):
        raise bad_request(NOT_MODIFIED)
    call.admit(record)
    edited["edit_date"] = int(time.time())
    message.clear()
    message.update(edited)
    call.state.notify()
    call.state.emit("edited", message)
    return copy.deepcopy(message)


def inline_markup_change(call: Call) -> dict[str, Any] | None:
    """The new inline keyboard, or None to remove it (edits without reply_markup remove it, like Telegram)."""
    markup = call.reply_markup(inline_only=True)
    return markup if markup and markup.get("inline_keyboard") else None


async def edit_message_text(call: Call) -> dict[str, Any]:
    """editMessageText on a text message."""
    record, message = message_to_edit(call)
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    if call.get("text") is None and call.get("rich_message") is not None:
        raise bad_request("rich_message is not supported by the emulator")
    text = call.formatted("text", "parse_mode", "entities", caption=False)
    changes = {"text": text.text, "entities": text.entities or None, "reply_markup": inline_markup_change(call)}
    return apply_edit(call, record, message, changes)


async def edit_message_caption(call: Call) -> dict[str, Any]:
    """editMessageCaption on a media message (no caption parameter removes the caption)."""
    record, message = message_to_edit(call)
    if not any(key in message for key in _MEDIA_FIELDS):
        raise bad_request("there is no caption in the message to edit")
    caption = call.formatted("caption", "parse_mode", "caption_entities", caption=True)
    changes = {"caption": caption.text or None, "caption_entities": caption.entities or None,
               "reply_markup": inline_markup_change(call)}
    return apply_edit(call, record, message, changes)


async def edit_message_reply_markup(call: Call) -> dict[str, Any]:
    """editMessageReplyMarkup (no reply_markup removes the keyboard)."""
    record, message = message_to_edit(call)
    return apply_edit(call, record, message, {"reply_markup": inline_markup_change(call)})


async def delete_message(call: Call) -> bool:
    """deleteMessage: the bot's own messages anywhere; others' in private chats or as a group admin."""
    record = call.state.chat(call.params["chat_id"])
    message_id = call.params["message_id"]
    message = call.state.message(call.bot, record.id, message_id)
    if message is None:
        raise bad_request("message to delete not found")
    if message["from"]["id"] != call.bot.id and record.is_group and not record.bot_is_admin:
        raise bad_request("message can't be deleted")
    del call.bot.messages[record.id][message_id]
    pinned = call.bot.pinned.get(record.id, [])
    if message_id in pinned:
        pinned.remove(message_id)
    call.state.notify()
    call.state.emit("deleted", {"chat_id": record.id, "message_id": message_id})
    return True


async def pin_chat_message(call: Call) -> bool:
    """pinChatMessage; adds Telegram's "pinned a message" service message to the chat."""
    record = call.state.writable_chat(call.bot, call.params["chat_id"])
    require_group_rights(record, "manage pinned messages in the chat")
    target = call.state.message(call.bot, record.id, call.params["message_id"])
    if target is None:
        raise bad_request("message to pin not found")
    pinned = call.bot.pinned.setdefault(record.id, [])
    if target["message_id"] in pinned:
        pinned.remove(target["message_id"])
    pinned.append(target["message_id"])
    shown = copy.deepcopy(target)
    shown.pop("reply_to_message", None)
    service = call.state.add_message(call.bot, record, call.bot.sender(), {"pinned_message": shown})
    call.state.emit("pinned", service)
    return True


async def unpin_chat_message(call: Call) -> bool:
    """unpinChatMessage: the given message, or the most recently pinned one."""
    record = call.state.writable_chat(call.bot, call.params["chat_id"])
    require_group_rights(record, "manage pinned messages in the chat")
    pinned = call.bot.pinned.get(record.id, [])
    message_id = call.get("message_id")
    if message_id is not None and call.state.message(call.bot, record.id, message_id) is None:
        raise bad_request("message to unpin not found")
    if message_id is None and pinned:
        message_id = pinned[-1]
    if message_id in pinned:
        pinned.remove(message_id)
        call.state.notify()
        call.state.emit("unpinned", {"chat_id": record.id, "message_id": message_id})
    return True


HANDLERS: dict[str, Handler] = {
    "sendMessage": send_message,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "pinChatMessage": pin_chat_message,
    "unpinChatMessage": unpin_chat_message,
}
