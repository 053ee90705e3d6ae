"""The committee's events: a guided form for a new event, the event's card with who comes, the rain venue, a new
time, the seats, cancelling; the 相约九号 template and each month's own decision (skip, another time or venue).

Typed steps are checked as they come (an end before the start, a rain venue equal to the venue, a number that is
not one): the member is told why and the form stays where it was. Buttons carry the form's reference, so a button
of an older step never acts on a newer one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from core import events as rules
from core.errors import InvalidInput, StaleButton
from core.monthly import Month, Template
from handlers import events as resident_view
from handlers.budget import Page
from handlers.buttons import Tap
from handlers.context import Context
from handlers.event_card import committee_rows
from handlers.links import EventsHome, OpenEvent
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import esc, local_time
from storage import event_admin
from storage.event_admin import MonthPlan

router = Router("events_committee")
committee = router.committee_button

NEW, TEMPLATE, EDIT = "event_new", "event_tpl", "event_edit"
NONE = "-"  # a form button's "no value" (no rain venue, no capacity, no deadline)


class NewEvent(Tap, prefix="wn"):
    pass


class FormPick(Tap, prefix="wf"):
    form: str
    value: str


class Publish(Tap, prefix="wk"):
    form: str


class DropForm(Tap, prefix="wz"):
    form: str


class ManageEvent(Tap, prefix="wc"):
    event_id: int


class RainPlan(Tap, prefix="wv"):
    event_id: int
    on: bool


class EditEvent(Tap, prefix="wt"):
    event_id: int
    what: str  # "time" | "seats"


class ConfirmDemote(Tap, prefix="wd"):
    form: str


class AskCancel(Tap, prefix="wy"):
    event_id: int


class CancelNow(Tap, prefix="we"):
    event_id: int


class MonthlyHome(Tap, prefix="wm"):
    pass


class SetTemplate(Tap, prefix="wp"):
    pass


class MonthSkip(Tap, prefix="wu"):
    month: str
    skip: bool


class MonthEdit(Tap, prefix="wj"):
    month: str
    what: str  # "time" | "venue"


# ---- a small engine for guided forms ------------------------------------------------------------------------

Data = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Step:
    """One question: typed text (``parse``) and/or buttons (``picks`` → ``pick``); asked only ``when``."""

    name: str
    ask: str  # catalog key of the question
    parse: Callable[[Context, Data, str], Any] | None = None
    picks: Callable[[Context, Data], list[tuple[str, str]]] = field(default=lambda ctx, data: [])
    pick: Callable[[Context, Data, str], Any] | None = None
    when: Callable[[Data], bool] = field(default=lambda data: True)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _start(ctx: Context, data: Data, text: str) -> str:
    start = rules.parse_moment(text, ctx.community.timezone, ctx.now())
    if start <= ctx.now():
        raise rules.StartInPast()
    return _iso(start)


def _end(ctx: Context, data: Data, text: str) -> str:
    start = _moment(data["start"])
    end = rules.parse_end(text, start, ctx.community.timezone, ctx.now())
    if end <= start:
        raise rules.EndBeforeStart()
    return _iso(end)


def _rain(ctx: Context, data: Data, text: str) -> str:
    venue = rules.check_line(text, rules.VENUE_LIMIT)
    if rules.same_place(venue, data.get("venue")):
        raise rules.RainVenueSame()
    return venue


def _reserved(ctx: Context, data: Data, text: str) -> int:
    reserved = rules.parse_count(text)
    rules.check_seats(data.get("capacity"), reserved)
    return reserved


def _deadline(ctx: Context, data: Data, text: str) -> str:
    deadline = rules.parse_moment(text, ctx.community.timezone, ctx.now())
    if deadline > _moment(data["start"]):
        raise rules.DeadlineAfterStart()
    if deadline <= ctx.now():
        raise rules.StartInPast()
    return _iso(deadline)


def _none(ctx: Context, data: Data, value: str) -> None:
    if value != NONE:
        raise StaleButton()
    return None


def _blank(ctx: Context, data: Data, value: str) -> str:
    _none(ctx, data, value)
    return ""


def _number(ctx: Context, data: Data, value: str) -> int:
    if not value.isdigit():
        raise StaleButton()
    return int(value)


def _flag(ctx: Context, data: Data, value: str) -> bool:
    if value not in ("0", "1"):
        raise StaleButton()
    return value == "1"


def _skip(key: str) -> Callable[[Context, Data], list[tuple[str, str]]]:
    return lambda ctx, data: [(ctx.t(key), NONE)]


def _numbers(*values: int) -> Callable[[Context, Data], list[tuple[str, str]]]:
    return lambda ctx, data: [(str(v), str(v)) for v in values]


def _count(least: int, most: int = rules.MOST_PEOPLE) -> Callable[[Context, Data, str], int]:
    return lambda ctx, data, text: rules.parse_count(text, least=least, most=most)


NEW_STEPS = (
    Step("title", "events.form.ask_title", parse=lambda ctx, data, text: rules.check_line(text, rules.TITLE_LIMIT)),
    Step("description", "events.form.ask_description",
         parse=lambda ctx, data, text: rules.check_block(text, rules.DESCRIPTION_LIMIT),
         picks=_skip("events.form.skip"), pick=lambda ctx, data, value: _blank(ctx, data, value)),
    Step("start", "events.form.ask_start", parse=_start),
    Step("end", "events.form.ask_end", parse=_end),
    Step("venue", "events.form.ask_venue", parse=lambda ctx, data, text: rules.check_line(text, rules.VENUE_LIMIT)),
    Step("rain", "events.form.ask_rain", parse=_rain, picks=_skip("events.form.no_rain"), pick=_none),
    Step("capacity", "events.form.ask_capacity", parse=_count(1), picks=_skip("events.form.unlimited"), pick=_none),
    Step("reserved", "events.form.ask_reserved", parse=_reserved, picks=_numbers(0), pick=_number,
         when=lambda data: data.get("capacity") is not None),
    Step("deadline", "events.form.ask_deadline", parse=_deadline, picks=_skip("events.form.until_start"),
         pick=_none),
    Step("families", "events.form.ask_families",
         picks=lambda ctx, data: [(ctx.t("common.yes"), "1"), (ctx.t("common.no"), "0")], pick=_flag),
    Step("most", "events.form.ask_most", parse=_count(1, rules.HOUSEHOLD_LIMIT), picks=_numbers(1, 2, 3, 4, 5, 6, 8),
         pick=_number),
)

TEMPLATE_STEPS = (
    Step("title", "events.tpl.ask_title", parse=lambda ctx, data, text: rules.check_line(text, rules.TITLE_LIMIT),
         picks=lambda ctx, data: [(ctx.t("events.tpl.default_title"), "default")],
         pick=lambda ctx, data, value: ctx.t("events.tpl.default_title")),
    Step("day", "events.tpl.ask_day", parse=_count(1, 31), picks=_numbers(9), pick=_number),
    Step("clock", "events.tpl.ask_clock", parse=lambda ctx, data, text: rules.parse_clock(text).strftime("%H:%M")),
    Step("minutes", "events.tpl.ask_minutes", parse=_count(10, 24 * 60), picks=_numbers(60, 90, 120, 150),
         pick=_number),
    Step("venue", "events.form.ask_venue", parse=lambda ctx, data, text: rules.check_line(text, rules.VENUE_LIMIT)),
    Step("rain", "events.form.ask_rain", parse=_rain, picks=_skip("events.form.no_rain"), pick=_none),
    Step("capacity", "events.form.ask_capacity", parse=_count(1), picks=_skip("events.form.unlimited"), pick=_none),
    Step("lead", "events.tpl.ask_lead", parse=_count(1, 60), picks=_numbers(7, 14, 21), pick=_number),
)

FLOWS: dict[str, tuple[Step, ...]] = {NEW: NEW_STEPS, TEMPLATE: TEMPLATE_STEPS}


def _step(flow: str, name: str) -> Step:
    for step in FLOWS[flow]:
        if step.name == name:
            return step
    raise StaleButton()


def _in_private(ctx: Context) -> bool:
    """Forms are typed in the member's private chat with the bot: from the committee's group, say so."""
    if not ctx.in_private:
        ctx.toast(ctx.t("events.manage.private"), alert=True)
        return False
    return True


async def _advance(ctx: Context, flow: str, data: Data, after: str | None) -> None:
    """Ask the next question after ``after`` (the first if None), or show the preview."""
    steps = FLOWS[flow]
    names = [s.name for s in steps]
    index = 0 if after is None else names.index(after) + 1
    while index < len(steps) and not steps[index].when(data):
        index += 1
    if index == len(steps):
        state = await ctx.set_form(flow, "preview", data)
        _preview(ctx, flow, data, state.ref)
        return
    step = steps[index]
    state = await ctx.set_form(flow, step.name, data)
    rows: Keyboard = []
    picks = [ctx.button(label, FormPick(state.ref, value)) for label, value in step.picks(ctx, data)]
    rows += [picks[i:i + 4] for i in range(0, len(picks), 4)]
    rows.append([ctx.button(ctx.t("common.cancel"), DropForm(state.ref))])
    number, total = index + 1, len(steps)
    ctx.show(ctx.t("events.form.step", number=number, total=total) + "\n" + ctx.t(step.ask, tz=ctx.community.timezone),
             rows, new=not ctx.incoming.is_button)


async def _typed(ctx: Context, flow: str) -> None:
    state = ctx.require_form(flow)
    if ctx.incoming.attachment is not None:
        raise InvalidInput("errors.text_expected")
    if state.step == "preview":
        ctx.say(ctx.t("start.use_buttons"))
        return
    step = _step(flow, state.step)
    if step.parse is None:
        ctx.say(ctx.t("start.use_buttons"))
        return
    data = state.data
    data[step.name] = step.parse(ctx, data, ctx.incoming.text or "")
    await _advance(ctx, flow, data, step.name)


@router.form(NEW, committee=True)
async def new_event_input(ctx: Context) -> None:
    await _typed(ctx, NEW)


@router.form(TEMPLATE, committee=True)
async def template_input(ctx: Context) -> None:
    await _typed(ctx, TEMPLATE)


@committee(FormPick)
async def form_pick(ctx: Context, tap: FormPick) -> None:
    state = ctx.state
    if state is None or state.flow not in FLOWS:
        raise StaleButton()
    ctx.require_form(state.flow, tap.form)
    step = _step(state.flow, state.step)
    if step.pick is None:
        raise StaleButton()
    data = state.data
    data[step.name] = step.pick(ctx, data, tap.value)
    ctx.toast()
    await _advance(ctx, state.flow, data, step.name)


@committee(DropForm)
async def drop_form(ctx: Context, tap: DropForm) -> None:
    state = ctx.state
    if state is None or state.flow not in (NEW, TEMPLATE, EDIT):
        raise StaleButton()
    ctx.require_form(state.flow, tap.form)
    await ctx.clear_form()
    ctx.toast()
    ctx.show(ctx.t("events.form.dropped"), [[ctx.button(ctx.t("events.btn.home"), EventsHome())]])


def _draft(data: Data) -> rules.EventDraft:
    return rules.EventDraft(
        title=data["title"], description=data.get("description") or "", starts_at=_moment(data["start"]),
        ends_at=_moment(data["end"]), venue=data["venue"], rain_venue=data.get("rain"),
        capacity=data.get("capacity"), reserved=int(data.get("reserved") or 0),
        rsvp_deadline=_moment(data["deadline"]) if data.get("deadline") else None,
        families=bool(data.get("families", True)), household_max=int(data.get("most") or 6))


def _template(data: Data) -> Template:
    hour, minute = (int(part) for part in str(data["clock"]).split(":"))
    return Template(day=int(data["day"]), start=time(hour, minute), minutes=int(data["minutes"]),
                    venue=data["venue"], rain_venue=data.get("rain"), capacity=data.get("capacity"),
                    lead_days=int(data["lead"]))


def _seats(ctx: Context, capacity: int | None, reserved: int) -> str:
    if capacity is None:
        return ctx.t("events.form.unlimited")
    return ctx.t("events.preview.seats", capacity=capacity, reserved=reserved)


def _preview(ctx: Context, flow: str, data: Data, form: str) -> None:
    rows: Keyboard = [[ctx.button(ctx.t("events.form.publish" if flow == NEW else "events.tpl.save"), Publish(form))],
                      [ctx.button(ctx.t("common.cancel"), DropForm(form))]]
    if flow == NEW:
        draft = _draft(data)
        deadline = (resident_view.when(ctx, draft.rsvp_deadline) if draft.rsvp_deadline
                    else ctx.t("events.form.until_start"))
        text = ctx.t("events.preview.event", title=esc(draft.title), description=esc(draft.description or "—"),
                     start=resident_view.when(ctx, draft.starts_at), end=resident_view.when(ctx, draft.ends_at),
                     venue=esc(draft.venue), rain=esc(draft.rain_venue or "—"),
                     seats=_seats(ctx, draft.capacity, draft.reserved), deadline=deadline,
                     families=ctx.t("common.yes" if draft.families else "common.no"), most=draft.household_max)
    else:
        template = _template(data)
        text = ctx.t("events.preview.template", title=esc(data["title"]), day=template.day,
                     clock=template.start.strftime("%H:%M"), minutes=template.minutes, venue=esc(template.venue),
                     rain=esc(template.rain_venue or "—"), seats=_seats(ctx, template.capacity, 0),
                     lead=template.lead_days)
    ctx.show(text, rows, new=not ctx.incoming.is_button)


@committee(NewEvent)
async def new_event(ctx: Context, tap: NewEvent) -> None:
    if not _in_private(ctx):
        return
    ctx.toast()
    await _advance(ctx, NEW, {}, None)


@router.command("newevent", committee=True)
async def new_event_command(ctx: Context) -> None:
    await _advance(ctx, NEW, {}, None)


@committee(Publish)
async def publish(ctx: Context, tap: Publish) -> None:
    state = ctx.state
    if state is None or state.flow not in FLOWS:
        raise StaleButton()
    ctx.require_form(state.flow, tap.form)
    if state.step != "preview":
        raise StaleButton()
    assert ctx.resident is not None
    data = state.data
    if state.flow == NEW:
        change = await event_admin.create_event(ctx.uow, ctx.community.id or 0, _draft(data), ctx.resident.id or 0,
                                                ctx.now())
        await ctx.clear_form()
        ctx.tell(*change.notices)
        ctx.toast(ctx.t("events.form.published"))
        await show_manage(ctx, change.event.id)
        return
    await event_admin.save_template(ctx.uow, ctx.community.id or 0, data["title"], _template(data),
                                    ctx.resident.id or 0, ctx.now())
    await ctx.clear_form()
    ctx.toast(ctx.t("events.tpl.saved"))
    await show_monthly(ctx)


# ---- the committee's card ------------------------------------------------------------------------------------


async def show_manage(ctx: Context, event_id: int) -> None:
    found = await event_admin.committee_card(ctx.uow, ctx.community.id or 0, event_id)
    shown, event = found.card, found.card.event
    page = Page()
    page.extend(resident_view.head_lines(ctx, event))
    page.add(resident_view.places_line(ctx, shown))
    if event.rsvp_deadline is not None:
        page.add(ctx.t("events.card.deadline", when=resident_view.when(ctx, event.rsvp_deadline)))
    if shown.event.capacity is not None:
        page.add(ctx.t("events.manage.seats", capacity=event.capacity or 0, reserved=event.reserved))
    page.add("")
    page.add(ctx.t("events.manage.who", parties=shown.places.going_parties, going=shown.places.going,
                   waiting=shown.places.waiting_parties))
    for line in found.parties:
        party = resident_view.party_text(ctx, line.adults, line.children)
        key = "events.manage.going_line" if line.place is None else "events.manage.waiting_line"
        if not page.add(ctx.t(key, name=esc(line.name), address=esc(line.address or "—"), party=party,
                              place=line.place or 0)):
            break
    rows: Keyboard = []
    if not event.cancelled and event.ends_at > ctx.now():
        if event.rain_venue:
            rain = (ctx.button(ctx.t("events.manage.dry"), RainPlan(event.id, False)) if event.rain_plan
                    else ctx.button(ctx.t("events.manage.rain"), RainPlan(event.id, True)))
            rows.append([rain])
        rows.append([ctx.button(ctx.t("events.manage.time"), EditEvent(event.id, "time")),
                     ctx.button(ctx.t("events.manage.capacity"), EditEvent(event.id, "seats"))])
        rows.append([ctx.button(ctx.t("events.manage.cancel"), AskCancel(event.id))])
    if not event.cancelled:
        rows += committee_rows(ctx, event)  # programme, volunteers, check-in code, attendance
    if ctx.in_private:  # residents' screens are private-chat screens
        rows.append([ctx.button(ctx.t("events.btn.back_card"), OpenEvent(event.id)),
                     ctx.button(ctx.t("events.btn.home"), EventsHome())])
    ctx.show(page.text(ctx.t("events.manage.more", count=page.left_out) if page.left_out else "…"), rows,
             new=not ctx.incoming.is_button)


@committee(ManageEvent)
async def manage_event(ctx: Context, tap: ManageEvent) -> None:
    ctx.toast()
    await show_manage(ctx, tap.event_id)


@committee(RainPlan)
async def rain_plan(ctx: Context, tap: RainPlan) -> None:
    assert ctx.resident is not None
    change = await event_admin.set_rain_plan(ctx.uow, ctx.community.id or 0, tap.event_id, tap.on,
                                             ctx.resident.id or 0, ctx.now())
    ctx.tell(*change.notices)
    ctx.toast(ctx.t("events.manage.told", count=len(change.notices[0].recipients)) if change.notices
              else ctx.t("events.manage.unchanged"))
    await show_manage(ctx, tap.event_id)


@committee(AskCancel)
async def ask_cancel(ctx: Context, tap: AskCancel) -> None:
    found = await event_admin.committee_card(ctx.uow, ctx.community.id or 0, tap.event_id)
    ctx.toast()
    ctx.show(ctx.t("events.manage.cancel_confirm", title=esc(found.card.event.title),
                   parties=len(found.parties)),
             [[ctx.button(ctx.t("events.manage.cancel_yes"), CancelNow(tap.event_id))],
              [ctx.button(ctx.t("menu.back"), ManageEvent(tap.event_id))]])


@committee(CancelNow)
async def cancel_now(ctx: Context, tap: CancelNow) -> None:
    assert ctx.resident is not None
    change = await event_admin.cancel_event(ctx.uow, ctx.community.id or 0, tap.event_id, ctx.resident.id or 0,
                                            ctx.now())
    ctx.tell(*change.notices)
    ctx.toast(ctx.t("events.manage.told", count=len(change.notices[0].recipients)))
    await show_manage(ctx, tap.event_id)


# ---- typed changes: a new time, the seats, one month's time or venue ------------------------------------------

EDIT_PROMPTS = {"time": "events.edit.ask_time", "seats": "events.edit.ask_seats",
                "mtime": "events.edit.ask_month_time", "mvenue": "events.edit.ask_month_venue"}


async def _ask_edit(ctx: Context, data: Data) -> None:
    if not _in_private(ctx):
        return
    state = await ctx.set_form(EDIT, "text", data)
    ctx.toast()
    ctx.say(ctx.t(EDIT_PROMPTS[data["do"]], month=data.get("month", "")),
            [[ctx.button(ctx.t("common.cancel"), DropForm(state.ref))]])


@committee(EditEvent)
async def edit_event(ctx: Context, tap: EditEvent) -> None:
    if tap.what not in ("time", "seats"):
        raise StaleButton()
    await event_admin.committee_card(ctx.uow, ctx.community.id or 0, tap.event_id)  # not found: refused here
    await _ask_edit(ctx, {"do": tap.what, "id": tap.event_id})


def _parse_seats(text: str) -> tuple[int | None, int]:
    """``40`` (capacity), ``40 5`` (capacity and reserved seats) or ``0`` (no limit)."""
    parts = rules.clean_line(text).replace("/", " ").replace(",", " ").replace("，", " ").split()
    if not 1 <= len(parts) <= 2:
        raise rules.NotANumber(least=0, most=rules.MOST_PEOPLE)
    capacity = rules.parse_count(parts[0])
    reserved = rules.parse_count(parts[1]) if len(parts) == 2 else None
    if capacity == 0:
        return None, 0
    return capacity, reserved if reserved is not None else -1


@router.form(EDIT, committee=True)
async def edit_input(ctx: Context) -> None:
    state = ctx.require_form(EDIT)
    data = state.data
    if state.step != "text":
        ctx.say(ctx.t("start.use_buttons"))
        return
    assert ctx.resident is not None
    actor, community_id, now, text = ctx.resident.id or 0, ctx.community.id or 0, ctx.now(), ctx.incoming.text or ""
    do = data.get("do")
    if do == "time":
        start = rules.parse_moment(text, ctx.community.timezone, now)
        change = await event_admin.move(ctx.uow, community_id, int(data["id"]), start, actor, now)
        await ctx.clear_form()
        ctx.tell(*change.notices)
        await show_manage(ctx, int(data["id"]))
    elif do == "seats":
        capacity, reserved = _parse_seats(text)
        event_id = int(data["id"])
        if reserved < 0:
            reserved = (await event_admin.committee_card(ctx.uow, community_id, event_id)).card.event.reserved
            reserved = reserved if capacity is not None and reserved < capacity else 0
        try:
            change = await event_admin.resize(ctx.uow, community_id, event_id, capacity, reserved, demote=False,
                                              actor_id=actor, now=now)
        except rules.TooFewSeats as refused:
            state = await ctx.set_form(EDIT, "demote", data | {"capacity": capacity, "reserved": reserved})
            ctx.say(ctx.t("events.edit.too_few", **refused.params),
                    [[ctx.button(ctx.t("events.edit.demote", move=refused.params["move"]), ConfirmDemote(state.ref))],
                     [ctx.button(ctx.t("common.cancel"), DropForm(state.ref))]])
            return
        await ctx.clear_form()
        ctx.tell(*change.notices)
        await show_manage(ctx, event_id)
    elif do in ("mtime", "mvenue"):
        month = _month(str(data["month"]))
        if do == "mtime":
            outcome = await event_admin.change_month(ctx.uow, community_id, month, actor, now,
                                                     start=rules.parse_clock(text))
        else:
            outcome = await event_admin.change_month(ctx.uow, community_id, month, actor, now,
                                                     venue=rules.check_line(text, rules.VENUE_LIMIT))
        await ctx.clear_form()
        if outcome is not None:
            ctx.tell(*outcome.notices)
        await show_monthly(ctx, new=True)
    else:
        await ctx.clear_form()
        raise StaleButton()


@committee(ConfirmDemote)
async def confirm_demote(ctx: Context, tap: ConfirmDemote) -> None:
    state = ctx.require_form(EDIT, tap.form)
    if state.step != "demote":
        raise StaleButton()
    assert ctx.resident is not None
    data = state.data
    change = await event_admin.resize(ctx.uow, ctx.community.id or 0, int(data["id"]), data["capacity"],
                                      int(data["reserved"]), demote=True, actor_id=ctx.resident.id or 0,
                                      now=ctx.now())
    await ctx.clear_form()
    ctx.tell(*change.notices)
    ctx.toast(ctx.t("events.edit.demoted", move=change.moved), alert=True)
    await show_manage(ctx, int(data["id"]))


# ---- 相约九号 --------------------------------------------------------------------------------------------------


def _month(text: str) -> Month:
    try:
        year, number = (int(part) for part in text.split("-"))
        return Month(year, number)
    except ValueError:
        raise StaleButton() from None


def _plan_line(ctx: Context, plan: MonthPlan) -> str:
    if plan.skipped:
        state = ctx.t("events.monthly.skipped")
    elif plan.event is not None:
        state = ctx.t("events.monthly.cancelled" if plan.event.cancelled else "events.monthly.made")
    else:
        state = ctx.t("events.monthly.planned")
    when = resident_view.when(ctx, plan.starts_at) if plan.starts_at else "—"
    return ctx.t("events.monthly.line", month=str(plan.month), when=when, venue=esc(plan.venue or "—"), state=state)


async def show_monthly(ctx: Context, *, new: bool = False) -> None:
    community_id = ctx.community.id or 0
    found = await event_admin.template(ctx.uow, community_id)
    rows: Keyboard = []
    if found is None:
        text = ctx.t("events.monthly.none")
        rows.append([ctx.button(ctx.t("events.monthly.set"), SetTemplate())])
    else:
        template = found.template
        lines = [ctx.t("events.monthly.head", title=esc(found.title), day=template.day,
                       clock=template.start.strftime("%H:%M"), minutes=template.minutes, venue=esc(template.venue),
                       rain=esc(template.rain_venue or "—"), seats=_seats(ctx, template.capacity, found.reserved),
                       lead=template.lead_days), ""]
        for plan in await event_admin.month_plan(ctx.uow, community_id, ctx.now()):
            lines.append(_plan_line(ctx, plan))
            month = str(plan.month)
            if plan.event is not None and plan.event.cancelled:
                continue
            if plan.event is not None and plan.event.ends_at <= ctx.now():
                continue
            short = local_time(plan.starts_at, ctx.community.timezone, "%m") if plan.starts_at else month[-2:]
            rows.append([ctx.button(ctx.t("events.monthly.unskip" if plan.skipped else "events.monthly.skip",
                                          month=short), MonthSkip(month, not plan.skipped))]
                        + ([] if plan.skipped else
                           [ctx.button(ctx.t("events.monthly.time", month=short), MonthEdit(month, "time")),
                            ctx.button(ctx.t("events.monthly.venue", month=short), MonthEdit(month, "venue"))]))
        text = "\n".join(lines)
        rows.append([ctx.button(ctx.t("events.monthly.edit"), SetTemplate())])
    rows.append([ctx.button(ctx.t("events.btn.home"), EventsHome())])
    ctx.show(text, rows, new=new)


@committee(MonthlyHome)
async def monthly_home(ctx: Context, tap: MonthlyHome) -> None:
    ctx.toast()
    await show_monthly(ctx)


@committee(SetTemplate)
async def set_template(ctx: Context, tap: SetTemplate) -> None:
    if not _in_private(ctx):
        return
    ctx.toast()
    await _advance(ctx, TEMPLATE, {}, None)


@committee(MonthSkip)
async def month_skip(ctx: Context, tap: MonthSkip) -> None:
    assert ctx.resident is not None
    outcome = await event_admin.change_month(ctx.uow, ctx.community.id or 0, _month(tap.month),
                                             ctx.resident.id or 0, ctx.now(), skip=tap.skip)
    if outcome is not None:
        ctx.tell(*outcome.notices)
    ctx.toast(ctx.t("events.monthly.done"))
    await show_monthly(ctx)


@committee(MonthEdit)
async def month_edit(ctx: Context, tap: MonthEdit) -> None:
    if tap.what not in ("time", "venue"):
        raise StaleButton()
    _month(tap.month)
    await _ask_edit(ctx, {"do": "m" + tap.what, "month": tap.month})
