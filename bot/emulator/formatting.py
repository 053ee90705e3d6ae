"""Message text and captions the way Telegram stores them.

Parse the text per parse_mode (or take explicit entities), trim surrounding
whitespace like tdlib, and enforce the limits: text 1-4096 and captions
0-1024 characters (Unicode code points), both counted after entity parsing.
Entity offsets and lengths stay in UTF-16 code units.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.errors import bad_request
from bot.emulator.html_check import parse_html
from bot.emulator.markdown_check import parse_markdown, parse_markdown_v2
from bot.emulator.text_entities import EntityParseError, ParsedText, char_length, utf16_length

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_TRIMMED = " \t\r\n\v\0"

UserLookup = Callable[[int], "dict[str, Any] | None"]


@dataclass
class FormattedText:
    """Stored text and its MessageEntity list."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def format_text(
    raw: str,
    parse_mode: str | None,
    entities: list[Any] | None,
    *,
    caption: bool = False,
    strict_html_entities: bool = True,
    find_user: UserLookup | None = None,
) -> FormattedText:
    """Parse, trim and check a message text or caption; raise ApiError (400) like Telegram."""
    parsed = _parse(raw, parse_mode, entities, strict_html_entities)
    result = _trim(parsed)
    result.entities = _finish_entities(result.entities, find_user)
    length = char_length(result.text)
    if caption:
        if length > CAPTION_LIMIT:
            raise bad_request("message caption is too long")
    elif length == 0:
        raise bad_request("message text is empty")
    elif length > TEXT_LIMIT:
        raise bad_request("message is too long")
    return result


def _parse(raw: str, parse_mode: str | None, entities: list[Any] | None, strict: bool) -> ParsedText:
    if entities is not None:
        return ParsedText(raw, _checked_entities(entities))
    mode = (parse_mode or "").strip().lower()
    try:
        if mode == "":
            return ParsedText(raw)
        if mode == "html":
            return parse_html(raw, strict_ampersand=strict)
        if mode == "markdownv2":
            return parse_markdown_v2(raw)
        if mode == "markdown":
            return parse_markdown(raw)
    except EntityParseError as error:
        raise bad_request(f"can't parse entities: {error.reason}") from None
    raise bad_request(f"unsupported parse_mode {parse_mode!r}")


def _checked_entities(entities: list[Any]) -> list[dict[str, Any]]:
    checked = []
    for entity in entities:
        if not (
            isinstance(entity, dict)
            and isinstance(entity.get("type"), str)
            and isinstance(entity.get("offset"), int)
            and isinstance(entity.get("length"), int)
        ):
            raise bad_request("can't parse entities JSON object")
        checked.append(dict(entity))
    return checked


def _trim(parsed: ParsedText) -> FormattedText:
    text = parsed.text
    left = len(text) - len(text.lstrip(_TRIMMED))
    trimmed = text.strip(_TRIMMED)
    size = utf16_length(trimmed)
    entities = []
    for entity in parsed.entities:
        start = max(0, entity["offset"] - left)
        end = min(size, entity["offset"] + entity["length"] - left)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(trimmed, entities)


def _finish_entities(entities: list[dict[str, Any]], find_user: UserLookup | None) -> list[dict[str, Any]]:
    finished = []
    for entity in entities:
        entity.pop("_language", None)
        user_id = entity.pop("_user_id", None)
        if user_id is not None:
            user = find_user(user_id) if find_user else None
            if user is None:
                continue
            entity["user"] = user
        finished.append(entity)
    return finished
