"""Events, pure: what the committee may type into an event, what a party may be, when an RSVP is open.

Parsing what people type (numbers with full-width digits, "12-09 18:30", "18:30") and the rules an event's
fields must keep (the end after the start, a rain venue other than the venue, reserved seats below capacity,
the RSVP deadline before the start). Every refusal is a :class:`core.errors.DomainError` with a catalog key, so
the user is told in their own language and a half-filled form stays as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import DomainError, InvalidInput, TooLong
from core.text import clean_block, clean_line

TITLE_LIMIT = 80
DESCRIPTION_LIMIT = 1000
VENUE_LIMIT = 80
MOST_PEOPLE = 100_000  # a capacity beyond this is a typo
HOUSEHOLD_LIMIT = 20  # the most people one household may be allowed to bring
URGENT = timedelta(hours=3)  # a change to an event this close is told before anything else


class EventError(DomainError):
    key = "events.err.generic"


class EndBeforeStart(EventError):
    key = "events.err.end_before_start"


class StartInPast(EventError):
    key = "events.err.start_past"


class RainVenueSame(EventError):
    key = "events.err.rain_same"


class NotANumber(EventError):
    key = "events.err.number"


class NotAMoment(EventError):
    key = "events.err.moment"


class NotAClock(EventError):
    key = "events.err.clock"


class DeadlineAfterStart(EventError):
    key = "events.err.deadline_after_start"


class ReservedTooMany(EventError):
    key = "events.err.reserved"


class PartySize(EventError):
    key = "events.err.party_size"


class NoChildren(EventError):
    key = "events.err.no_children"


class RsvpClosed(EventError):
    key = "events.err.rsvp_closed"


class EventCancelled(EventError):
    key = "events.err.cancelled"


class EventOver(EventError):
    key = "events.err.over"


class NoRoomLeft(EventError):
    key = "events.err.no_room"


class TooFewSeats(EventError):
    """A smaller capacity than the people already going (``move``: how many parties would go to the waitlist)."""

    key = "events.err.too_few_seats"


class NoRainVenue(EventError):
    key = "events.err.no_rain_venue"


def parse_count(text: str | None, *, least: int = 0, most: int = MOST_PEOPLE) -> int:
    """A whole number ``least``–``most`` as typed (full-width digits too); anything else is refused politely."""
    value = clean_line(text or "").replace(",", "").replace("，", "")
    try:
        number = int(value)
    except ValueError:
        raise NotANumber(least=least, most=most) from None
    if not least <= number <= most:
        raise NotANumber(least=least, most=most)
    return number


_MOMENT = re.compile(r"^(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?\s*[T ]?\s*"
                     r"(\d{1,2})\s*[:：点时]\s*(\d{2})?\s*分?$")
_CLOCK = re.compile(r"^(\d{1,2})\s*[:：点时]\s*(\d{2})?\s*分?$")


def _digits(text: str) -> str:
    """Full-width digits and punctuation as ASCII (people type ``１８：３０`` on Chinese keyboards)."""
    return clean_line(text).translate({0xFF10 + i: 0x30 + i for i in range(10)} | {0xFF0D: 0x2D, 0xFF0F: 0x2F})


def parse_clock(text: str | None) -> time:
    """``18:30``, ``18：30``, ``18点30``, ``9点`` → a time of day."""
    found = _CLOCK.match(_digits(text or ""))
    if not found:
        raise NotAClock()
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    if hour > 23 or minute > 59:
        raise NotAClock()
    return time(hour, minute)


def parse_moment(text: str | None, timezone: str, now: datetime) -> datetime:
    """``2026-12-09 18:30`` or ``12-09 18:30`` (the next such date) or ``12月9日 18:30``, in the community's
    time zone → an aware UTC-comparable datetime."""
    found = _MOMENT.match(_digits(text or ""))
    if not found:
        raise NotAMoment()
    zone = ZoneInfo(timezone)
    year_text, month, day, hour, minute = found.groups()
    local_now = now.astimezone(zone)
    year = int(year_text) if year_text else local_now.year
    try:
        moment = datetime(year, int(month), int(day), int(hour), int(minute or 0), tzinfo=zone)
    except ValueError:
        raise NotAMoment() from None
    if not year_text and moment < local_now - timedelta(days=1):  # "01-15" typed in December: next January
        try:
            moment = moment.replace(year=year + 1)
        except ValueError:
            raise NotAMoment() from None
    return moment


def parse_end(text: str | None, start: datetime, timezone: str, now: datetime) -> datetime:
    """The end: a time of day (on the start's day) or a whole moment."""
    try:
        clock = parse_clock(text)
    except NotAClock:
        return parse_moment(text, timezone, now)
    local = start.astimezone(ZoneInfo(timezone))
    return datetime.combine(local.date(), clock, tzinfo=ZoneInfo(timezone))


def check_line(text: str | None, limit: int) -> str:
    value = clean_line(text or "")
    if not value:
        raise InvalidInput("events.err.empty")
    if len(value) > limit:
        raise TooLong(limit=limit, length=len(value))
    return value


def check_block(text: str | None, limit: int) -> str:
    value = clean_block(text or "")
    if not value:
        raise InvalidInput("events.err.empty")
    if len(value) > limit:
        raise TooLong(limit=limit, length=len(value))
    return value


def same_place(a: str | None, b: str | None) -> bool:
    """Two venues are the same when they read the same (case and spaces aside)."""
    return a is not None and b is not None and "".join(a.split()).casefold() == "".join(b.split()).casefold()


@dataclass(frozen=True, slots=True)
class EventDraft:
    """An event as the committee's form collected it (times aware)."""

    title: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    description: str = ""
    rain_venue: str | None = None
    capacity: int | None = None
    reserved: int = 0
    rsvp_deadline: datetime | None = None
    families: bool = True
    household_max: int = 6


def check_times(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise StartInPast()
    if ends_at <= starts_at:
        raise EndBeforeStart()


def check_seats(capacity: int | None, reserved: int) -> None:
    """Reserved seats leave at least one seat to offer (no capacity: nothing to reserve from)."""
    if reserved < 0 or (capacity is not None and reserved >= capacity) or (capacity is None and reserved):
        raise ReservedTooMany(capacity=capacity or 0)


def check_draft(draft: EventDraft, now: datetime) -> EventDraft:
    check_line(draft.title, TITLE_LIMIT)
    check_line(draft.venue, VENUE_LIMIT)
    check_times(draft.starts_at, draft.ends_at, now)
    if draft.rain_venue is not None:
        check_line(draft.rain_venue, VENUE_LIMIT)
        if same_place(draft.rain_venue, draft.venue):
            raise RainVenueSame()
    if draft.capacity is not None and not 1 <= draft.capacity <= MOST_PEOPLE:
        raise NotANumber(least=1, most=MOST_PEOPLE)
    check_seats(draft.capacity, draft.reserved)
    if draft.rsvp_deadline is not None and draft.rsvp_deadline > draft.starts_at:
        raise DeadlineAfterStart()
    if not 1 <= draft.household_max <= HOUSEHOLD_LIMIT:
        raise NotANumber(least=1, most=HOUSEHOLD_LIMIT)
    return draft


def check_party(adults: int, children: int, *, families: bool, household_max: int) -> None:
    """At least one adult; children only where families come; never over the household's most."""
    if adults < 1 or children < 0 or adults + children > household_max:
        raise PartySize(most=household_max)
    if children and not families:
        raise NoChildren()


def check_open(status: str, starts_at: datetime, deadline: datetime | None, now: datetime) -> None:
    """Replies are taken until the deadline (or the start), never for a cancelled or past event."""
    if status == "cancelled":
        raise EventCancelled()
    if now >= starts_at:
        raise EventOver()
    if deadline is not None and now > deadline:
        raise RsvpClosed()


def urgent(starts_at: datetime, now: datetime) -> bool:
    """The event starts within :data:`URGENT`: its changes and reminders go out before anything else."""
    return starts_at - now <= URGENT


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def parse_reminders(text: str) -> tuple[int, ...]:
    """``"24,2"`` (hours before the start) → minutes before, largest first; an operator's setting."""
    hours = [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
    if any(h <= 0 or h > 24 * 14 for h in hours):
        raise ValueError("reminders are 0–336 hours before the start")
    return tuple(sorted({round(h * 60) for h in hours}, reverse=True))
