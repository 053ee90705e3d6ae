"""Check-in: "I'm here" → the code word shown at the venue → the party (adults, children buttons). The committee
sets or generates the code, checks a resident or a household in by name or address, and sees who came."""

from __future__ import annotations

from core import event_extras as rules
from core.errors import CommitteeOnly, InvalidInput, StaleButton
from core.event_extras import Window
from handlers.budget import Page
from handlers.buttons import Tap
from handlers.context import Context
from handlers.event_extras import NAME_IN_BUTTON, heading, number_rows, pick_event
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import clip, esc, local_time
from storage import event_checkin, event_extras
from storage.conversations import Form
from storage.event_checkin import Attended

router = Router("event_checkin")

FLOW = "x_checkin"  # a resident: code → adults → children
DOOR_FLOW = "x_door"  # the committee: name or address → pick → adults → children
CODE_FLOW = "x_code"  # the committee types the code word
PARTY_BUTTONS = 8  # at most this many number buttons per step


class CheckInEvents(Tap, prefix="x7"):
    """The upcoming events, to check in at."""


class CheckInHome(Tap, prefix="xt"):
    event_id: int


class ImHere(Tap, prefix="xu"):
    event_id: int


class PartyAdults(Tap, prefix="xv"):
    form: str
    adults: int


class PartyChildren(Tap, prefix="xw"):
    form: str
    children: int


class SetCode(Tap, prefix="xx"):
    event_id: int


class GenerateCode(Tap, prefix="xy"):
    event_id: int


class DoorCheckIn(Tap, prefix="xz"):
    event_id: int


class PickPerson(Tap, prefix="x0"):
    form: str
    household_id: int  # 0: none
    resident_id: int  # 0: none (a household by address)


class Attendees(Tap, prefix="x2"):
    event_id: int


def party_text(ctx: Context, attended: Attended) -> str:
    return ctx.t("extras.checkin.party", adults=attended.adults, children=attended.children)


@router.command("checkin", verified=True)
async def checkin_command(ctx: Context) -> None:
    await pick_event(ctx, "extras.checkin.pick", CheckInHome, show_checkin)


@router.button(CheckInEvents, verified=True)
async def checkin_events(ctx: Context, tap: CheckInEvents) -> None:
    await pick_event(ctx, "extras.checkin.pick", CheckInHome, show_checkin)


@router.button(CheckInHome, verified=True)
async def checkin_home(ctx: Context, tap: CheckInHome) -> None:
    ctx.toast()
    await show_checkin(ctx, tap.event_id)


async def show_checkin(ctx: Context, event_id: int) -> None:
    assert ctx.resident is not None
    status = await event_checkin.status(ctx.uow, ctx.community.id or 0, event_id, ctx.resident.id or 0, ctx.now())
    event = status.event
    page = Page()
    page.add(heading(ctx, "extras.checkin.title", event))
    page.add("")
    rows: Keyboard = []
    if status.attended is not None:
        page.add(ctx.t("extras.checkin.done", party=party_text(ctx, status.attended),
                       at=local_time(status.attended.at, ctx.community.timezone, "%H:%M")))
    elif event.cancelled:
        page.add(ctx.t("extras.checkin.cancelled"))
    elif status.window is Window.EARLY:
        page.add(ctx.t("extras.checkin.early", opens=local_time(event.starts_at - rules.OPENS_BEFORE,
                                                                ctx.community.timezone, "%m-%d %H:%M")))
    elif status.window is Window.OVER:
        page.add(ctx.t("extras.checkin.over"))
    else:
        page.add(ctx.t("extras.checkin.open"))
        rows.append([ctx.button(ctx.t("extras.checkin.im_here"), ImHere(event_id))])
    if ctx.committee:
        page.add("")
        page.add(ctx.t("extras.checkin.code", code=esc(event.check_in_code) if event.check_in_code
                       else ctx.t("extras.checkin.no_code")))
        page.add(await _counts(ctx, event_id))
        if not (event.cancelled or event.over(ctx.now())):
            rows.append([ctx.button(ctx.t("extras.checkin.set_code"), SetCode(event_id)),
                         ctx.button(ctx.t("extras.checkin.generate"), GenerateCode(event_id))])
        if not event.cancelled:
            rows.append([ctx.button(ctx.t("extras.checkin.door"), DoorCheckIn(event_id)),
                         ctx.button(ctx.t("extras.checkin.attendees"), Attendees(event_id))])
    rows.append([ctx.button(ctx.t("menu.back"), CheckInEvents())])
    ctx.show(page.text(), rows)


async def _counts(ctx: Context, event_id: int) -> str:
    listed = await event_checkin.attendance(ctx.uow, ctx.community.id or 0, event_id)
    return ctx.t("extras.checkin.counts", people=listed.people, adults=listed.adults, children=listed.children,
                 households=len(listed.records))


