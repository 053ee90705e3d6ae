"""The event card's extras (registered in :data:`handlers.events.CARD_EXTRAS`): the programme's summary (totals
first, then the accepted items in order), the volunteers' slots, and buttons to the programme, the volunteers'
board and — while check-in is open — "I'm here".

The committee's side of the same event links the other way: its card (``handlers.events_committee``) has buttons
to the programme's queue, the volunteers' desk, the check-in code and the attendance (see :func:`committee_rows`).
"""

from __future__ import annotations

from core import event_extras as extras_rules
from core.event_extras import Window
from handlers.context import Context
from handlers.event_checkin import Attendees, CheckInHome
from handlers.event_programme import ProgrammeHome, ProgrammeQueue, summary_lines
from handlers.event_volunteers import VolunteerDesk, VolunteerHome
from handlers.events import CARD_EXTRAS, CardExtra
from handlers.port import Keyboard
from storage import event_card_extras
from storage.events import EventCard, EventView


def check_in_open(ctx: Context, event: EventView) -> bool:
    return not event.cancelled and extras_rules.window(event.starts_at, event.ends_at, ctx.now()) is Window.OPEN


async def extras_on_card(ctx: Context, shown: EventCard) -> tuple[list[str], Keyboard]:
    """Lines under a resident's event card and the rows above its calendar button (one query)."""
    event = shown.event
    found = await event_card_extras.card_extras(ctx.uow, event.id)
    lines = ["", ctx.t("eventcard.programme")]
    lines += summary_lines(ctx, found.items, found.totals)
    if found.roles:
        lines.append(ctx.t("eventcard.volunteers", taken=found.taken, slots=found.slots))
    rows: Keyboard = []
    if ctx.verified:  # the extras' screens are for verified residents (their routes are guarded so)
        rows.append([ctx.button(ctx.t("eventcard.btn.programme"), ProgrammeHome(event.id)),
                     ctx.button(ctx.t("eventcard.btn.volunteer"), VolunteerHome(event.id))])
        if check_in_open(ctx, event):
            rows.append([ctx.button(ctx.t("eventcard.btn.im_here"), CheckInHome(event.id))])
    return lines, rows


def committee_rows(ctx: Context, event: EventView) -> Keyboard:
    """The committee's event card: to the programme's decisions, the volunteers' roles, the check-in code and
    who came."""
    return [[ctx.button(ctx.t("eventcard.btn.queue"), ProgrammeQueue(event.id)),
             ctx.button(ctx.t("eventcard.btn.roles"), VolunteerDesk(event.id))],
            [ctx.button(ctx.t("eventcard.btn.code"), CheckInHome(event.id)),
             ctx.button(ctx.t("eventcard.btn.attendance"), Attendees(event.id))]]


PROVIDERS: tuple[CardExtra, ...] = (extras_on_card,)


def register() -> None:
    """Put the extras on the event card (once; ``bot.features`` calls it when the features are declared)."""
    for provider in PROVIDERS:
        if provider not in CARD_EXTRAS:
            CARD_EXTRAS.append(provider)
