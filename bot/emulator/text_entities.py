"""Pieces shared by the HTML and Markdown parsers: results, errors, UTF-8/UTF-16 bookkeeping.

Two units, never mixed: length limits (text 4,096, caption 1,024, ...) count characters as
Unicode code points (:func:`char_length`); entity offsets and lengths count UTF-16 code units
(:func:`utf16_length`). Measured against the real Bot API in 2026: 4,096 astral emoji
(8,192 UTF-16 units) are accepted as a message text, 4,097 are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_TEXT_MENTION_RE = re.compile(r"^tg://user\?id=(\d+)$")
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_ALLOWED_SCHEMES = frozenset({"http", "https", "tg", "ton", "ftp"})


class EntityParseError(Exception):
    """The text cannot be parsed; ``reason`` is what follows "can't parse entities: "."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ParsedText:
    """Plain text plus MessageEntity dicts (offsets in UTF-16 code units)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


class SourceBytes:
    """The UTF-8 source with tdlib's convention that reading past the end yields 0."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8")

    def __getitem__(self, index: int) -> int:
        return self.data[index] if index < len(self.data) else 0

    def slice(self, start: int, end: int) -> str:
        return self.data[start:end].decode("utf-8", errors="replace")


def char_length(text: str) -> int:
    """Length in Unicode code points, the unit Telegram counts length limits in."""
    return len(text)


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts entity offsets and lengths in."""
    return len(text.encode("utf-16-le")) // 2


def link_entity(url: str, offset: int, length: int) -> dict[str, Any] | None:
    """A text_mention (tg://user?id=N) or text_link entity; None if the URL is not a link."""
    mention = _TEXT_MENTION_RE.match(url)
    if mention:
        return {"type": "text_mention", "offset": offset, "length": length, "_user_id": int(mention.group(1))}
    checked = check_link(url)
    return {"type": "text_link", "offset": offset, "length": length, "url": checked} if checked else None


def check_link(url: str) -> str | None:
    """Telegram-ish URL check: http(s)/tg/ton/ftp, or a bare host that gets http://."""
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return None
    scheme = _SCHEME_RE.match(url)
    if scheme:
        return url if scheme.group(1).lower() in _ALLOWED_SCHEMES else None
    host = url.split("/", 1)[0]
    return f"http://{url}" if "." in host and not host.startswith(".") else None


class TextBuilder:
    """The parsed text as UTF-8 bytes, with its length in UTF-16 code units alongside."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.utf16 = 0

    def __len__(self) -> int:
        return len(self.data)

    def add_byte(self, c: int) -> None:
        """Append one source byte (part of a UTF-8 sequence)."""
        self.data.append(c)
        if c & 0xC0 != 0x80:
            self.utf16 += 2 if c >= 0xF0 else 1

    def add_code_point(self, code_point: int) -> None:
        """Append one decoded character."""
        self.data += chr(code_point).encode("utf-8")
        self.utf16 += 2 if code_point > 0xFFFF else 1

    def text(self, start: int = 0) -> str:
        """The text built so far (from byte position ``start``)."""
        return self.data[start:].decode("utf-8", errors="replace")
