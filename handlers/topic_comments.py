"""Comments under a topic: newest first with paging, writing one, reporting one. Buttons: ``tc:<action>:…``."""

from __future__ import annotations

from core import topics as rules
from core.errors import StaleButton
from handlers import topics_view as view
from handlers.budget import Page
from handlers.context import Context
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import esc
from storage import topic_comments, topics

router = Router("topic_comments")

FLOW = "topic_comment"
PAGE = 5


@router.button("tc")
async def comments_button(ctx: Context) -> None:
    assert ctx.payload is not None
    action = ctx.payload.str(0)
    if action == "ls":
        ctx.toast()
        await show_comments(ctx, ctx.payload.int(1), max(ctx.payload.int(2), 0))
    elif action == "new":
        topic_id = ctx.payload.int(1)
        await topic_comments.check_may_comment(ctx.session, community=ctx.community, topic_id=topic_id,
                                               resident=ctx.resident)
        await ctx.set_form(FLOW, "text", {"topic": topic_id})
        ctx.toast()
        ctx.say(ctx.t("topics.comment.ask", limit=rules.COMMENT_LIMIT))
    elif action == "rp":
        added = await topic_comments.report(ctx.session, community=ctx.community, comment_id=ctx.payload.int(1),
                                            resident=ctx.resident, now=ctx.now())
        ctx.toast(ctx.t("topics.comment.reported" if added else "topics.comment.already_reported"), alert=True)
    else:
        raise StaleButton()


async def show_comments(ctx: Context, topic_id: int, page: int, *, new_message: bool = False) -> None:
    topic = await topics.visible_topic(ctx.session, ctx.community.id or 0, topic_id)
    shown, total = await topic_comments.page(ctx.session, topic_id, offset=page * PAGE, limit=PAGE)
    lines = Page()
    lines.extend([ctx.t("topics.card.title", id=topic.id, title=esc(topic.title)),
                  ctx.t("topics.comment.title", count=total, page=page + 1, pages=view.pages(total, PAGE))])
    if not shown:
        lines.add(ctx.t("topics.comment.none"))
    reports = []
    for number, (comment, name) in enumerate(shown, start=1 + page * PAGE):
        if not view.add_comment(lines, ctx, comment, name, bullet=f"{number}. "):
            break
        if not comment.hidden:
            reports.append(ctx.button(ctx.t("topics.comment.report", number=number), "tc", "rp", comment.id))
    rows: Keyboard = []
    if reports:
        rows.append(reports)
    nav = view.paging_row(ctx, total, page, "tc", "ls", topic_id, size=PAGE)
    if nav:
        rows.append(nav)
    if topic.is_open:
        rows.append([ctx.button(ctx.t("topics.comment.write"), "tc", "new", topic_id)])
    rows.append([ctx.button(ctx.t("topics.btn.back_card"), "tp", "c", topic_id)])
    ctx.show(lines.text(view.more(ctx)), rows, new=new_message)


@router.form(FLOW, verified=True)
async def comment_input(ctx: Context) -> None:
    state = ctx.require_form(FLOW)
    topic_id = int(state.data["topic"])
    if ctx.incoming.attachment is not None and not ctx.incoming.text:
        ctx.say(ctx.t("errors.text_expected"))
        return
    await topic_comments.add(ctx.session, community=ctx.community, topic_id=topic_id, resident=ctx.resident,
                             text=ctx.incoming.text or "", now=ctx.now())
    await ctx.clear_form()
    ctx.say(ctx.t("topics.comment.saved"))
    await show_comments(ctx, topic_id, 0, new_message=True)
