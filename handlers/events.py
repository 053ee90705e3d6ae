"""Events for residents: the upcoming list, an event's card, going (adults and children, by number buttons), not
going, leaving the waitlist, and the event as a calendar file.

The card shows how many are going and the places left — never who (the committee's card, in
``handlers.events_committee``, does). Once the household is going, the card shows its party instead of the places
left; on the waitlist, its place. Other features add lines and buttons to the card through :data:`CARD_EXTRAS`
(programme, volunteers, check-in): each is called with the context and the card and returns its lines and rows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from core import events as rules
from core.text import parsed_length
from handlers.budget import TEXT_BUDGET, Page
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import EventsHome, OpenEvent, OpenMenu
from handlers.port import Keyboard, SendDocument
from handlers.router import Router
from handlers.text import clip, esc, local_time
from storage import event_calendar, events
from storage.events import EventCard, EventView, ReplyStatus

router = Router("events")

MOST_BUTTONS = 10  # number buttons offered for a party (the household maximum, at most this)
TITLE_IN_BUTTON = 24


class GoingStart(Tap, prefix="wg"):
    event_id: int


class PickAdults(Tap, prefix="wa"):
    event_id: int
    adults: int


class Rsvp(Tap, prefix="wr"):
    event_id: int
    adults: int
    children: int


class NotGoing(Tap, prefix="wx"):
    event_id: int


class CalendarFile(Tap, prefix="wi"):
    event_id: int


CardExtra = Callable[[Context, EventCard], Awaitable[tuple[list[str], Keyboard]]]
CARD_EXTRAS: list[CardExtra] = []
"""Lines and keyboard rows other features put on a resident's event card (the extras': ``handlers.event_card``,
registered by ``bot.features``)."""


# ---- rendering -------------------------------------------------------------------------------------------


def when(ctx: Context, moment: datetime, fmt: str = "%m-%d %H:%M") -> str:
    """A moment in the community's time zone, with the day of the week."""
    weekday = ctx.t("events.weekdays").split(",")[int(local_time(moment, ctx.community.timezone, "%w"))]
    return local_time(moment, ctx.community.timezone, fmt.replace("%H", f"({weekday}) %H", 1))


def span(ctx: Context, event: EventView) -> str:
    same_day = local_time(event.starts_at, ctx.community.timezone, "%Y%m%d") == local_time(
        event.ends_at, ctx.community.timezone, "%Y%m%d")
    end = local_time(event.ends_at, ctx.community.timezone, "%H:%M") if same_day else when(ctx, event.ends_at)
    return f"{when(ctx, event.starts_at)}–{end}"


def venue_line(ctx: Context, event: EventView) -> str:
    if event.rain_plan and event.rain_venue:
        return ctx.t("events.card.rain_on", venue=esc(event.rain_venue), usual=esc(event.venue))
    if event.rain_venue:
        return ctx.t("events.card.venue_rain", venue=esc(event.venue), rain=esc(event.rain_venue))
    return ctx.t("events.card.venue", venue=esc(event.venue))


def head_lines(ctx: Context, event: EventView) -> list[str]:
    lines = [ctx.t("events.card.title", title=esc(event.title))]
    if event.cancelled:
        lines.append(ctx.t("events.card.cancelled"))
    lines += [ctx.t("events.card.when", when=span(ctx, event)), venue_line(ctx, event)]
    if event.description:
        lines += ["", esc(clip(event.description, rules.DESCRIPTION_LIMIT)), ""]
    return lines


def places_line(ctx: Context, shown: EventCard) -> str:
    places = shown.places
    if places.left is None:
        return ctx.t("events.card.going_unlimited", going=places.going)
    if places.left == 0:
        return ctx.t("events.card.full", going=places.going, waiting=places.waiting_parties)
    return ctx.t("events.card.going", going=places.going, left=places.left)


def party_text(ctx: Context, adults: int, children: int) -> str:
    if children:
        return ctx.t("events.party.family", adults=adults, children=children)
    return ctx.t("events.party.adults", adults=adults)


