"""Display widths of text as a spreadsheet or a chart shows it: East Asian wide and full-width characters count 2.

Used to size spreadsheet columns and to clip or wrap chart labels so Chinese text fits the room it is given.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"


def char_width(ch: str) -> int:
    """2 for a wide or full-width character (汉字, full-width punctuation), 0 for a combining mark, else 1."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """The width of the longest line of ``text`` in columns."""
    return max((sum(char_width(ch) for ch in line) for line in text.split("\n")), default=0)


def clip_width(text: str, width: int) -> str:
    """``text`` on one line, cut to at most ``width`` columns with an ellipsis when cut."""
    line = " ".join(text.split())
    if display_width(line) <= width:
        return line
    kept: list[str] = []
    used = 0
    for ch in line:
        w = char_width(ch)
        if used + w > width - 1:
            break
        kept.append(ch)
        used += w
    return "".join(kept).rstrip() + ELLIPSIS


def wrap_width(text: str, width: int, max_lines: int) -> list[str]:
    """``text`` broken into lines of at most ``width`` columns (at spaces where it can, anywhere in Chinese),
    at most ``max_lines`` of them, the last clipped with an ellipsis when text is left over."""
    words = " ".join(text.split()).split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if display_width(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
            current = ""
        while display_width(word) > width:  # a long word (a Chinese sentence has no spaces): cut by columns
            head, used = "", 0
            for ch in word:
                if used + char_width(ch) > width:
                    break
                head += ch
                used += char_width(ch)
            head = head or word[0]  # a room narrower than one character still takes one
            lines.append(head)
            word = word[len(head):]
        current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1:])
        lines = [*lines[: max_lines - 1], clip_width(rest, width)]
    return lines
