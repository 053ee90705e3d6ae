"""Keep every composed message within Telegram's limits, whatever residents type.

Telegram counts a message as the code points of its text *after* entity parsing (tags dropped, ``&lt;`` one
character): at most 4,096 for a text, 1,024 for a caption. :func:`parsed_length` measures that for the HTML
the handlers compose (catalog text plus :func:`handlers.text.esc`-escaped user text). :class:`Page` fills a
message line by line until the budget is reached; :func:`fit` clips the one free text of a message so the whole
stays within it.
"""

from __future__ import annotations

from collections.abc import Callable

from core.text import parsed_length
from handlers.text import clip, esc

TEXT_BUDGET = 4096
CAPTION_BUDGET = 1024
MORE = "…"
# room kept free on a page for the closing line saying that more was left out
MORE_ROOM = 120



def fit(render: Callable[[str], str], text: str, budget: int = TEXT_BUDGET) -> str:
    """``render(esc(text))``, with ``text`` clipped (ending in "…") so that the result stays within ``budget``."""
    whole = render(esc(text))
    over = parsed_length(whole) - budget
    if over <= 0:
        return whole
    keep = len(text) - over
    return render(esc(clip(text, keep)) if keep > 0 else "")


class Page:
    """The lines of one message, added while they fit ``budget``; once one does not, the rest is left out.

    ``MORE_ROOM`` characters stay free for :meth:`text`'s closing line (say, "… and 12 more").
    """

    def __init__(self, budget: int = TEXT_BUDGET, *, more_room: int = MORE_ROOM) -> None:
        self.budget = budget - more_room
        self.more_room = more_room
        self.lines: list[str] = []
        self.used = 0
        self.left_out = 0

    @property
    def full(self) -> bool:
        return self.left_out > 0

    def room(self) -> int:
        """Characters a further line may still take (its line break counted)."""
        return self.budget - self.used - (1 if self.lines else 0)

    def add(self, line: str) -> bool:
        """Add ``line`` (Telegram HTML, may hold line breaks) if it fits; False (and nothing after it) if not."""
        if line == "" and (not self.lines or self.lines[-1] == ""):
            return True  # no blank line at the top, none doubled
        size = parsed_length(line)
        if self.full or size > self.room():
            self.left_out += 1
            return False
        self.used += size + (1 if self.lines else 0)
        self.lines.append(line)
        return True

    def extend(self, lines: list[str]) -> bool:
        """Add lines in order while they fit; False if any was left out."""
        return all([self.add(line) for line in lines])

    def add_fitted(self, render: Callable[[str], str], text: str, *, least: int = 20) -> bool:
        """Add ``render(esc(text))``, clipping ``text`` to the room left; left out if not even ``least`` fits."""
        if self.full:
            self.left_out += 1
            return False
        overhead = parsed_length(render(""))
        room = self.room() - overhead
        if room < min(least, len(text)):
            self.left_out += 1
            return False
        return self.add(render(esc(clip(text, room))))

    def text(self, more: str | Callable[[int], str] | None = MORE) -> str:
        """The lines joined; if some were left out, ``more`` (or ``more(count_left_out)``) closes the page."""
        lines = list(self.lines)
        while lines and lines[-1] == "":
            lines.pop()
        if self.left_out and more is not None:
            closing = more(self.left_out) if callable(more) else more
            if parsed_length(closing) + 1 > self.more_room:
                closing = MORE
            lines.append(closing)
        return "\n".join(lines)


def join_fitting(items: list[str], separator: str, room: int, more: Callable[[int], str]) -> str:
    """``items`` (Telegram HTML) joined while the result fits ``room``; the rest summed up by ``more(count)``."""
    shown: list[str] = []
    used = 0
    for index, item in enumerate(items):
        size = parsed_length(item) + (parsed_length(separator) if shown else 0)
        tail = parsed_length(separator + more(len(items) - index - 1)) if index + 1 < len(items) else 0
        if used + size + tail > room:
            rest = more(len(items) - index)
            return separator.join([*shown, rest]) if shown else rest
        shown.append(item)
        used += size
    return separator.join(shown)
