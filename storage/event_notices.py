"""Who hears what about an event, as notices (rendered by the notifier in each recipient's language, never here).

- a new event (the committee's, or the month's 相约九号): every verified resident — see :func:`announce`;
- a change (rain venue, time, cancellation): everyone going or waiting, urgent when the event starts within 3 h;
- a party promoted from the waitlist, or moved to it when seats were taken away: that household's replier;
- a reminder before the start: everyone going.

Each notice's key names the event and what changed (its iCalendar sequence, the reply's version), so the same
news is queued once per person however often a job or a retry produces it, and new news is queued again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from core import events as rules
from core.notices import Link, Notice, NoticeButton, Param, Recipient, When

if TYPE_CHECKING:
    from storage.events import EventView, Person

WHEN = "%Y-%m-%d %H:%M"
CHANGE_KEYS = {"rain": "events.note.rain", "dry": "events.note.dry", "time": "events.note.time",
               "venue": "events.note.venue", "cancelled": "events.note.cancelled"}


def _to(persons: Sequence[Person]) -> tuple[Recipient, ...]:
    return tuple(Recipient(p.telegram_user_id, p.language) for p in persons)


def _params(event: EventView) -> dict[str, Param]:
    return {"title": event.title, "when": When(event.starts_at, WHEN), "venue": event.where}


def _open(event: EventView) -> tuple[tuple[NoticeButton, ...], ...]:
    return ((NoticeButton("events.btn.open", Link.EVENT, event.id),),)


def announce(event: EventView, residents: Sequence[Person]) -> Notice:
    """A new event, to every verified resident.

    Everyone rather than an opt-in list: the committee has no other channel in the bot, it is one message per
    event (about two a month), and a resident who does not want them can mute the bot; an opt-out belongs to a
    notification-preferences screen shared by every feature, not to events alone.
    """
    return Notice(text="events.note.new", key=f"ev-new:{event.id}", recipients=_to(residents),
                  params=_params(event), buttons=_open(event))


def changed(event: EventView, kind: str, audience: Sequence[Person], now: datetime, **extra: Param) -> Notice:
    """The rain venue is in use (or no longer), the time or venue moved, or the event is off."""
    return Notice(text=CHANGE_KEYS[kind], key=f"ev-chg:{event.id}:s{event.sequence}", recipients=_to(audience),
                  params=_params(event) | extra, buttons=_open(event), urgent=rules.urgent(event.starts_at, now))


def promoted(event: EventView, person: Person, reply_id: int, version: int, people: int, now: datetime) -> Notice:
    """A household on the waitlist has seats now."""
    return Notice(text="events.note.promoted", key=f"ev-up:{event.id}:{reply_id}:v{version}",
                  recipients=_to([person]), params=_params(event) | {"people": people}, buttons=_open(event),
                  urgent=rules.urgent(event.starts_at, now))


def demoted(event: EventView, person: Person, reply_id: int, version: int, place: int, now: datetime) -> Notice:
    """Seats were taken away and the household's party is back on the waitlist (at the front)."""
    return Notice(text="events.note.demoted", key=f"ev-down:{event.id}:{reply_id}:v{version}",
                  recipients=_to([person]), params=_params(event) | {"place": place}, buttons=_open(event),
                  urgent=rules.urgent(event.starts_at, now))


def reminder(event: EventView, going: Sequence[Person], offset_minutes: int, now: datetime) -> Notice:
    """Before the start, to everyone going; again after a move (the key names the event's sequence)."""
    return Notice(text="events.note.reminder", key=f"ev-rem:{event.id}:{offset_minutes}:s{event.sequence}",
                  recipients=_to(going), params=_params(event), buttons=_open(event),
                  urgent=rules.urgent(event.starts_at, now))
