"""/start, joining with an invite code, and asking the committee to join without one."""

from __future__ import annotations

from core.errors import InvalidInput, StaleButton, TooLong
from handlers import menu
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import OpenMenu
from handlers.router import Router
from handlers.text import clean_line, esc
from storage import registration

router = Router("start")

NAME_LIMIT = 64
ADDRESS_LIMIT = 64
REGISTER, JOIN = "register", "join"


class EnterCode(Tap, prefix="rc"):
    pass


class AskToJoin(Tap, prefix="rj"):
    pass


class AnswerAdult(Tap, prefix="ra"):
    flow: str
    form: str
    adult: bool


class ConfirmForm(Tap, prefix="rk"):
    flow: str
    form: str


class EditForm(Tap, prefix="re"):
    flow: str
    form: str


class CancelForm(Tap, prefix="rx"):
    flow: str
    form: str


@router.command("start")
async def start(ctx: Context) -> None:
    code = ctx.incoming.args
    if ctx.verified:
        if code:
            ctx.say(ctx.t("start.already_registered"))
        await menu.show_main(ctx)
        return
    if code:
        await _accept_code(ctx, code)
        return
    await ctx.clear_form()
    ctx.say(ctx.t("start.welcome", community=esc(ctx.community.name), offers=menu.offers(ctx)), [
        [ctx.button(ctx.t("start.have_code"), EnterCode())],
        [ctx.button(ctx.t("start.ask_to_join"), AskToJoin())],
        [ctx.button(ctx.t("start.browse"), OpenMenu())],
    ])


@router.command("cancel")
async def cancel(ctx: Context) -> None:
    had_form = ctx.state is not None
    await ctx.clear_form()
    ctx.say(ctx.t("start.cancelled" if had_form else "start.nothing_to_cancel"))


async def _accept_code(ctx: Context, code: str) -> None:
    try:
        invite = await registration.check_code(ctx.uow, ctx.community.id, ctx.user_id, code, ctx.now(),
                                               ctx.options.code_tries_per_hour)
    except (registration.InvalidCode, registration.CodeUsed, registration.CodeExpired) as error:
        await ctx.set_form(REGISTER, "code")
        ctx.say(ctx.t(error.key, **error.params) + "\n\n" + ctx.t("start.code_try_again"),
                [[ctx.button(ctx.t("start.ask_to_join"), AskToJoin())]])
        return
    await ctx.set_form(REGISTER, "name", {"code": invite.code, "address": invite.address})
    ctx.say(ctx.t("start.code_ok", address=esc(invite.address)) + "\n\n" + ctx.t("start.ask_name", limit=NAME_LIMIT))


def _already_registered(ctx: Context) -> bool:
    """A second tap on Confirm (or any registration button) after joining: say so, leave the message."""
    if ctx.verified:
        ctx.toast(ctx.t("start.already_registered"), alert=True)
        return True
    return False


@router.button(EnterCode)
async def enter_code(ctx: Context, tap: EnterCode) -> None:
    if _already_registered(ctx):
        return
    await ctx.set_form(REGISTER, "code")
    ctx.toast()
    ctx.say(ctx.t("start.ask_code"))


@router.button(AskToJoin)
async def ask_to_join(ctx: Context, tap: AskToJoin) -> None:
    if _already_registered(ctx):
        return
    await registration.check_may_ask(ctx.uow, ctx.community.id, ctx.user_id)
    await ctx.set_form(JOIN, "name")
    ctx.toast()
    ctx.say(ctx.t("join.intro") + "\n\n" + ctx.t("start.ask_name", limit=NAME_LIMIT))


@router.button(AnswerAdult)
async def answer_adult(ctx: Context, tap: AnswerAdult) -> None:
    if _already_registered(ctx):
        return
    state = ctx.require_form(tap.flow, tap.form)
    if state.step != "adult":
        raise StaleButton()
    data = state.data | {"adult": tap.adult}
    if tap.flow == REGISTER:
        await ctx.set_form(REGISTER, "confirm", data)
        _show_confirm(ctx, data, REGISTER)
    else:
        await ctx.set_form(JOIN, "address", data)
        ctx.show(ctx.t("join.ask_address", limit=ADDRESS_LIMIT))


