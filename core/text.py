"""Cleaning what people type: control characters out, whitespace tidy. Pure; used by rules and handlers."""

from __future__ import annotations

import html
import re

# Invisible characters that are part of what people write: the joiners inside emoji such as 👨‍👩‍👧 and in
# some scripts, variation selectors (❤️), and the tag characters of subdivision flags. Other format characters
# (bidirectional overrides that can make text read backwards) are dropped with the control characters.
_KEPT_INVISIBLE = frozenset({"\u200c", "\u200d"} | {chr(c) for c in range(0xFE00, 0xFE10)}
                            | {chr(c) for c in range(0xE0020, 0xE0080)})


def _kept(ch: str) -> bool:
    return ch.isprintable() or ch in _KEPT_INVISIBLE


def clean_line(text: str) -> str:
    """One line: control characters dropped, whitespace folded."""
    return " ".join("".join(ch if _kept(ch) else " " for ch in text).split())


def clean_block(text: str) -> str:
    """Several lines: line breaks kept, control characters and trailing spaces dropped."""
    lines = ["".join(ch for ch in line if _kept(ch)).rstrip() for line in text.replace("\r", "").split("\n")]
    return "\n".join(lines).strip()


def clip(value: str, limit: int) -> str:
    """Shorten plain text to ``limit`` characters with an ellipsis."""
    return value if len(value) <= limit else value[: max(limit - 1, 0)] + "…"


_TAG = re.compile(r"<[^>]*>")
TEXT_LIMIT = 4096  # Telegram: code points of a message's text after entity parsing (captions: 1,024)


def parsed_length(text: str) -> int:
    """Characters Telegram counts for Telegram HTML ``text``: code points after tags and entities are parsed.

    An upper bound for what we compose (Telegram also trims surrounding whitespace).
    """
    return len(html.unescape(_TAG.sub("", text)))
