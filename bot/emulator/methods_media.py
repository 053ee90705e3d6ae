"""sendPhoto, sendDocument, sendPoll and stopPoll."""

from __future__ import annotations

import copy
import time
from typing import Any

from bot.emulator.calls import Call, Handler
from bot.emulator.errors import bad_request
from bot.emulator.formatting import format_text
from bot.emulator.media import StoredFile, document_object, store_document, store_photo
from bot.emulator.state import PollRecord, expire_poll
from bot.emulator.text_entities import char_length
from bot.emulator.uploads import Upload

POLL_QUESTION_LIMIT = 300
POLL_OPTION_LIMIT = 100
POLL_MAX_OPTIONS = 12
# Bot API 10.1: open_period 5-2628000 s, close_date 5-2628000 s ahead (older APIs allowed 600 s at most).
POLL_MIN_PERIOD = 5
POLL_MAX_PERIOD = 2_628_000


def _file_reference(call: Call, param: str, kind: str) -> Upload | StoredFile:
    """An uploaded file, or a stored file named by file_id; URLs fail (the emulator has no network)."""
    value = call.params[param]
    if isinstance(value, Upload):
        return value
    if value.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")
    stored = call.state.files.get(value)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if stored.kind != kind:
        raise bad_request(f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}")
    return stored


def _caption(call: Call) -> dict[str, Any]:
    caption = call.formatted("caption", "parse_mode", "caption_entities", caption=True)
    content: dict[str, Any] = {}
    if caption.text:
        content["caption"] = caption.text
    if caption.entities:
        content["caption_entities"] = caption.entities
    return content


async def send_photo(call: Call) -> dict[str, Any]:
    """sendPhoto: a real image upload (PNG/JPEG/GIF/WebP) or a known photo file_id."""
    record = call.state.writable_chat(call.bot, call.params["chat_id"])
    reference = _file_reference(call, "photo", "photo")
    content = {**call.reply_to(record), **_caption(call)}
    markup = call.reply_markup()
    if isinstance(reference, Upload):
        sizes = store_photo(call.state.files, reference.data)
    else:
        sizes = copy.deepcopy(call.state.files.photo_sizes[reference.file_id])
    call.admit(record)
    if call.get("has_spoiler"):
        content["has_media_spoiler"] = True
    return call.post(record, {"photo": sizes, **content}, markup)


async def send_document(call: Call) -> dict[str, Any]:
    """sendDocument: an upload (file name and type from the multipart part) or a known document file_id."""
    record = call.state.writable_chat(call.bot, call.params["chat_id"])
    reference = _file_reference(call, "document", "document")
    content = {**call.reply_to(record), **_caption(call)}
    markup = call.reply_markup()
    if isinstance(reference, Upload):
        document = store_document(call.state.files, reference.data, reference.filename, reference.content_type)
    else:
        document = document_object(reference)
    call.admit(record)
    return call.post(record, {"document": document, **content}, markup)


def _poll_options(raw: list[Any]) -> list[dict[str, Any]]:
    if not raw:
        raise bad_request("poll must have at least 1 option")
    if len(raw) > POLL_MAX_OPTIONS:
        raise bad_request(f"poll can't have more than {POLL_MAX_OPTIONS} options")
    options = []
    for index, item in enumerate(raw):
        text = item.get("text") if isinstance(item, dict) else item
        if not isinstance(text, str) or not text.strip():
            raise bad_request("poll options must be non-empty")
        if char_length(text.strip()) > POLL_OPTION_LIMIT:
            raise bad_request(f"poll options length must not exceed {POLL_OPTION_LIMIT}")
        options.append({"persistent_id": str(index), "text": text.strip(), "voter_count": 0})
    return options


def _poll_timing(call: Call, poll: dict[str, Any]) -> float | None:
    """open_period / close_date as the spec bounds them; returns when Telegram closes the poll by itself."""
    open_period = call.get("open_period")
    close_date = call.get("close_date")
    if open_period is not None and close_date is not None:
        raise bad_request("can't use open_period and close_date together")
    now = time.time()
    if open_period is not None:
        if not POLL_MIN_PERIOD <= open_period <= POLL_MAX_PERIOD:
            raise bad_request("wrong open period specified")
        poll["open_period"] = open_period
        return now + open_period
    if close_date is not None:
        if not POLL_MIN_PERIOD <= close_date - now <= POLL_MAX_PERIOD:
            raise bad_request("wrong close date specified")
        poll["close_date"] = close_date
        return float(close_date)
    return None


async def send_poll(call: Call) -> dict[str, Any]:
    """sendPoll: 1-300 character question, 1-12 options of 1-100 characters."""
    record = call.state.writable_chat(call.bot, call.params["chat_id"])
    question = format_text(call.params["question"], call.get("question_parse_mode"), call.get("question_entities"),
                           caption=True, strict_html_entities=call.strict_html_entities)
    if not question.text:
        raise bad_request("poll question must be non-empty")
    if char_length(question.text) > POLL_QUESTION_LIMIT:
        raise bad_request(f"poll question length must not exceed {POLL_QUESTION_LIMIT}")
    options = _poll_options(call.params["options"])
    poll_type = call.get("type", "regular")
    if poll_type not in ("regular", "quiz"):
        raise bad_request("poll type is invalid")
    poll: dict[str, Any] = {
        "id": call.state.new_poll_id(), "question": question.text, "options": options, "total_voter_count": 0,
        "is_closed": bool(call.get("is_closed", False)), "is_anonymous": bool(call.get("is_anonymous", True)),
        "type": poll_type, "allows_multiple_answers": bool(call.get("allows_multiple_answers", False)),
        "allows_revoting": bool(call.get("allows_revoting", poll_type == "regular")),
        "members_only": bool(call.get("members_only", False)),
    }
    if question.entities:
        poll["question_entities"] = question.entities
    if poll_type == "quiz":
        correct = call.get("correct_option_ids")
        if not correct or any(not 0 <= i < len(options) for i in correct):
            raise bad_request("quiz poll must have correct_option_ids within its options")
        poll["correct_option_ids"] = correct
    closes_at = _poll_timing(call, poll)
    content = {**call.reply_to(record), "poll": poll}
    markup = call.reply_markup()
    call.admit(record)
    message = call.post(record, content, markup)
    call.bot.polls[poll["id"]] = PollRecord(record.id, message["message_id"], closes_at=closes_at)
    return message


async def stop_poll(call: Call) -> dict[str, Any]:
    """stopPoll on the bot's own open poll; returns the closed Poll."""
    record = call.state.chat(call.params["chat_id"])
    message = call.state.message(call.bot, record.id, call.params["message_id"])
    if message is None or "poll" not in message:
        raise bad_request("message with poll to stop not found")
    if message["from"]["id"] != call.bot.id:
        raise bad_request("poll can't be stopped")
    expire_poll(call.state, call.bot, message["poll"]["id"])
    if message["poll"]["is_closed"]:
        raise bad_request("poll has already been closed")
    markup = call.reply_markup(inline_only=True)
    message["poll"]["is_closed"] = True
    if markup and markup["inline_keyboard"]:
        message["reply_markup"] = markup
    else:
        message.pop("reply_markup", None)
    call.state.push_update(call.bot, "poll", message["poll"])  # bots hear of their polls being stopped
    call.state.emit("poll_stopped", message)
    return copy.deepcopy(message["poll"])


HANDLERS: dict[str, Handler] = {
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "sendPoll": send_poll,
    "stopPoll": stop_poll,
}
