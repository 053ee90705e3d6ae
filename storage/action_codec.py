"""Port actions ↔ JSON, for the outbox. The one encoder/decoder of actions and keyboards.

An action becomes a JSON object ``{"type": "send_text", "chat_id": …, …}`` plus, for an upload, its bytes
kept apart (the outbox stores them in a binary column, not as base64 inside the JSON). Keyboards are
``[[{"text": …, "data": …} | {"text": …, "url": …}, …], …]``. Adding an action to the port makes mypy
point here (both ``match`` statements end in ``assert_never``).
"""

from __future__ import annotations

import json
from typing import Any, assert_never

from handlers.port import (
    Button,
    EditText,
    Keyboard,
    OutboxAction,
    SendDocument,
    SendPhoto,
    SendPoll,
    SendText,
    StopPoll,
)

UPLOAD = {"upload": True}  # stands for the bytes kept apart


class CorruptAction(ValueError):
    """A stored action that cannot be read back (unknown type, missing or wrongly typed field)."""


def encode_keyboard(buttons: Keyboard | None) -> list[list[dict[str, str]]] | None:
    if not buttons:
        return None
    rows = []
    for row in buttons:
        encoded = []
        for button in row:
            item = {"text": button.text}
            if button.data is not None:
                item["data"] = button.data
            if button.url is not None:
                item["url"] = button.url
            encoded.append(item)
        rows.append(encoded)
    return rows


def decode_keyboard(raw: Any) -> Keyboard | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(row, list) for row in raw):
        raise CorruptAction("keyboard is not a list of rows")
    return [[Button(text=_str(b, "text"), data=_opt_str(b, "data"), url=_opt_str(b, "url")) for b in row]
            for row in raw]


def _file(value: bytes | str) -> tuple[Any, bytes | None]:
    return (UPLOAD, value) if isinstance(value, bytes) else (value, None)


def encode(action: OutboxAction) -> tuple[str, bytes | None]:
    """The action as JSON text, and the bytes of its upload (None when it has none)."""
    blob: bytes | None = None
    fields: dict[str, Any]
    match action:
        case SendText(chat_id=chat_id, text=text, buttons=buttons):
            fields = {"type": "send_text", "chat_id": chat_id, "text": text, "buttons": encode_keyboard(buttons)}
        case EditText(chat_id=chat_id, message_id=message_id, text=text, buttons=buttons):
            fields = {"type": "edit_text", "chat_id": chat_id, "message_id": message_id, "text": text,
                      "buttons": encode_keyboard(buttons)}
        case SendDocument(chat_id=chat_id, file_name=file_name, content=content, caption=caption):
            document, blob = _file(content)
            fields = {"type": "send_document", "chat_id": chat_id, "file_name": file_name, "content": document,
                      "caption": caption}
        case SendPhoto(chat_id=chat_id, photo=photo, caption=caption, buttons=buttons):
            reference, blob = _file(photo)
            fields = {"type": "send_photo", "chat_id": chat_id, "photo": reference, "caption": caption,
                      "buttons": encode_keyboard(buttons)}
        case SendPoll():
            fields = {"type": "send_poll", "chat_id": action.chat_id, "question": action.question,
                      "options": list(action.options), "anonymous": action.anonymous,
                      "multiple_answers": action.multiple_answers, "buttons": encode_keyboard(action.buttons)}
        case StopPoll(chat_id=chat_id, message_id=message_id, buttons=buttons):
            fields = {"type": "stop_poll", "chat_id": chat_id, "message_id": message_id,
                      "buttons": encode_keyboard(buttons)}
        case _:
            assert_never(action)
    return json.dumps({k: v for k, v in fields.items() if v is not None}, ensure_ascii=False), blob


def decode(payload: str, blob: bytes | None = None) -> OutboxAction:
    """The action ``encode`` gave ``payload`` (and ``blob``) for; :class:`CorruptAction` if unreadable."""
    try:
        raw = json.loads(payload)
    except ValueError as exc:
        raise CorruptAction(f"not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise CorruptAction("not an object")
    kind = raw.get("type")
    chat_id = _int(raw, "chat_id")
    buttons = decode_keyboard(raw.get("buttons"))
    match kind:
        case "send_text":
            return SendText(chat_id, _str(raw, "text"), buttons)
        case "edit_text":
            return EditText(chat_id, _int(raw, "message_id"), _str(raw, "text"), buttons)
        case "send_document":
            return SendDocument(chat_id, _str(raw, "file_name"), _reference(raw, "content", blob),
                                _opt_str(raw, "caption"))
        case "send_photo":
            return SendPhoto(chat_id, _reference(raw, "photo", blob), _opt_str(raw, "caption"), buttons)
        case "send_poll":
            options = raw.get("options")
            if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
                raise CorruptAction("poll options are not a list of strings")
            return SendPoll(chat_id, _str(raw, "question"), tuple(options), _bool(raw, "anonymous"),
                            _bool(raw, "multiple_answers"), buttons)
        case "stop_poll":
            return StopPoll(chat_id, _int(raw, "message_id"), buttons)
        case _:
            raise CorruptAction(f"unknown action type {kind!r}")


def _reference(raw: dict[str, Any], name: str, blob: bytes | None) -> bytes | str:
    value = raw.get(name)
    if value == UPLOAD:
        if blob is None:
            raise CorruptAction(f"{name}: the upload's bytes are missing")
        return blob
    return _str(raw, name)


def _int(raw: Any, name: str) -> int:
    value = raw.get(name) if isinstance(raw, dict) else None
    if not isinstance(value, int) or isinstance(value, bool):
        raise CorruptAction(f"{name} is not an integer")
    return value


def _str(raw: Any, name: str) -> str:
    value = raw.get(name) if isinstance(raw, dict) else None
    if not isinstance(value, str):
        raise CorruptAction(f"{name} is not a string")
    return value


def _opt_str(raw: Any, name: str) -> str | None:
    value = raw.get(name) if isinstance(raw, dict) else None
    if value is not None and not isinstance(value, str):
        raise CorruptAction(f"{name} is not a string")
    return value


def _bool(raw: dict[str, Any], name: str) -> bool:
    value = raw.get(name)
    if not isinstance(value, bool):
        raise CorruptAction(f"{name} is not true or false")
    return value
