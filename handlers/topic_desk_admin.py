"""The committee's topic settings: categories (add, rename, retire), thresholds and deadline, the CSV export.

These actions travel under the desk's ``tq`` prefix; ``handlers.topics_committee`` dispatches to them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from core.errors import StaleButton
from handlers import topics_view as view
from handlers.context import Context
from handlers.port import Keyboard, SendDocument
from handlers.text import esc
from handlers.topic_desk_form import ask
from storage import topic_desk, topic_lists, topics

# button code → (community setting, its label)
SETTINGS: dict[str, tuple[str, str]] = {
    "a": ("agenda_threshold", "topics.desk.setting_a"),
    "p": ("adult_population", "topics.desk.setting_p"),
    "d": ("answer_days", "topics.desk.setting_d"),
}


async def _categories(ctx: Context) -> None:
    found = await topics.categories(ctx.session, ctx.community.id or 0, active_only=False)
    buttons = [ctx.button(("" if c.active else "🚫 ") + c.name(ctx.lang), "tq", "ce", c.id) for c in found[:12]]
    rows: Keyboard = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([ctx.button(ctx.t("topics.desk.category_new"), "tq", "cn")])
    rows.append([ctx.button(ctx.t("topics.desk.back"), "tq", "home")])
    ctx.toast()
    ctx.show(ctx.t("topics.desk.categories_text"), rows)


async def _category(ctx: Context) -> None:
    assert ctx.payload is not None
    category = await topics.get_category(ctx.session, ctx.community.id or 0, ctx.payload.int(1))
    ctx.toast()
    ctx.show(ctx.t("topics.desk.category_text", zh=esc(category.name_zh), en=esc(category.name_en),
                   state=ctx.t("topics.desk.category_on" if category.active else "topics.desk.category_off")),
             [[ctx.button(ctx.t("topics.desk.category_rename"), "tq", "cr", category.id),
               ctx.button(ctx.t("topics.desk.category_retire" if category.active else "topics.desk.category_restore"),
                          "tq", "ct", category.id)],
              [ctx.button(ctx.t("topics.desk.categories"), "tq", "cat")]])


async def _category_new(ctx: Context) -> None:
    await ask(ctx, {"do": "catnew", "id": 0})


async def _category_rename(ctx: Context) -> None:
    assert ctx.payload is not None
    category = await topics.get_category(ctx.session, ctx.community.id or 0, ctx.payload.int(1))
    await ask(ctx, {"do": "catname", "id": category.id})


async def _category_toggle(ctx: Context) -> None:
    assert ctx.payload is not None
    await topic_desk.toggle_category(ctx.session, community=ctx.community, actor=ctx.resident,
                                     category_id=ctx.payload.int(1), now=ctx.now())
    await _categories(ctx)


async def _typed_category(ctx: Context, data: dict[str, Any]) -> None:
    if data["do"] == "catnew":
        await topic_desk.add_category(ctx.session, community=ctx.community, actor=ctx.resident,
                                      names=ctx.incoming.text or "", now=ctx.now())
    else:
        await topic_desk.rename_category(ctx.session, community=ctx.community, actor=ctx.resident,
                                         category_id=int(data["id"]), names=ctx.incoming.text or "", now=ctx.now())
    await ctx.clear_form()
    ctx.say(ctx.t("topics.desk.category_saved"))
    await _categories(ctx)


async def _settings(ctx: Context) -> None:
    community = ctx.community
    bases = await topics.legal_bases(ctx.session, community)
    register = (ctx.t("topics.desk.register_set", count=community.adult_population)
                if community.adult_population is not None
                else ctx.t("topics.desk.register_unset", count=bases.adults))
    ctx.toast()
    ctx.show(ctx.t("topics.desk.settings_text", threshold=community.agenda_threshold, register=register,
                   households=bases.households, days=community.answer_days),
             [[ctx.button(ctx.t(label), "tq", "sv", code)] for code, (_, label) in SETTINGS.items()]
             + [[ctx.button(ctx.t("topics.desk.back"), "tq", "home")]])


async def _setting(ctx: Context) -> None:
    assert ctx.payload is not None
    code = ctx.payload.str(1)
    if code not in SETTINGS:
        raise StaleButton()
    name, label = SETTINGS[code]
    await ask(ctx, {"do": "setting", "id": 0, "name": name}, what=ctx.t(label))


async def _typed_setting(ctx: Context, data: dict[str, Any]) -> None:
    await topic_desk.change_setting(ctx.session, community=ctx.community, actor=ctx.resident,
                                    name=str(data["name"]), text=ctx.incoming.text or "", now=ctx.now())
    await ctx.clear_form()
    ctx.say(ctx.t("topics.desk.setting_saved"))
    await _settings(ctx)


async def _csv(ctx: Context) -> None:
    rows = await topic_lists.export_rows(ctx.session, ctx.community.id or 0, ctx.now())
    ctx.toast()
    stamp = view.when(ctx, ctx.now(), "%Y%m%d")
    ctx.reply.add(SendDocument(chat_id=ctx.chat_id, file_name=f"linli-topics-{stamp}.csv",
                               content=topic_lists.export_csv(rows).encode("utf-8-sig"),
                               caption=ctx.t("topics.desk.csv_caption", count=len(rows))))


ACTIONS: dict[str, Callable[[Context], Awaitable[None]]] = {
    "cat": _categories, "ce": _category, "cn": _category_new, "cr": _category_rename, "ct": _category_toggle,
    "set": _settings, "sv": _setting, "csv": _csv,
}
TYPED: dict[str, Callable[[Context, dict[str, Any]], Awaitable[None]]] = {
    "catnew": _typed_category, "catname": _typed_category, "setting": _typed_setting,
}
