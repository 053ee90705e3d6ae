"""The community's upcoming events as one iCalendar feed (``/calendar``, ``linli calendar``).

Each event keeps the UID of its own calendar file (``storage.event_calendar.uid``) and its SEQUENCE, so importing
the feed after the single event's file (or again after a change) updates the entry instead of adding a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from locales.catalogs import DEFAULT_LANGUAGE, Translator
from storage.community import Community
from storage.event_calendar import uid
from storage.events import Event, view
from storage.exports.calendar import CalendarEvent, ics_feed
from storage.unit import Unit

ALARM_BEFORE = timedelta(hours=2)
LIMIT = 500  # upcoming events in one feed (a community has a few a month)


@dataclass(frozen=True, slots=True)
class Feed:
    content: bytes
    events: int
    community: str


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def upcoming_feed(unit: Unit, community_id: int, now: datetime, *, language: str = DEFAULT_LANGUAGE,
                        translator: Translator | None = None) -> Feed:
    """Every event of the community not yet over (cancelled ones too, marked so: calendars that had them drop
    them), soonest first."""
    session = unit.session
    community = await session.get(Community, community_id)
    assert community is not None
    statement = (select(Event).where(Event.community_id == community_id, col(Event.ends_at) > now)
                 .order_by(col(Event.starts_at), col(Event.id)).limit(LIMIT))
    events = []
    for row in (await session.exec(statement)).all():
        shown = view(row)
        events.append(CalendarEvent(uid=uid(shown), sequence=shown.sequence, title=shown.title,
                                    starts_at=_aware(shown.starts_at), ends_at=_aware(shown.ends_at),
                                    venue=shown.where, description=shown.description, alarm_before=ALARM_BEFORE,
                                    cancelled=shown.cancelled))
    content = ics_feed(events, community.name, community.timezone, now, language, translator)
    return Feed(content, len(events), community.name)
