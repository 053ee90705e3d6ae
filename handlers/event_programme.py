"""An event's programme (节目单): residents propose items in a form; the committee accepts at a place, declines
with a reason, adds its own items, reorders and removes. ``programme_lines`` is what an event card shows."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol

from core import event_extras as rules
from core.errors import InvalidInput, StaleButton
from core.event_extras import ItemStatus, ProgrammeTotals
from handlers.budget import Page
from handlers.buttons import Tap
from handlers.context import Context
from handlers.event_extras import TITLE_IN_BUTTON, heading, pick_event
from handlers.links import OpenEvent
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import clip, esc
from storage import event_programme
from storage.event_programme import ItemInput, Programme

router = Router("event_programme")

FLOW = "x_programme"
DECLINE_FLOW = "x_decline"
PLACES_SHOWN = 8
STATUS_KEYS = {ItemStatus.PROPOSED: "extras.programme.status_proposed",
               ItemStatus.ACCEPTED: "extras.programme.status_accepted",
               ItemStatus.DECLINED: "extras.programme.status_declined",
               ItemStatus.REMOVED: "extras.programme.status_removed"}


class ProgrammeEvents(Tap, prefix="x5"):
    """The upcoming events, to see or propose to a programme."""


class ProgrammeHome(Tap, prefix="xa"):
    event_id: int


class ProposeItem(Tap, prefix="xb"):
    event_id: int


class FormAction(StrEnum):
    SKIP_NEEDS = "s"
    SUBMIT = "k"
    CANCEL = "x"


class ItemForm(Tap, prefix="xc"):
    form: str
    action: FormAction


class ProgrammeQueue(Tap, prefix="xd"):
    event_id: int


class ReviewItem(Tap, prefix="xe"):
    item_id: int


class AcceptItem(Tap, prefix="xf"):
    item_id: int
    place: int


class DeclineItem(Tap, prefix="xg"):
    item_id: int


class AddItem(Tap, prefix="xh"):
    event_id: int


class MoveItem(Tap, prefix="xi"):
    item_id: int
    place: int


class RemoveItem(Tap, prefix="xj"):
    item_id: int


class ProgrammeOrder(Tap, prefix="x3"):
    event_id: int


# ---- what an event card shows ---------------------------------------------------------------------


class Listed(Protocol):
    """An item as a programme lists it (``ItemView`` here, ``CardItem`` on an event's card)."""

    @property
    def title(self) -> str: ...
    @property
    def performers(self) -> str: ...
    @property
    def minutes(self) -> int: ...


def item_line(ctx: Context, item: Listed, number: int) -> str:
    return ctx.t("extras.programme.line", number=number, title=esc(item.title), performers=esc(item.performers),
                 minutes=item.minutes)


def summary_lines(ctx: Context, items: Sequence[Listed], totals: ProgrammeTotals) -> list[str]:
    """The totals (items, minutes, how many residents planned), then the accepted items in order.

    The totals come first, so that a screen that runs out of room leaves out the last items, never the totals.
    """
    if not items:
        return [ctx.t("extras.programme.empty")]
    return [ctx.t("extras.programme.totals", items=totals.items, minutes=totals.minutes,
                  planned=totals.resident_planned),
            *(item_line(ctx, item, number) for number, item in enumerate(items, start=1))]


def programme_lines(ctx: Context, programme: Programme) -> list[str]:
    """:func:`summary_lines` of an event's programme (what its screen and the event's card show)."""
    return summary_lines(ctx, programme.items, programme.totals)


# ---- residents ---------------------------------------------------------------------------------------


@router.command("programme", verified=True)
async def programme_command(ctx: Context) -> None:
    await pick_event(ctx, "extras.programme.pick", ProgrammeHome, show_programme)


@router.button(ProgrammeEvents, verified=True)
async def programme_events(ctx: Context, tap: ProgrammeEvents) -> None:
    await pick_event(ctx, "extras.programme.pick", ProgrammeHome, show_programme)


@router.button(ProgrammeHome, verified=True)
async def programme_home(ctx: Context, tap: ProgrammeHome) -> None:
    ctx.toast()
    await show_programme(ctx, tap.event_id)


async def show_programme(ctx: Context, event_id: int, *, new: bool = False) -> None:
    viewer = ctx.resident.id if ctx.resident is not None else None
    shown = await event_programme.programme(ctx.uow, ctx.community.id or 0, event_id, viewer_id=viewer)
    event, now = shown.event, ctx.now()
    page = Page()
    page.add(heading(ctx, "extras.programme.title", event))
    page.add("")
    page.extend(programme_lines(ctx, shown))
    if shown.mine:
        page.add("")
        page.add(ctx.t("extras.programme.mine"))
        for item in shown.mine:
            reason = ctx.t("extras.programme.reason", reason=esc(item.decline_reason)) if item.decline_reason else ""
            page.add(ctx.t("extras.programme.mine_line", title=esc(item.title),
                           status=ctx.t(STATUS_KEYS[item.status]), reason=reason))
    rows: Keyboard = []
    if not (event.cancelled or event.started(now)):
        rows.append([ctx.button(ctx.t("extras.programme.propose"), ProposeItem(event_id))])
    if ctx.committee and not (event.cancelled or event.over(now)):
        rows.append([ctx.button(ctx.t("extras.programme.queue", count=shown.pending), ProgrammeQueue(event_id))])
        rows.append([ctx.button(ctx.t("extras.programme.add"), AddItem(event_id)),
                     ctx.button(ctx.t("extras.programme.order"), ProgrammeOrder(event_id))])
    rows.append([ctx.button(ctx.t("menu.back"), ProgrammeEvents()),
                 ctx.button(ctx.t("events.btn.open"), OpenEvent(event_id))])
    ctx.show(page.text(), rows, new=new)


# ---- the proposal form (residents propose; the committee adds with the same form) ---------------------


async def _start_form(ctx: Context, event_id: int, *, committee: bool) -> None:
    shown = await event_programme.programme(ctx.uow, ctx.community.id or 0, event_id)
    event, now = shown.event, ctx.now()
    if event.cancelled or event.over(now) or (not committee and event.started(now)):
        raise rules.EventNotOpen()
    await ctx.set_form(FLOW, "title", {"event_id": event_id, "committee": committee})
    ctx.toast()
    ctx.say(heading(ctx, "extras.form.intro", event) + "\n\n"
            + ctx.t("extras.form.ask_title", limit=rules.ITEM_TITLE_LIMIT))


@router.button(ProposeItem, verified=True)
async def propose_item(ctx: Context, tap: ProposeItem) -> None:
    await _start_form(ctx, tap.event_id, committee=False)


@router.button(AddItem, committee=True)
async def add_item(ctx: Context, tap: AddItem) -> None:
    await _start_form(ctx, tap.event_id, committee=True)


@router.form(FLOW, verified=True)
async def item_input(ctx: Context) -> None:
    state = ctx.require_form(FLOW)
    data = state.data
    if ctx.incoming.attachment is not None:
        raise InvalidInput("errors.text_expected")
    text = ctx.incoming.text
    if state.step == "title":
        data["title"] = rules.check_item_title(text)
        await ctx.set_form(FLOW, "performers", data)
        ctx.say(ctx.t("extras.form.ask_performers", limit=rules.PERFORMERS_LIMIT))
    elif state.step == "performers":
        data["performers"] = rules.check_line(text, rules.PERFORMERS_LIMIT)
        await ctx.set_form(FLOW, "minutes", data)
        ctx.say(ctx.t("extras.form.ask_minutes", least=rules.MINUTES_LEAST, most=rules.MINUTES_MOST))
    elif state.step == "minutes":
        data["minutes"] = rules.check_minutes(text)
        state = await ctx.set_form(FLOW, "needs", data)
        ctx.say(ctx.t("extras.form.ask_needs", limit=rules.NEEDS_LIMIT),
                [[ctx.button(ctx.t("extras.form.no_needs"), ItemForm(state.ref, FormAction.SKIP_NEEDS))]])
    elif state.step == "needs":
        data["needs"] = rules.check_block(text, rules.NEEDS_LIMIT)
        await _preview(ctx, data)
    else:
        ctx.say(ctx.t("start.use_buttons"))


async def _preview(ctx: Context, data: dict) -> None:
    state = await ctx.set_form(FLOW, "preview", data)
    ctx.show(ctx.t("extras.form.preview", title=esc(data["title"]), performers=esc(data["performers"]),
                   minutes=data["minutes"], needs=esc(data.get("needs") or "—")),
             [[ctx.button(ctx.t("extras.form.submit"), ItemForm(state.ref, FormAction.SUBMIT))],
              [ctx.button(ctx.t("common.cancel"), ItemForm(state.ref, FormAction.CANCEL))]])


@router.button(ItemForm, verified=True)
async def item_form(ctx: Context, tap: ItemForm) -> None:
    state = ctx.require_form(FLOW, tap.form)
    data = state.data
    if tap.action is FormAction.CANCEL:
        ctx.toast()
        await ctx.clear_form()
        ctx.show(ctx.t("extras.form.cancelled"))
        return
    if tap.action is FormAction.SKIP_NEEDS:
        if state.step != "needs":
            raise StaleButton()
        ctx.toast()
        data["needs"] = ""
        await _preview(ctx, data)
        return
    if state.step != "preview":
        raise StaleButton()
    entry = ItemInput(title=data["title"], performers=data["performers"], minutes=int(data["minutes"]),
                      needs=data.get("needs") or "")
    event_id = int(data["event_id"])
    community_id, resident_id = ctx.community.id or 0, (ctx.resident.id or 0) if ctx.resident else 0
    if data.get("committee"):
        if not ctx.committee:
            raise StaleButton()
        added = await event_programme.add(ctx.uow, community_id, event_id, resident_id, entry, ctx.now())
        await ctx.clear_form()
        ctx.toast(ctx.t("extras.form.added", place=added.item.position or 0))
        await show_programme(ctx, event_id)
        return
    proposed = await event_programme.propose(ctx.uow, community_id, event_id, resident_id, entry, ctx.now())
    ctx.tell(*proposed.notices)
    await ctx.clear_form()
    ctx.toast()
    ctx.show(ctx.t("extras.form.submitted", title=esc(proposed.item.title)),
             [[ctx.button(ctx.t("extras.programme.open"), ProgrammeHome(event_id))]])


# ---- the committee ---------------------------------------------------------------------------------


@router.button(ProgrammeQueue, committee=True)
async def programme_queue(ctx: Context, tap: ProgrammeQueue) -> None:
    event, waiting = await event_programme.proposals(ctx.uow, ctx.community.id or 0, tap.event_id)
    ctx.toast()
    page = Page()
    page.add(heading(ctx, "extras.queue.title", event))
    page.add("")
    if not waiting:
        page.add(ctx.t("extras.queue.empty"))
    for item in waiting:
        page.add(ctx.t("extras.queue.line", id=item.id, title=esc(item.title), performers=esc(item.performers),
                       minutes=item.minutes, name=esc(item.proposer_name)))
    rows: Keyboard = [[ctx.button(f"#{item.id} {clip(item.title, TITLE_IN_BUTTON)}", ReviewItem(item.id))]
                      for item in waiting[:PLACES_SHOWN]]
    rows.append([ctx.button(ctx.t("menu.back"), ProgrammeHome(tap.event_id))])
    ctx.show(page.text(), rows)


@router.button(ProgrammeOrder, committee=True)
async def programme_order(ctx: Context, tap: ProgrammeOrder) -> None:
    shown = await event_programme.programme(ctx.uow, ctx.community.id or 0, tap.event_id)
    ctx.toast()
    page = Page()
    page.add(heading(ctx, "extras.programme.title", shown.event))
    page.add("")
    page.extend(programme_lines(ctx, shown))
    page.add("")
    page.add(ctx.t("extras.order.hint"))
    rows: Keyboard = [[ctx.button(f"{item.position}. {clip(item.title, TITLE_IN_BUTTON)}", ReviewItem(item.id))]
                      for item in shown.items[:12]]
    rows.append([ctx.button(ctx.t("menu.back"), ProgrammeHome(tap.event_id))])
    ctx.show(page.text(), rows)


@router.button(ReviewItem, committee=True)
async def review_item(ctx: Context, tap: ReviewItem) -> None:
    ctx.toast()
    await _show_item(ctx, tap.item_id)


async def _show_item(ctx: Context, item_id: int) -> None:
    card = await event_programme.item_card(ctx.uow, ctx.community.id or 0, item_id)
    item = card.item
    who = esc(item.proposer_name) if item.resident_planned else ctx.t("extras.item.by_committee")
    text = ctx.t("extras.item.card", id=item.id, title=esc(item.title), performers=esc(item.performers),
                 minutes=item.minutes, needs=esc(item.needs or "—"), who=who, status=ctx.t(STATUS_KEYS[item.status]))
    rows: Keyboard = []
    back: Tap
    if item.status is ItemStatus.PROPOSED:
        places = range(1, min(card.accepted + 1, PLACES_SHOWN) + 1)
        buttons = [ctx.button(ctx.t("extras.item.accept_at", place=p), AcceptItem(item.id, p)) for p in places]
        rows.extend(buttons[i:i + 4] for i in range(0, len(buttons), 4))
        if card.accepted + 1 > PLACES_SHOWN:
            rows.append([ctx.button(ctx.t("extras.item.accept_last"), AcceptItem(item.id, card.accepted + 1))])
        rows.append([ctx.button(ctx.t("extras.item.decline"), DeclineItem(item.id))])
        back = ProgrammeQueue(item.event_id)
    else:
        if item.status is ItemStatus.ACCEPTED:
            places = range(1, min(card.accepted, PLACES_SHOWN) + 1)
            buttons = [ctx.button(ctx.t("extras.item.move_to", place=p), MoveItem(item.id, p)) for p in places
                       if p != item.position]
            rows.extend(buttons[i:i + 4] for i in range(0, len(buttons), 4))
            rows.append([ctx.button(ctx.t("extras.item.remove"), RemoveItem(item.id))])
        back = ProgrammeOrder(item.event_id)
    rows.append([ctx.button(ctx.t("menu.back"), back)])
    ctx.show(text, rows)


@router.button(AcceptItem, committee=True)
async def accept_item(ctx: Context, tap: AcceptItem) -> None:
    decided = await event_programme.accept(ctx.uow, ctx.community.id or 0, tap.item_id, _actor(ctx), tap.place,
                                           ctx.now())
    ctx.tell(*decided.notices)
    ctx.toast(ctx.t("extras.item.accepted", place=decided.item.position or 0))
    await _after_decision(ctx, decided.item.event_id)


@router.button(MoveItem, committee=True)
async def move_item(ctx: Context, tap: MoveItem) -> None:
    moved = await event_programme.move(ctx.uow, ctx.community.id or 0, tap.item_id, tap.place, ctx.now())
    ctx.toast(ctx.t("extras.item.moved", place=moved.item.position or 0))
    await programme_order(ctx, ProgrammeOrder(moved.item.event_id))


@router.button(RemoveItem, committee=True)
async def remove_item(ctx: Context, tap: RemoveItem) -> None:
    removed = await event_programme.remove(ctx.uow, ctx.community.id or 0, tap.item_id, _actor(ctx), ctx.now())
    ctx.tell(*removed.notices)
    ctx.toast(ctx.t("extras.item.removed"))
    await programme_order(ctx, ProgrammeOrder(removed.item.event_id))


@router.button(DeclineItem, committee=True)
async def decline_item(ctx: Context, tap: DeclineItem) -> None:
    card = await event_programme.item_card(ctx.uow, ctx.community.id or 0, tap.item_id)
    if card.item.status is not ItemStatus.PROPOSED:
        raise rules.ItemDecided()
    await ctx.set_form(DECLINE_FLOW, "reason", {"item_id": tap.item_id})
    ctx.toast()
    ctx.say(ctx.t("extras.item.ask_reason", title=esc(card.item.title), limit=rules.DECLINE_REASON_LIMIT))


@router.form(DECLINE_FLOW, committee=True)
async def decline_reason(ctx: Context) -> None:
    state = ctx.require_form(DECLINE_FLOW)
    if ctx.incoming.attachment is not None:
        raise InvalidInput("errors.text_expected")
    decided = await event_programme.decline(ctx.uow, ctx.community.id or 0, int(state.data["item_id"]), _actor(ctx),
                                            ctx.incoming.text, ctx.now())
    ctx.tell(*decided.notices)
    await ctx.clear_form()
    ctx.say(ctx.t("extras.item.declined", title=esc(decided.item.title)),
            [[ctx.button(ctx.t("extras.queue.back"), ProgrammeQueue(decided.item.event_id))]])


async def _after_decision(ctx: Context, event_id: int) -> None:
    """Back to the queue (the next proposal waits there)."""
    await programme_queue(ctx, ProgrammeQueue(event_id))


def _actor(ctx: Context) -> int:
    assert ctx.resident is not None  # the committee guard let only a member through
    return ctx.resident.id or 0
