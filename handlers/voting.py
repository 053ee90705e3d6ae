"""Votes for residents: my votes, a meeting's text and versions, amendments, the ballot, results.

A ballot's marks travel in its buttons until confirmed (nothing of a secret ballot is kept in the conversation
state): each option button carries the marks it would leave, the confirm button the marks to cast. The use case
checks them against the item (an option that is not there, more than k marks: a stale button).
"""

from __future__ import annotations

from core import receipts
from core import voting as rules
from core.errors import StaleButton
from core.voting import ItemKind, Status
from handlers import voting_view as view
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import OpenBallot, OpenMeeting, OpenMenu, VotesHome, WriteIn
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import clip, esc
from storage import meeting_notices, meetings, trust, voting
from storage.voting import BallotView

router = Router("voting")

AMEND = "vote_amend"
TITLE_IN_BUTTON = 24


class BallotItem(Tap, prefix="vi"):
    meeting_id: int
    item_id: int


class Mark(Tap, prefix="vk"):
    """Show the ballot with these marks (not cast yet)."""

    meeting_id: int
    item_id: int
    round: int
    marks: int


class CastBallot(Tap, prefix="vy"):
    meeting_id: int
    item_id: int
    round: int
    marks: int


class AmendItem(Tap, prefix="vn"):
    item_id: int


class ItemVersions(Tap, prefix="vh"):
    item_id: int


class MeetingResults(Tap, prefix="vr"):
    meeting_id: int


# A proxy's ballot (issue 9): the same screens for the grantor's vote (``principal``: their resident id).

class ProxyBallot(Tap, prefix="bv"):
    meeting_id: int
    principal: int


class ProxyItem(Tap, prefix="by"):
    meeting_id: int
    item_id: int
    principal: int


class ProxyMark(Tap, prefix="bw"):
    meeting_id: int
    item_id: int
    round: int
    marks: int
    principal: int


class ProxyCast(Tap, prefix="bx"):
    meeting_id: int
    item_id: int
    round: int
    marks: int
    principal: int


class CheckReceipt(Tap, prefix="br"):
    """Look up a receipt in a published meeting (handlers.trust)."""

    meeting_id: int


class SendBulletin(Tap, prefix="bb"):
    """A published meeting's bulletin as CSV (handlers.trust)."""

    meeting_id: int


def _me(ctx: Context) -> int:
    return ctx.resident.id or 0 if ctx.resident is not None else 0


@router.command("votes")
async def votes_command(ctx: Context) -> None:
    await show_home(ctx)


@router.button(VotesHome)
async def votes_home(ctx: Context, tap: VotesHome) -> None:
    ctx.toast()
    await show_home(ctx)


async def show_home(ctx: Context) -> None:
    if not ctx.verified or ctx.resident is None:
        ctx.show(ctx.t("voting.home.guest"), [[ctx.button(ctx.t("menu.back"), OpenMenu())]])
        return
    mine = await voting.my_votes(ctx.uow, ctx.community.id or 0, ctx.resident.id or 0)
    rows: Keyboard = []
    lines = [ctx.t("voting.home.title")]
    for vote in mine:
        meeting = vote.meeting
        status = ctx.t(rules.key("status", meeting.status))
        if meeting.status is Status.OPEN and vote.eligible:
            badge = ctx.t("voting.home.voted", voted=vote.voted, items=len(meeting.items))
            tap: Tap = OpenBallot(meeting.id)
        else:
            badge, tap = "", OpenMeeting(meeting.id)
        lines.append(ctx.t("voting.home.line", id=meeting.id, title=esc(clip(meeting.title, 60)), status=status,
                           badge=badge))
        rows.append([ctx.button(f"#{meeting.id} {clip(meeting.title, TITLE_IN_BUTTON)} · {status}", tap)])
    for meeting, principal, name in await trust.proxies_held(ctx.uow, ctx.community.id or 0, ctx.resident.id or 0):
        rows.append([ctx.button(ctx.t("trust.btn.proxy_ballot", name=clip(name, 16), id=meeting.id),
                                ProxyBallot(meeting.id, principal))])
    if not mine:
        lines.append(ctx.t("voting.home.empty"))
    rows.append([ctx.button(ctx.t("menu.back"), OpenMenu())])
    ctx.show("\n".join(lines), rows)


