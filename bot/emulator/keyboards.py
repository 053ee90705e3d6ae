"""reply_markup checks: inline keyboards strictly, reply keyboards loosely."""

from __future__ import annotations

from typing import Any

from bot.emulator.errors import bad_request
from bot.emulator.text_entities import check_link

MAX_INLINE_BUTTONS = 100
CALLBACK_DATA_MAX_BYTES = 64
INLINE_ACTION_FIELDS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay",
)
_UNPARSABLE = "can't parse reply keyboard markup JSON object"


def check_reply_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any]:
    """Validate a parsed reply_markup object; return it without null fields."""
    if not isinstance(markup, dict):
        raise bad_request(_UNPARSABLE)
    markup = {key: value for key, value in markup.items() if value is not None}
    if "inline_keyboard" in markup:
        return {**markup, "inline_keyboard": _inline_keyboard(markup["inline_keyboard"])}
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        _reply_keyboard(markup["keyboard"])
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise bad_request(_UNPARSABLE)


def _inline_keyboard(rows: Any) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
    if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    return [[_inline_button(button) for button in row] for row in rows]


def _inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    button = {key: value for key, value in button.items() if value is not None}
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request("can't parse inline keyboard button: Field \"text\" must be of type String")
    if not text.strip():
        raise bad_request("text buttons are unallowed in the inline keyboard")
    actions = [name for name in INLINE_ACTION_FIELDS if name in button]
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used, "
            f"got {', '.join(actions)}"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or check_link(url) is None:
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    return button


def _reply_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("field \"keyboard\" of the ReplyKeyboardMarkup must be an Array of Arrays")
    for row in rows:
        for button in row:
            text = button if isinstance(button, str) else button.get("text") if isinstance(button, dict) else None
            if not isinstance(text, str) or not text:
                raise bad_request("keyboard button text must be a non-empty String")


def callback_data_of(markup: dict[str, Any] | None) -> list[str]:
    """All callback_data values of an inline keyboard (empty if none)."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [b["callback_data"] for row in markup["inline_keyboard"] for b in row if "callback_data" in b]
