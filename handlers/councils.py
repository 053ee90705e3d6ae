"""Councils (议事团) on the committee's desk: create, members, and referring a topic to one."""

from __future__ import annotations

from core.telegram_ids import looks_like_a_number, parse_user_id
from handlers import topics_view as view
from handlers.budget import Page, join_fitting
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import DeskHome, DeskTopic
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import clip, esc
from handlers.topic_desk_form import ask, show_desk_card
from storage import councils, topics

router = Router("councils")
desk = router.committee_button

FORM = "desk_council"  # typed council names and member searches
MEMBER_BUTTONS = 6
MEMBER_NAMES_ROOM = 2400  # characters the member list may take on the council's screen


class Councils(Tap, prefix="k"):
    pass


class ShowCouncil(Tap, prefix="kv"):
    council_id: int


class NewCouncil(Tap, prefix="kn"):
    pass


class FindMember(Tap, prefix="kf"):
    council_id: int


class AddMember(Tap, prefix="ka"):
    council_id: int
    resident_id: int


class RemoveMember(Tap, prefix="kr"):
    council_id: int
    resident_id: int


class PickCouncil(Tap, prefix="kp"):
    topic_id: int


class ReferTopic(Tap, prefix="kk"):
    topic_id: int
    council_id: int


@desk(Councils)
async def list_councils(ctx: Context, tap: Councils) -> None:
    found = await councils.councils(ctx.uow, ctx.community.id)
    lines = Page()
    lines.add(ctx.t("topics.council.list_title"))
    lines.extend([ctx.t("topics.council.list_line", name=esc(c.name), members=n) for c, n in found] or
                 [ctx.t("topics.council.none")])
    rows: Keyboard = [[ctx.button(clip(c.name, 30), ShowCouncil(c.id))] for c, _ in found[:6]]
    rows.append([ctx.button(ctx.t("topics.council.new"), NewCouncil())])
    rows.append([ctx.button(ctx.t("topics.desk.back"), DeskHome())])
    ctx.toast()
    ctx.show(lines.text(view.more(ctx)), rows)


async def show_council(ctx: Context, council_id: int, *, new_message: bool = False) -> None:
    shown = await councils.council_view(ctx.uow, ctx.community.id, council_id, ctx.now())
    names = join_fitting([esc(clip(m.display_name, view.NAME_SHOWN)) for m in shown.members],
                         ctx.t("common.list_separator"), MEMBER_NAMES_ROOM, view.more(ctx))
    lines = Page()
    lines.add(ctx.t("topics.council.view", name=esc(shown.council.name), count=len(shown.members),
                    members=names or "—"))
    if shown.topics:
        lines.add(ctx.t("topics.council.topics"))
        lines.extend([f"· #{row.id} {esc(clip(row.title, 60))}" for row in shown.topics])
    remove = [ctx.button(ctx.t("topics.council.remove", name=clip(m.display_name, 16)),
                         RemoveMember(council_id, m.id)) for m in shown.members[:MEMBER_BUTTONS]]
    rows: Keyboard = [[ctx.button(ctx.t("topics.council.add"), FindMember(council_id))]]
    rows += [remove[i:i + 2] for i in range(0, len(remove), 2)]
    rows.append([ctx.button(ctx.t("topics.desk.councils"), Councils())])
    ctx.show(lines.text(view.more(ctx)), rows, new=new_message)


@desk(ShowCouncil)
async def view_council(ctx: Context, tap: ShowCouncil) -> None:
    ctx.toast()
    await show_council(ctx, tap.council_id)


@desk(NewCouncil)
async def new_council(ctx: Context, tap: NewCouncil) -> None:
    await ask(ctx, {"do": "council", "id": 0}, flow=FORM)


@desk(FindMember)
async def find_member(ctx: Context, tap: FindMember) -> None:
    council = await councils.council(ctx.uow, ctx.community.id, tap.council_id)
    await ask(ctx, {"do": "member", "id": council.id}, flow=FORM, council=esc(council.name))


@desk(AddMember)
async def add_member(ctx: Context, tap: AddMember) -> None:
    council_id = tap.council_id
    added = await councils.add_member(ctx.uow, community=ctx.community, council_id=council_id,
                                      resident_id=tap.resident_id, actor=ctx.resident, now=ctx.now())
    ctx.tell(*added.notices)
    ctx.toast(ctx.t("topics.council.added" if added.resident is not None else "topics.council.already"))
    await show_council(ctx, council_id)


@desk(RemoveMember)
async def remove_member(ctx: Context, tap: RemoveMember) -> None:
    council_id = tap.council_id
    await councils.remove_member(ctx.uow, community=ctx.community, council_id=council_id,
                                 resident_id=tap.resident_id, actor=ctx.resident, now=ctx.now())
    ctx.toast(ctx.t("topics.desk.done"))
    await show_council(ctx, council_id)


@desk(PickCouncil)
async def pick_council(ctx: Context, tap: PickCouncil) -> None:
    topic = await topics.read_topic(ctx.uow, ctx.community.id, tap.topic_id, committee=True)
    found = await councils.councils(ctx.uow, ctx.community.id)
    rows: Keyboard = [[ctx.button(f"🏛 {clip(c.name, 30)} ({n})", ReferTopic(topic.id, c.id))]
                      for c, n in found[:6]]
    if not found:
        rows.append([ctx.button(ctx.t("topics.council.new"), NewCouncil())])
    rows.append([ctx.button(ctx.t("topics.btn.back_card"), DeskTopic(topic.id))])
    ctx.toast()
    ctx.show(ctx.t("topics.council.pick" if found else "topics.council.none_yet", id=topic.id,
                   title=esc(topic.title)), rows)


@desk(ReferTopic)
async def refer_topic(ctx: Context, tap: ReferTopic) -> None:
    referral = await councils.refer(ctx.uow, community=ctx.community, topic_id=tap.topic_id,
                                    council_id=tap.council_id, actor=ctx.resident, now=ctx.now())
    ctx.tell(*referral.notices)
    ctx.toast(ctx.t("topics.desk.done"))
    await show_desk_card(ctx, referral.change.topic.id)


@router.form(FORM, committee=True)
async def council_input(ctx: Context) -> None:
    state = ctx.require_form(FORM)
    if state.data.get("do") == "member":
        await _typed_member(ctx, int(state.data["id"]))
        return
    try:
        council = await councils.create(ctx.uow, community=ctx.community, actor=ctx.resident,
                                        name=ctx.incoming.text or "", now=ctx.now())
    except councils.CouncilExists as taken:  # nothing was written; the form stays open for another name
        ctx.say(ctx.t("topics.council.name_taken", name=esc(str(taken.params["name"]))))
        return
    await ctx.clear_form()
    await show_council(ctx, council.id, new_message=True)


async def _typed_member(ctx: Context, council_id: int) -> None:
    typed = ctx.incoming.text or ""
    if looks_like_a_number(typed) and parse_user_id(typed) is None:  # 30 digits would overflow a BIGINT
        ctx.say(ctx.t("errors.not_a_user_id", value=esc(clip(typed.strip(), 24))))
        return
    found = await councils.find_residents(ctx.uow, ctx.community.id, typed)
    if not found:
        ctx.say(ctx.t("topics.council.nobody"))  # the form stays open: try another name
        return
    await ctx.clear_form()
    rows: Keyboard = [[ctx.button(f"➕ {clip(r.display_name, 30)}", AddMember(council_id, r.id))] for r in found]
    rows.append([ctx.button(ctx.t("menu.back"), ShowCouncil(council_id))])
    ctx.say(ctx.t("topics.council.found"), rows)

