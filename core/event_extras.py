"""Pure rules for an event's extras (issue 10, items 5–7): programme items, volunteer roles, check-in.

Nothing here touches the database or the clock; callers pass every value in.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from core.errors import DomainError, InvalidInput, TooLong
from core.seats import Party
from core.text import clean_block, clean_line

# ---- programme (节目) ----------------------------------------------------------------------------

ITEM_TITLE_LIMIT = 40
PERFORMERS_LIMIT = 80
NEEDS_LIMIT = 200
DECLINE_REASON_LIMIT = 200
MINUTES_LEAST, MINUTES_MOST = 1, 60
PENDING_PROPOSALS_PER_EVENT = 3  # a resident's items waiting for the committee, per event


class ItemStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REMOVED = "removed"  # accepted, then taken off the programme by the committee


class BadMinutes(DomainError):
    key = "extras.err.minutes"


class TooManyPending(DomainError):
    key = "extras.err.pending_limit"


class ItemDecided(DomainError):
    """The proposal was accepted or declined already (another committee member, or a double tap)."""

    key = "extras.err.decided"


class EventNotOpen(DomainError):
    """The event is cancelled or over (or, for residents' proposals and sign-ups, has started)."""

    key = "extras.err.event_closed"


def _checked(value: str, limit: int) -> str:
    if not value:
        raise InvalidInput("errors.empty_text")
    if len(value) > limit:
        raise TooLong(limit=limit, length=len(value))
    return value


def check_line(text: str | None, limit: int) -> str:
    """One line of typed text (a title, performers, a role's name) of at most ``limit`` characters."""
    if text is None:
        raise InvalidInput("errors.text_expected")
    return _checked(clean_line(text), limit)


def check_block(text: str | None, limit: int) -> str:
    if text is None:
        raise InvalidInput("errors.text_expected")
    return _checked(clean_block(text), limit)


def check_item_title(text: str | None) -> str:
    return check_line(text, ITEM_TITLE_LIMIT)


def _number(text: str | None) -> int | None:
    """A whole number typed with ASCII or full-width digits (``１５``), else None."""
    value = unicodedata.normalize("NFKC", (text or "").strip())
    for suffix in ("分钟", "分", "minutes", "minute", "mins", "min"):
        if value.lower().endswith(suffix):
            value = value[: -len(suffix)].strip()
            break
    if not value or not value.isascii() or not value.isdigit() or len(value) > 6:
        return None
    return int(value)


def check_minutes(text: str | None) -> int:
    """How long an item lasts: a whole number of minutes, 1–60."""
    minutes = _number(text)
    if minutes is None or not MINUTES_LEAST <= minutes <= MINUTES_MOST:
        raise BadMinutes(least=MINUTES_LEAST, most=MINUTES_MOST)
    return minutes


def insert_at(order: list[int], item: int, place: int) -> list[int]:
    """``order`` (item ids) with ``item`` moved or inserted at the 1-based ``place`` (clamped to the ends)."""
    rest = [other for other in order if other != item]
    index = min(max(place, 1), len(rest) + 1) - 1
    return [*rest[:index], item, *rest[index:]]


@dataclass(frozen=True, slots=True)
class ProgrammeTotals:
    items: int
    minutes: int
    resident_planned: int


def totals(items: Iterable[tuple[int, bool]]) -> ProgrammeTotals:
    """(minutes, planned by residents) of the accepted items → how many, how long, how many by residents."""
    listed = list(items)
    return ProgrammeTotals(items=len(listed), minutes=sum(m for m, _ in listed),
                           resident_planned=sum(1 for _, by_resident in listed if by_resident))


# ---- volunteers ---------------------------------------------------------------------------------

ROLE_NAME_LIMIT = 24
SLOTS_LEAST, SLOTS_MOST = 1, 50
ROLES_PER_EVENT = 12


class BadSlots(DomainError):
    key = "extras.err.slots"


class RoleFull(DomainError):
    key = "extras.err.role_full"


class AlreadyVolunteering(DomainError):
    """One role per person per event: drop out of ``role`` first."""

    key = "extras.err.already_volunteering"


class SlotsBelowTaken(DomainError):
    key = "extras.err.slots_below_taken"


class RoleNotEmpty(DomainError):
    key = "extras.err.role_not_empty"


class RoleExists(DomainError):
    key = "extras.err.role_exists"


class TooManyRoles(DomainError):
    key = "extras.err.too_many_roles"


def check_slots(value: int | str | None) -> int:
    slots = value if isinstance(value, int) else _number(value)
    if slots is None or not SLOTS_LEAST <= slots <= SLOTS_MOST:
        raise BadSlots(least=SLOTS_LEAST, most=SLOTS_MOST)
    return slots


# ---- check-in -----------------------------------------------------------------------------------

OPENS_BEFORE = timedelta(minutes=30)
CODE_LEAST, CODE_MOST = 2, 16
CODE_TRIES_PER_HOUR = 5
# Easy words to read off a sign at the venue and type on a phone; two digits make a guess unlikely.
CODE_WORDS = ("桂花", "月亮", "梧桐", "茉莉", "牡丹", "海棠", "银杏", "竹林", "白鸽", "喜鹊", "荷花", "春风")


class Window(StrEnum):
    EARLY = "early"
    OPEN = "open"
    OVER = "over"


class CheckInClosed(DomainError):
    """Check-in only from 30 minutes before the start to the end."""

    key = "extras.err.checkin_closed"


class NoCode(DomainError):
    key = "extras.err.no_code"


class BadCode(DomainError):
    key = "extras.err.code_format"


class TooManyCodeTries(DomainError):
    key = "extras.err.code_tries"


class BadParty(DomainError):
    key = "extras.err.party"


class AlreadyCheckedIn(DomainError):
    key = "extras.err.already_checked_in"


class EventNotOver(DomainError):
    key = "extras.err.not_over"


def window(starts_at: datetime, ends_at: datetime, now: datetime) -> Window:
    """Where ``now`` is against an event's check-in: 30 minutes before the start until the end."""
    if now < starts_at - OPENS_BEFORE:
        return Window.EARLY
    if now > ends_at:
        return Window.OVER
    return Window.OPEN


def normalize_code(text: str | None) -> str:
    """What is compared: full-width folded, spaces dropped, case ignored (``桂花 27`` = ``桂花２７``)."""
    value = unicodedata.normalize("NFKC", text or "")
    return "".join(value.split()).casefold()


def check_code(text: str | None) -> str:
    """A code word the committee sets: 2–16 characters, letters, digits or Chinese, no spaces."""
    code = "".join(unicodedata.normalize("NFKC", text or "").split())
    if not CODE_LEAST <= len(code) <= CODE_MOST or not all(ch.isalnum() for ch in code):
        raise BadCode(least=CODE_LEAST, most=CODE_MOST)
    return code


def new_code() -> str:
    return f"{secrets.choice(CODE_WORDS)}{secrets.randbelow(90) + 10}"


def check_party(adults: int, children: int, *, most: int, families: bool) -> tuple[int, int]:
    """A party at the door: one person or more, children only at family events, at most ``most`` people."""
    if adults < 0 or children < 0 or adults + children < 1 or (children and not families) or adults + children > most:
        raise BadParty(most=most)
    return adults, children


def no_shows(going: Iterable[Party], attended_households: Iterable[int]) -> tuple[Party, ...]:
    """The parties that said they were going and whose household was not checked in (known after the event)."""
    came = set(attended_households)
    return tuple(party for party in going if party.household not in came)
