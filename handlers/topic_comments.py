"""Comments under a topic: newest first with paging, writing one, reporting one."""

from __future__ import annotations

from core import topics as rules
from handlers import topics_view as view
from handlers.budget import Page
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import OpenTopic
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import esc
from storage import topic_comments

router = Router("topic_comments")

FLOW = "topic_comment"
PAGE = 5


class ShowComments(Tap, prefix="cl"):
    topic_id: int
    page: int


class WriteComment(Tap, prefix="cw"):
    topic_id: int


class ReportComment(Tap, prefix="cp"):
    comment_id: int


@router.button(ShowComments)
async def comments_page(ctx: Context, tap: ShowComments) -> None:
    ctx.toast()
    await show_comments(ctx, tap.topic_id, max(tap.page, 0))


@router.button(WriteComment, verified=True)
async def write_comment(ctx: Context, tap: WriteComment) -> None:
    await topic_comments.check_may_comment(ctx.uow, community=ctx.community, topic_id=tap.topic_id,
                                           resident=ctx.resident)
    await ctx.set_form(FLOW, "text", {"topic": tap.topic_id})
    ctx.toast()
    ctx.say(ctx.t("topics.comment.ask", limit=rules.COMMENT_LIMIT))


@router.button(ReportComment, verified=True)
async def report_comment(ctx: Context, tap: ReportComment) -> None:
    added = await topic_comments.report(ctx.uow, community=ctx.community, comment_id=tap.comment_id,
                                        resident=ctx.resident, now=ctx.now())
    ctx.toast(ctx.t("topics.comment.reported" if added else "topics.comment.already_reported"), alert=True)


async def show_comments(ctx: Context, topic_id: int, page: int, *, new_message: bool = False) -> None:
    found = await topic_comments.comments_page(ctx.uow, ctx.community.id, topic_id, offset=page * PAGE, limit=PAGE)
    topic, shown, total = found.topic, found.comments, found.total
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
            reports.append(ctx.button(ctx.t("topics.comment.report", number=number), ReportComment(comment.id)))
    rows: Keyboard = []
    if reports:
        rows.append(reports)
    nav = view.paging_row(ctx, total, page, lambda to: ShowComments(topic_id, to), size=PAGE)
    if nav:
        rows.append(nav)
    if topic.is_open:
        rows.append([ctx.button(ctx.t("topics.comment.write"), WriteComment(topic_id))])
    rows.append([ctx.button(ctx.t("topics.btn.back_card"), OpenTopic(topic_id))])
    ctx.show(lines.text(view.more(ctx)), rows, new=new_message)


@router.form(FLOW, verified=True)
async def comment_input(ctx: Context) -> None:
    state = ctx.require_form(FLOW)
    topic_id = int(state.data["topic"])
    if ctx.incoming.attachment is not None and not ctx.incoming.text:
        ctx.say(ctx.t("errors.text_expected"))
        return
    await topic_comments.add(ctx.uow, community=ctx.community, topic_id=topic_id, resident=ctx.resident,
                             text=ctx.incoming.text or "", now=ctx.now())
    await ctx.clear_form()
    ctx.say(ctx.t("topics.comment.saved"))
    await show_comments(ctx, topic_id, 0, new_message=True)
