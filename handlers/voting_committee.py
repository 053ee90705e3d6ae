"""The committee's side of votes: create a meeting (a guided form), publish it, handle amendments, set the times,
open, close, postpone (with a reason), live turnout (never per-option counts before closing), results."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from core import voting as rules
from core.errors import InvalidInput, StaleButton
from core.voting import ItemKind, MeetingKind, Mode, Status
from handlers import voting_view as view
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import CommitteeHome, FurtherRound, MeetingDesk, MeetingRules, MeetingsDesk, PaperDesk, VotingRules
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import clip, esc
from storage import meeting_notices, meetings
from storage.meetings import Draft, DraftItem

router = Router("voting_committee")

NEW, DECIDE, POSTPONE, TIMES = "vote_new", "vote_decide", "vote_postpone", "vote_times"
ITEM_KINDS: dict[MeetingKind, tuple[ItemKind, ...]] = {
    MeetingKind.RESIDENTS: (ItemKind.MOTION, ItemKind.SINGLE, ItemKind.MULTIPLE),
    MeetingKind.REPRESENTATIVES: (ItemKind.MOTION, ItemKind.SINGLE, ItemKind.MULTIPLE),
    MeetingKind.OWNERS: (ItemKind.MOTION,),
    MeetingKind.ELECTION: (ItemKind.ELECTION,),
    MeetingKind.ADVISORY: (ItemKind.SINGLE, ItemKind.MULTIPLE, ItemKind.MOTION),
}


class Act(StrEnum):
    PUBLISH = "publish"
    OPEN = "open"
    CLOSE = "close"
    POSTPONE = "postpone"
    AMENDMENTS = "amend"
    TIMES = "times"
    RESULTS = "results"


class NewMeeting(Tap, prefix="vu"):
    pass


class PickKind(Tap, prefix="ve"):
    form: str
    kind: MeetingKind


class PickMode(Tap, prefix="vf"):
    form: str
    mode: Mode


class PickItemKind(Tap, prefix="vg"):
    form: str
    kind: ItemKind


class PickMatter(Tap, prefix="vj"):
    form: str
    matter: int


class PickSecret(Tap, prefix="vl"):
    form: str
    secret: bool


class SkipStep(Tap, prefix="vq"):
    form: str


class MoreItems(Tap, prefix="vo"):
    form: str
    more: bool


class CreateMeeting(Tap, prefix="vp"):
    form: str


class DeskAct(Tap, prefix="vt"):
    meeting_id: int
    act: Act


class DecideAmendment(Tap, prefix="vs"):
    amendment_id: int
    decision: str  # accepted | merged | rejected


@router.command("meetings", committee=True)
async def meetings_command(ctx: Context) -> None:
    await show_desk(ctx)


@router.committee_button(MeetingsDesk)
async def meetings_desk(ctx: Context, tap: MeetingsDesk) -> None:
    ctx.toast()
    await show_desk(ctx)


async def show_desk(ctx: Context) -> None:
    found = await meetings.meetings(ctx.uow, ctx.community.id or 0)
    lines = [ctx.t("voting.desk.title")]
    rows: Keyboard = [[ctx.button(ctx.t("voting.desk.new"), NewMeeting())]]
    for meeting in found[:10]:
        status = ctx.t(rules.key("status", meeting.status))
        lines.append(ctx.t("voting.home.line", id=meeting.id, title=esc(clip(meeting.title, 60)), status=status,
                           badge=""))
        rows.append([ctx.button(f"#{meeting.id} {clip(meeting.title, 24)} · {status}", MeetingDesk(meeting.id))])
    if not found:
        lines.append(ctx.t("voting.desk.empty"))
    rows.append([ctx.button(ctx.t("voting_rules.btn.home"), VotingRules())])
    rows.append([ctx.button(ctx.t("menu.back"), CommitteeHome())])
    ctx.show("\n".join(lines), rows)


# ---- one meeting ---------------------------------------------------------------------------------


@router.committee_button(MeetingDesk)
async def meeting_desk(ctx: Context, tap: MeetingDesk) -> None:
    ctx.toast()
    await show_meeting(ctx, tap.meeting_id)


async def show_meeting(ctx: Context, meeting_id: int, *, new: bool = False) -> None:
    meeting = await meetings.meeting(ctx.uow, ctx.community.id or 0, meeting_id)
    extra: list[str] = []
    acts: list[Act] = []
    if meeting.status is Status.DRAFT:
        acts = [Act.PUBLISH, Act.TIMES]
    elif meeting.status is Status.DISCUSSION:
        pending = await meetings.amendments(ctx.uow, ctx.community.id or 0, meeting.id, pending_only=True)
        extra.append(ctx.t("voting.desk.amendments", count=len(pending)))
        acts = [Act.AMENDMENTS, Act.TIMES, Act.OPEN]
    elif meeting.status is Status.OPEN:
        live = await meetings.live_turnout(ctx.uow, ctx.community.id or 0, meeting.id)
        extra.append(ctx.t("voting.desk.turnout", took=live.took_part, register=live.register))
        extra += [ctx.t("voting.desk.item_turnout", position=item.position + 1, took=live.per_item.get(item.id, 0))
                  for item in meeting.items]
        acts = [Act.CLOSE, Act.POSTPONE]
    elif meeting.status is Status.PUBLISHED:
        acts = [Act.RESULTS]
    rows: Keyboard = [[ctx.button(ctx.t(rules.key("act", act.value)), DeskAct(meeting.id, act))] for act in acts]
    if meeting.status in (Status.DRAFT, Status.DISCUSSION, Status.OPEN):
        rows.append([ctx.button(ctx.t("trust.btn.paper_desk"), PaperDesk(meeting.id))])
    if meeting.status is Status.OPEN:
        rows.append([ctx.button(ctx.t("voting.act.refresh"), MeetingDesk(meeting.id))])
    if meeting.status in (Status.DRAFT, Status.DISCUSSION):
        rows.append([ctx.button(ctx.t("voting_rules.btn.meeting"), MeetingRules(meeting.id))])
    if meeting.status is Status.PUBLISHED and meeting.kind is MeetingKind.ELECTION:
        rows.append([ctx.button(ctx.t("voting_rules.btn.further"), FurtherRound(meeting.id))])
    rows.append([ctx.button(ctx.t("voting.btn.desk_home"), MeetingsDesk())])
    ctx.show(view.meeting_text(ctx, meeting, extra), rows, new=new)


@router.committee_button(DeskAct)
async def desk_act(ctx: Context, tap: DeskAct) -> None:
    community_id, now, actor = ctx.community.id or 0, ctx.now(), ctx.user_id
    if tap.act is Act.PUBLISH:
        await meetings.publish(ctx.uow, community_id=community_id, meeting_id=tap.meeting_id, actor=actor, now=now)
        ctx.toast(ctx.t("voting.desk.published"))
    elif tap.act is Act.OPEN:
        moved = await meetings.open_voting(ctx.uow, community_id=community_id, meeting_id=tap.meeting_id, now=now,
                                           actor=actor)
        ctx.tell(await meeting_notices.opened(ctx.uow, moved))
        ctx.toast(ctx.t("voting.desk.opened", count=moved.register))
    elif tap.act is Act.CLOSE:
        counted = await meetings.close(ctx.uow, community_id=community_id, meeting_id=tap.meeting_id, now=now,
                                       actor=actor)
        ctx.tell(*await meeting_notices.results(ctx.uow, ctx.community, counted))
        ctx.toast(ctx.t("voting.desk.closed"))
    elif tap.act in (Act.POSTPONE, Act.TIMES):
        meeting = await meetings.meeting(ctx.uow, community_id, tap.meeting_id)
        flow = POSTPONE if tap.act is Act.POSTPONE else TIMES
        await ctx.set_form(flow, "text", {"meeting": meeting.id})
        ctx.toast()
        ctx.say(ctx.t("voting.postpone.ask" if flow == POSTPONE else "voting.times.ask", title=esc(meeting.title)))
        return
    elif tap.act is Act.AMENDMENTS:
        ctx.toast()
        await show_amendments(ctx, tap.meeting_id)
        return
    elif tap.act is Act.RESULTS:
        ctx.toast()
        published = await meetings.results(ctx.uow, community_id, tap.meeting_id)
        back = [[ctx.button(ctx.t("voting.btn.desk"), MeetingDesk(tap.meeting_id))]]
        ctx.show(view.results_text(ctx, published), back)
        return
    await show_meeting(ctx, tap.meeting_id)


@router.form(POSTPONE, committee=True)
async def postpone_input(ctx: Context) -> None:
    state = ctx.require_form(POSTPONE)
    moved = await meetings.postpone(ctx.uow, community_id=ctx.community.id or 0, meeting_id=int(state.data["meeting"]),
                                    reason=ctx.incoming.text or "", actor=ctx.user_id, now=ctx.now())
    await ctx.clear_form()
    ctx.tell(await meeting_notices.postponed(ctx.uow, moved))
    ctx.say(ctx.t("voting.postpone.done", round=moved.void_round or 0))
    await show_meeting(ctx, moved.meeting.id, new=True)


@router.form(TIMES, committee=True)
async def times_input(ctx: Context) -> None:
    state = ctx.require_form(TIMES)
    opens, closes = _times(ctx, ctx.incoming.text or "")
    meeting = await meetings.set_times(ctx.uow, community_id=ctx.community.id or 0,
                                       meeting_id=int(state.data["meeting"]), opens_at=opens, closes_at=closes,
                                       now=ctx.now())
    await ctx.clear_form()
    await show_meeting(ctx, meeting.id, new=True)


def _times(ctx: Context, text: str) -> tuple[Any, Any]:
    found = rules.parse_times(text, ctx.community.timezone)
    if len(found) == 1:
        return None, found[0]
    if len(found) == 2:
        return found[0], found[1]
    raise InvalidInput("voting.err.time")


# ---- amendments ------------------------------------------------------------------------------------


async def show_amendments(ctx: Context, meeting_id: int) -> None:
    meeting = await meetings.meeting(ctx.uow, ctx.community.id or 0, meeting_id)
    pending = await meetings.amendments(ctx.uow, ctx.community.id or 0, meeting_id, pending_only=True)
    lines = [ctx.t("voting.amendments.title", title=esc(meeting.title), count=len(pending))]
    rows: Keyboard = []
    for amendment in pending[:5]:
        item = meeting.item(amendment.item_id)
        lines.append(ctx.t("voting.amendments.line", id=amendment.id, position=item.position + 1,
                           text=esc(clip(amendment.text, 500))))
        rows.append([ctx.button(ctx.t(rules.key("decide", d), id=amendment.id), DecideAmendment(amendment.id, d))
                     for d in ("accepted", "merged", "rejected")])
    rows.append([ctx.button(ctx.t("voting.btn.desk"), MeetingDesk(meeting_id))])
    ctx.show("\n\n".join(lines), rows)


@router.committee_button(DecideAmendment)
async def decide_amendment(ctx: Context, tap: DecideAmendment) -> None:
    if tap.decision not in ("accepted", "merged", "rejected"):
        raise StaleButton()
    if tap.decision == "accepted":
        await _decide(ctx, tap.amendment_id, "accepted")
        return
    await ctx.set_form(DECIDE, tap.decision, {"amendment": tap.amendment_id})
    ctx.toast()
    ctx.say(ctx.t(rules.key("decide", f"ask_{tap.decision}"), id=tap.amendment_id))


@router.form(DECIDE, committee=True)
async def decide_input(ctx: Context) -> None:
    state = ctx.require_form(DECIDE)
    text = ctx.incoming.text or ""
    await _decide(ctx, int(state.data["amendment"]), state.step,
                  reason=text if state.step == "rejected" else None, text=text if state.step == "merged" else None)


async def _decide(ctx: Context, amendment_id: int, decision: str, *, reason: str | None = None,
                  text: str | None = None) -> None:
    decided = await meetings.decide_amendment(ctx.uow, community_id=ctx.community.id or 0, amendment_id=amendment_id,
                                              decision=decision, by=ctx.resident.id if ctx.resident else None,
                                              now=ctx.now(), reason=reason, text=text)
    await ctx.clear_form()
    meeting = await meetings.meeting(ctx.uow, ctx.community.id or 0, decided.meeting_id)
    ctx.tell(await meeting_notices.amendment_decided(ctx.uow, meeting, decided))
    ctx.toast(ctx.t("voting.decide.done"))
    ctx.say(ctx.t(rules.key("decide", f"done_{decision}"), id=amendment_id, version=decided.version or 0))
    await show_amendments(ctx, decided.meeting_id)


# ---- creating a meeting: kind → mode → title → items (kind, title, text, options, k, matter, secret, topic)
# ---- → times → preview → create ------------------------------------------------------------------------


@router.committee_button(NewMeeting)
async def new_meeting(ctx: Context, tap: NewMeeting) -> None:
    state = await ctx.set_form(NEW, "kind", {"items": []})
    ctx.toast()
    ctx.say(ctx.t("voting.new.kind"), [[ctx.button(ctx.t(rules.key("kind", k.value)), PickKind(state.ref, k))]
                                       for k in MeetingKind])


def _at(ctx: Context, form: str, step: str) -> dict[str, Any]:
    state = ctx.require_form(NEW, form)
    if state.step != step:
        raise StaleButton()
    ctx.toast()
    return state.data


async def _step(ctx: Context, data: dict[str, Any], step: str) -> None:
    state = await ctx.set_form(NEW, step, data)
    form, kind = state.ref, MeetingKind(data["kind"]) if "kind" in data else None
    if step == "mode":
        assert kind is not None
        ctx.say(ctx.t("voting.new.mode"), [[ctx.button(ctx.t(rules.key("mode", m.value)), PickMode(form, m))]
                                           for m in rules.MODES_OF[kind]])
    elif step == "title":
        ctx.say(ctx.t("voting.new.title", limit=rules.TITLE_LIMIT))
    elif step == "item_kind":
        assert kind is not None
        choices = ITEM_KINDS[kind]
        if len(choices) == 1:
            data["cur"] = {"kind": choices[0].value}
            await _step(ctx, data, "item_title")
            return
        ctx.say(ctx.t("voting.new.item_kind", position=len(data["items"]) + 1),
                [[ctx.button(ctx.t(rules.key("item", k.value), k="k"), PickItemKind(form, k))] for k in choices])
    elif step == "item_title":
        ctx.say(ctx.t("voting.new.item_title", position=len(data["items"]) + 1, limit=rules.TITLE_LIMIT))
    elif step == "item_text":
        ctx.say(ctx.t("voting.new.item_text", limit=rules.TEXT_LIMIT))
    elif step == "options":
        key = "voting.new.candidates" if data["cur"]["kind"] == ItemKind.ELECTION.value else "voting.new.options"
        ctx.say(ctx.t(key, limit=rules.OPTION_LIMIT))
    elif step == "k":
        key = "voting.new.seats" if data["cur"]["kind"] == ItemKind.ELECTION.value else "voting.new.k"
        ctx.say(ctx.t(key, count=len(data["cur"]["options"])))
    elif step == "matter":
        ctx.say(ctx.t("voting.new.matter"),
                [[ctx.button(f"({n}) " + ctx.t(rules.key("matter", n)), PickMatter(form, n))] for n in range(1, 10)])
    elif step == "secret":
        election = data["cur"]["kind"] == ItemKind.ELECTION.value
        order = (True, False) if election else (False, True)
        ctx.say(ctx.t("voting.new.secret"),
                [[ctx.button(ctx.t("voting.item.secret" if s else "voting.item.open"), PickSecret(form, s))]
                 for s in order])
    elif step == "topic":
        ctx.say(ctx.t("voting.new.topic"), [[ctx.button(ctx.t("voting.new.skip"), SkipStep(form))]])
    elif step == "more":
        ctx.say(ctx.t("voting.new.more", count=len(data["items"])),
                [[ctx.button(ctx.t("voting.new.add_item"), MoreItems(form, True))],
                 [ctx.button(ctx.t("voting.new.done_items"), MoreItems(form, False))]])
    elif step == "times":
        ctx.say(ctx.t("voting.new.times"))
    elif step == "preview":
        draft = _draft(ctx, data)
        lines = [ctx.t("voting.new.preview", title=esc(draft.title), kind=ctx.t(rules.key("kind", draft.kind.value)),
                       mode=ctx.t(rules.key("mode", draft.mode.value)), opens=view.when(ctx, draft.opens_at),
                       closes=view.when(ctx, draft.closes_at))]
        for position, item in enumerate(draft.items):
            lines.append(ctx.t("voting.new.preview_item", position=position + 1, title=esc(item.title),
                               kind=ctx.t(rules.key("item", item.kind.value), k=item.max_marks),
                               secret=ctx.t("voting.item.secret" if item.secret else "voting.item.open"),
                               options=esc("、".join(item.options)) or "—"))
        ctx.say("\n\n".join(lines), [[ctx.button(ctx.t("voting.new.create"), CreateMeeting(form))]])


@router.button(PickKind, committee=True)
async def pick_kind(ctx: Context, tap: PickKind) -> None:
    data = _at(ctx, tap.form, "kind")
    data["kind"] = tap.kind.value
    modes = rules.MODES_OF[tap.kind]
    if len(modes) == 1:
        data["mode"] = modes[0].value
        await _step(ctx, data, "title")
    else:
        await _step(ctx, data, "mode")


@router.button(PickMode, committee=True)
async def pick_mode(ctx: Context, tap: PickMode) -> None:
    data = _at(ctx, tap.form, "mode")
    rules.check_mode(MeetingKind(data["kind"]), tap.mode)
    data["mode"] = tap.mode.value
    await _step(ctx, data, "title")


@router.button(PickItemKind, committee=True)
async def pick_item_kind(ctx: Context, tap: PickItemKind) -> None:
    data = _at(ctx, tap.form, "item_kind")
    if tap.kind not in ITEM_KINDS[MeetingKind(data["kind"])]:
        raise StaleButton()
    data["cur"] = {"kind": tap.kind.value}
    await _step(ctx, data, "item_title")


@router.button(PickMatter, committee=True)
async def pick_matter(ctx: Context, tap: PickMatter) -> None:
    data = _at(ctx, tap.form, "matter")
    if not 1 <= tap.matter <= 9:
        raise StaleButton()
    data["cur"]["matter"] = tap.matter
    data["cur"]["secret"] = False  # owners' votes are counted by area: open ballots
    await _step(ctx, data, "topic")


@router.button(PickSecret, committee=True)
async def pick_secret(ctx: Context, tap: PickSecret) -> None:
    data = _at(ctx, tap.form, "secret")
    data["cur"]["secret"] = tap.secret
    await _step(ctx, data, "topic")


@router.button(SkipStep, committee=True)
async def skip_step(ctx: Context, tap: SkipStep) -> None:
    data = _at(ctx, tap.form, "topic")
    await _finish_item(ctx, data)


@router.button(MoreItems, committee=True)
async def more_items(ctx: Context, tap: MoreItems) -> None:
    data = _at(ctx, tap.form, "more")
    await _step(ctx, data, "item_kind" if tap.more else "times")


@router.button(CreateMeeting, committee=True)
async def create_meeting(ctx: Context, tap: CreateMeeting) -> None:
    data = _at(ctx, tap.form, "preview")
    meeting = await meetings.create(ctx.uow, community_id=ctx.community.id or 0,
                                    created_by=ctx.resident.id if ctx.resident else None, draft=_draft(ctx, data),
                                    now=ctx.now())
    await ctx.clear_form()
    ctx.say(ctx.t("voting.new.created", id=meeting.id, title=esc(meeting.title)))
    await show_meeting(ctx, meeting.id, new=True)


async def _finish_item(ctx: Context, data: dict[str, Any]) -> None:
    data["items"].append(data.pop("cur"))
    _draft(ctx, data, partial=True)  # check the item now, while the committee still has it in mind
    await _step(ctx, data, "more")


def _draft(ctx: Context, data: dict[str, Any], *, partial: bool = False) -> Draft:
    kind = MeetingKind(data["kind"])
    items = tuple(DraftItem(kind=ItemKind(i["kind"]), title=i["title"], text=i.get("text", ""),
                            options=tuple(i.get("options", ())), max_marks=int(i.get("k", 1)),
                            secret=bool(i.get("secret", False)), matter=i.get("matter"), topic_id=i.get("topic"))
                  for i in data["items"])
    for item in items:
        rules.check_item(kind, item.kind, item.options, item.max_marks, item.matter, item.secret)
    closes = data.get("closes")
    opens = data.get("opens")
    from datetime import datetime

    return Draft(kind, Mode(data["mode"]), data.get("title", ""), items,
                 datetime.fromisoformat(opens) if opens else None,
                 datetime.fromisoformat(closes) if closes and not partial else None)


@router.form(NEW, committee=True)
async def new_input(ctx: Context) -> None:
    state = ctx.require_form(NEW)
    data, step, text = state.data, state.step, (ctx.incoming.text or "").strip()
    if ctx.incoming.attachment is not None or not text:
        raise InvalidInput("errors.text_expected")
    if step == "title":
        if len(text) > rules.TITLE_LIMIT:
            raise InvalidInput("voting.err.title", limit=rules.TITLE_LIMIT)
        data["title"] = text
        await _step(ctx, data, "item_kind")
    elif step == "item_title":
        if len(text) > rules.TITLE_LIMIT:
            raise InvalidInput("voting.err.title", limit=rules.TITLE_LIMIT)
        data["cur"]["title"] = text
        await _step(ctx, data, "item_text")
    elif step == "item_text":
        if len(text) > rules.TEXT_LIMIT:
            raise InvalidInput("voting.err.text", limit=rules.TEXT_LIMIT)
        data["cur"]["text"] = text
        await _step(ctx, data, "matter" if data["cur"]["kind"] == ItemKind.MOTION.value
                    and data["kind"] == MeetingKind.OWNERS.value
                    else "secret" if data["cur"]["kind"] == ItemKind.MOTION.value else "options")
    elif step == "options":
        options = [line.strip() for line in text.replace("、", "\n").split("\n") if line.strip()]
        data["cur"]["options"] = options
        if data["cur"]["kind"] == ItemKind.SINGLE.value:
            rules.check_item(MeetingKind(data["kind"]), ItemKind.SINGLE, tuple(options), 1, None, False)
            await _step(ctx, data, "secret")
        else:
            await _step(ctx, data, "k")
    elif step == "k":
        if not text.isdigit():
            raise InvalidInput("voting.err.number")
        data["cur"]["k"] = int(text)
        cur = data["cur"]
        rules.check_item(MeetingKind(data["kind"]), ItemKind(cur["kind"]), tuple(cur["options"]), int(text), None,
                         False)
        await _step(ctx, data, "secret")
    elif step == "topic":
        number = text.lstrip("#")
        if not number.isdigit():
            raise InvalidInput("voting.err.number")
        data["cur"]["topic"] = int(number)
        await _finish_item(ctx, data)
    elif step == "times":
        opens, closes = _times(ctx, text)
        meetings.check_times(opens, closes, ctx.now())
        data["opens"] = opens.isoformat() if opens else None
        data["closes"] = closes.isoformat()
        await _step(ctx, data, "preview")
    else:
        ctx.say(ctx.t("start.use_buttons"))
