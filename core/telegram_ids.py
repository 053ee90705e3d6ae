"""Telegram user ids typed by people: what is one, and what is not.

Telegram says user ids have at most 52 significant bits (they fit a double and a BIGINT); a user id is positive.
Anything else typed where an id is expected (20 digits, a minus sign, "²") is not an id, so it must never
reach the database, where it would overflow a BIGINT.
"""

from __future__ import annotations

MAX_USER_ID = 2**52 - 1


def parse_user_id(text: str) -> int | None:
    """The user id written in ``text`` (ASCII digits, surrounding spaces allowed), or None if it is not one."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_USER_ID)):
        return None
    value = int(text)
    return value if 0 < value <= MAX_USER_ID else None


def looks_like_a_number(text: str) -> bool:
    """Digits only (any script, maybe a sign): meant as an id, whether or not it is a valid one."""
    stripped = text.strip().lstrip("+-")
    return bool(stripped) and stripped.isdigit()