# ---- a resident ------------------------------------------------------------------------------------


@router.button(ImHere, verified=True)
async def im_here(ctx: Context, tap: ImHere) -> None:
    await event_checkin.may_check_in(ctx.uow, ctx.community.id or 0, tap.event_id, _me(ctx), ctx.now())
    await ctx.set_form(FLOW, "code", {"event_id": tap.event_id})
    ctx.toast()
    ctx.say(ctx.t("extras.checkin.ask_code"))


@router.form(FLOW, verified=True)
async def code_input(ctx: Context) -> None:
    state = ctx.require_form(FLOW)
    if state.step != "code":
        ctx.say(ctx.t("start.use_buttons"))
        return
    if ctx.incoming.attachment is not None or not (ctx.incoming.text or "").strip():
        raise InvalidInput("errors.text_expected")
    data = state.data
    event_id = int(data["event_id"])
    checked = await event_checkin.enter_code(ctx.uow, ctx.community.id or 0, event_id, _me(ctx),
                                             ctx.incoming.text, ctx.now())
    if not checked.ok:  # a wrong code is an answer, not an error: the try is kept (and counted)
        if checked.left == 0:
            await ctx.clear_form()
            ctx.say(ctx.t("extras.err.code_tries", minutes=60))
        else:
            ctx.say(ctx.t("extras.checkin.wrong_code", left=checked.left))
        return
    await _ask_adults(ctx, FLOW, data)


async def _ask_adults(ctx: Context, flow: str, data: dict) -> None:
    event = await event_extras.event_info(ctx.uow, ctx.community.id or 0, int(data["event_id"]))
    state = await ctx.set_form(flow, "adults", data)
    least = 0 if flow == DOOR_FLOW and event.families else 1
    most = min(event.household_max, PARTY_BUTTONS)
    who = ctx.t("extras.checkin.for_whom", who=esc(data["who"])) + "\n" if data.get("who") else ""
    ctx.show(who + ctx.t("extras.checkin.ask_adults"),
             number_rows(ctx, range(least, most + 1), lambda n: PartyAdults(state.ref, n)))


@router.button(PartyAdults, verified=True)
async def party_adults(ctx: Context, tap: PartyAdults) -> None:
    state = _party_form(ctx, tap.form, "adults")
    data = state.data
    event = await event_extras.event_info(ctx.uow, ctx.community.id or 0, int(data["event_id"]))
    rules.check_party(tap.adults, 0 if tap.adults else 1, most=event.household_max, families=event.families)
    data["adults"] = tap.adults
    ctx.toast()
    room = event.household_max - tap.adults
    if not event.families or room <= 0:
        await _record(ctx, state.flow, data, 0)
        return
    state = await ctx.set_form(state.flow, "children", data)
    least = 1 if tap.adults == 0 else 0
    ctx.show(ctx.t("extras.checkin.ask_children", adults=tap.adults),
             number_rows(ctx, range(least, min(room, PARTY_BUTTONS) + 1), lambda n: PartyChildren(state.ref, n)))


@router.button(PartyChildren, verified=True)
async def party_children(ctx: Context, tap: PartyChildren) -> None:
    state = _party_form(ctx, tap.form, "children")
    ctx.toast()
    await _record(ctx, state.flow, state.data, tap.children)


def _party_form(ctx: Context, form: str, step: str) -> Form:
    """The resident's or the committee's check-in form at ``step``; anything else is a stale button."""
    state = ctx.state
    if state is None or state.flow not in (FLOW, DOOR_FLOW):
        raise StaleButton()
    ctx.require_form(state.flow, form)
    if state.step != step:
        raise StaleButton()
    if state.flow == DOOR_FLOW and not ctx.committee:
        raise CommitteeOnly()
    return state


async def _record(ctx: Context, flow: str, data: dict, children: int) -> None:
    event_id, adults = int(data["event_id"]), int(data["adults"])
    community_id = ctx.community.id or 0
    if flow == FLOW:
        done = await event_checkin.check_in(ctx.uow, community_id, event_id, _me(ctx), adults, children, ctx.now())
        await ctx.clear_form()
        ctx.show(ctx.t("extras.checkin.welcome", party=party_text(ctx, done)),
                 [[ctx.button(ctx.t("extras.checkin.back"), CheckInHome(event_id))]])
        return
    done = await event_checkin.committee_check_in(
        ctx.uow, community_id, event_id, _me(ctx), household_id=int(data.get("household_id") or 0) or None,
        resident_id=int(data.get("resident_id") or 0) or None, adults=adults, children=children, now=ctx.now())
    await ctx.clear_form()
    ctx.show(ctx.t("extras.door.done", who=esc(_who(ctx, done.name, done.address)), party=party_text(ctx, done)),
             [[ctx.button(ctx.t("extras.door.next"), DoorCheckIn(event_id))],
              [ctx.button(ctx.t("extras.checkin.back"), CheckInHome(event_id))]])


