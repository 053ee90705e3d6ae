"""Trust in the count, for residents: look up a receipt, get a meeting's bulletin (CSV).

``/receipt`` (or "🔎 Check a receipt" on a meeting's results) asks for the code and answers with the item and the
choice as counted — or "not found" for anything else (a typo, an unknown receipt, another meeting's: one answer).
``/bulletin`` (or "📄 Bulletin" on the results) sends the bulletin as CSV: every counted ballot as receipt + choice,
sorted by receipt; counting its rows per option gives the result.
"""

from __future__ import annotations

from core import bulletin as bulletins
from core import receipts
from core.voting import Status
from handlers import voting_view as view
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import VotesHome
from handlers.port import Keyboard, SendDocument
from handlers.router import Router
from handlers.text import clip, esc
from handlers.voting import CheckReceipt, MeetingResults, SendBulletin
from storage import meetings, trust

router = Router("trust")

RECEIPT = "trust_receipt"


class PickMeeting(Tap, prefix="bm"):
    """Which published meeting ``/receipt`` or ``/bulletin`` is about."""

    meeting_id: int
    bulletin: bool


async def _published(ctx: Context) -> list[meetings.MeetingView]:
    return await meetings.meetings(ctx.uow, ctx.community.id or 0, (Status.PUBLISHED,), limit=8)


async def _pick(ctx: Context, *, bulletin: bool) -> None:
    found = await _published(ctx)
    if not found:
        ctx.say(ctx.t("trust.none_published"))
        return
    if len(found) == 1:
        await (_send_bulletin if bulletin else _ask_receipt)(ctx, found[0].id)
        return
    rows: Keyboard = [[ctx.button(f"#{m.id} {clip(m.title, 30)}", PickMeeting(m.id, bulletin))] for m in found]
    ctx.say(ctx.t("trust.pick_meeting"), rows)


@router.command("receipt", verified=True)
async def receipt_command(ctx: Context) -> None:
    typed = ctx.incoming.args.strip()
    found = await _published(ctx)
    if typed and len(found) == 1:  # "/receipt ACDE-FHJK" with one published meeting: answered at once
        await _answer(ctx, found[0].id, typed)
        return
    await _pick(ctx, bulletin=False)


@router.command("bulletin", verified=True)
async def bulletin_command(ctx: Context) -> None:
    await _pick(ctx, bulletin=True)


@router.button(PickMeeting, verified=True)
async def pick_meeting(ctx: Context, tap: PickMeeting) -> None:
    ctx.toast()
    await (_send_bulletin if tap.bulletin else _ask_receipt)(ctx, tap.meeting_id)


@router.button(CheckReceipt, verified=True)
async def check_receipt(ctx: Context, tap: CheckReceipt) -> None:
    ctx.toast()
    await _ask_receipt(ctx, tap.meeting_id)


async def _ask_receipt(ctx: Context, meeting_id: int) -> None:
    meeting = await meetings.meeting(ctx.uow, ctx.community.id or 0, meeting_id)
    if meeting.status is not Status.PUBLISHED:
        raise meetings.WrongStatus()
    await ctx.set_form(RECEIPT, "code", {"meeting": meeting.id})
    ctx.say(ctx.t("trust.receipt.ask", id=meeting.id, title=esc(meeting.title)))


@router.form(RECEIPT, verified=True)
async def receipt_input(ctx: Context) -> None:
    state = ctx.require_form(RECEIPT)
    await ctx.clear_form()
    await _answer(ctx, int(state.data["meeting"]), ctx.incoming.text or "")


async def _answer(ctx: Context, meeting_id: int, typed: str) -> None:
    counted = await trust.lookup(ctx.uow, ctx.community.id or 0, meeting_id, typed)
    back: Keyboard = [[ctx.button(ctx.t("trust.btn.again"), CheckReceipt(meeting_id)),
                       ctx.button(ctx.t("voting.btn.results"), MeetingResults(meeting_id))],
                      [ctx.button(ctx.t("voting.btn.home"), VotesHome())]]
    if counted is None:
        ctx.say(ctx.t("trust.receipt.not_found"), back)
        return
    code = receipts.parse(typed) or ""
    choice = "、".join(view.option_name(ctx, counted.item, p) for p in counted.positions) \
        if counted.positions else ctx.t("trust.receipt.invalid")
    ctx.say(ctx.t("trust.receipt.found", receipt=receipts.shown(code), position=counted.item.position + 1,
                  title=esc(counted.item.title), choice=choice,
                  channel=ctx.t(bulletins.key("channel", counted.channel))), back)


@router.button(SendBulletin, verified=True)
async def send_bulletin(ctx: Context, tap: SendBulletin) -> None:
    ctx.toast()
    await _send_bulletin(ctx, tap.meeting_id)


async def _send_bulletin(ctx: Context, meeting_id: int) -> None:
    found = await trust.bulletin(ctx.uow, ctx.community.id or 0, meeting_id)
    items = "\n".join(ctx.t("trust.bulletin.item", number=item.position + 1, title=esc(clip(item.title, 60)))
                      for item in found.meeting.items)
    ctx.reply.add(SendDocument(chat_id=ctx.chat_id, file_name=f"linli-bulletin-{meeting_id}.csv",
                               content=found.csv(),
                               caption=ctx.t("trust.bulletin.caption", id=meeting_id, count=len(found.entries))))
    ctx.say(ctx.t("trust.bulletin.how", id=meeting_id, title=esc(found.meeting.title), items=items,
                  head=found.head or "—"))
