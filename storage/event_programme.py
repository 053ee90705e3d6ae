"""An event's programme (节目): residents propose items, the committee accepts (at a place) or declines.

An item is decided once: accepting, declining and removing are conditional UPDATEs on its status, so two
committee members (or a double tap) never decide it twice. The order of the accepted items is rewritten under
the event's row lock (SQLite: the unit of work's write lock), so concurrent placements never interleave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import event_extras as rules
from core.errors import NotFound
from core.event_extras import ItemStatus, ProgrammeTotals
from core.notices import Notice, When
from storage import event_extras_notices as notices
from storage.event_extras import EventInfo, event_row, info
from storage.events import Event
from storage.residents import Resident
from storage.unit import Unit


class ProgrammeItem(SQLModel, table=True):
    __tablename__ = "event_programme_item"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    proposer_id: int | None = Field(default=None, foreign_key="resident.id", index=True)
    resident_planned: bool = Field(default=True)  # False: added by the committee itself
    title: str = Field(max_length=rules.ITEM_TITLE_LIMIT)
    performers: str = Field(max_length=rules.PERFORMERS_LIMIT)
    minutes: int
    needs: str = Field(default="", max_length=rules.NEEDS_LIMIT)
    status: str = Field(default=ItemStatus.PROPOSED.value, max_length=10)
    position: int | None = Field(default=None)  # 1-based place among the accepted items
    decline_reason: str | None = Field(default=None, max_length=rules.DECLINE_REASON_LIMIT)
    decided_by: int | None = Field(default=None, foreign_key="resident.id")
    created_at: datetime
    decided_at: datetime | None = None


# ---- read models ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemView:
    id: int
    event_id: int
    title: str
    performers: str
    minutes: int
    needs: str
    status: ItemStatus
    position: int | None
    resident_planned: bool
    proposer_name: str
    decline_reason: str


@dataclass(frozen=True, slots=True)
class Programme:
    """The accepted items in order, their totals, and (for the viewer) their own proposals and the queue size."""

    event: EventInfo
    items: tuple[ItemView, ...]
    totals: ProgrammeTotals
    mine: tuple[ItemView, ...] = ()  # the viewer's proposals, newest first
    pending: int = 0  # proposals waiting for the committee


@dataclass(frozen=True, slots=True)
class ItemCard:
    item: ItemView
    event: EventInfo
    accepted: int  # how many items the programme has (for the place buttons)


@dataclass(frozen=True, slots=True)
class Decision:
    item: ItemView
    notices: tuple[Notice, ...] = ()


def _view(item: ProgrammeItem, proposer_name: str | None) -> ItemView:
    return ItemView(id=item.id or 0, event_id=item.event_id, title=item.title, performers=item.performers,
                    minutes=item.minutes, needs=item.needs, status=ItemStatus(item.status), position=item.position,
                    resident_planned=item.resident_planned, proposer_name=proposer_name or "",
                    decline_reason=item.decline_reason or "")


def _items_statement() -> Any:
    proposer = aliased(Resident, name="proposer")
    return (sa_select(ProgrammeItem, col(proposer.display_name)).select_from(ProgrammeItem)
            .outerjoin(proposer, col(proposer.id) == ProgrammeItem.proposer_id))


async def _items(session: AsyncSession, statement: Any) -> list[ItemView]:
    return [_view(item, name) for item, name in (await session.exec(statement)).all()]


async def _accepted(session: AsyncSession, event_id: int) -> list[ItemView]:
    statement = (_items_statement().where(col(ProgrammeItem.event_id) == event_id,
                                          col(ProgrammeItem.status) == ItemStatus.ACCEPTED.value)
                 .order_by(col(ProgrammeItem.position), col(ProgrammeItem.id)))
    return await _items(session, statement)


def programme_totals(items: tuple[ItemView, ...] | list[ItemView]) -> ProgrammeTotals:
    return rules.totals((item.minutes, item.resident_planned) for item in items)


async def programme(unit: Unit, community_id: int, event_id: int, *, viewer_id: int | None = None) -> Programme:
    """The event's programme as anyone may see it; with ``viewer_id`` also that resident's own proposals."""
    session = unit.session
    event = info(await event_row(session, community_id, event_id))
    items = tuple(await _accepted(session, event_id))
    mine: list[ItemView] = []
    if viewer_id is not None:
        mine = await _items(session, _items_statement().where(
            col(ProgrammeItem.event_id) == event_id, col(ProgrammeItem.proposer_id) == viewer_id,
            col(ProgrammeItem.status) != ItemStatus.ACCEPTED.value)
            .order_by(col(ProgrammeItem.created_at).desc(), col(ProgrammeItem.id).desc()).limit(5))
    waiting = (select(func.count()).select_from(ProgrammeItem)
               .where(col(ProgrammeItem.event_id) == event_id, col(ProgrammeItem.status) == ItemStatus.PROPOSED.value))
    return Programme(event=event, items=items, totals=programme_totals(items), mine=tuple(mine),
                     pending=int((await session.exec(waiting)).one()))


async def proposals(unit: Unit, community_id: int, event_id: int, limit: int = 20) -> tuple[EventInfo, list[ItemView]]:
    """The proposals waiting for the committee, oldest first."""
    event = info(await event_row(unit.session, community_id, event_id))
    statement = (_items_statement().where(col(ProgrammeItem.event_id) == event_id,
                                          col(ProgrammeItem.status) == ItemStatus.PROPOSED.value)
                 .order_by(col(ProgrammeItem.created_at), col(ProgrammeItem.id)).limit(limit))
    return event, await _items(unit.session, statement)


async def _item_row(session: AsyncSession, community_id: int, item_id: int) -> tuple[ProgrammeItem, Event]:
    """The item and its event, if the event is this community's (else not found)."""
    statement = (select(ProgrammeItem, Event).join(Event, col(Event.id) == ProgrammeItem.event_id)
                 .where(col(ProgrammeItem.id) == item_id, col(Event.community_id) == community_id))
    found = (await session.exec(statement)).first()
    if found is None:
        raise NotFound()
    return found[0], found[1]


