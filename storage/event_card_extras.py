"""What an event's card shows of its extras: the accepted programme (in order, with its totals) and the volunteers'
slots — one SELECT, so the card (and the RSVP tap that redraws it) stays within its query budget.

The card is the events feature's (``handlers.events``); the programme and the volunteers are the extras'
(``storage.event_programme``, ``storage.event_volunteers``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, literal_column, true
from sqlalchemy import select as sa_select
from sqlmodel import col

from core import event_extras as rules
from core.event_extras import ItemStatus, ProgrammeTotals
from storage.event_programme import ProgrammeItem
from storage.event_volunteers import VolunteerRole
from storage.unit import Unit


@dataclass(frozen=True, slots=True)
class CardItem:
    title: str
    performers: str
    minutes: int
    resident_planned: bool


@dataclass(frozen=True, slots=True)
class CardExtras:
    items: tuple[CardItem, ...]  # the accepted programme, in order
    totals: ProgrammeTotals
    roles: int  # volunteer roles
    taken: int  # volunteer slots taken
    slots: int  # volunteer slots in all


async def card_extras(unit: Unit, event_id: int) -> CardExtras:
    """The event's accepted programme and its volunteers' slots (the event is the card's: already checked)."""
    roles: Any = (sa_select(func.count().label("roles"), func.coalesce(func.sum(VolunteerRole.taken), 0).label("taken"),
                            func.coalesce(func.sum(VolunteerRole.slots), 0).label("slots"))
                  .where(col(VolunteerRole.event_id) == event_id).subquery())
    # one row of volunteer totals, joined with each accepted item (or with none: the totals still come back)
    statement: Any = (sa_select(roles.c.roles, roles.c.taken, roles.c.slots, col(ProgrammeItem.title),
                                col(ProgrammeItem.performers), col(ProgrammeItem.minutes),
                                col(ProgrammeItem.resident_planned))
                      .select_from(roles)
                      .outerjoin(ProgrammeItem, and_(true(), col(ProgrammeItem.event_id) == event_id,
                                                     col(ProgrammeItem.status) == ItemStatus.ACCEPTED.value))
                      .order_by(col(ProgrammeItem.position), col(ProgrammeItem.id), literal_column("1")))
    rows = (await unit.session.exec(statement)).all()
    count, taken, slots = (int(rows[0][0]), int(rows[0][1]), int(rows[0][2])) if rows else (0, 0, 0)
    items = tuple(CardItem(title, performers, int(minutes), bool(planned))
                  for _, _, _, title, performers, minutes, planned in rows if title is not None)
    totals = rules.totals((item.minutes, item.resident_planned) for item in items)
    return CardExtras(items=items, totals=totals, roles=count, taken=taken, slots=slots)
