"""The committee's topic desk: queues, the card and its actions, answers and reasons, merging, comments.

Buttons are committee only; they also work in the committee's group chat. Anything that needs typed text (an
answer, a reason) continues in the member's private chat with the bot, then asks to confirm.
"""

from __future__ import annotations

from typing import Any

from core import topics as rules
from core.errors import StaleButton
from core.topics import TopicStatus
from handlers import topics_view as view
from handlers.budget import Page
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import CommitteeHome, DeskHome, DeskTopic
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import clip, esc
from handlers.topic_desk_form import FORM, PROMPTS, DeskAction, ask, show_desk_card
from storage import topic_comments, topic_desk, topic_lists, topics
from storage.topic_lists import Listing

router = Router("topics_committee")

QUEUES = (Listing.FRESH, Listing.OVERDUE, Listing.DEMANDED, Listing.OPEN, Listing.CLOSED, Listing.HIDDEN)
CONFIRMATIONS: dict[str, str] = {
    "answer": "topics.desk.confirm_answer", "decline": "topics.desk.confirm_decline",
    "resolve": "topics.desk.confirm_resolve", "hide": "topics.desk.confirm_hide",
    "hidec": "topics.desk.confirm_hidec", "demand": "topics.desk.confirm_demand",
}


class DeskQueue(Tap, prefix="ql"):
    listing: Listing
    page: int


class Acknowledge(Tap, prefix="qa"):
    topic_id: int


class PutOnAgenda(Tap, prefix="qg"):
    topic_id: int


class Unhide(Tap, prefix="qu"):
    topic_id: int


class DeskTimeline(Tap, prefix="qt"):
    topic_id: int


class ConfirmDesk(Tap, prefix="qy"):
    form: str


class CancelDesk(Tap, prefix="qn"):
    form: str


class MergePick(Tap, prefix="qm"):
    duplicate_id: int
    page: int


class MergeInto(Tap, prefix="qi"):
    duplicate_id: int
    target_id: int


class MergeNow(Tap, prefix="qj"):
    duplicate_id: int
    target_id: int


class DeskComments(Tap, prefix="qo"):
    topic_id: int
    page: int


class ReportedComments(Tap, prefix="qr"):
    page: int


class HideComment(Tap, prefix="qh"):
    comment_id: int


class KeepComment(Tap, prefix="qk"):
    comment_id: int


QUEUE_LABELS: dict[Listing, str] = {
    Listing.FRESH: "topics.desk.queue_f", Listing.OVERDUE: "topics.desk.queue_o",
    Listing.DEMANDED: "topics.desk.queue_d", Listing.OPEN: "topics.desk.queue_a",
    Listing.CLOSED: "topics.desk.queue_x", Listing.HIDDEN: "topics.desk.queue_z",
}


# ---- home and queues ---------------------------------------------------------------------------


async def show_desk(ctx: Context) -> None:
    from handlers.councils import Councils
    from handlers.topic_desk_admin import DeskCategories, DeskSettings, TopicsCsv

    counts = await topic_lists.desk_counts(ctx.uow, ctx.community.id, ctx.now())

    def queue(listing: Listing, count: int | None = None) -> Any:
        label = ctx.t(QUEUE_LABELS[listing]) + (f" ({count})" if count is not None else "")
        return ctx.button(label, DeskQueue(listing, 0))

    rows: Keyboard = [
        [queue(Listing.FRESH, counts.fresh), queue(Listing.OVERDUE, counts.overdue)],
        [queue(Listing.DEMANDED, counts.demanded), queue(Listing.OPEN, counts.open)],
        [ctx.button(ctx.t("topics.desk.reported") + f" ({counts.reported})", ReportedComments(0)),
         queue(Listing.CLOSED)],
        [ctx.button(ctx.t("topics.desk.councils"), Councils()),
         ctx.button(ctx.t("topics.desk.categories"), DeskCategories())],
        [ctx.button(ctx.t("topics.desk.settings"), DeskSettings()), ctx.button(ctx.t("topics.desk.csv"), TopicsCsv())],
        [ctx.button(ctx.t("menu.back"), CommitteeHome())],
    ]
    ctx.show(ctx.t("topics.desk.home", fresh=counts.fresh, overdue=counts.overdue, demanded=counts.demanded,
                   open=counts.open, reported=counts.reported, days=ctx.community.answer_days), rows)


