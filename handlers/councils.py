"""Councils (议事团) on the committee's desk: create, members, and referring a topic to one.

These actions travel under the desk's ``tq`` prefix; ``handlers.topics_committee`` dispatches to them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from handlers import topics_view as view
from handlers.budget import Page, join_fitting
from handlers.context import Context
from handlers.port import Keyboard
from handlers.text import clip, esc
from handlers.topic_desk_form import ask, show_desk_card
from storage import councils, topics

MEMBER_BUTTONS = 6
MEMBER_NAMES_ROOM = 2400  # characters the member list may take on the council's screen


async def _list(ctx: Context) -> None:
    found = await councils.councils(ctx.session, ctx.community.id or 0)
    lines = Page()
    lines.add(ctx.t("topics.council.list_title"))
    lines.extend([ctx.t("topics.council.list_line", name=esc(c.name), members=n) for c, n in found] or
                 [ctx.t("topics.council.none")])
    rows: Keyboard = [[ctx.button(clip(c.name, 30), "tq", "cv", c.id)] for c, _ in found[:6]]
    rows.append([ctx.button(ctx.t("topics.council.new"), "tq", "cnew")])
    rows.append([ctx.button(ctx.t("topics.desk.back"), "tq", "home")])
    ctx.toast()
    ctx.show(lines.text(view.more(ctx)), rows)


async def show_council(ctx: Context, council_id: int, *, new_message: bool = False) -> None:
    shown = await councils.council_view(ctx.session, ctx.community.id or 0, council_id, ctx.now())
    names = join_fitting([esc(clip(m.display_name, view.NAME_SHOWN)) for m in shown.members],
                         ctx.t("common.list_separator"), MEMBER_NAMES_ROOM, view.more(ctx))
    lines = Page()
    lines.add(ctx.t("topics.council.view", name=esc(shown.council.name), count=len(shown.members),
                    members=names or "—"))
    if shown.topics:
        lines.add(ctx.t("topics.council.topics"))
        lines.extend([f"· #{row.id} {esc(clip(row.title, 60))}" for row in shown.topics])
    remove = [ctx.button(ctx.t("topics.council.remove", name=clip(m.display_name, 16)), "tq", "mr", council_id, m.id)
              for m in shown.members[:MEMBER_BUTTONS]]
    rows: Keyboard = [[ctx.button(ctx.t("topics.council.add"), "tq", "mf", council_id)]]
    rows += [remove[i:i + 2] for i in range(0, len(remove), 2)]
    rows.append([ctx.button(ctx.t("topics.desk.councils"), "tq", "co")])
    ctx.show(lines.text(view.more(ctx)), rows, new=new_message)


async def _view(ctx: Context) -> None:
    assert ctx.payload is not None
    ctx.toast()
    await show_council(ctx, ctx.payload.int(1))


async def _new(ctx: Context) -> None:
    await ask(ctx, {"do": "council", "id": 0})


async def _find_member(ctx: Context) -> None:
    assert ctx.payload is not None
    council = await councils.get_council(ctx.session, ctx.community.id or 0, ctx.payload.int(1))
    await ask(ctx, {"do": "member", "id": council.id}, council=esc(council.name))


async def _add_member(ctx: Context) -> None:
    assert ctx.payload is not None
    council_id = ctx.payload.int(1)
    added = await councils.add_member(ctx.session, community=ctx.community, council_id=council_id,
                                      resident_id=ctx.payload.int(2), actor=ctx.resident, now=ctx.now())
    if added is not None:
        council = await councils.get_council(ctx.session, ctx.community.id or 0, council_id)
        await ctx.notify(added.telegram_user_id,
                         ctx.t_in(added.language, "topics.council.you_joined", council=esc(council.name)),
                         f"council-join:{council_id}:{added.id}:{int(ctx.now().timestamp())}",
                         [[ctx.button(ctx.t_in(added.language, "topics.home.council"), "tp", "ls", "k", 0, 0)]])
    ctx.toast(ctx.t("topics.council.added" if added else "topics.council.already"))
    await show_council(ctx, council_id)


async def _remove_member(ctx: Context) -> None:
    assert ctx.payload is not None
    council_id = ctx.payload.int(1)
    await councils.remove_member(ctx.session, community=ctx.community, council_id=council_id,
                                 resident_id=ctx.payload.int(2), actor=ctx.resident, now=ctx.now())
    ctx.toast(ctx.t("topics.desk.done"))
    await show_council(ctx, council_id)


async def _refer_pick(ctx: Context) -> None:
    assert ctx.payload is not None
    topic = await topics.get_topic(ctx.session, ctx.community.id or 0, ctx.payload.int(1))
    found = await councils.councils(ctx.session, ctx.community.id or 0)
    rows: Keyboard = [[ctx.button(f"🏛 {clip(c.name, 30)} ({n})", "tq", "rk", topic.id, c.id)] for c, n in found[:6]]
    if not found:
        rows.append([ctx.button(ctx.t("topics.council.new"), "tq", "cnew")])
    rows.append([ctx.button(ctx.t("topics.btn.back_card"), "tq", "c", topic.id)])
    ctx.toast()
    ctx.show(ctx.t("topics.council.pick" if found else "topics.council.none_yet", id=topic.id,
                   title=esc(topic.title)), rows)


async def _refer(ctx: Context) -> None:
    assert ctx.payload is not None
    referral = await councils.refer(ctx.session, community=ctx.community, topic_id=ctx.payload.int(1),
                                    council_id=ctx.payload.int(2), actor=ctx.resident, now=ctx.now())
    change = referral.change
    await view.tell_change(ctx, change)
    await view.tell(ctx, referral.members, change.topic, "topics.note.council_seat",
                    f"tp:{change.topic.id}:e{change.event.id}:seat", council=esc(referral.council.name))
    ctx.toast(ctx.t("topics.desk.done"))
    await show_desk_card(ctx, change.topic.id or 0)


async def _typed_council(ctx: Context, data: dict[str, Any]) -> None:
    council = await councils.create(ctx.session, community=ctx.community, actor=ctx.resident,
                                    name=ctx.incoming.text or "", now=ctx.now())
    await ctx.clear_form()
    await show_council(ctx, council.id or 0, new_message=True)


async def _typed_member(ctx: Context, data: dict[str, Any]) -> None:
    council_id = int(data["id"])
    found = await councils.find_residents(ctx.session, ctx.community.id or 0, ctx.incoming.text or "")
    if not found:
        ctx.say(ctx.t("topics.council.nobody"))  # the form stays open: try another name
        return
    await ctx.clear_form()
    rows: Keyboard = [[ctx.button(f"➕ {clip(r.display_name, 30)}", "tq", "ma", council_id, r.id)] for r in found]
    rows.append([ctx.button(ctx.t("menu.back"), "tq", "cv", council_id)])
    ctx.say(ctx.t("topics.council.found"), rows)


ACTIONS: dict[str, Callable[[Context], Awaitable[None]]] = {
    "co": _list, "cv": _view, "cnew": _new, "mf": _find_member, "ma": _add_member, "mr": _remove_member,
    "rc": _refer_pick, "rk": _refer,
}
TYPED: dict[str, Callable[[Context, dict[str, Any]], Awaitable[None]]] = {
    "council": _typed_council, "member": _typed_member,
}