# ---- the meeting as residents see it -------------------------------------------------------------


@router.button(OpenMeeting)
async def open_meeting(ctx: Context, tap: OpenMeeting) -> None:
    ctx.toast()
    meeting = await meetings.meeting(ctx.uow, ctx.community.id or 0, tap.meeting_id)
    if meeting.status is Status.DRAFT:
        raise meetings.WrongStatus()
    rows: Keyboard = []
    for item in meeting.items:
        row = [ctx.button(ctx.t("voting.btn.versions", position=item.position + 1, version=item.version),
                          ItemVersions(item.id))]
        if meeting.status is Status.DISCUSSION:
            row.insert(0, ctx.button(ctx.t("voting.btn.amend", position=item.position + 1), AmendItem(item.id)))
        rows.append(row)
    if meeting.status is Status.OPEN:
        rows.append([ctx.button(ctx.t("voting.btn.ballot"), OpenBallot(meeting.id))])
    if meeting.status is Status.PUBLISHED:
        rows.append([ctx.button(ctx.t("voting.btn.results"), MeetingResults(meeting.id))])
    rows.append([ctx.button(ctx.t("voting.btn.home"), VotesHome())])
    ctx.show(view.meeting_text(ctx, meeting), rows)


@router.button(ItemVersions)
async def item_versions(ctx: Context, tap: ItemVersions) -> None:
    ctx.toast()
    kept = await meetings.versions(ctx.uow, ctx.community.id or 0, tap.item_id)
    page = view.Page()
    page.add(ctx.t("voting.versions.title"))
    for number, text, at in reversed(kept):
        page.add("")
        page.add(ctx.t("voting.versions.line", version=number, time=view.when(ctx, at), text=esc(clip(text, 800))))
    ctx.say(page.text(lambda n: ctx.t("common.more", count=n)))


@router.button(MeetingResults)
async def meeting_results(ctx: Context, tap: MeetingResults) -> None:
    ctx.toast()
    published = await meetings.results(ctx.uow, ctx.community.id or 0, tap.meeting_id)
    ctx.show(view.results_text(ctx, published),
             [[ctx.button(ctx.t("trust.btn.check_receipt"), CheckReceipt(tap.meeting_id)),
               ctx.button(ctx.t("trust.btn.bulletin"), SendBulletin(tap.meeting_id))],
              [ctx.button(ctx.t("voting.btn.home"), VotesHome())]])


# ---- amendments ------------------------------------------------------------------------------------


@router.button(AmendItem, verified=True)
async def amend_item(ctx: Context, tap: AmendItem) -> None:
    _, item = await voting.amendable(ctx.uow, community_id=ctx.community.id or 0, item_id=tap.item_id)
    await ctx.set_form(AMEND, "text", {"item": item.id})
    ctx.toast()
    ctx.say(ctx.t("voting.amend.ask", title=esc(item.title), limit=rules.TEXT_LIMIT) + "\n\n"
            + view.item_text(ctx, item, full=True))


@router.form(AMEND, verified=True)
async def amend_input(ctx: Context) -> None:
    state = ctx.require_form(AMEND)
    item_id = int(state.data["item"])
    meeting, _ = await voting.amendable(ctx.uow, community_id=ctx.community.id or 0, item_id=item_id)
    amendment = await meetings.amend(ctx.uow, community_id=ctx.community.id or 0, item_id=item_id,
                                     author_id=_me(ctx),
                                     text=ctx.incoming.text or "", now=ctx.now())
    await ctx.clear_form()
    ctx.tell(await meeting_notices.amendment_submitted(ctx.uow, ctx.community, meeting, amendment))
    ctx.say(ctx.t("voting.amend.saved", title=esc(meeting.title)),
            [[ctx.button(ctx.t("voting.btn.meeting"), OpenMeeting(meeting.id))]])