desk = router.committee_button


@desk(DeskHome)
async def desk_home(ctx: Context, tap: DeskHome) -> None:
    ctx.toast()
    await show_desk(ctx)


@desk(DeskQueue)
async def desk_queue(ctx: Context, tap: DeskQueue) -> None:
    listing = tap.listing
    if listing not in QUEUES:
        raise StaleButton()
    page = max(tap.page, 0)
    shown = await topic_lists.browse_page(ctx.uow, ctx.community.id, listing, ctx.now(),
                                          offset=page * view.PAGE_SIZE, limit=view.PAGE_SIZE)
    rows, total = shown.rows, shown.total
    keyboard: Keyboard = [view.topic_button(ctx, row, DeskTopic) for row in rows]
    nav = view.paging_row(ctx, total, page, lambda to: DeskQueue(listing, to))
    if nav:
        keyboard.append(nav)
    keyboard.append([ctx.button(ctx.t("topics.desk.back"), DeskHome())])
    ctx.toast()
    ctx.show(view.list_text(ctx, ctx.t(QUEUE_LABELS[listing]), rows, total, page), keyboard)


# ---- the card ----------------------------------------------------------------------------------


async def _done(ctx: Context, change: topic_desk.Changed) -> None:
    """After a desk action: tell the people concerned, confirm, show the card as it is now."""
    ctx.tell(*change.notices)
    ctx.toast(ctx.t("topics.desk.done"))
    await show_desk_card(ctx, change.topic.id)


@desk(DeskTopic)
async def desk_topic(ctx: Context, tap: DeskTopic) -> None:
    ctx.toast()
    await show_desk_card(ctx, tap.topic_id)


@desk(Acknowledge)
async def acknowledge(ctx: Context, tap: Acknowledge) -> None:
    change = await topic_desk.acknowledge(ctx.uow, community=ctx.community, topic_id=tap.topic_id,
                                          actor=ctx.resident, now=ctx.now())
    await _done(ctx, change)


@desk(PutOnAgenda)
async def put_on_agenda(ctx: Context, tap: PutOnAgenda) -> None:
    change = await topic_desk.transition(ctx.uow, community=ctx.community, topic_id=tap.topic_id,
                                         actor=ctx.resident, target=TopicStatus.AGENDA, now=ctx.now())
    await _done(ctx, change)


@desk(Unhide)
async def unhide(ctx: Context, tap: Unhide) -> None:
    change = await topic_desk.unhide(ctx.uow, community=ctx.community, topic_id=tap.topic_id,
                                     actor=ctx.resident, now=ctx.now())
    await _done(ctx, change)


@desk(DeskTimeline)
async def desk_timeline(ctx: Context, tap: DeskTimeline) -> None:
    found = await topics.timeline(ctx.uow, ctx.community.id, tap.topic_id, committee=True, limit=30)
    ctx.toast()
    ctx.show(view.timeline_text(ctx, found.topic, found.entries, True),
             [[ctx.button(ctx.t("topics.btn.back_card"), DeskTopic(found.topic.id))]])


# ---- typed text: answers, reasons, names (in the private chat), then confirm -----------------------


@desk(DeskAction)
async def desk_action(ctx: Context, tap: DeskAction) -> None:
    topic_id, do = tap.topic_id, tap.do
    if do not in ("answer", "decline", "resolve", "hide", "demand"):
        raise StaleButton()
    topic = await topics.read_topic(ctx.uow, ctx.community.id, topic_id, committee=True)
    await ask(ctx, {"do": do, "id": topic_id}, id=topic_id, title=esc(topic.title))


@desk(HideComment)
async def hide_comment(ctx: Context, tap: HideComment) -> None:
    comment = await topic_comments.get(ctx.uow, ctx.community.id, tap.comment_id)
    await ask(ctx, {"do": "hidec", "id": comment.id}, text=esc(clip(comment.text, 200)))