@router.button(ConfirmForm)
async def confirm_form(ctx: Context, tap: ConfirmForm) -> None:
    if _already_registered(ctx):
        return
    state = ctx.require_form(tap.flow, tap.form)
    if state.step != "confirm":
        raise StaleButton()
    await (_finish_registration(ctx, state.data) if tap.flow == REGISTER else _finish_join(ctx, state.data))


@router.button(EditForm)
async def edit_form(ctx: Context, tap: EditForm) -> None:
    if _already_registered(ctx):
        return
    state = ctx.require_form(tap.flow, tap.form)
    await ctx.set_form(tap.flow, "name", state.data)
    ctx.show(ctx.t("start.ask_name", limit=NAME_LIMIT))


@router.button(CancelForm)
async def cancel_form(ctx: Context, tap: CancelForm) -> None:
    if _already_registered(ctx):
        return
    ctx.require_form(tap.flow, tap.form)
    await ctx.clear_form()
    ctx.show(ctx.t("start.cancelled"))


@router.form(REGISTER)
async def register_input(ctx: Context) -> None:
    state = ctx.require_form(REGISTER)
    if state.step == "code":
        await _accept_code(ctx, ctx.incoming.text or "")
    elif state.step == "name":
        await _take_name(ctx, REGISTER)
    else:
        ctx.say(ctx.t("start.use_buttons"))


@router.form(JOIN)
async def join_input(ctx: Context) -> None:
    state = ctx.require_form(JOIN)
    if state.step == "name":
        await _take_name(ctx, JOIN)
    elif state.step == "address":
        address = _one_line(ctx, ADDRESS_LIMIT)
        data = state.data | {"address": address}
        await ctx.set_form(JOIN, "confirm", data)
        _show_confirm(ctx, data, JOIN)
    else:
        ctx.say(ctx.t("start.use_buttons"))


def _one_line(ctx: Context, limit: int) -> str:
    if ctx.incoming.text is None:
        raise InvalidInput("errors.text_expected")
    value = clean_line(ctx.incoming.text)
    if not value:
        raise InvalidInput("errors.empty_text")
    if len(value) > limit:
        raise TooLong(limit=limit, length=len(value))
    return value


async def _take_name(ctx: Context, flow: str) -> None:
    name = _one_line(ctx, NAME_LIMIT)
    state = await ctx.set_form(flow, "adult", ctx.form_data() | {"name": name})
    ctx.say(ctx.t("start.ask_adult", name=esc(name)), [[
        ctx.button(ctx.t("common.yes"), AnswerAdult(flow, state.ref, True)),
        ctx.button(ctx.t("common.no"), AnswerAdult(flow, state.ref, False)),
    ]])


def _show_confirm(ctx: Context, data: dict, flow: str) -> None:
    form = ctx.form_ref
    summary = ctx.t("start.summary", name=esc(data["name"]), address=esc(data.get("address", "")),
                    adult=ctx.t("common.yes" if data.get("adult") else "common.no"))
    ctx.show(summary, [
        [ctx.button(ctx.t("common.confirm"), ConfirmForm(flow, form))],
        [ctx.button(ctx.t("common.edit"), EditForm(flow, form)),
         ctx.button(ctx.t("common.cancel"), CancelForm(flow, form))],
    ])


async def _finish_registration(ctx: Context, data: dict) -> None:
    ctx.resident = await registration.join_with_code(
        ctx.uow, ctx.community.id, telegram_user_id=ctx.user_id, code_text=data["code"], name=data["name"],
        is_adult=bool(data.get("adult")), language=ctx.lang, now=ctx.now(),
        tries_per_hour=ctx.options.code_tries_per_hour)
    await ctx.clear_form()
    ctx.toast(ctx.t("start.registered_toast"))
    ctx.show(ctx.t("start.registered", name=esc(data["name"]), address=esc(data.get("address", ""))))
    await menu.show_main(ctx, new_message=True)


async def _finish_join(ctx: Context, data: dict) -> None:
    asked = await registration.ask_to_join(
        ctx.uow, community=ctx.community, telegram_user_id=ctx.user_id, name=data["name"],
        is_adult=bool(data.get("adult")), address=data.get("address", ""), language=ctx.lang, now=ctx.now())
    await ctx.clear_form()
    ctx.toast()
    ctx.show(ctx.t("join.sent"))
    ctx.tell(*asked.notices)
