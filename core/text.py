"""Cleaning what people type: control characters out, whitespace tidy. Pure; used by rules and handlers."""

from __future__ import annotations


def clean_line(text: str) -> str:
    """One line: control characters dropped, whitespace folded."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def clean_block(text: str) -> str:
    """Several lines: line breaks kept, control characters and trailing spaces dropped."""
    lines = ["".join(ch for ch in line if ch.isprintable()).rstrip() for line in text.replace("\r", "").split("\n")]
    return "\n".join(lines).strip()


def clip(value: str, limit: int) -> str:
    """Shorten plain text to ``limit`` characters with an ellipsis."""
    return value if len(value) <= limit else value[: max(limit - 1, 0)] + "…"
