"""Quick polls: an advisory question with 2-10 options, posted as a native Telegram poll. Pure rules.

What the committee types (the question on the first line, one option per line below), when the poll closes
(a duration such as ``2h`` or ``3天``, or a date and time), and how the answers are counted: per option among
the community's verified residents, the answers of anyone else shown apart and not counted. A quick poll is
advisory: it is never a decision under the law (that takes a residents' meeting).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.errors import DomainError, InvalidInput
from core.text import clean_block, clean_line

QUESTION_LIMIT = 255  # Telegram allows 300 characters; the question is shown as typed
OPTION_LIMIT = 100  # Telegram's limit for an option
MIN_OPTIONS, MAX_OPTIONS = 2, 10
SHORTEST = timedelta(minutes=5)
LONGEST = timedelta(days=30)
PRESETS_MINUTES = (60, 24 * 60, 3 * 24 * 60)  # the closing-time buttons: 1 hour, 1 day, 3 days


class PollStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class PollAlreadyClosed(DomainError):
    key = "quick_polls.err.closed"


class PollNotPosted(DomainError):
    """The poll's message is not in the chat yet (still in the outbox): it cannot be stopped yet."""

    key = "quick_polls.err.not_posted"


@dataclass(frozen=True, slots=True)
class Draft:
    question: str
    options: tuple[str, ...]


def parse_draft(text: str | None) -> Draft:
    """The question (first line) and its options (one per non-empty line below), or all on one line separated
    by ``|``."""
    if text is None:
        raise InvalidInput("errors.text_expected")
    lines = [line for line in (clean_line(line) for line in clean_block(text).split("\n")) if line]
    if len(lines) == 1 and "|" in lines[0]:  # all on one line: "question | option | option"
        lines = [part for part in (clean_line(part) for part in lines[0].split("|")) if part]
    if not lines:
        raise InvalidInput("errors.empty_text")
    question, options = lines[0], tuple(lines[1:])
    if len(question) > QUESTION_LIMIT:
        raise InvalidInput("quick_polls.err.question_long", limit=QUESTION_LIMIT, length=len(question))
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise InvalidInput("quick_polls.err.option_count", low=MIN_OPTIONS, high=MAX_OPTIONS, count=len(options))
    for number, option in enumerate(options, 1):
        if len(option) > OPTION_LIMIT:
            raise InvalidInput("quick_polls.err.option_long", number=number, limit=OPTION_LIMIT)
    seen: set[str] = set()
    for option in options:
        if option.casefold() in seen:
            raise InvalidInput("quick_polls.err.option_twice", option=option)
        seen.add(option.casefold())
    return Draft(question, options)


_DURATION = re.compile(r"^(\d{1,4})\s*(m|min|mins|minutes?|分钟|分|h|hrs?|hours?|小时|个小时|时|d|days?|天|日)$",
                       re.IGNORECASE)
_UNITS = {"m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1, "分钟": 1, "分": 1,
          "h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60, "小时": 60, "个小时": 60, "时": 60,
          "d": 1440, "day": 1440, "days": 1440, "天": 1440, "日": 1440}
_MOMENT = re.compile(r"^(?:(\d{4})[-/年.])?(\d{1,2})[-/月.](\d{1,2})日?\s+(\d{1,2})[:：点](\d{2})分?$")


def closing_after(minutes: int, now: datetime) -> datetime:
    """When a poll closes if it stays open ``minutes``; out of range → InvalidInput."""
    return check_closing(now + timedelta(minutes=minutes), now)


def check_closing(closes_at: datetime, now: datetime) -> datetime:
    if not now + SHORTEST <= closes_at <= now + LONGEST:
        raise InvalidInput("quick_polls.err.closing_range", low=int(SHORTEST.total_seconds() // 60),
                           high=LONGEST.days)
    return closes_at


def parse_closing(text: str | None, now: datetime, zone: str) -> datetime:
    """A duration (``90m``, ``2h``, ``3d``, ``2小时``, ``3天``) or a local date and time (``2026-12-01 18:00``,
    ``12-01 18:00``, ``12月1日 18:00``) → the UTC-aware moment the poll closes."""
    value = clean_line(text or "").lower()
    found = _DURATION.match(value)
    if found:
        return closing_after(int(found.group(1)) * _UNITS[found.group(2)], now)
    found = _MOMENT.match(value)
    if not found:
        raise InvalidInput("quick_polls.err.closing_format")
    local_now = now.astimezone(ZoneInfo(zone))
    year = int(found.group(1)) if found.group(1) else local_now.year
    try:
        moment = datetime(year, int(found.group(2)), int(found.group(3)), int(found.group(4)), int(found.group(5)),
                          tzinfo=ZoneInfo(zone))
    except ValueError:
        raise InvalidInput("quick_polls.err.closing_format") from None
    if found.group(1) is None and moment < local_now:  # "01-05 18:00" typed in December: next year's
        moment = moment.replace(year=year + 1)
    return check_closing(moment.astimezone(now.tzinfo), now)


# ---- counting -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tally:
    """The count of a quick poll: ``counts[i]`` residents chose option ``i`` (of ``voters`` residents who
    answered); ``outsiders`` people who are not verified residents answered too (``outsider_counts``), uncounted."""

    counts: tuple[int, ...]
    voters: int
    outsider_counts: tuple[int, ...]
    outsiders: int

    def share(self, option: int) -> int:
        """Option ``option``'s share of the residents who answered, in whole percent (rounded half up)."""
        if not self.voters:
            return 0
        return (200 * self.counts[option] + self.voters) // (2 * self.voters)


def count(options: int, answers: Iterable[tuple[tuple[int, ...], bool]]) -> Tally:
    """``answers``: each person's current choice (empty: retracted) and whether they are a verified resident.
    Options outside the poll are ignored (Telegram sends none)."""
    counts, others = [0] * options, [0] * options
    voters = outsiders = 0
    for chosen, resident in answers:
        valid = sorted({i for i in chosen if 0 <= i < options})
        if not valid:
            continue
        target = counts if resident else others
        for i in valid:
            target[i] += 1
        if resident:
            voters += 1
        else:
            outsiders += 1
    return Tally(tuple(counts), voters, tuple(others), outsiders)


def encode_choice(option_ids: Iterable[int]) -> str:
    """Option ids as stored: ``"0,2"``; ``""`` for a retracted answer."""
    return ",".join(str(i) for i in sorted(set(option_ids)))


def decode_choice(stored: str) -> tuple[int, ...]:
    return tuple(int(i) for i in stored.split(",")) if stored else ()
