"""What the event jobs do: make each month's 相约九号 from its template, and send the reminders that are due.

Both are claims in the database, so a restart, a second worker or a tick run twice neither loses nor repeats:

- a month's event is an ``INSERT … ON CONFLICT DO NOTHING`` on the unique (template, month): the insert that
  made it announces it, every later one makes nothing (a skipped month is never made; a month made and then
  skipped stays cancelled);
- a reminder is a row per (event, offset), created once the moment is within reach, claimed by a conditional
  ``UPDATE … WHERE status = 'pending'``; one whose event has started (the bot was down) or was cancelled is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select

from core import monthly
from core.monthly import Month
from core.notices import Notice
from storage import event_notices
from storage.community import Community
from storage.event_admin import month_change
from storage.events import (
    Event,
    EventMonthChange,
    EventReminder,
    EventStatus,
    EventTemplate,
    ReminderStatus,
    ReplyStatus,
    audience,
    verified_residents,
    view,
)
from storage.unit import Unit


async def make_monthly(unit: Unit, community_id: int, now: datetime) -> list[Notice]:
    """The months whose event is due to be made (``lead_days`` ahead): made once, announced by whoever made it."""
    session = unit.session
    community = await session.get(Community, community_id)
    if community is None:
        return []
    templates = (await session.exec(select(EventTemplate).where(EventTemplate.community_id == community_id,
                                                                 col(EventTemplate.active).is_(True)))).all()
    notices: list[Notice] = []
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    for row in templates:
        template = monthly.Template(day=row.day, start=time(row.start_minute // 60, row.start_minute % 60),
                                    minutes=row.minutes, venue=row.venue, rain_venue=row.rain_venue,
                                    capacity=row.capacity, lead_days=row.lead_days)
        made = frozenset(_month(m) for m in (await session.exec(
            select(Event.month).where(Event.template_id == row.id, col(Event.month).is_not(None)))).all() if m)
        changes = {}
        for change in (await session.exec(select(EventMonthChange).where(
                EventMonthChange.template_id == row.id))).all():
            decided = month_change(change)
            if decided is not None:
                changes[_month(change.month)] = decided
        for found in monthly.due(template, now, community.timezone, changes, already_made=made):
            statement = (insert(Event).values(
                community_id=community_id, title=row.title, description=row.description,
                starts_at=found.starts_at, ends_at=found.ends_at, venue=found.venue, rain_venue=found.rain_venue,
                rain_plan=False, capacity=found.capacity, reserved=row.reserved, rsvp_deadline=None,
                families=row.families, household_max=row.household_max, check_in_code="",
                status=EventStatus.SCHEDULED.value, sequence=0, template_id=row.id, month=str(found.month),
                created_at=now, updated_at=now)
                .on_conflict_do_nothing(index_elements=["template_id", "month"]).returning(col(Event.id)))
            event_id = (await session.exec(statement)).first()  # type: ignore[call-overload]
            if event_id is None:
                continue  # another worker (or an earlier tick) made it
            event = await session.get(Event, event_id[0])
            assert event is not None
            notices.append(event_notices.announce(view(event), await verified_residents(session, community_id)))
    return notices


def _month(text: str) -> Month:
    year, number = text.split("-")
    return Month(int(year), int(number))


async def due_reminders(unit: Unit, community_id: int, offsets: Sequence[int], now: datetime) -> list[Notice]:
    """Reminders ``offsets`` minutes before each event's start, to everyone going; claimed once each."""
    session = unit.session
    if offsets:
        await _ensure(unit, community_id, offsets, now)
    statement = (select(EventReminder, Event)
                 .join(Event, col(Event.id) == EventReminder.event_id)
                 .where(Event.community_id == community_id, EventReminder.status == ReminderStatus.PENDING.value,
                        col(EventReminder.due_at) <= now)
                 .order_by(col(EventReminder.due_at), col(EventReminder.id)))
    notices: list[Notice] = []
    for reminder, event in (await session.exec(statement)).all():
        late = event.status == EventStatus.CANCELLED.value or event.starts_at <= now
        claimed = await session.exec(  # type: ignore[call-overload]
            update(EventReminder).where(col(EventReminder.id) == reminder.id,
                                        col(EventReminder.status) == ReminderStatus.PENDING.value)
            .values(status=ReminderStatus.DROPPED.value if late else ReminderStatus.SENT.value,
                    sent_at=None if late else now))
        if claimed.rowcount != 1 or late:
            continue
        going = await audience(session, event.id or 0, (ReplyStatus.GOING.value,))
        if going:
            notices.append(event_notices.reminder(view(event), going, reminder.offset_minutes, now))
    return notices


async def _ensure(unit: Unit, community_id: int, offsets: Sequence[int], now: datetime) -> None:
    """A row for each reminder whose moment has come within reach (the largest offset ahead)."""
    session = unit.session
    horizon = now + timedelta(minutes=max(offsets))
    events = (await session.exec(select(Event).where(
        Event.community_id == community_id, Event.status == EventStatus.SCHEDULED.value,
        col(Event.starts_at) > now, col(Event.starts_at) <= horizon))).all()
    if not events:
        return
    have = set((await session.exec(select(EventReminder.event_id, EventReminder.offset_minutes).where(
        col(EventReminder.event_id).in_([e.id for e in events])))).all())
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    for event in events:
        for offset in offsets:
            if (event.id, offset) in have:
                continue
            await session.exec(insert(EventReminder).values(  # type: ignore[call-overload]
                event_id=event.id, offset_minutes=offset, due_at=event.starts_at - timedelta(minutes=offset),
                status=ReminderStatus.PENDING.value).on_conflict_do_nothing(
                index_elements=["event_id", "offset_minutes"]))