def _me(ctx: Context) -> int:
    assert ctx.resident is not None  # the guard let only a resident through
    return ctx.resident.id or 0


def _who(ctx: Context, name: str, address: str) -> str:
    if name and address:
        return f"{name} ({address})"
    return name or address or ctx.t("extras.door.someone")


# ---- the committee -------------------------------------------------------------------------------


@router.button(SetCode, committee=True)
async def set_code(ctx: Context, tap: SetCode) -> None:
    await event_extras.event_info(ctx.uow, ctx.community.id or 0, tap.event_id)
    await ctx.set_form(CODE_FLOW, "code", {"event_id": tap.event_id})
    ctx.toast()
    ctx.say(ctx.t("extras.code.ask", least=rules.CODE_LEAST, most=rules.CODE_MOST))


@router.form(CODE_FLOW, committee=True)
async def code_word(ctx: Context) -> None:
    state = ctx.require_form(CODE_FLOW)
    if ctx.incoming.attachment is not None:
        raise InvalidInput("errors.text_expected")
    event_id = int(state.data["event_id"])
    code = await event_checkin.set_code(ctx.uow, ctx.community.id or 0, event_id, ctx.incoming.text or "", ctx.now())
    await ctx.clear_form()
    ctx.say(ctx.t("extras.code.set", code=esc(code)))
    await show_checkin(ctx, event_id)


@router.button(GenerateCode, committee=True)
async def generate_code(ctx: Context, tap: GenerateCode) -> None:
    code = await event_checkin.set_code(ctx.uow, ctx.community.id or 0, tap.event_id, None, ctx.now())
    ctx.toast(ctx.t("extras.code.generated", code=code))
    await show_checkin(ctx, tap.event_id)


@router.button(DoorCheckIn, committee=True)
async def door_check_in(ctx: Context, tap: DoorCheckIn) -> None:
    event = await event_extras.event_info(ctx.uow, ctx.community.id or 0, tap.event_id)
    if event.cancelled:
        raise rules.EventNotOpen()
    await ctx.set_form(DOOR_FLOW, "find", {"event_id": tap.event_id})
    ctx.toast()
    ctx.say(ctx.t("extras.door.ask"))


@router.form(DOOR_FLOW, committee=True)
async def door_input(ctx: Context) -> None:
    state = ctx.require_form(DOOR_FLOW)
    if state.step != "find":
        ctx.say(ctx.t("start.use_buttons"))
        return
    if ctx.incoming.attachment is not None:
        raise InvalidInput("errors.text_expected")
    found = await event_checkin.find(ctx.uow, ctx.community.id or 0, ctx.incoming.text)
    if not found:
        ctx.say(ctx.t("extras.door.none"))
        return
    state = await ctx.set_form(DOOR_FLOW, "find", state.data)
    rows: Keyboard = [[ctx.button(clip(_who(ctx, m.name, m.address), NAME_IN_BUTTON * 2),
                                  PickPerson(state.ref, m.household_id or 0, m.resident_id or 0))] for m in found]
    ctx.say(ctx.t("extras.door.pick"), rows)


@router.button(PickPerson, committee=True)
async def pick_person(ctx: Context, tap: PickPerson) -> None:
    state = ctx.require_form(DOOR_FLOW, tap.form)
    if state.step != "find":
        raise StaleButton()
    who = await event_checkin.match(ctx.uow, ctx.community.id or 0, household_id=tap.household_id or None,
                                    resident_id=tap.resident_id or None)
    data = state.data | {"household_id": who.household_id or 0, "resident_id": who.resident_id or 0,
                         "who": _who(ctx, who.name, who.address)}
    ctx.toast()
    await _ask_adults(ctx, DOOR_FLOW, data)


@router.button(Attendees, committee=True)
async def attendees(ctx: Context, tap: Attendees) -> None:
    listed = await event_checkin.attendance(ctx.uow, ctx.community.id or 0, tap.event_id)
    ctx.toast()
    page = Page()
    page.add(heading(ctx, "extras.attendees.title", listed.event))
    page.add(await _counts(ctx, tap.event_id))
    page.add("")
    if not listed.records:
        page.add(ctx.t("extras.attendees.none"))
    for record in listed.records:
        key = "extras.attendees.line_door" if record.by_committee else "extras.attendees.line"
        page.add(ctx.t(key, who=esc(_who(ctx, record.name, record.address)), party=party_text(ctx, record),
                       at=local_time(record.at, ctx.community.timezone, "%H:%M")))
    ctx.show(page.text(lambda n: ctx.t("common.more", count=n)),
             [[ctx.button(ctx.t("menu.back"), CheckInHome(tap.event_id))]])
