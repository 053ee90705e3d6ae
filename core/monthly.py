"""相约九号: a gathering every month on the same day, made ahead of time from a template, one a month.

The template says the day (the 9th), the time, the venues, the capacity and how many days ahead each month's event
is made and announced. A month can be skipped, or have its own time or venue, without touching the template.
Pure: storage keeps one event per (template, month) with a unique key, so running this on every tick and after
every restart makes each month's event exactly once.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Month:
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    @staticmethod
    def of(day: date) -> Month:
        return Month(day.year, day.month)


@dataclass(frozen=True, slots=True)
class Template:
    day: int  # of the month; a month without it uses its last day (the 31st in February → the 28th or 29th)
    start: time
    minutes: int
    venue: str
    rain_venue: str | None = None
    capacity: int | None = None
    lead_days: int = 14  # made and announced this many days before


@dataclass(frozen=True, slots=True)
class MonthChange:
    """One month's own decision: skipped, or another time or venue."""

    skip: bool = False
    start: time | None = None
    venue: str | None = None


@dataclass(frozen=True, slots=True)
class Occurrence:
    month: Month
    starts_at: datetime
    ends_at: datetime
    venue: str
    rain_venue: str | None
    capacity: int | None


def occurrence(template: Template, month: Month, timezone: str,
               change: MonthChange | None = None) -> Occurrence | None:
    """The month's event as the template (and the month's own change) says; None if the month is skipped."""
    change = change or MonthChange()
    if change.skip:
        return None
    day = min(template.day, calendar.monthrange(month.year, month.month)[1])
    start = datetime.combine(date(month.year, month.month, day), change.start or template.start,
                             tzinfo=ZoneInfo(timezone))
    return Occurrence(month=month, starts_at=start, ends_at=start + timedelta(minutes=template.minutes),
                      venue=change.venue or template.venue, rain_venue=template.rain_venue,
                      capacity=template.capacity)


def due(template: Template, now: datetime, timezone: str, changes: Mapping[Month, MonthChange] | None = None,
        *, already_made: frozenset[Month] = frozenset()) -> list[Occurrence]:
    """The events to make now: months whose event has not started and whose making day has come, not skipped and
    not made before (``already_made`` comes from storage). Looks at this month and the next."""
    changes = changes or {}
    local = now.astimezone(ZoneInfo(timezone))
    found = []
    for month in (Month.of(local.date()), Month.of(local.date()).next()):
        if month in already_made:
            continue
        event = occurrence(template, month, timezone, changes.get(month))
        if event is None or event.starts_at <= now:
            continue
        if now >= event.starts_at - timedelta(days=template.lead_days):
            found.append(event)
    return found


def moved(event: Occurrence, template: Template, change: MonthChange) -> Occurrence:
    """The same month's event after a change of time or venue (a skip is a cancellation, not a move)."""
    start = datetime.combine(event.starts_at.date(), change.start or event.starts_at.timetz())
    return replace(event, starts_at=start, ends_at=start + timedelta(minutes=template.minutes),
                   venue=change.venue or event.venue)
