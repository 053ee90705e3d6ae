"""Text helpers for rendering: escaping user text for Telegram HTML, clipping, dates."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

TELEGRAM_TEXT_LIMIT = 4096
BUTTON_TEXT_LIMIT = 64


def esc(value: object) -> str:
    """User-supplied text, shown literally: a resident named ``<b>Bob</b>`` stays ``<b>Bob</b>``."""
    return html.escape(str(value), quote=False)


def clip(value: str, limit: int) -> str:
    """Shorten plain text to ``limit`` characters with an ellipsis."""
    return value if len(value) <= limit else value[: max(limit - 1, 0)] + "…"


def local_time(moment: datetime, zone: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime(fmt)


def clean_line(text: str) -> str:
    """One line of user input: control characters removed, whitespace folded."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(cleaned.split())


def clean_block(text: str) -> str:
    """Multi-line user input: keeps line breaks, strips control characters and trailing space."""
    lines = ["".join(ch for ch in line if ch.isprintable()).rstrip() for line in text.replace("\r", "").split("\n")]
    return "\n".join(lines).strip()