@router.form(FORM, committee=True)
async def desk_input(ctx: Context) -> None:
    state = ctx.require_form(FORM)
    data, do = state.data, state.data.get("do")
    if state.step != "text":
        ctx.say(ctx.t("start.use_buttons"))
        return
    if do not in CONFIRMATIONS:
        await ctx.clear_form()
        raise StaleButton()
    text = rules.check_text(ctx.incoming.text, PROMPTS[do][1])
    state = await ctx.set_form(FORM, "confirm", data | {"text": text})
    ctx.say(ctx.t(CONFIRMATIONS[do], id=data["id"], text=esc(text)), [[
        ctx.button(ctx.t("common.confirm"), ConfirmDesk(state.ref)),
        ctx.button(ctx.t("common.cancel"), CancelDesk(state.ref))]])


@desk(ConfirmDesk)
async def confirm_desk(ctx: Context, tap: ConfirmDesk) -> None:
    state = ctx.require_form(FORM, tap.form)
    if state.step != "confirm":
        raise StaleButton()
    data, now = state.data, ctx.now()
    do, target_id, text = data["do"], int(data["id"]), str(data["text"])
    await ctx.clear_form()
    ctx.toast(ctx.t("topics.desk.done"))
    if do == "hidec":
        comment = await topic_comments.hide(ctx.uow, community=ctx.community, comment_id=target_id,
                                            actor=ctx.resident, reason=text, now=now)
        ctx.show(ctx.t("topics.desk.comment_hidden", id=comment.id),
                 [[ctx.button(ctx.t("topics.desk.reported"), ReportedComments(0))],
                  [ctx.button(ctx.t("topics.btn.back_card"), DeskTopic(comment.topic_id))]])
        return
    if do == "answer":
        change = await topic_desk.answer(ctx.uow, community=ctx.community, topic_id=target_id,
                                         actor=ctx.resident, text=text, now=now)
    elif do == "demand":
        change = await topic_desk.record_demand(ctx.uow, community=ctx.community, topic_id=target_id,
                                                actor=ctx.resident, text=text, now=now)
    elif do == "hide":
        change = await topic_desk.hide(ctx.uow, community=ctx.community, topic_id=target_id,
                                       actor=ctx.resident, reason=text, now=now)
    else:
        target = TopicStatus.DECLINED if do == "decline" else TopicStatus.RESOLVED
        change = await topic_desk.transition(ctx.uow, community=ctx.community, topic_id=target_id,
                                             actor=ctx.resident, target=target, note=text, now=now)
    ctx.tell(*change.notices)
    await show_desk_card(ctx, target_id)


@desk(CancelDesk)
async def cancel_desk(ctx: Context, tap: CancelDesk) -> None:
    ctx.require_form(FORM, tap.form)
    await ctx.clear_form()
    ctx.toast()
    ctx.show(ctx.t("topics.desk.cancelled"))


# ---- merging ------------------------------------------------------------------------------------


@desk(MergePick)
async def merge_pick(ctx: Context, tap: MergePick) -> None:
    duplicate_id, page = tap.duplicate_id, max(tap.page, 0)
    duplicate = await topics.read_topic(ctx.uow, ctx.community.id, duplicate_id, committee=True)
    similar = await topic_lists.similar_open(ctx.uow, ctx.community.id, duplicate.title,
                                             exclude=duplicate_id) if page == 0 else []
    shown = await topic_lists.browse_page(ctx.uow, ctx.community.id, Listing.OPEN, ctx.now(),
                                          offset=page * view.PAGE_SIZE, limit=view.PAGE_SIZE)
    rows, total = shown.rows, shown.total
    seen: set[int] = {duplicate_id}
    keyboard: Keyboard = []
    for topic_id, title in [(t.id, t.title) for t in similar] + [(r.id, r.title) for r in rows]:
        if topic_id in seen or len(keyboard) >= 6:
            continue
        seen.add(topic_id)
        keyboard.append([ctx.button(f"#{topic_id} {clip(title, view.TITLE_IN_BUTTON)}",
                                    MergeInto(duplicate_id, topic_id))])
    nav = view.paging_row(ctx, total, page, lambda to: MergePick(duplicate_id, to))
    if nav:
        keyboard.append(nav)
    keyboard.append([ctx.button(ctx.t("topics.btn.back_card"), DeskTopic(duplicate_id))])
    ctx.toast()
    ctx.show(ctx.t("topics.desk.merge_pick", id=duplicate_id, title=esc(duplicate.title)), keyboard)


