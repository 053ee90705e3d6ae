"""Text helpers for rendering: escaping user text for Telegram HTML, clipping, dates."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from core.text import clean_block, clean_line, clip

__all__ = ["clean_block", "clean_line", "clip", "esc", "local_time"]

TELEGRAM_TEXT_LIMIT = 4096
BUTTON_TEXT_LIMIT = 64


def esc(value: object) -> str:
    """User-supplied text, shown literally: a resident named ``<b>Bob</b>`` stays ``<b>Bob</b>``."""
    return html.escape(str(value), quote=False)


def local_time(moment: datetime, zone: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime(fmt)


