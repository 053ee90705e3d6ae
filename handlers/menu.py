"""The main menu, /help, "Me", and what to say to input nobody expects."""

from __future__ import annotations

from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import CommitteeHome, LanguagePicker, OpenMenu
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import esc
from storage import privacy, residents

router = Router("menu")


class ComingSoon(Tap, prefix="ms"):
    pass


class ShowMe(Tap, prefix="me"):
    pass


class AskForget(Tap, prefix="mf"):
    pass


class ConfirmForget(Tap, prefix="mx"):
    pass


def offers(ctx: Context, lang: str | None = None) -> str:
    """What taking part offers today: one catalog line per feature that has shipped (``Feature.offers``), so the
    welcome, the approval and the guest's menu promise exactly what exists."""
    return "\n".join(ctx.t_in(lang or ctx.lang, key) for key in ctx.screens.offers)


def main_keyboard(ctx: Context) -> Keyboard:
    buttons = [ctx.button(ctx.t(entry.label), entry.tap) for entry in ctx.screens.menu
               if ctx.committee or not entry.committee_only]
    rows: Keyboard = [buttons[:2], buttons[2:]]
    if ctx.committee:
        rows.append([ctx.button(ctx.t("menu.committee"), CommitteeHome())])
    rows.append([ctx.button(ctx.t("menu.language"), LanguagePicker())])
    return rows


def main_text(ctx: Context) -> str:
    if ctx.resident is not None and ctx.verified:
        return ctx.t("menu.title_member", name=esc(ctx.resident.display_name), community=esc(ctx.community.name))
    return ctx.t("menu.title_guest", community=esc(ctx.community.name), offers=offers(ctx))


async def show_main(ctx: Context, *, new_message: bool = False) -> None:
    ctx.show(main_text(ctx), main_keyboard(ctx), new=new_message)


@router.command("menu")
async def menu_command(ctx: Context) -> None:
    await show_main(ctx)


@router.command("help")
async def help_command(ctx: Context) -> None:
    text = "\n\n".join(ctx.t(key) for key in ctx.screens.help)
    if ctx.committee:
        text += "\n\n" + "\n".join(ctx.t(key) for key in ctx.screens.committee_help)
    ctx.say(text, [[ctx.button(ctx.t("menu.back"), OpenMenu())]])


@router.button(OpenMenu)
async def open_menu(ctx: Context, tap: OpenMenu) -> None:
    ctx.toast()
    await show_main(ctx)


@router.button(ComingSoon)
async def coming_soon(ctx: Context, tap: ComingSoon) -> None:
    ctx.toast(ctx.t("menu.coming_soon"), alert=True)


@router.button(ShowMe)
async def me_button(ctx: Context, tap: ShowMe) -> None:
    ctx.toast()
    await show_me(ctx)


@router.button(AskForget)
async def ask_forget(ctx: Context, tap: AskForget) -> None:
    ctx.toast()
    ctx.show(ctx.t("me.forget_confirm"), [
        [ctx.button(ctx.t("me.forget_yes"), ConfirmForget())],
        [ctx.button(ctx.t("menu.back"), ShowMe())]])


@router.button(ConfirmForget)
async def confirm_forget(ctx: Context, tap: ConfirmForget) -> None:
    await privacy.forget(ctx.uow, community_id=ctx.community.id, telegram_user_id=ctx.user_id, now=ctx.now())
    ctx.resident, ctx.state, ctx.committee = None, None, False
    ctx.toast()
    ctx.show(ctx.t("me.forgotten"))


async def show_me(ctx: Context) -> None:
    back = [[ctx.button(ctx.t("menu.language"), LanguagePicker())], [ctx.button(ctx.t("menu.back"), OpenMenu())]]
    resident = ctx.resident
    forget = [ctx.button(ctx.t("me.forget"), AskForget())]
    if resident is None:  # a guest may still have a join request, code tries or a half-filled form
        ctx.show(ctx.t("me.guest"), [*back[:1], forget, *back[1:]])
        return
    about = await residents.profile(ctx.uow, resident)
    role_names = ctx.t("common.list_separator").join(ctx.t(f"role.{role.value}") for role in about.roles)
    ctx.show(ctx.t("me.card", name=esc(resident.display_name), address=esc(about.address or "—"),
                   adult=ctx.t("common.yes" if resident.is_adult else "common.no"),
                   verified=ctx.t("me.verified" if resident.verified else "me.unverified"),
                   roles=role_names or "—", language=ctx.t(f"language.{resident.language}"),
                   user_id=resident.telegram_user_id),
             [*back[:1], [ctx.button(ctx.t("me.forget"), AskForget())], *back[1:]])


async def fallback(ctx: Context) -> None:
    """Anything no route takes: an unknown command, free text outside a form, an unknown button."""
    if ctx.incoming.is_button:
        ctx.toast(ctx.t("errors.stale_button"), alert=True)
    elif ctx.incoming.command is not None:
        ctx.say(ctx.t("errors.unknown_command", command=esc(ctx.incoming.command)),
                [[ctx.button(ctx.t("menu.open"), OpenMenu())]])
    elif ctx.incoming.attachment is not None:
        ctx.say(ctx.t("errors.unexpected_attachment"), [[ctx.button(ctx.t("menu.open"), OpenMenu())]])
    else:
        ctx.say(ctx.t("errors.free_text"), [[ctx.button(ctx.t("menu.open"), OpenMenu())]])
