"""The community's events as one iCalendar feed (``.ics``): what phones and desktop calendars subscribe to.

Each event carries a stable UID (the same event keeps it across feeds, so calendars update rather than
duplicate) and its SEQUENCE (raised on every change residents must hear of), its venue, a display alarm, and
its times in the community's time zone (TZID, with the VTIMEZONE that defines it). A cancelled event stays in
the feed as STATUS:CANCELLED (so calendars that had it drop it) and rings no alarm.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from locales.catalogs import DEFAULT_LANGUAGE, Translator
from storage.exports.tables import labels

PRODID = "-//Linli//Linli residents' committee bot//ZH"
UID_DOMAIN = "linli.invalid"


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One event as the feed needs it (a plain read model: the events feature builds these)."""

    uid: str  # stable per event: see :func:`event_uid`
    sequence: int
    title: str
    starts_at: datetime  # aware
    ends_at: datetime  # aware
    venue: str
    description: str = ""
    alarm_before: timedelta | None = timedelta(hours=2)
    cancelled: bool = False
    updated_at: datetime | None = None  # aware; LAST-MODIFIED


def event_uid(community_id: int, event_id: int) -> str:
    """A UID that is the same for an event in every feed and unique across communities."""
    return f"event-{community_id}-{event_id}@{UID_DOMAIN}"


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("calendar times must be timezone-aware")
    return moment


def ics_feed(events: Iterable[CalendarEvent], community: str, time_zone: str, generated_at: datetime,
             language: str = DEFAULT_LANGUAGE, translator: Translator | None = None) -> bytes:
    """One VCALENDAR of ``events`` (sorted by start), times with TZID=``time_zone`` and its VTIMEZONE."""
    t = labels(language, translator)
    zone = ZoneInfo(time_zone)
    stamp = _aware(generated_at).astimezone(ZoneInfo("UTC"))
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = t("exports.ics.calendar_name", community=community)
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", time_zone)
    listed = sorted(events, key=lambda event: (_aware(event.starts_at), event.uid))
    uids = [event.uid for event in listed]
    if len(set(uids)) != len(uids):
        raise ValueError("two events share a UID")
    for item in listed:
        if item.ends_at < item.starts_at:
            raise ValueError(f"{item.uid}: ends before it starts")
        event = Event()
        event.add("uid", item.uid)
        event.add("sequence", item.sequence)
        event.add("dtstamp", stamp)
        event.add("dtstart", _aware(item.starts_at).astimezone(zone))
        event.add("dtend", _aware(item.ends_at).astimezone(zone))
        event.add("summary", item.title)
        event.add("location", item.venue)
        if item.description:
            event.add("description", item.description)
        if item.updated_at is not None:
            event.add("last-modified", _aware(item.updated_at).astimezone(ZoneInfo("UTC")))
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        event.add("transp", "OPAQUE")
        if item.alarm_before is not None and not item.cancelled:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", t("exports.ics.alarm", title=item.title))
            alarm.add("trigger", -item.alarm_before)
            event.add_component(alarm)
        calendar.add_component(event)
    if listed:
        first = min(event.starts_at for event in listed).astimezone(zone).date() - timedelta(days=1)
        last = max(event.ends_at for event in listed).astimezone(zone).date() + timedelta(days=1)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return bytes(calendar.to_ical())
