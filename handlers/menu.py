"""The main menu, /help, "Me", and what to say to input nobody expects."""

from __future__ import annotations

from handlers.context import Context
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import esc
from storage import community as homes
from storage import privacy, residents

router = Router("menu")

# (catalog key of the label, button prefix, field) — a feature's home screen answers its prefix.
MAIN_ENTRIES: tuple[tuple[str, str, str], ...] = (
    ("menu.topics", "tp", "home"),
    ("menu.events", "m", "soon"),
    ("menu.votes", "m", "soon"),
    ("menu.me", "m", "me"),
)


# What taking part offers today, one catalog line per feature (common.po ``offer.*``). A feature adds its key here
# when it ships (e.g. "offer.events", "offer.votes"): the welcome, the approval and the guest's menu list exactly
# these, so no text promises what does not exist yet.
OFFERS: tuple[str, ...] = ("offer.topics",)


def offers(ctx: Context, lang: str | None = None) -> str:
    return "\n".join(ctx.t_in(lang or ctx.lang, key) for key in OFFERS)


def main_keyboard(ctx: Context) -> Keyboard:
    buttons = [ctx.button(ctx.t(label), prefix, field) for label, prefix, field in MAIN_ENTRIES]
    rows: Keyboard = [buttons[:2], buttons[2:]]
    if ctx.committee:
        rows.append([ctx.button(ctx.t("menu.committee"), "cm", "home")])
    rows.append([ctx.button(ctx.t("menu.language"), "lg", "pick")])
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
    text = ctx.t("help.resident") + "\n\n" + ctx.t("topics.help")
    if ctx.committee:
        text += "\n\n" + ctx.t("help.committee") + "\n" + ctx.t("topics.help_committee")
    ctx.say(text, [[ctx.button(ctx.t("menu.back"), "m", "main")]])


@router.button("m")
async def menu_button(ctx: Context) -> None:
    assert ctx.payload is not None
    target = ctx.payload.str(0)
    if target == "main":
        ctx.toast()
        await show_main(ctx)
    elif target == "soon":
        ctx.toast(ctx.t("menu.coming_soon"), alert=True)
    elif target == "me":
        ctx.toast()
        await show_me(ctx)
    elif target == "forget":
        ctx.toast()
        ctx.show(ctx.t("me.forget_confirm"), [
            [ctx.button(ctx.t("me.forget_yes"), "m", "forget_yes")],
            [ctx.button(ctx.t("menu.back"), "m", "me")]])
    elif target == "forget_yes":
        await privacy.forget(ctx.session, telegram_user_id=ctx.user_id, now=ctx.now())
        ctx.resident, ctx.state, ctx.committee = None, None, False
        ctx.toast()
        ctx.show(ctx.t("me.forgotten"))
    else:
        ctx.toast(ctx.t("errors.stale_button"), alert=True)


async def show_me(ctx: Context) -> None:
    back = [[ctx.button(ctx.t("menu.language"), "lg", "pick")], [ctx.button(ctx.t("menu.back"), "m", "main")]]
    resident = ctx.resident
    forget = [ctx.button(ctx.t("me.forget"), "m", "forget")]
    if resident is None:  # a guest may still have a join request, code tries or a half-filled form
        ctx.show(ctx.t("me.guest"), [*back[:1], forget, *back[1:]])
        return
    address = await homes.household_label(ctx.session, resident.household_id) if resident.household_id else "—"
    roles = sorted(await residents.roles_of(ctx.session, resident.id or 0))
    role_names = ctx.t("common.list_separator").join(ctx.t(f"role.{role.value}") for role in roles)
    ctx.show(ctx.t("me.card", name=esc(resident.display_name), address=esc(address),
                   adult=ctx.t("common.yes" if resident.is_adult else "common.no"),
                   verified=ctx.t("me.verified" if resident.verified else "me.unverified"),
                   roles=role_names or "—", language=ctx.t(f"language.{resident.language}"),
                   user_id=resident.telegram_user_id),
             [*back[:1], forget, *back[1:]])


async def fallback(ctx: Context) -> None:
    """Anything no route takes: an unknown command, free text outside a form, an unknown button."""
    if ctx.incoming.is_button:
        ctx.toast(ctx.t("errors.stale_button"), alert=True)
    elif ctx.incoming.command is not None:
        ctx.say(ctx.t("errors.unknown_command", command=esc(ctx.incoming.command)),
                [[ctx.button(ctx.t("menu.open"), "m", "main")]])
    elif ctx.incoming.attachment is not None:
        ctx.say(ctx.t("errors.unexpected_attachment"), [[ctx.button(ctx.t("menu.open"), "m", "main")]])
    else:
        ctx.say(ctx.t("errors.free_text"), [[ctx.button(ctx.t("menu.open"), "m", "main")]])
