"""/start, joining with an invite code, and asking the committee to join without one."""

from __future__ import annotations

from core.errors import InvalidInput, StaleButton, TooLong
from handlers import menu
from handlers.context import Context
from handlers.router import Router
from handlers.text import clean_line, esc
from storage import community as homes
from storage import registration
from storage.residents import committee_members

router = Router("start")

NAME_LIMIT = 64
ADDRESS_LIMIT = 64
REGISTER, JOIN = "register", "join"


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
        [ctx.button(ctx.t("start.have_code"), "rg", "code")],
        [ctx.button(ctx.t("start.ask_to_join"), "rg", "join")],
        [ctx.button(ctx.t("start.browse"), "m", "main")],
    ])


@router.command("cancel")
async def cancel(ctx: Context) -> None:
    had_form = ctx.state is not None
    await ctx.clear_form()
    ctx.say(ctx.t("start.cancelled" if had_form else "start.nothing_to_cancel"))


async def _accept_code(ctx: Context, code: str) -> None:
    try:
        invite = await registration.check_code(ctx.session, ctx.user_id, code, ctx.now(),
                                               ctx.options.code_tries_per_hour)
    except (registration.InvalidCode, registration.CodeUsed, registration.CodeExpired) as error:
        await ctx.set_form(REGISTER, "code")
        ctx.say(ctx.t(error.key, **error.params) + "\n\n" + ctx.t("start.code_try_again"),
                [[ctx.button(ctx.t("start.ask_to_join"), "rg", "join")]])
        return
    address = await homes.household_label(ctx.session, invite.household_id)
    await ctx.set_form(REGISTER, "name", {"code": invite.code, "address": address})
    ctx.say(ctx.t("start.code_ok", address=esc(address)) + "\n\n" + ctx.t("start.ask_name", limit=NAME_LIMIT))


@router.button("rg")
async def registration_button(ctx: Context) -> None:
    assert ctx.payload is not None
    action = ctx.payload.str(0)
    if ctx.verified:  # e.g. a second tap on Confirm: say so, leave the message as it is
        ctx.toast(ctx.t("start.already_registered"), alert=True)
        return
    if action == "code":
        await ctx.set_form(REGISTER, "code")
        ctx.toast()
        ctx.say(ctx.t("start.ask_code"))
    elif action == "join":
        if await registration.pending_request(ctx.session, ctx.user_id) is not None:
            raise registration.RequestPending()
        await ctx.set_form(JOIN, "name")
        ctx.toast()
        ctx.say(ctx.t("join.intro") + "\n\n" + ctx.t("start.ask_name", limit=NAME_LIMIT))
    elif action == "adult":
        flow = ctx.payload.str(1)
        state = ctx.require_form(flow, ctx.payload.int(2))
        if state.step != "adult":
            raise StaleButton()
        data = state.data | {"adult": ctx.payload.str(3) == "y"}
        if flow == REGISTER:
            await ctx.set_form(REGISTER, "confirm", data)
            _show_confirm(ctx, data, REGISTER)
        else:
            await ctx.set_form(JOIN, "address", data)
            ctx.show(ctx.t("join.ask_address", limit=ADDRESS_LIMIT))
    elif action == "ok":
        flow = ctx.payload.str(1)
        state = ctx.require_form(flow, ctx.payload.int(2))
        if state.step != "confirm":
            raise StaleButton()
        await (_finish_registration(ctx, state.data) if flow == REGISTER else _finish_join(ctx, state.data))
    elif action == "edit":
        flow = ctx.payload.str(1)
        state = ctx.require_form(flow, ctx.payload.int(2))
        await ctx.set_form(flow, "name", state.data)
        ctx.show(ctx.t("start.ask_name", limit=NAME_LIMIT))
    elif action == "no":
        ctx.require_form(ctx.payload.str(1), ctx.payload.int(2))
        await ctx.clear_form()
        ctx.show(ctx.t("start.cancelled"))
    else:
        raise StaleButton()


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
        ctx.button(ctx.t("common.yes"), "rg", "adult", flow, state.version, "y"),
        ctx.button(ctx.t("common.no"), "rg", "adult", flow, state.version, "n"),
    ]])


def _show_confirm(ctx: Context, data: dict, flow: str) -> None:
    assert ctx.state is not None
    version = ctx.state.version
    summary = ctx.t("start.summary", name=esc(data["name"]), address=esc(data.get("address", "")),
                    adult=ctx.t("common.yes" if data.get("adult") else "common.no"))
    ctx.show(summary, [
        [ctx.button(ctx.t("common.confirm"), "rg", "ok", flow, version)],
        [ctx.button(ctx.t("common.edit"), "rg", "edit", flow, version),
         ctx.button(ctx.t("common.cancel"), "rg", "no", flow, version)],
    ])


async def _finish_registration(ctx: Context, data: dict) -> None:
    ctx.resident = await registration.join_with_code(
        ctx.session, telegram_user_id=ctx.user_id, code_text=data["code"], name=data["name"],
        is_adult=bool(data.get("adult")), language=ctx.lang, now=ctx.now())
    await ctx.clear_form()
    ctx.toast(ctx.t("start.registered_toast"))
    ctx.show(ctx.t("start.registered", name=esc(data["name"]), address=esc(data.get("address", ""))))
    await menu.show_main(ctx, new_message=True)


async def _finish_join(ctx: Context, data: dict) -> None:
    request = await registration.request_to_join(
        ctx.session, community_id=ctx.community.id or 0, telegram_user_id=ctx.user_id, name=data["name"],
        is_adult=bool(data.get("adult")), address=data.get("address", ""), language=ctx.lang, now=ctx.now())
    await ctx.clear_form()
    ctx.toast()
    ctx.show(ctx.t("join.sent"))
    await tell_committee_about_request(ctx, request)


async def tell_committee_about_request(ctx: Context, request: registration.JoinRequest) -> None:
    """The committee chat (or, before one is bound, each committee member) gets Approve / Reject."""
    targets: list[tuple[int, str]]
    if ctx.community.committee_chat_id is not None:
        targets = [(ctx.community.committee_chat_id, ctx.options.default_language)]
    else:
        members = await committee_members(ctx.session, ctx.community.id or 0)
        targets = [(member.telegram_user_id, member.language) for member in members]
    for chat_id, lang in targets:
        text = ctx.t_in(lang, "join.committee_card", name=esc(request.display_name),
                        address=esc(request.address or "—"),
                        adult=ctx.t_in(lang, "common.yes" if request.is_adult else "common.no"),
                        user_id=request.telegram_user_id)
        await ctx.notify(chat_id, text, f"join:{request.id}:{chat_id}", [[
            ctx.button(ctx.t_in(lang, "join.approve"), "jd", request.id, "a"),
            ctx.button(ctx.t_in(lang, "join.reject"), "jd", request.id, "r"),
        ]])