# ---- the ballot ------------------------------------------------------------------------------------


@router.button(OpenBallot, verified=True)
async def open_ballot(ctx: Context, tap: OpenBallot) -> None:
    shown = await voting.ballot(ctx.uow, community_id=ctx.community.id or 0, meeting_id=tap.meeting_id,
                                item_id=None, resident_id=_me(ctx), now=ctx.now())
    ctx.toast()
    draw(ctx, shown, shown.marks)


@router.button(BallotItem, verified=True)
async def ballot_item(ctx: Context, tap: BallotItem) -> None:
    shown = await voting.ballot(ctx.uow, community_id=ctx.community.id or 0, meeting_id=tap.meeting_id,
                                item_id=tap.item_id, resident_id=_me(ctx), now=ctx.now())
    ctx.toast()
    draw(ctx, shown, shown.marks)


@router.button(ProxyBallot, verified=True)
async def proxy_ballot(ctx: Context, tap: ProxyBallot) -> None:
    shown = await voting.ballot(ctx.uow, community_id=ctx.community.id or 0, meeting_id=tap.meeting_id,
                                item_id=None, resident_id=_me(ctx), principal=tap.principal, now=ctx.now())
    ctx.toast()
    draw(ctx, shown, shown.marks)


@router.button(ProxyItem, verified=True)
async def proxy_item(ctx: Context, tap: ProxyItem) -> None:
    shown = await voting.ballot(ctx.uow, community_id=ctx.community.id or 0, meeting_id=tap.meeting_id,
                                item_id=tap.item_id, resident_id=_me(ctx), principal=tap.principal,
                                now=ctx.now())
    ctx.toast()
    draw(ctx, shown, shown.marks)


@router.button(Mark, verified=True)
async def mark(ctx: Context, tap: Mark) -> None:
    await _mark(ctx, tap)


@router.button(ProxyMark, verified=True)
async def proxy_mark(ctx: Context, tap: ProxyMark) -> None:
    await _mark(ctx, tap)


async def _mark(ctx: Context, tap: Mark | ProxyMark) -> None:
    shown = await voting.ballot(ctx.uow, community_id=ctx.community.id or 0, meeting_id=tap.meeting_id,
                                item_id=tap.item_id, resident_id=_me(ctx),
                                round_no=tap.round, principal=tap.principal if isinstance(tap, ProxyMark) else None,
                                now=ctx.now())
    if tap.marks < 0 or tap.marks >> len(shown.item.options):
        raise StaleButton()
    if len(rules.bits(tap.marks)) > shown.item.max_marks:
        raise rules.VoteError("voting.err.too_many_marks", k=shown.item.max_marks)
    ctx.toast()
    draw(ctx, shown, tap.marks)


@router.button(CastBallot, verified=True)
async def cast_ballot(ctx: Context, tap: CastBallot) -> None:
    await _cast(ctx, tap)


@router.button(ProxyCast, verified=True)
async def proxy_cast(ctx: Context, tap: ProxyCast) -> None:
    await _cast(ctx, tap)