def card_text(ctx: Context, shown: EventCard, extra: list[str]) -> str:
    event, mine = shown.event, shown.mine
    lines = head_lines(ctx, event)
    going = mine is not None and mine.status is ReplyStatus.GOING
    if not going:
        lines.append(places_line(ctx, shown))
    if event.rsvp_deadline is not None and not event.cancelled:
        lines.append(ctx.t("events.card.deadline", when=when(ctx, event.rsvp_deadline)))
    if event.families:
        lines.append(ctx.t("events.card.families", most=event.household_max))
    else:
        lines.append(ctx.t("events.card.adults_only", most=event.household_max))
    if mine is not None:
        if mine.status is ReplyStatus.GOING:
            lines.append(ctx.t("events.card.you_going", party=party_text(ctx, mine.adults, mine.children)))
        elif mine.status is ReplyStatus.WAITING:
            lines.append(ctx.t("events.card.you_waiting", place=mine.place or 0,
                               party=party_text(ctx, mine.adults, mine.children)))
        else:
            lines.append(ctx.t("events.card.you_not_going"))
    return "\n".join([*lines, *extra])


def card_buttons(ctx: Context, shown: EventCard, extra: Keyboard) -> Keyboard:
    event, mine = shown.event, shown.mine
    rows: Keyboard = []
    if event.open_for_replies(ctx.now()):
        status = mine.status if mine is not None else None
        label = "events.btn.change" if status in (ReplyStatus.GOING, ReplyStatus.WAITING) else "events.btn.going"
        no = ("events.btn.leave_waitlist" if status is ReplyStatus.WAITING else
              "events.btn.cancel_going" if status is ReplyStatus.GOING else "events.btn.not_going")
        row = [ctx.button(ctx.t(label), GoingStart(event.id))]
        if status is not ReplyStatus.DECLINED:
            row.append(ctx.button(ctx.t(no), NotGoing(event.id)))
        rows.append(row)
    elif mine is not None and mine.status is ReplyStatus.WAITING and not event.cancelled:
        rows.append([ctx.button(ctx.t("events.btn.leave_waitlist"), NotGoing(event.id))])
    rows.extend(extra)
    rows.append([ctx.button(ctx.t("events.btn.calendar"), CalendarFile(event.id))])
    if ctx.committee:
        from handlers.events_committee import ManageEvent

        rows.append([ctx.button(ctx.t("events.btn.manage"), ManageEvent(event.id))])
    rows.append([ctx.button(ctx.t("events.btn.home"), EventsHome())])
    return rows


async def draw_card(ctx: Context, shown: EventCard, *, new: bool = False) -> None:
    """The card, then the extras' lines while they fit the message (the rest summed up as "… N more")."""
    lines: list[str] = []
    rows: Keyboard = []
    for extra in CARD_EXTRAS:
        more_lines, more_rows = await extra(ctx, shown)
        lines += more_lines
        rows += more_rows
    text = card_text(ctx, shown, [])
    if lines:
        page = Page(TEXT_BUDGET - parsed_length(text) - 1)
        page.extend(lines)
        text = "\n".join([text, page.text(lambda n: ctx.t("common.more", count=n))])
    ctx.show(text, card_buttons(ctx, shown, rows), new=new)


async def show_card(ctx: Context, event_id: int, *, new: bool = False) -> None:
    resident_id = ctx.resident.id if ctx.resident is not None and ctx.verified else None
    await draw_card(ctx, await events.card(ctx.uow, ctx.community.id or 0, event_id, resident_id), new=new)


# ---- the list ----------------------------------------------------------------------------------------------

MARKS = {ReplyStatus.GOING: "✅", ReplyStatus.WAITING: "⏳", ReplyStatus.DECLINED: "🙅"}


@router.command("events")
async def events_command(ctx: Context) -> None:
    await show_home(ctx)


@router.button(EventsHome)
async def events_home(ctx: Context, tap: EventsHome) -> None:
    ctx.toast()
    await show_home(ctx)


async def show_home(ctx: Context) -> None:
    resident_id = ctx.resident.id if ctx.resident is not None and ctx.verified else None
    found = await events.upcoming(ctx.uow, ctx.community.id or 0, resident_id, ctx.now())
    rows: Keyboard = []
    for listed in found:
        event = listed.event
        mark = "❌" if event.cancelled else MARKS.get(listed.mine, "") if listed.mine else ""
        moment = local_time(event.starts_at, ctx.community.timezone, "%m-%d %H:%M")
        label = f"{moment} {clip(event.title, TITLE_IN_BUTTON)}"
        rows.append([ctx.button(f"{label} {mark}".strip(), OpenEvent(event.id))])
    if ctx.committee:
        from handlers.events_committee import MonthlyHome, NewEvent

        rows.append([ctx.button(ctx.t("events.btn.new"), NewEvent()),
                     ctx.button(ctx.t("events.btn.monthly"), MonthlyHome())])
    rows.append([ctx.button(ctx.t("menu.back"), OpenMenu())])
    text = ctx.t("events.home.text", community=esc(ctx.community.name)) if found else ctx.t("events.home.empty")
    ctx.show(text, rows)