@desk(MergeInto)
async def merge_into(ctx: Context, tap: MergeInto) -> None:
    duplicate_id, target_id = tap.duplicate_id, tap.target_id
    duplicate = await topics.read_topic(ctx.uow, ctx.community.id, duplicate_id, committee=True)
    target = await topics.read_topic(ctx.uow, ctx.community.id, target_id, committee=True)
    ctx.toast()
    ctx.show(ctx.t("topics.desk.merge_confirm", id=duplicate_id, title=esc(duplicate.title), target=target_id,
                   target_title=esc(target.title)),
             [[ctx.button(ctx.t("topics.desk.merge_do"), MergeNow(duplicate_id, target_id))],
              [ctx.button(ctx.t("common.cancel"), DeskTopic(duplicate_id))]])


@desk(MergeNow)
async def merge_now(ctx: Context, tap: MergeNow) -> None:
    outcome = await topic_desk.merge(ctx.uow, community=ctx.community, duplicate_id=tap.duplicate_id,
                                     target_id=tap.target_id, actor=ctx.resident, now=ctx.now())
    ctx.tell(*outcome.notices)
    ctx.toast(ctx.t("topics.desk.merged", moved=outcome.moved, already=outcome.already), alert=True)
    await show_desk_card(ctx, outcome.target.id)


# ---- comments ------------------------------------------------------------------------------------


@desk(DeskComments)
async def desk_comments(ctx: Context, tap: DeskComments) -> None:
    topic_id, page = tap.topic_id, max(tap.page, 0)
    found = await topic_comments.comments_page(ctx.uow, ctx.community.id, topic_id, offset=page * 5, limit=5,
                                               committee=True)
    topic, shown, total = found.topic, found.comments, found.total
    lines = Page()
    lines.extend([ctx.t("topics.card.title", id=topic.id, title=esc(topic.title)),
                  ctx.t("topics.comment.title", count=total, page=page + 1, pages=view.pages(total, 5))])
    buttons = []
    for number, (comment, name) in enumerate(shown, start=1 + page * 5):
        if not view.add_comment(lines, ctx, comment, name, bullet=f"{number}. "):
            break
        if not comment.hidden:
            buttons.append(ctx.button(ctx.t("topics.desk.hide_number", number=number), HideComment(comment.id)))
    rows: Keyboard = [buttons] if buttons else []
    nav = view.paging_row(ctx, total, page, lambda to: DeskComments(topic_id, to), size=5)
    if nav:
        rows.append(nav)
    rows.append([ctx.button(ctx.t("topics.btn.back_card"), DeskTopic(topic_id))])
    ctx.toast()
    ctx.show(lines.text(view.more(ctx)), rows)


@desk(ReportedComments)
async def reported_comments(ctx: Context, tap: ReportedComments) -> None:
    await show_reported(ctx, max(tap.page, 0))


async def show_reported(ctx: Context, page: int) -> None:
    shown, total = await topic_comments.reported_page(ctx.uow, ctx.community.id, offset=page * 5, limit=5)
    lines = Page()
    lines.add(ctx.t("topics.desk.reported_title", count=total))
    rows: Keyboard = []
    for comment, name, reports in shown:
        lines.add("")
        if not lines.add(ctx.t("topics.desk.reported_line", id=comment.id, topic=comment.topic_id,
                               name=view.person(ctx, name), reports=reports,
                               text=esc(clip(comment.text, 300)))):
            break
        rows.append([ctx.button(ctx.t("topics.desk.hide_comment", id=comment.id), HideComment(comment.id)),
                     ctx.button(ctx.t("topics.desk.keep_comment", id=comment.id), KeepComment(comment.id))])
    nav = view.paging_row(ctx, total, page, ReportedComments, size=5)
    if nav:
        rows.append(nav)
    rows.append([ctx.button(ctx.t("topics.desk.back"), DeskHome())])
    ctx.toast()
    ctx.show(lines.text(view.more(ctx)), rows)


@desk(KeepComment)
async def keep_comment(ctx: Context, tap: KeepComment) -> None:
    await topic_comments.keep(ctx.uow, community=ctx.community, comment_id=tap.comment_id,
                              actor=ctx.resident, now=ctx.now())
    ctx.toast(ctx.t("topics.desk.done"))
    await show_reported(ctx, 0)

