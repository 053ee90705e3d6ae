"""Paper ballots and proxies: the committee's desk for a meeting, and the scrutineer's confirmations.

The committee names scrutineers (监票人), enters the hall's paper ballots (one message per ballot: the voter and
their choices on the open items), closes the hall's register, then enters the box's secret ballots (one message per
ballot: the choice); registers written proxies (grantor, holder, a photo of the signed form); and sets whether the
bulletin shows households and how many proxies one person may hold. A scrutineer confirms or refuses each entry
made by someone else (``/paper``).
"""

from __future__ import annotations

from enum import StrEnum

from core import bulletin as bulletins
from core import receipts
from core.errors import InvalidInput, StaleButton
from core.voting import Status
from handlers import voting_view as view
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import MeetingDesk, MeetingsDesk, PaperDesk
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import clip, esc
from storage import meetings, paper, proxies, trust_notices
from storage.meetings import ItemView
from storage.paper import EntryView

router = Router("paper")

SCRUTINEER, VOTERS, BOX, PROXY, LIMIT = "paper_scrutineer", "paper_voters", "paper_box", "paper_proxy", "paper_limit"
FLOWS = (SCRUTINEER, VOTERS, BOX, PROXY, LIMIT)


class Act(StrEnum):
    SCRUTINEER = "scrutineer"
    VOTERS = "voters"
    CLOSE = "close"
    PROXY = "proxy"
    PROXIES = "proxies"
    HOUSEHOLDS = "households"
    LIMIT = "limit"


class PaperAct(Tap, prefix="be"):
    meeting_id: int
    act: Act


class BoxItem(Tap, prefix="bi"):
    meeting_id: int
    item_id: int


class DecideEntry(Tap, prefix="bc"):
    entry_id: int
    confirm: bool


def _me(ctx: Context) -> int:
    if ctx.resident is None or ctx.resident.id is None:
        raise StaleButton()
    return ctx.resident.id


# ---- the desk --------------------------------------------------------------------------------------------------


@router.committee_button(PaperDesk)
async def paper_desk(ctx: Context, tap: PaperDesk) -> None:
    ctx.toast()
    if ctx.state is not None and ctx.state.flow in FLOWS:
        await ctx.clear_form()
    await show_desk(ctx, tap.meeting_id)


async def show_desk(ctx: Context, meeting_id: int, *, new: bool = False) -> None:
    desk = await paper.desk(ctx.uow, ctx.community.id or 0, meeting_id)
    settings = await proxies.settings(ctx.uow, ctx.community.id or 0)
    held = await proxies.proxies(ctx.uow, ctx.community.id or 0, meeting_id)
    meeting = desk.meeting
    lines = [ctx.t("trust.desk.title", id=meeting.id, title=esc(meeting.title)),
             ctx.t("trust.desk.scrutineers", names=esc("、".join(desk.scrutineers)) or "—"),
             ctx.t("trust.desk.paper", voters=desk.voters, pending=desk.pending, refused=desk.refused),
             ctx.t("trust.desk.register_closed" if desk.register_closed else "trust.desk.register_open")]
    lines += [ctx.t("trust.desk.box", position=item.position + 1, entered=count, voters=desk.voters)
              for item, count in desk.box]
    lines += [ctx.t("trust.desk.proxies", count=len(held), limit=settings.proxy_limit),
              ctx.t("trust.desk.households_on" if settings.bulletin_households else "trust.desk.households_off")]
    rows: Keyboard = [[ctx.button(ctx.t("trust.act.scrutineer"), PaperAct(meeting.id, Act.SCRUTINEER))]]
    if meeting.status is Status.OPEN and not desk.register_closed:
        rows.append([ctx.button(ctx.t("trust.act.voters"), PaperAct(meeting.id, Act.VOTERS)),
                     ctx.button(ctx.t("trust.act.close"), PaperAct(meeting.id, Act.CLOSE))])
    if meeting.status is Status.OPEN and desk.register_closed:
        rows += [[ctx.button(ctx.t("trust.act.box", position=item.position + 1), BoxItem(meeting.id, item.id))]
                 for item, _ in desk.box[:6]]
    rows.append([ctx.button(ctx.t("trust.act.proxy"), PaperAct(meeting.id, Act.PROXY)),
                 ctx.button(ctx.t("trust.act.proxies"), PaperAct(meeting.id, Act.PROXIES))])
    rows.append([ctx.button(ctx.t("trust.act.households"), PaperAct(meeting.id, Act.HOUSEHOLDS)),
                 ctx.button(ctx.t("trust.act.limit"), PaperAct(meeting.id, Act.LIMIT))])
    rows.append([ctx.button(ctx.t("voting.btn.desk"), MeetingDesk(meeting.id))])
    ctx.show("\n".join(lines), rows, new=new)