# ---- one event -----------------------------------------------------------------------------------------------


@router.button(OpenEvent)
async def open_event(ctx: Context, tap: OpenEvent) -> None:
    ctx.toast()
    await show_card(ctx, tap.event_id)


def _number_rows(ctx: Context, taps: list[tuple[str, Tap]]) -> Keyboard:
    buttons = [ctx.button(label, tap) for label, tap in taps]
    return [buttons[i:i + 5] for i in range(0, len(buttons), 5)]


async def _open_event(ctx: Context, event_id: int) -> EventView:
    """The event, if it takes replies now (else the rule's polite refusal)."""
    event = await events.event_view(ctx.uow, ctx.community.id or 0, event_id)
    rules.check_open(event.status, event.starts_at, event.rsvp_deadline, ctx.now())
    return event


@router.button(GoingStart, verified=True)
async def going_start(ctx: Context, tap: GoingStart) -> None:
    event = await _open_event(ctx, tap.event_id)
    most = min(event.household_max, MOST_BUTTONS)
    rows = _number_rows(ctx, [(str(n), PickAdults(event.id, n)) for n in range(1, most + 1)])
    rows.append([ctx.button(ctx.t("events.btn.back_card"), OpenEvent(event.id))])
    ctx.toast()
    key = "events.ask.adults" if event.families else "events.ask.people"
    ctx.show(ctx.t(key, title=esc(event.title), most=event.household_max), rows)


@router.button(PickAdults, verified=True)
async def pick_adults(ctx: Context, tap: PickAdults) -> None:
    event = await _open_event(ctx, tap.event_id)
    rules.check_party(tap.adults, 0, families=event.families, household_max=event.household_max)
    room = min(event.household_max - tap.adults, MOST_BUTTONS - 1)
    if not event.families or room < 1:
        await _reply(ctx, Rsvp(event.id, tap.adults, 0))
        return
    rows = _number_rows(ctx, [(str(n), Rsvp(event.id, tap.adults, n)) for n in range(0, room + 1)])
    rows.append([ctx.button(ctx.t("events.btn.back"), GoingStart(event.id))])
    ctx.toast()
    ctx.show(ctx.t("events.ask.children", title=esc(event.title), adults=tap.adults), rows)


@router.button(Rsvp, verified=True)
async def rsvp(ctx: Context, tap: Rsvp) -> None:
    await _reply(ctx, tap)


async def _reply(ctx: Context, tap: Rsvp) -> None:
    assert ctx.resident is not None
    done = await events.rsvp(ctx.uow, ctx.community.id or 0, tap.event_id, ctx.resident.id or 0, tap.adults,
                             tap.children, ctx.now())
    mine = done.card.mine
    if not done.changed:  # a double tap or an old button: say so, leave the card as it is
        ctx.toast(ctx.t("events.rsvp.same"), alert=True)
        return
    if mine is not None and mine.status is ReplyStatus.WAITING:
        ctx.toast(ctx.t("events.rsvp.waiting", place=mine.place or 0), alert=True)
    else:
        ctx.toast(ctx.t("events.rsvp.going"))
    ctx.tell(*done.notices)
    await draw_card(ctx, done.card)


@router.button(NotGoing, verified=True)
async def not_going(ctx: Context, tap: NotGoing) -> None:
    assert ctx.resident is not None
    done = await events.decline(ctx.uow, ctx.community.id or 0, tap.event_id, ctx.resident.id or 0, ctx.now())
    if not done.changed:
        ctx.toast(ctx.t("events.rsvp.same"), alert=True)
        return
    ctx.toast(ctx.t("events.rsvp.not_going"))
    ctx.tell(*done.notices)
    await draw_card(ctx, done.card)


@router.button(CalendarFile)
async def calendar_file(ctx: Context, tap: CalendarFile) -> None:
    event = await events.event_view(ctx.uow, ctx.community.id or 0, tap.event_id)
    ctx.toast()
    content = event_calendar.ics(event, ctx.community.timezone, ctx.now(),
                                 alarm_text=ctx.t("events.calendar.alarm", title=event.title))
    ctx.reply.add(SendDocument(chat_id=ctx.chat_id, file_name=f"linli-event-{event.id}.ics", content=content,
                               caption=ctx.t("events.calendar.caption", title=esc(clip(event.title, 80)))))
