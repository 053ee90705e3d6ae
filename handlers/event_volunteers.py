"""Volunteers at an event: residents sign up for a role and drop out; full roles say so; the committee defines
the roles and their slots and sees who is where."""

from __future__ import annotations

from core import event_extras as rules
from core.errors import InvalidInput
from handlers.budget import Page
from handlers.buttons import Tap
from handlers.context import Context
from handlers.event_extras import NAME_IN_BUTTON, heading, pick_event
from handlers.links import OpenEvent
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import clip, esc
from storage import event_volunteers
from storage.event_volunteers import RoleView

router = Router("event_volunteers")

ROLE_FLOW = "x_role"
# The usual roles at 相约九号, added in the committee member's language with two slots each.
USUAL_ROLES = ("extras.role.setup", "extras.role.photos", "extras.role.patrol", "extras.role.reception")
USUAL_SLOTS = 2


class VolunteerEvents(Tap, prefix="x6"):
    """The upcoming events, to volunteer at."""


class VolunteerHome(Tap, prefix="xk"):
    event_id: int


class SignUp(Tap, prefix="xl"):
    role_id: int


class DropOut(Tap, prefix="xm"):
    role_id: int


class VolunteerDesk(Tap, prefix="xn"):
    event_id: int


class AddRole(Tap, prefix="xo"):
    event_id: int


class AddUsualRoles(Tap, prefix="x4"):
    event_id: int


class ManageRole(Tap, prefix="xp"):
    role_id: int


class SetSlots(Tap, prefix="xq"):
    role_id: int
    slots: int


class DeleteRole(Tap, prefix="xr"):
    role_id: int


def role_line(ctx: Context, role: RoleView, mine: bool = False) -> str:
    key = ("extras.volunteer.line_mine" if mine else
           "extras.volunteer.line_full" if role.full else "extras.volunteer.line")
    return ctx.t(key, name=esc(role.name), taken=role.taken, slots=role.slots)


@router.command("volunteer", verified=True)
async def volunteer_command(ctx: Context) -> None:
    await pick_event(ctx, "extras.volunteer.pick", VolunteerHome, show_board)


@router.button(VolunteerEvents, verified=True)
async def volunteer_events(ctx: Context, tap: VolunteerEvents) -> None:
    await pick_event(ctx, "extras.volunteer.pick", VolunteerHome, show_board)


@router.button(VolunteerHome, verified=True)
async def volunteer_home(ctx: Context, tap: VolunteerHome) -> None:
    ctx.toast()
    await show_board(ctx, tap.event_id)


async def show_board(ctx: Context, event_id: int) -> None:
    viewer = ctx.resident.id if ctx.resident is not None else None
    board = await event_volunteers.board(ctx.uow, ctx.community.id or 0, event_id, viewer_id=viewer)
    event, now = board.event, ctx.now()
    page = Page()
    page.add(heading(ctx, "extras.volunteer.title", event))
    page.add("")
    if not board.roles:
        page.add(ctx.t("extras.volunteer.none"))
    page.extend([role_line(ctx, role, role.id == board.mine) for role in board.roles])
    rows: Keyboard = []
    if not (event.cancelled or event.over(now)):
        for role in board.roles:
            if role.id == board.mine:
                rows.append([ctx.button(ctx.t("extras.volunteer.drop_out", name=clip(role.name, NAME_IN_BUTTON)),
                                        DropOut(role.id))])
            elif board.mine is None:
                key = "extras.volunteer.sign_up_full" if role.full else "extras.volunteer.sign_up"
                rows.append([ctx.button(ctx.t(key, name=clip(role.name, NAME_IN_BUTTON), taken=role.taken,
                                              slots=role.slots), SignUp(role.id))])
    if ctx.committee:
        rows.append([ctx.button(ctx.t("extras.volunteer.desk"), VolunteerDesk(event_id))])
    rows.append([ctx.button(ctx.t("menu.back"), VolunteerEvents()),
                 ctx.button(ctx.t("events.btn.open"), OpenEvent(event_id))])
    ctx.show(page.text(), rows)


@router.button(SignUp, verified=True)
async def sign_up(ctx: Context, tap: SignUp) -> None:
    done = await event_volunteers.sign_up(ctx.uow, ctx.community.id or 0, tap.role_id, _me(ctx), ctx.now())
    _, event = await event_volunteers.role(ctx.uow, ctx.community.id or 0, tap.role_id)
    ctx.toast(ctx.t("extras.volunteer.signed_up", name=done.role.name))
    await show_board(ctx, event.id)


@router.button(DropOut, verified=True)
async def drop_out(ctx: Context, tap: DropOut) -> None:
    done = await event_volunteers.drop_out(ctx.uow, ctx.community.id or 0, tap.role_id, _me(ctx), ctx.now())
    _, event = await event_volunteers.role(ctx.uow, ctx.community.id or 0, tap.role_id)
    ctx.toast(ctx.t("extras.volunteer.dropped_out" if done.changed else "extras.volunteer.not_signed_up",
                    name=done.role.name))
    await show_board(ctx, event.id)


def _me(ctx: Context) -> int:
    assert ctx.resident is not None  # the verified guard let only a resident through
    return ctx.resident.id or 0