@router.committee_button(PaperAct)
async def paper_act(ctx: Context, tap: PaperAct) -> None:
    community_id, now = ctx.community.id or 0, ctx.now()
    meeting = await meetings.meeting(ctx.uow, community_id, tap.meeting_id)
    if tap.act is Act.CLOSE:
        voters = await paper.close_register(ctx.uow, community_id=community_id, meeting_id=meeting.id,
                                            actor=ctx.user_id, now=now)
        ctx.toast(ctx.t("trust.paper.closed", voters=voters))
        await show_desk(ctx, meeting.id)
        return
    if tap.act is Act.HOUSEHOLDS:
        current = await proxies.settings(ctx.uow, community_id)
        await proxies.configure(ctx.uow, community_id, now=now, actor=ctx.user_id,
                                bulletin_households=not current.bulletin_households)
        ctx.toast()
        await show_desk(ctx, meeting.id)
        return
    if tap.act is Act.PROXIES:
        ctx.toast()
        held = await proxies.proxies(ctx.uow, community_id, meeting.id)
        lines = [ctx.t("trust.proxies.title", title=esc(meeting.title), count=len(held))]
        lines += [ctx.t("trust.proxies.line", grantor=esc(p.grantor), proxy=esc(p.proxy)) for p in held[:40]]
        ctx.show("\n".join(lines), [[ctx.button(ctx.t("trust.btn.back_desk"), PaperDesk(meeting.id))]])
        return
    flow, step, key = {Act.SCRUTINEER: (SCRUTINEER, "who", "trust.scrutineer.ask"),
                       Act.VOTERS: (VOTERS, "line", ""),
                       Act.PROXY: (PROXY, "grantor", "trust.proxy.ask_grantor"),
                       Act.LIMIT: (LIMIT, "limit", "trust.limit.ask")}[tap.act]
    await ctx.set_form(flow, step, {"meeting": meeting.id})
    ctx.toast()
    if tap.act is Act.VOTERS:
        ctx.say(_voters_prompt(ctx, meeting), _done(ctx, meeting.id))
    else:
        ctx.say(ctx.t(key, title=esc(meeting.title)))


def _done(ctx: Context, meeting_id: int) -> Keyboard:
    return [[ctx.button(ctx.t("trust.btn.done"), PaperDesk(meeting_id))]]


def _legend(ctx: Context, item: ItemView) -> str:
    options = " ".join(f"{o.position + 1} {view.option_name(ctx, item, o.position)}" for o in item.options)
    return ctx.t("trust.paper.legend", position=item.position + 1, title=esc(clip(item.title, 30)),
                 options=clip(options, 300), k=item.max_marks)


def _voters_prompt(ctx: Context, meeting: meetings.MeetingView) -> str:
    legend = "\n".join(_legend(ctx, item) for item in meeting.items if not item.secret)
    secret = [item for item in meeting.items if item.secret]
    return ctx.t("trust.paper.voters_ask", title=esc(meeting.title), legend=legend or "—",
                 secret=len(secret))


# ---- forms -----------------------------------------------------------------------------------------------------