async def _cast(ctx: Context, tap: CastBallot | ProxyCast) -> None:
    principal = tap.principal if isinstance(tap, ProxyCast) else None
    done = await voting.cast(ctx.uow, community_id=ctx.community.id or 0, meeting_id=tap.meeting_id,
                             item_id=tap.item_id, round_no=tap.round,
                             resident_id=_me(ctx), marks=tap.marks, now=ctx.now(), principal=principal)
    shown = done.ballot
    if done.already:
        ctx.toast(ctx.t("voting.ballot.already_final"), alert=True)
    elif done.receipt:
        ctx.toast(ctx.t("voting.ballot.cast"))
    else:
        ctx.toast(ctx.t("voting.ballot.cast" if done.new else "voting.ballot.changed"))
    meeting = shown.meeting
    left = [i for i in meeting.items if i.id not in shown.voted]
    rows: Keyboard = []
    if left:
        rows.append([ctx.button(ctx.t("voting.btn.next_item", position=left[0].position + 1),
                                _item_tap(shown, left[0].id))])
    if not shown.item.secret:
        rows.append([ctx.button(ctx.t("voting.btn.change"), _item_tap(shown, shown.item.id))])
    rows.append([ctx.button(ctx.t("voting.btn.home"), VotesHome())])
    text = ctx.t("voting.ballot.recorded", title=esc(shown.item.title), closes=view.when(ctx, meeting.closes_at)) \
        + "\n" + view.summary(ctx, shown.item, tap.marks if not done.already else 0)
    if principal is not None:
        text = ctx.t("trust.ballot.for", name=esc(shown.principal_name)) + "\n" + text
    if done.receipt:  # shown once: a changed open ballot keeps the receipt it was given
        text += "\n\n" + ctx.t("trust.ballot.receipt", receipt=receipts.shown(done.receipt))
    if not shown.item.secret:
        text += "\n\n" + ctx.t("voting.ballot.changeable")
    if not left:
        text += "\n\n" + ctx.t("voting.ballot.all_done")
    ctx.show(text, rows)


def _item_tap(shown: BallotView, item_id: int) -> Tap:
    meeting = shown.meeting
    return BallotItem(meeting.id, item_id) if shown.principal is None \
        else ProxyItem(meeting.id, item_id, shown.principal)


def _mark_tap(shown: BallotView, marks: int, *, cast: bool) -> Tap:
    meeting, item = shown.meeting, shown.item
    if shown.principal is None:
        return (CastBallot if cast else Mark)(meeting.id, item.id, meeting.round, marks)
    return (ProxyCast if cast else ProxyMark)(meeting.id, item.id, meeting.round, marks, shown.principal)


def draw(ctx: Context, shown: BallotView, marks: int) -> None:
    """The item's text, its choices (✅ on the marked ones), the summary, confirm; a final secret ballot: said so."""
    meeting, item = shown.meeting, shown.item
    lines = [view.header(ctx, meeting), "", view.item_text(ctx, item)]
    if shown.principal is not None:
        lines.insert(0, ctx.t("trust.ballot.for", name=esc(shown.principal_name)))
    rows: Keyboard = []
    if shown.final:
        lines += ["", ctx.t("voting.ballot.final_done")]
    else:
        single = item.kind in (ItemKind.MOTION, ItemKind.SINGLE)
        for option in item.options:
            marked = marks >> option.position & 1
            label = ("✅ " if marked else "▫️ ") + clip(view.option_name(ctx, item, option.position), 40)
            rows.append([ctx.button(label, _mark_tap(shown, rules.toggle(marks, option.position, single=single),
                                                     cast=False))])
        lines += ["", view.summary(ctx, item, marks)]
        if shown.marks and not item.secret:
            lines.append(ctx.t("voting.ballot.standing", choice=view.summary(ctx, item, shown.marks)))
        if item.kind is ItemKind.ELECTION or item.kind is ItemKind.MULTIPLE:
            lines.append(ctx.t("voting.ballot.up_to", k=item.max_marks))
        if item.secret:
            lines.append(ctx.t("voting.ballot.secret_warning"))
        if item.write_in and len(item.options) < rules.MAX_OPTIONS:
            rows.append([ctx.button(ctx.t("voting_rules.btn.write_in"), WriteIn(meeting.id, item.id, meeting.round))])
        if marks:
            rows.append([ctx.button(ctx.t("voting.btn.confirm_secret" if item.secret else "voting.btn.confirm"),
                                    _mark_tap(shown, marks, cast=True))])
    others = [i for i in meeting.items if i.id != item.id]
    if others:
        rows.append([ctx.button(ctx.t("voting.btn.item", position=i.position + 1,
                                      done="✓" if i.id in shown.voted else ""), _item_tap(shown, i.id))
                     for i in others[:4]])
    rows.append([ctx.button(ctx.t("voting.btn.home"), VotesHome())])
    page = view.Page()
    page.extend(lines)
    ctx.show(page.text(lambda n: ctx.t("common.more", count=n)), rows)
