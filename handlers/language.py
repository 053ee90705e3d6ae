"""/lang: 中文 or English. The first default comes from Telegram's language_code."""

from __future__ import annotations

from core.errors import StaleButton
from handlers import menu
from handlers.context import Context
from handlers.i18n import LANGUAGES
from handlers.router import Router
from storage import residents

router = Router("language")


def _picker(ctx: Context) -> list:
    return [[ctx.button(ctx.t(f"language.{code}"), "lg", "set", code) for code in LANGUAGES],
            [ctx.button(ctx.t("menu.back"), "m", "main")]]


@router.command("lang", "language")
async def lang_command(ctx: Context) -> None:
    ctx.say(ctx.t("language.choose"), _picker(ctx))


@router.button("lg")
async def lang_button(ctx: Context) -> None:
    assert ctx.payload is not None
    if ctx.payload.str(0) == "pick":
        ctx.toast()
        ctx.show(ctx.t("language.choose"), _picker(ctx))
        return
    code = ctx.payload.str(1)
    if code not in LANGUAGES:
        raise StaleButton()
    ctx.lang = code
    if ctx.resident is None:
        ctx.resident = await residents.remember_guest(ctx.session, ctx.community.id or 0, ctx.user_id,
                                                      ctx.incoming.sender.display_name, code, ctx.now())
    await residents.set_language(ctx.session, ctx.resident, code)
    ctx.toast(ctx.t("language.changed"))
    await menu.show_main(ctx)
