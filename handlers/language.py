"""/lang: 中文 or English. The first default comes from Telegram's language_code."""

from __future__ import annotations

from core.errors import StaleButton
from handlers import menu
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import LanguagePicker, OpenMenu
from handlers.router import Router
from locales.catalogs import LANGUAGES
from storage import residents

router = Router("language")


class SetLanguage(Tap, prefix="ls"):
    code: str


def _picker(ctx: Context) -> list:
    return [[ctx.button(ctx.t(f"language.{code}"), SetLanguage(code)) for code in LANGUAGES],
            [ctx.button(ctx.t("menu.back"), OpenMenu())]]


@router.command("lang", "language")
async def lang_command(ctx: Context) -> None:
    ctx.say(ctx.t("language.choose"), _picker(ctx))


@router.button(LanguagePicker)
async def pick_language(ctx: Context, tap: LanguagePicker) -> None:
    ctx.toast()
    ctx.show(ctx.t("language.choose"), _picker(ctx))


@router.button(SetLanguage)
async def set_language(ctx: Context, tap: SetLanguage) -> None:
    code = tap.code
    if code not in LANGUAGES:
        raise StaleButton()
    ctx.lang = code
    ctx.resident = await residents.change_language(ctx.uow, community_id=ctx.community.id, telegram_user_id=ctx.user_id,
                                                   resident=ctx.resident, name=ctx.incoming.sender.display_name,
                                                   language=code, now=ctx.now())
    ctx.toast(ctx.t("language.changed"))
    await menu.show_main(ctx)