@router.form(SCRUTINEER, committee=True)
async def scrutineer_input(ctx: Context) -> None:
    state = ctx.require_form(SCRUTINEER)
    meeting_id = int(state.data["meeting"])
    name = await paper.name_scrutineer(ctx.uow, community_id=ctx.community.id or 0, meeting_id=meeting_id,
                                       who=ctx.incoming.text or "", actor=ctx.user_id, now=ctx.now())
    await ctx.clear_form()
    ctx.say(ctx.t("trust.scrutineer.done", name=esc(name)))
    await show_desk(ctx, meeting_id, new=True)


def _entry_text(ctx: Context, entry: EntryView) -> str:
    choices = "；".join(
        ctx.t("trust.entry.choice", position=item.position + 1,
              choice="、".join(view.option_name(ctx, item, p) for p in range(len(item.options)) if marks >> p & 1)
              if marks else ctx.t("trust.receipt.invalid"))
        for item, marks in entry.choices)
    text = ctx.t("trust.entry.line", id=entry.id, voter=esc(entry.voter) or ctx.t("trust.entry.box"),
                 choices=choices or "—")
    if entry.receipts:
        text += "\n" + ctx.t("trust.entry.receipts", receipts="、".join(
            f"{position}: <code>{receipts.shown(code)}</code>" for position, code in entry.receipts))
    return text


@router.form(VOTERS, committee=True)
async def voters_input(ctx: Context) -> None:
    state = ctx.require_form(VOTERS)
    meeting_id = int(state.data["meeting"])
    if ctx.incoming.attachment is not None or not (ctx.incoming.text or "").strip():
        raise InvalidInput("trust.err.voter_text")
    entry = await paper.enter_voter(ctx.uow, community_id=ctx.community.id or 0, meeting_id=meeting_id,
                                    text=ctx.incoming.text or "", entered_by=_me(ctx), actor=ctx.user_id,
                                    now=ctx.now())
    if entry.status == "refused":
        ctx.say(ctx.t(bulletins.key("refused", entry.note), voter=esc(entry.voter)), _done(ctx, meeting_id))
        return
    ctx.tell(*await trust_notices.paper_waiting(ctx.uow, entry))
    ctx.say(ctx.t("trust.paper.entered") + "\n" + _entry_text(ctx, entry), _done(ctx, meeting_id))


@router.committee_button(BoxItem)
async def box_item(ctx: Context, tap: BoxItem) -> None:
    meeting = await meetings.meeting(ctx.uow, ctx.community.id or 0, tap.meeting_id)
    item = meeting.item(tap.item_id)
    await ctx.set_form(BOX, "choice", {"meeting": meeting.id, "item": item.id})
    ctx.toast()
    ctx.say(ctx.t("trust.paper.box_ask", legend=_legend(ctx, item)), _done(ctx, meeting.id))


@router.form(BOX, committee=True)
async def box_input(ctx: Context) -> None:
    state = ctx.require_form(BOX)
    meeting_id = int(state.data["meeting"])
    entry = await paper.enter_box(ctx.uow, community_id=ctx.community.id or 0, meeting_id=meeting_id,
                                  item_id=int(state.data["item"]), text=ctx.incoming.text or "",
                                  entered_by=_me(ctx), actor=ctx.user_id, now=ctx.now())
    ctx.tell(*await trust_notices.paper_waiting(ctx.uow, entry))
    ctx.say(ctx.t("trust.paper.entered") + "\n" + _entry_text(ctx, entry), _done(ctx, meeting_id))