async def item_card(unit: Unit, community_id: int, item_id: int) -> ItemCard:
    """One item as the committee reviews it."""
    session = unit.session
    item, event = await _item_row(session, community_id, item_id)
    proposer = await session.get(Resident, item.proposer_id) if item.proposer_id is not None else None
    accepted = (select(func.count()).select_from(ProgrammeItem)
                .where(col(ProgrammeItem.event_id) == item.event_id,
                       col(ProgrammeItem.status) == ItemStatus.ACCEPTED.value))
    return ItemCard(item=_view(item, proposer.display_name if proposer else ""), event=info(event),
                    accepted=int((await session.exec(accepted)).one()))


# ---- proposing and adding ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemInput:
    title: str
    performers: str
    minutes: int
    needs: str = ""

    def checked(self) -> ItemInput:
        return ItemInput(title=rules.check_item_title(self.title),
                         performers=rules.check_line(self.performers, rules.PERFORMERS_LIMIT),
                         minutes=rules.check_minutes(str(self.minutes)),
                         needs=rules.check_block(self.needs, rules.NEEDS_LIMIT) if self.needs.strip() else "")


def _open_for(event: EventInfo, now: datetime, *, until_start: bool) -> None:
    if event.cancelled or event.over(now) or (until_start and event.started(now)):
        raise rules.EventNotOpen()


async def propose(unit: Unit, community_id: int, event_id: int, proposer_id: int, entry: ItemInput,
                  now: datetime) -> Decision:
    """A resident proposes an item (until the event starts); the committee is told."""
    session = unit.session
    event = info(await event_row(session, community_id, event_id))
    _open_for(event, now, until_start=True)
    clean = entry.checked()
    waiting = (select(func.count()).select_from(ProgrammeItem)
               .where(col(ProgrammeItem.event_id) == event_id, col(ProgrammeItem.proposer_id) == proposer_id,
                      col(ProgrammeItem.status) == ItemStatus.PROPOSED.value))
    if int((await session.exec(waiting)).one()) >= rules.PENDING_PROPOSALS_PER_EVENT:
        raise rules.TooManyPending(most=rules.PENDING_PROPOSALS_PER_EVENT)
    item = ProgrammeItem(event_id=event_id, proposer_id=proposer_id, resident_planned=True, title=clean.title,
                         performers=clean.performers, minutes=clean.minutes, needs=clean.needs, created_at=now)
    session.add(item)
    await session.flush()
    proposer = await session.get(Resident, proposer_id)
    told = await notices.item_proposed(session, community_id, item_id=item.id or 0, title=item.title,
                                       performers=item.performers, minutes=item.minutes, event_title=event.title,
                                       starts_at=When(event.starts_at, "%m-%d %H:%M"))
    return Decision(item=_view(item, proposer.display_name if proposer else ""), notices=(told,))


async def add(unit: Unit, community_id: int, event_id: int, actor_id: int, entry: ItemInput, now: datetime, *,
              place: int | None = None) -> Decision:
    """The committee adds an item itself (not planned by residents): accepted at ``place`` (default: last)."""
    session = unit.session
    event = info(await event_row(session, community_id, event_id, lock=True))
    _open_for(event, now, until_start=False)
    clean = entry.checked()
    item = ProgrammeItem(event_id=event_id, proposer_id=None, resident_planned=False, title=clean.title,
                         performers=clean.performers, minutes=clean.minutes, needs=clean.needs,
                         status=ItemStatus.ACCEPTED.value, decided_by=actor_id, decided_at=now, created_at=now)
    session.add(item)
    await session.flush()
    await _place(session, event_id, item.id or 0, place if place is not None else 10_000)
    await session.refresh(item)
    return Decision(item=_view(item, ""))


