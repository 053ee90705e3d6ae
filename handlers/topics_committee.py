"""The committee's topic desk: queues, the card and its actions, answers and reasons, merging, comments.

Buttons: ``tq:<action>:…`` (committee only; they also work in the committee's group chat). Anything that needs
typed text (an answer, a reason) continues in the member's private chat with the bot, then asks to confirm.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from core import topics as rules
from core.errors import StaleButton
from core.topics import TopicStatus
from handlers import councils as council_desk
from handlers import topic_desk_admin as desk_admin
from handlers import topics_view as view
from handlers.budget import Page
from handlers.context import Context
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import clip, esc
from handlers.topic_desk_form import FORM, PROMPTS, ask, show_desk_card
from storage import topic_comments, topic_desk, topic_lists, topics
from storage.topic_lists import Listing

router = Router("topics_committee")

QUEUES = (Listing.FRESH, Listing.OVERDUE, Listing.DEMANDED, Listing.OPEN, Listing.CLOSED, Listing.HIDDEN)
CONFIRMATIONS: dict[str, str] = {
    "answer": "topics.desk.confirm_answer", "decline": "topics.desk.confirm_decline",
    "resolve": "topics.desk.confirm_resolve", "hide": "topics.desk.confirm_hide",
    "hidec": "topics.desk.confirm_hidec",
}
QUEUE_LABELS: dict[Listing, str] = {
    Listing.FRESH: "topics.desk.queue_f", Listing.OVERDUE: "topics.desk.queue_o",
    Listing.DEMANDED: "topics.desk.queue_d", Listing.OPEN: "topics.desk.queue_a",
    Listing.CLOSED: "topics.desk.queue_x", Listing.HIDDEN: "topics.desk.queue_z",
}


# ---- home and queues ---------------------------------------------------------------------------


async def show_desk(ctx: Context) -> None:
    counts = await topic_lists.desk_counts(ctx.session, ctx.community.id or 0, ctx.now())

    def queue(listing: Listing, count: int | None = None) -> Any:
        label = ctx.t(QUEUE_LABELS[listing]) + (f" ({count})" if count is not None else "")
        return ctx.button(label, "tq", "ls", listing.value, 0)

    rows: Keyboard = [
        [queue(Listing.FRESH, counts.fresh), queue(Listing.OVERDUE, counts.overdue)],
        [queue(Listing.DEMANDED, counts.demanded), queue(Listing.OPEN, counts.open)],
        [ctx.button(ctx.t("topics.desk.reported") + f" ({counts.reported})", "tq", "rp", 0),
         queue(Listing.CLOSED)],
        [ctx.button(ctx.t("topics.desk.councils"), "tq", "co"),
         ctx.button(ctx.t("topics.desk.categories"), "tq", "cat")],
        [ctx.button(ctx.t("topics.desk.settings"), "tq", "set"), ctx.button(ctx.t("topics.desk.csv"), "tq", "csv")],
        [ctx.button(ctx.t("menu.back"), "cm", "home")],
    ]
    ctx.show(ctx.t("topics.desk.home", fresh=counts.fresh, overdue=counts.overdue, demanded=counts.demanded,
                   open=counts.open, reported=counts.reported, days=ctx.community.answer_days), rows)


@router.button("tq", committee=True, groups=True)
async def desk_button(ctx: Context) -> None:
    assert ctx.payload is not None
    action = ctx.payload.str(0)
    handler = ACTIONS.get(action) or council_desk.ACTIONS.get(action) or desk_admin.ACTIONS.get(action)
    if handler is None:
        raise StaleButton()
    await handler(ctx)


async def _home(ctx: Context) -> None:
    ctx.toast()
    await show_desk(ctx)


async def _queue(ctx: Context) -> None:
    assert ctx.payload is not None
    try:
        listing = Listing(ctx.payload.str(1))
    except ValueError as exc:
        raise StaleButton() from exc
    if listing not in QUEUES:
        raise StaleButton()
    page = max(ctx.payload.int(2), 0)
    rows, total = await topic_lists.browse(ctx.session, ctx.community.id or 0, listing, ctx.now(),
                                           offset=page * view.PAGE_SIZE, limit=view.PAGE_SIZE)
    keyboard: Keyboard = [view.topic_button(ctx, row, "tq") for row in rows]
    nav = view.paging_row(ctx, total, page, "tq", "ls", listing.value)
    if nav:
        keyboard.append(nav)
    keyboard.append([ctx.button(ctx.t("topics.desk.back"), "tq", "home")])
    ctx.toast()
    ctx.show(view.list_text(ctx, ctx.t(QUEUE_LABELS[listing]), rows, total, page), keyboard)


# ---- the card ----------------------------------------------------------------------------------


async def _done(ctx: Context, change: topic_desk.Change) -> None:
    """After a desk action: tell the people concerned, confirm, show the card as it is now."""
    await view.tell_change(ctx, change)
    ctx.toast(ctx.t("topics.desk.done"))
    await show_desk_card(ctx, change.topic.id or 0)


async def _card(ctx: Context) -> None:
    assert ctx.payload is not None
    ctx.toast()
    await show_desk_card(ctx, ctx.payload.int(1))


async def _acknowledge(ctx: Context) -> None:
    assert ctx.payload is not None
    change = await topic_desk.acknowledge(ctx.session, community=ctx.community, topic_id=ctx.payload.int(1),
                                          actor=ctx.resident, now=ctx.now())
    await _done(ctx, change)


async def _agenda(ctx: Context) -> None:
    assert ctx.payload is not None
    change = await topic_desk.transition(ctx.session, community=ctx.community, topic_id=ctx.payload.int(1),
                                         actor=ctx.resident, target=TopicStatus.AGENDA, now=ctx.now())
    await _done(ctx, change)


async def _unhide(ctx: Context) -> None:
    assert ctx.payload is not None
    change = await topic_desk.unhide(ctx.session, community=ctx.community, topic_id=ctx.payload.int(1),
                                     actor=ctx.resident, now=ctx.now())
    await _done(ctx, change)


async def _timeline(ctx: Context) -> None:
    assert ctx.payload is not None
    topic = await topics.get_topic(ctx.session, ctx.community.id or 0, ctx.payload.int(1))
    entries = await topics.events(ctx.session, topic.id or 0, limit=30)
    ctx.toast()
    ctx.show(view.timeline_text(ctx, topic, entries, True),
             [[ctx.button(ctx.t("topics.btn.back_card"), "tq", "c", topic.id)]])


# ---- typed text: answers, reasons, names (in the private chat), then confirm -----------------------


async def _ask(ctx: Context) -> None:
    assert ctx.payload is not None
    topic_id, do = ctx.payload.int(1), ctx.payload.str(2)
    if do not in ("answer", "decline", "resolve", "hide"):
        raise StaleButton()
    topic = await topics.get_topic(ctx.session, ctx.community.id or 0, topic_id)
    await ask(ctx, {"do": do, "id": topic_id}, id=topic_id, title=esc(topic.title))


async def _hide_comment(ctx: Context) -> None:
    assert ctx.payload is not None
    comment = await topic_comments.get(ctx.session, ctx.community.id or 0, ctx.payload.int(1))
    await ask(ctx, {"do": "hidec", "id": comment.id}, text=esc(clip(comment.text, 200)))


@router.form(FORM, committee=True)
async def desk_input(ctx: Context) -> None:
    state = ctx.require_form(FORM)
    data, do = state.data, state.data.get("do")
    if state.step != "text":
        ctx.say(ctx.t("start.use_buttons"))
        return
    if do in CONFIRMATIONS:
        text = rules.check_text(ctx.incoming.text, PROMPTS[do][1])
        state = await ctx.set_form(FORM, "confirm", data | {"text": text})
        ctx.say(ctx.t(CONFIRMATIONS[do], id=data["id"], text=esc(text)), [[
            ctx.button(ctx.t("common.confirm"), "tq", "go", state.version),
            ctx.button(ctx.t("common.cancel"), "tq", "no", state.version)]])
        return
    handler = council_desk.TYPED.get(str(do)) or desk_admin.TYPED.get(str(do))
    if handler is None:
        await ctx.clear_form()
        raise StaleButton()
    await handler(ctx, data)


async def _go(ctx: Context) -> None:
    assert ctx.payload is not None
    state = ctx.require_form(FORM, ctx.payload.int(1))
    if state.step != "confirm":
        raise StaleButton()
    data, now = state.data, ctx.now()
    do, target_id, text = data["do"], int(data["id"]), str(data["text"])
    await ctx.clear_form()
    ctx.toast(ctx.t("topics.desk.done"))
    if do == "hidec":
        comment = await topic_comments.hide(ctx.session, community=ctx.community, comment_id=target_id,
                                            actor=ctx.resident, reason=text, now=now)
        ctx.show(ctx.t("topics.desk.comment_hidden", id=comment.id),
                 [[ctx.button(ctx.t("topics.desk.reported"), "tq", "rp", 0)],
                  [ctx.button(ctx.t("topics.btn.back_card"), "tq", "c", comment.topic_id)]])
        return
    if do == "answer":
        change = await topic_desk.answer(ctx.session, community=ctx.community, topic_id=target_id,
                                         actor=ctx.resident, text=text, now=now)
    elif do == "hide":
        change = await topic_desk.hide(ctx.session, community=ctx.community, topic_id=target_id,
                                       actor=ctx.resident, reason=text, now=now)
    else:
        target = TopicStatus.DECLINED if do == "decline" else TopicStatus.RESOLVED
        change = await topic_desk.transition(ctx.session, community=ctx.community, topic_id=target_id,
                                             actor=ctx.resident, target=target, note=text, now=now)
    await view.tell_change(ctx, change)
    await show_desk_card(ctx, target_id)


async def _no(ctx: Context) -> None:
    assert ctx.payload is not None
    ctx.require_form(FORM, ctx.payload.int(1))
    await ctx.clear_form()
    ctx.toast()
    ctx.show(ctx.t("topics.desk.cancelled"))


# ---- merging ------------------------------------------------------------------------------------


async def _merge_pick(ctx: Context) -> None:
    assert ctx.payload is not None
    duplicate_id, page = ctx.payload.int(1), max(ctx.payload.int(2), 0)
    duplicate = await topics.get_topic(ctx.session, ctx.community.id or 0, duplicate_id)
    similar = await topic_lists.similar_open(ctx.session, ctx.community.id or 0, duplicate.title,
                                             exclude=duplicate_id) if page == 0 else []
    rows, total = await topic_lists.browse(ctx.session, ctx.community.id or 0, Listing.OPEN, ctx.now(),
                                           offset=page * view.PAGE_SIZE, limit=view.PAGE_SIZE)
    seen: set[int] = {duplicate_id}
    keyboard: Keyboard = []
    for topic_id, title in [(t.id or 0, t.title) for t, _ in similar] + [(r.id, r.title) for r in rows]:
        if topic_id in seen or len(keyboard) >= 6:
            continue
        seen.add(topic_id)
        keyboard.append([ctx.button(f"#{topic_id} {clip(title, view.TITLE_IN_BUTTON)}", "tq", "mt", duplicate_id,
                                    topic_id)])
    nav = view.paging_row(ctx, total, page, "tq", "mg", duplicate_id)
    if nav:
        keyboard.append(nav)
    keyboard.append([ctx.button(ctx.t("topics.btn.back_card"), "tq", "c", duplicate_id)])
    ctx.toast()
    ctx.show(ctx.t("topics.desk.merge_pick", id=duplicate_id, title=esc(duplicate.title)), keyboard)


async def _merge_confirm(ctx: Context) -> None:
    assert ctx.payload is not None
    duplicate_id, target_id = ctx.payload.int(1), ctx.payload.int(2)
    duplicate = await topics.get_topic(ctx.session, ctx.community.id or 0, duplicate_id)
    target = await topics.get_topic(ctx.session, ctx.community.id or 0, target_id)
    ctx.toast()
    ctx.show(ctx.t("topics.desk.merge_confirm", id=duplicate_id, title=esc(duplicate.title), target=target_id,
                   target_title=esc(target.title)),
             [[ctx.button(ctx.t("topics.desk.merge_do"), "tq", "mx", duplicate_id, target_id)],
              [ctx.button(ctx.t("common.cancel"), "tq", "c", duplicate_id)]])


async def _merge(ctx: Context) -> None:
    assert ctx.payload is not None
    outcome = await topic_desk.merge(ctx.session, community=ctx.community, duplicate_id=ctx.payload.int(1),
                                     target_id=ctx.payload.int(2), actor=ctx.resident, now=ctx.now())
    target = outcome.target
    await view.tell_change(ctx, outcome.duplicate, target=target.id, target_title=esc(target.title))
    await view.announce_thresholds(ctx, outcome.thresholds)
    ctx.toast(ctx.t("topics.desk.merged", moved=outcome.moved, already=outcome.already), alert=True)
    await show_desk_card(ctx, target.id or 0)


# ---- comments ------------------------------------------------------------------------------------


async def _comments(ctx: Context) -> None:
    assert ctx.payload is not None
    topic_id, page = ctx.payload.int(1), max(ctx.payload.int(2), 0)
    topic = await topics.get_topic(ctx.session, ctx.community.id or 0, topic_id)
    shown, total = await topic_comments.page(ctx.session, topic_id, offset=page * 5, limit=5)
    lines = Page()
    lines.extend([ctx.t("topics.card.title", id=topic.id, title=esc(topic.title)),
                  ctx.t("topics.comment.title", count=total, page=page + 1, pages=view.pages(total, 5))])
    buttons = []
    for number, (comment, name) in enumerate(shown, start=1 + page * 5):
        if not view.add_comment(lines, ctx, comment, name, bullet=f"{number}. "):
            break
        if not comment.hidden:
            buttons.append(ctx.button(ctx.t("topics.desk.hide_number", number=number), "tq", "hc", comment.id))
    rows: Keyboard = [buttons] if buttons else []
    nav = view.paging_row(ctx, total, page, "tq", "cm", topic_id, size=5)
    if nav:
        rows.append(nav)
    rows.append([ctx.button(ctx.t("topics.btn.back_card"), "tq", "c", topic_id)])
    ctx.toast()
    ctx.show(lines.text(view.more(ctx)), rows)


async def _reported(ctx: Context) -> None:
    assert ctx.payload is not None
    await show_reported(ctx, max(ctx.payload.int(1), 0))


async def show_reported(ctx: Context, page: int) -> None:
    shown, total = await topic_comments.reported(ctx.session, ctx.community.id or 0, offset=page * 5, limit=5)
    lines = Page()
    lines.add(ctx.t("topics.desk.reported_title", count=total))
    rows: Keyboard = []
    for comment, name, reports in shown:
        lines.add("")
        if not lines.add(ctx.t("topics.desk.reported_line", id=comment.id, topic=comment.topic_id,
                               name=esc(clip(name, view.NAME_SHOWN)), reports=reports,
                               text=esc(clip(comment.text, 300)))):
            break
        rows.append([ctx.button(ctx.t("topics.desk.hide_comment", id=comment.id), "tq", "hc", comment.id),
                     ctx.button(ctx.t("topics.desk.keep_comment", id=comment.id), "tq", "kc", comment.id)])
    nav = view.paging_row(ctx, total, page, "tq", "rp", size=5)
    if nav:
        rows.append(nav)
    rows.append([ctx.button(ctx.t("topics.desk.back"), "tq", "home")])
    ctx.toast()
    ctx.show(lines.text(view.more(ctx)), rows)


async def _keep_comment(ctx: Context) -> None:
    assert ctx.payload is not None
    await topic_comments.keep(ctx.session, community=ctx.community, comment_id=ctx.payload.int(1),
                              actor=ctx.resident, now=ctx.now())
    ctx.toast(ctx.t("topics.desk.done"))
    await show_reported(ctx, 0)


ACTIONS: dict[str, Callable[[Context], Awaitable[None]]] = {
    "home": _home, "ls": _queue, "c": _card, "ack": _acknowledge, "ag": _agenda, "uh": _unhide, "tl": _timeline,
    "ask": _ask, "go": _go, "no": _no, "mg": _merge_pick, "mt": _merge_confirm, "mx": _merge,
    "cm": _comments, "rp": _reported, "hc": _hide_comment, "kc": _keep_comment,
}