@router.form(PROXY, committee=True)
async def proxy_input(ctx: Context) -> None:
    state = ctx.require_form(PROXY)
    data = dict(state.data)
    meeting_id = int(data["meeting"])
    if state.step in ("grantor", "holder"):
        typed = (ctx.incoming.text or "").strip()
        if not typed or ctx.incoming.attachment is not None:
            raise InvalidInput("trust.err.proxy_person")
        await proxies.person(ctx.uow, ctx.community.id or 0, typed)  # nobody or several: said at once
        data[state.step] = typed[:80]
        if state.step == "grantor":
            await ctx.set_form(PROXY, "holder", data)
            ctx.say(ctx.t("trust.proxy.ask_holder"))
        else:
            await ctx.set_form(PROXY, "form", data)
            ctx.say(ctx.t("trust.proxy.ask_form"))
        return
    attachment = ctx.incoming.attachment
    if attachment is None or attachment.kind != "photo":
        raise InvalidInput("trust.err.proxy_form")
    meeting = await meetings.meeting(ctx.uow, ctx.community.id or 0, meeting_id)
    registered = await proxies.register(ctx.uow, community_id=ctx.community.id or 0, meeting_id=meeting_id,
                                        grantor=str(data["grantor"]), holder=str(data["holder"]),
                                        form_file_id=attachment.file_id, registered_by=_me(ctx),
                                        actor=ctx.user_id, now=ctx.now())
    await ctx.clear_form()
    ctx.tell(await trust_notices.proxy_registered(ctx.uow, registered, meeting.title))
    ctx.say(ctx.t("trust.proxy.done", grantor=esc(registered.grantor), proxy=esc(registered.proxy)))
    await show_desk(ctx, meeting_id, new=True)


@router.form(LIMIT, committee=True)
async def limit_input(ctx: Context) -> None:
    state = ctx.require_form(LIMIT)
    text = (ctx.incoming.text or "").strip()
    if not text.isdigit():
        raise InvalidInput("voting.err.number")
    await proxies.configure(ctx.uow, ctx.community.id or 0, now=ctx.now(), actor=ctx.user_id,
                            proxy_limit=int(text))
    await ctx.clear_form()
    await show_desk(ctx, int(state.data["meeting"]), new=True)


# ---- the scrutineer --------------------------------------------------------------------------------------------


@router.command("paper", verified=True)
async def paper_command(ctx: Context) -> None:
    await show_waiting(ctx)


async def show_waiting(ctx: Context) -> None:
    me = _me(ctx)
    if not await paper.is_scrutineer(ctx.uow, ctx.community.id or 0, me):
        rows: Keyboard = [[ctx.button(ctx.t("voting.btn.desk_home"), MeetingsDesk())]] if ctx.committee else []
        ctx.show(ctx.t("trust.scrutiny.none"), rows)
        return
    entries, total = await paper.waiting(ctx.uow, ctx.community.id or 0, me)
    lines = [ctx.t("trust.scrutiny.title", count=total)]
    rows = []
    for entry in entries:
        lines.append(_entry_text(ctx, entry))
        rows.append([ctx.button(ctx.t("trust.btn.confirm", id=entry.id), DecideEntry(entry.id, True)),
                     ctx.button(ctx.t("trust.btn.refuse", id=entry.id), DecideEntry(entry.id, False))])
    if not entries:
        lines.append(ctx.t("trust.scrutiny.empty"))
    page = view.Page()
    page.extend(lines)
    ctx.show(page.text(lambda n: ctx.t("common.more", count=n)), rows)


@router.button(DecideEntry, verified=True)
async def decide_entry(ctx: Context, tap: DecideEntry) -> None:
    entry = await paper.decide(ctx.uow, community_id=ctx.community.id or 0, entry_id=tap.entry_id,
                               resident_id=_me(ctx), confirm=tap.confirm, actor=ctx.user_id, now=ctx.now())
    if entry.status == "confirmed":
        ctx.toast(ctx.t("trust.scrutiny.confirmed", id=entry.id))
    elif entry.note == "scrutineer":
        ctx.toast(ctx.t("trust.scrutiny.refused", id=entry.id))
    else:
        ctx.toast(ctx.t(bulletins.key("refused", entry.note), voter=entry.voter), alert=True)
    await show_waiting(ctx)