async def _place(session: AsyncSession, event_id: int, item_id: int, place: int) -> None:
    """Put ``item_id`` (already accepted) at ``place`` and number the programme 1, 2, 3 … again."""
    order = [item.id for item in await _accepted(session, event_id)]
    for position, other in enumerate(rules.insert_at(order, item_id, place), start=1):
        await session.exec(update(ProgrammeItem).where(col(ProgrammeItem.id) == other)  # type: ignore[call-overload]
                           .values(position=position).execution_options(synchronize_session=False))


# ---- the committee decides -------------------------------------------------------------------------


async def _decide(session: AsyncSession, item_id: int, source: ItemStatus, **values: Any) -> bool:
    """Move the item out of ``source``: True for the one transaction that did."""
    statement = (update(ProgrammeItem)
                 .where(col(ProgrammeItem.id) == item_id, col(ProgrammeItem.status) == source.value)
                 .values(**values).execution_options(synchronize_session=False))
    result = await session.exec(statement)  # type: ignore[call-overload]
    return bool(result.rowcount == 1)


async def _locked_item(session: AsyncSession, community_id: int, item_id: int) -> tuple[ProgrammeItem, EventInfo]:
    item, event = await _item_row(session, community_id, item_id)
    await event_row(session, community_id, event.id or 0, lock=True)  # placements of one event, one at a time
    return item, info(event)


async def _after(session: AsyncSession, item_id: int) -> ProgrammeItem:
    item = await session.get(ProgrammeItem, item_id)
    assert item is not None
    await session.refresh(item)
    return item


async def accept(unit: Unit, community_id: int, item_id: int, actor_id: int, place: int, now: datetime) -> Decision:
    """Accept a proposal at ``place`` (1-based; past the end means last); the proposer is told the place."""
    session = unit.session
    item, event = await _locked_item(session, community_id, item_id)
    _open_for(event, now, until_start=False)
    if not await _decide(session, item_id, ItemStatus.PROPOSED, status=ItemStatus.ACCEPTED.value, decided_by=actor_id,
                         decided_at=now):
        raise rules.ItemDecided()
    await _place(session, item.event_id, item_id, place)
    item = await _after(session, item_id)
    told = await notices.item_decided(session, item.proposer_id, item_id=item_id, title=item.title,
                                      event_title=event.title, event_id=item.event_id, outcome="accepted",
                                      place=item.position or 0)
    return Decision(item=_view(item, ""), notices=(told,) if told else ())


async def decline(unit: Unit, community_id: int, item_id: int, actor_id: int, reason: str | None,
                  now: datetime) -> Decision:
    """Decline a proposal with a reason the proposer reads."""
    session = unit.session
    clean = rules.check_block(reason, rules.DECLINE_REASON_LIMIT)
    item, event = await _locked_item(session, community_id, item_id)
    if not await _decide(session, item_id, ItemStatus.PROPOSED, status=ItemStatus.DECLINED.value,
                         decline_reason=clean, decided_by=actor_id, decided_at=now):
        raise rules.ItemDecided()
    item = await _after(session, item_id)
    told = await notices.item_decided(session, item.proposer_id, item_id=item_id, title=item.title,
                                      event_title=event.title, event_id=item.event_id, outcome="declined", reason=clean)
    return Decision(item=_view(item, ""), notices=(told,) if told else ())


async def move(unit: Unit, community_id: int, item_id: int, place: int, now: datetime) -> Decision:
    """Move an accepted item to ``place``."""
    session = unit.session
    item, event = await _locked_item(session, community_id, item_id)
    _open_for(event, now, until_start=False)
    if item.status != ItemStatus.ACCEPTED.value:
        raise rules.ItemDecided()
    await _place(session, item.event_id, item_id, place)
    return Decision(item=_view(await _after(session, item_id), ""))


async def remove(unit: Unit, community_id: int, item_id: int, actor_id: int, now: datetime) -> Decision:
    """Take an accepted item off the programme; a resident who proposed it is told."""
    session = unit.session
    item, event = await _locked_item(session, community_id, item_id)
    _open_for(event, now, until_start=False)
    if not await _decide(session, item_id, ItemStatus.ACCEPTED, status=ItemStatus.REMOVED.value, position=None,
                         decided_by=actor_id, decided_at=now):
        raise rules.ItemDecided()
    order = [accepted.id for accepted in await _accepted(session, item.event_id)]
    if order:
        await _place(session, item.event_id, order[-1], len(order))  # renumber 1 … n
    item = await _after(session, item_id)
    told = None
    if item.resident_planned:
        told = await notices.item_decided(session, item.proposer_id, item_id=item_id, title=item.title,
                                          event_title=event.title, event_id=item.event_id, outcome="removed")
    return Decision(item=_view(item, ""), notices=(told,) if told else ())

