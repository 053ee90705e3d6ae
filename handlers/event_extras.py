"""What the extras' screens share: choosing an upcoming event, the event's heading, party-size buttons.

Each extra is reached from the event's card (``handlers.event_card``: programme, volunteer, "I'm here") and by its own
command (``/programme``, ``/volunteer``, ``/checkin``) listing the upcoming events; each extra's screen leads back to
the event's card.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.budget import Page
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import OpenMenu
from handlers.port import Button, Keyboard
from handlers.text import clip, esc, local_time
from storage import event_extras
from storage.event_extras import EventInfo

TITLE_IN_BUTTON = 24
NAME_IN_BUTTON = 20


def when(ctx: Context, event: EventInfo) -> str:
    zone = ctx.community.timezone
    same_day = local_time(event.starts_at, zone, "%Y-%m-%d") == local_time(event.ends_at, zone, "%Y-%m-%d")
    end = local_time(event.ends_at, zone, "%H:%M" if same_day else "%m-%d %H:%M")
    return f"{local_time(event.starts_at, zone, '%m-%d %H:%M')}–{end}"


def heading(ctx: Context, key: str, event: EventInfo) -> str:
    """A screen's first lines: what it is, the event's title, when and where."""
    return ctx.t(key, title=esc(event.title), when=when(ctx, event), venue=esc(event.venue))


def event_label(ctx: Context, event: EventInfo) -> str:
    zone = ctx.community.timezone
    return f"{clip(event.title, TITLE_IN_BUTTON)} · {local_time(event.starts_at, zone, '%m-%d %H:%M')}"


async def pick_event(ctx: Context, title_key: str, open_event: Callable[[int], Tap],
                     show: Callable[[Context, int], Awaitable[None]]) -> None:
    """The upcoming events to choose from; with only one, its screen straight away."""
    found = await event_extras.upcoming(ctx.uow, ctx.community.id or 0, ctx.now())
    ctx.toast()
    if len(found) == 1:
        await show(ctx, found[0].id)
        return
    if not found:
        ctx.show(ctx.t("extras.no_events"), [[ctx.button(ctx.t("menu.back"), OpenMenu())]])
        return
    page = Page()
    page.add(ctx.t(title_key))
    rows: Keyboard = [[ctx.button(event_label(ctx, event), open_event(event.id))] for event in found]
    rows.append([ctx.button(ctx.t("menu.back"), OpenMenu())])
    ctx.show(page.text(), rows)


def number_rows(ctx: Context, numbers: range, tap: Callable[[int], Tap], per_row: int = 4) -> Keyboard:
    buttons: list[Button] = [ctx.button(str(n), tap(n)) for n in numbers]
    return [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)]
