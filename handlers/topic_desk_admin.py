"""The committee's topic settings: categories (add, rename, retire), thresholds and deadline, the CSV export."""

from __future__ import annotations

from core.errors import StaleButton
from handlers import topics_view as view
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import DeskHome
from handlers.port import Keyboard, SendDocument
from handlers.router import Router
from handlers.text import esc
from handlers.topic_desk_form import ask
from storage import topic_desk, topic_lists, topics

router = Router("topic_desk_admin")
desk = router.committee_button

FORM = "desk_admin"  # typed category names and setting values


class DeskCategories(Tap, prefix="qe"):
    pass


class DeskCategory(Tap, prefix="qf"):
    category_id: int


class NewCategory(Tap, prefix="qv"):
    pass


class RenameCategory(Tap, prefix="qw"):
    category_id: int


class ToggleCategory(Tap, prefix="qz"):
    category_id: int


class DeskSettings(Tap, prefix="qs"):
    pass


class ChangeSetting(Tap, prefix="qb"):
    code: str


class TopicsCsv(Tap, prefix="qx"):
    pass

# button code → (community setting, its label)
SETTINGS: dict[str, tuple[str, str]] = {
    "a": ("agenda_threshold", "topics.desk.setting_a"),
    "p": ("adult_population", "topics.desk.setting_p"),
    "d": ("answer_days", "topics.desk.setting_d"),
}


@desk(DeskCategories)
async def desk_categories(ctx: Context, tap: DeskCategories) -> None:
    await _categories(ctx)


async def _categories(ctx: Context) -> None:
    found = await topics.category_list(ctx.uow, ctx.community.id, active_only=False)
    buttons = [ctx.button(("" if c.active else "🚫 ") + c.name(ctx.lang), DeskCategory(c.id))
               for c in found[:12]]
    rows: Keyboard = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([ctx.button(ctx.t("topics.desk.category_new"), NewCategory())])
    rows.append([ctx.button(ctx.t("topics.desk.back"), DeskHome())])
    ctx.toast()
    ctx.show(ctx.t("topics.desk.categories_text"), rows)


@desk(DeskCategory)
async def desk_category(ctx: Context, tap: DeskCategory) -> None:
    category = await topics.category(ctx.uow, ctx.community.id, tap.category_id)
    ctx.toast()
    ctx.show(ctx.t("topics.desk.category_text", zh=esc(category.name_zh), en=esc(category.name_en),
                   state=ctx.t("topics.desk.category_on" if category.active else "topics.desk.category_off")),
             [[ctx.button(ctx.t("topics.desk.category_rename"), RenameCategory(category.id)),
               ctx.button(ctx.t("topics.desk.category_retire" if category.active else "topics.desk.category_restore"),
                          ToggleCategory(category.id))],
              [ctx.button(ctx.t("topics.desk.categories"), DeskCategories())]])


@desk(NewCategory)
async def new_category(ctx: Context, tap: NewCategory) -> None:
    await ask(ctx, {"do": "catnew", "id": 0}, flow=FORM)


@desk(RenameCategory)
async def rename_category(ctx: Context, tap: RenameCategory) -> None:
    category = await topics.category(ctx.uow, ctx.community.id, tap.category_id)
    await ask(ctx, {"do": "catname", "id": category.id}, flow=FORM)


@desk(ToggleCategory)
async def toggle_category(ctx: Context, tap: ToggleCategory) -> None:
    await topic_desk.toggle_category(ctx.uow, community=ctx.community, actor=ctx.resident,
                                     category_id=tap.category_id, now=ctx.now())
    await _categories(ctx)


@router.form(FORM, committee=True)
async def admin_input(ctx: Context) -> None:
    data = ctx.require_form(FORM).data
    if data.get("do") == "setting":
        await _typed_setting(ctx, str(data["name"]))
        return
    if data["do"] == "catnew":
        await topic_desk.add_category(ctx.uow, community=ctx.community, actor=ctx.resident,
                                      names=ctx.incoming.text or "", now=ctx.now())
    else:
        await topic_desk.rename_category(ctx.uow, community=ctx.community, actor=ctx.resident,
                                         category_id=int(data["id"]), names=ctx.incoming.text or "", now=ctx.now())
    await ctx.clear_form()
    ctx.say(ctx.t("topics.desk.category_saved"))
    await _categories(ctx)


@desk(DeskSettings)
async def desk_settings(ctx: Context, tap: DeskSettings) -> None:
    await _settings(ctx)


async def _settings(ctx: Context) -> None:
    community = ctx.community
    bases = await topics.bases(ctx.uow, community)
    register = (ctx.t("topics.desk.register_set", count=community.adult_population)
                if community.adult_population is not None
                else ctx.t("topics.desk.register_unset", count=bases.adults))
    ctx.toast()
    ctx.show(ctx.t("topics.desk.settings_text", threshold=community.agenda_threshold, register=register,
                   households=bases.households, days=community.answer_days),
             [[ctx.button(ctx.t(label), ChangeSetting(code))] for code, (_, label) in SETTINGS.items()]
             + [[ctx.button(ctx.t("topics.desk.back"), DeskHome())]])


@desk(ChangeSetting)
async def change_setting(ctx: Context, tap: ChangeSetting) -> None:
    if tap.code not in SETTINGS:
        raise StaleButton()
    name, label = SETTINGS[tap.code]
    await ask(ctx, {"do": "setting", "id": 0, "name": name}, flow=FORM, what=ctx.t(label))


async def _typed_setting(ctx: Context, name: str) -> None:
    ctx.community = await topic_desk.change_setting(ctx.uow, community=ctx.community, actor=ctx.resident,
                                    name=name, text=ctx.incoming.text or "", now=ctx.now())
    await ctx.clear_form()
    ctx.say(ctx.t("topics.desk.setting_saved"))
    await _settings(ctx)


@desk(TopicsCsv)
async def topics_csv(ctx: Context, tap: TopicsCsv) -> None:
    rows = await topic_lists.export_rows(ctx.uow, ctx.community.id, ctx.now())
    ctx.toast()
    stamp = view.when(ctx, ctx.now(), "%Y%m%d")
    ctx.reply.add(SendDocument(chat_id=ctx.chat_id, file_name=f"linli-topics-{stamp}.csv",
                               content=topic_lists.export_csv(rows).encode("utf-8-sig"),
                               caption=ctx.t("topics.desk.csv_caption", count=len(rows))))

