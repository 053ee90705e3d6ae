"""An event as an iCalendar file (.ics): the venue in use, the community's time zone, an alarm.

The UID stays the same for the life of the event and SEQUENCE is the event's own (raised on every change residents
are told of), so a calendar that imported the file before updates the entry — or marks it cancelled — instead of
adding a second one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from storage.events import EventView

PRODID = "-//Linli//Events//ZH"


def uid(event: EventView) -> str:
    return f"event-{event.id}-c{event.community_id}@linli"


def ics(event: EventView, timezone: str, now: datetime, *, alarm_minutes: int = 120, alarm_text: str = "",
        url: str | None = None) -> bytes:
    """The event as a calendar file, times in ``timezone`` (with its VTIMEZONE)."""
    from icalendar import Alarm, Calendar  # lazily: not at start-up (tests/test_startup.py)
    from icalendar import Event as VEvent

    zone = ZoneInfo(timezone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if event.cancelled else "PUBLISH")
    entry = VEvent()
    entry.add("uid", uid(event))
    entry.add("sequence", event.sequence)
    entry.add("dtstamp", now)
    entry.add("dtstart", event.starts_at.astimezone(zone))
    entry.add("dtend", event.ends_at.astimezone(zone))
    entry.add("summary", event.title)
    if event.description:
        entry.add("description", event.description)
    entry.add("location", event.where)
    entry.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    if url:
        entry.add("url", url)
    if not event.cancelled and alarm_minutes > 0:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", alarm_text or event.title)
        alarm.add("trigger", timedelta(minutes=-alarm_minutes))
        entry.add_component(alarm)
    calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()