# ---- the committee --------------------------------------------------------------------------------


@router.button(VolunteerDesk, committee=True)
async def volunteer_desk(ctx: Context, tap: VolunteerDesk) -> None:
    ctx.toast()
    await show_desk(ctx, tap.event_id)


async def show_desk(ctx: Context, event_id: int) -> None:
    board = await event_volunteers.board(ctx.uow, ctx.community.id or 0, event_id, with_people=True)
    page = Page()
    page.add(heading(ctx, "extras.desk.title", board.event))
    page.add(ctx.t("extras.desk.totals", volunteers=board.volunteers, slots=board.slots))
    for role in board.roles:
        page.add("")
        page.add(role_line(ctx, role))
        page.extend([ctx.t("extras.desk.person", name=esc(name), address=esc(address or "—"))
                     for name, address in role.people])
    if not board.roles:
        page.add("")
        page.add(ctx.t("extras.volunteer.none"))
    buttons = [ctx.button(clip(role.name, NAME_IN_BUTTON), ManageRole(role.id)) for role in board.roles]
    rows: Keyboard = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
    rows.append([ctx.button(ctx.t("extras.desk.add_role"), AddRole(event_id))])
    if not board.roles:
        rows.append([ctx.button(ctx.t("extras.desk.add_usual"), AddUsualRoles(event_id))])
    rows.append([ctx.button(ctx.t("menu.back"), VolunteerHome(event_id))])
    ctx.show(page.text(), rows)


@router.button(AddUsualRoles, committee=True)
async def add_usual_roles(ctx: Context, tap: AddUsualRoles) -> None:
    for key in USUAL_ROLES:
        await event_volunteers.add_role(ctx.uow, ctx.community.id or 0, tap.event_id, ctx.t(key), USUAL_SLOTS,
                                        ctx.now())
    ctx.toast()
    await show_desk(ctx, tap.event_id)


@router.button(AddRole, committee=True)
async def add_role(ctx: Context, tap: AddRole) -> None:
    await event_volunteers.board(ctx.uow, ctx.community.id or 0, tap.event_id)  # the event is ours
    await ctx.set_form(ROLE_FLOW, "name", {"event_id": tap.event_id})
    ctx.toast()
    ctx.say(ctx.t("extras.desk.ask_name", limit=rules.ROLE_NAME_LIMIT))


@router.form(ROLE_FLOW, committee=True)
async def role_input(ctx: Context) -> None:
    state = ctx.require_form(ROLE_FLOW)
    data = state.data
    if ctx.incoming.attachment is not None:
        raise InvalidInput("errors.text_expected")
    if state.step == "name":
        data["name"] = rules.check_line(ctx.incoming.text, rules.ROLE_NAME_LIMIT)
        await ctx.set_form(ROLE_FLOW, "slots", data)
        ctx.say(ctx.t("extras.desk.ask_slots", name=esc(data["name"]), least=rules.SLOTS_LEAST,
                      most=rules.SLOTS_MOST))
        return
    slots = rules.check_slots(ctx.incoming.text)
    event_id = int(data["event_id"])
    added = await event_volunteers.add_role(ctx.uow, ctx.community.id or 0, event_id, data["name"], slots, ctx.now())
    await ctx.clear_form()
    ctx.say(ctx.t("extras.desk.added", name=esc(added.name), slots=added.slots))
    await show_desk(ctx, event_id)


@router.button(ManageRole, committee=True)
async def manage_role(ctx: Context, tap: ManageRole) -> None:
    ctx.toast()
    await _show_role(ctx, tap.role_id)


async def _show_role(ctx: Context, role_id: int) -> None:
    role, event = await event_volunteers.role(ctx.uow, ctx.community.id or 0, role_id)
    steps = [ctx.button(label, SetSlots(role.id, role.slots + step)) for label, step in (("−1", -1), ("+1", 1))
             if max(role.taken, rules.SLOTS_LEAST) <= role.slots + step <= rules.SLOTS_MOST]
    rows: Keyboard = [steps] if steps else []
    if role.taken == 0:
        rows.append([ctx.button(ctx.t("extras.desk.delete"), DeleteRole(role.id))])
    rows.append([ctx.button(ctx.t("menu.back"), VolunteerDesk(event.id))])
    ctx.show(ctx.t("extras.desk.role", name=esc(role.name), taken=role.taken, slots=role.slots), rows)


@router.button(SetSlots, committee=True)
async def set_slots(ctx: Context, tap: SetSlots) -> None:
    role = await event_volunteers.set_slots(ctx.uow, ctx.community.id or 0, tap.role_id, tap.slots, ctx.now())
    ctx.toast(ctx.t("extras.desk.slots_set", name=role.name, slots=role.slots))
    await _show_role(ctx, tap.role_id)


@router.button(DeleteRole, committee=True)
async def delete_role(ctx: Context, tap: DeleteRole) -> None:
    _, event = await event_volunteers.role(ctx.uow, ctx.community.id or 0, tap.role_id)
    name = await event_volunteers.delete_role(ctx.uow, ctx.community.id or 0, tap.role_id)
    ctx.toast(ctx.t("extras.desk.deleted", name=name))
    await show_desk(ctx, event.id)
