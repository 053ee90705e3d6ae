"""The committee's voting rules: the community's thresholds per kind of meeting (the law's by default, a change
confirmed with the law's value named), one meeting's own rule and write-ins before voting opens, and an election's
further round (另行选举) for the seats its first round left unfilled."""

from __future__ import annotations

from core import voting as rules
from core import voting_rules as editing
from core.errors import InvalidInput, StaleButton
from core.notices import Param
from core.voting import ItemKind, MeetingKind, RuleSet
from core.voting_rules import RuleField
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import FurtherRound, MeetingDesk, MeetingRules, MeetingsDesk, VotingRules
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import clip, esc
from handlers.voting_view import render, when
from storage import meeting_notices
from storage import voting_rules as store
from storage.voting_rules import FurtherPlan, KindRule, MeetingRule

router = Router("voting_rules")

FURTHER = "vote_further"
TIE_KEYS = {"runoff": "voting_rules.tie.runoff", "lot": "voting_rules.tie.lot"}
FIXED_KEYS = {MeetingKind.ADVISORY: "voting_rules.fixed.advisory"}
FIELD_KEYS = {
    (MeetingKind.RESIDENTS, RuleField.QUORUM): "voting_rules.field.residents.quorum",
    (MeetingKind.RESIDENTS, RuleField.PASSING): "voting_rules.field.residents.passing",
    (MeetingKind.REPRESENTATIVES, RuleField.QUORUM): "voting_rules.field.representatives.quorum",
    (MeetingKind.REPRESENTATIVES, RuleField.PASSING): "voting_rules.field.representatives.passing",
    (MeetingKind.OWNERS, RuleField.QUORUM): "voting_rules.field.owners.quorum",
    (MeetingKind.ELECTION, RuleField.QUORUM): "voting_rules.field.election.quorum",
    (MeetingKind.ELECTION, RuleField.PASSING): "voting_rules.field.election.passing",
    (MeetingKind.ELECTION, RuleField.FURTHER): "voting_rules.field.election.further",
    (MeetingKind.ELECTION, RuleField.TIE_BREAK): "voting_rules.field.election.tie_break",
}


class KindRules(Tap, prefix="oe"):
    kind: MeetingKind


class PickRule(Tap, prefix="of"):
    """A value chosen for a field (its index among the offered ones), for the community (``meeting_id`` 0) or for
    one meeting: shown for confirmation."""

    kind: MeetingKind
    field: RuleField
    index: int
    meeting_id: int


class ConfirmRule(Tap, prefix="og"):
    kind: MeetingKind
    field: RuleField
    index: int
    meeting_id: int


class ResetRule(Tap, prefix="oh"):
    kind: MeetingKind


class ToggleWriteIn(Tap, prefix="oi"):
    item_id: int
    allowed: bool


class CancelFurther(Tap, prefix="oj"):
    meeting_id: int


# ---- rendering ----------------------------------------------------------------------------------------------


def _value(ctx: Context, field: RuleField, value: str | None) -> str:
    if field is RuleField.TIE_BREAK:
        return ctx.t(TIE_KEYS.get(value or "runoff", TIE_KEYS["runoff"]))
    return render(ctx, meeting_notices.threshold_label(value))


def _field(ctx: Context, kind: MeetingKind, field: RuleField) -> str:
    return ctx.t(FIELD_KEYS[(kind, field)])


def _lines(ctx: Context, kind: MeetingKind, current: RuleSet, law: RuleSet) -> list[str]:
    lines = []
    for field in editing.EDITABLE[kind]:
        now, default = editing.value_of(current, field), editing.value_of(law, field)
        note = "" if now == default else ctx.t("voting_rules.law_was", law=_value(ctx, field, default))
        lines.append(ctx.t("voting_rules.field_line", field=_field(ctx, kind, field), value=_value(ctx, field, now),
                           note=note))
    if not editing.EDITABLE[kind]:
        lines.append(ctx.t(FIXED_KEYS[kind]))
    return lines


def _choice_rows(ctx: Context, kind: MeetingKind, current: RuleSet, meeting_id: int) -> Keyboard:
    rows: Keyboard = []
    for field in editing.EDITABLE[kind]:
        now = editing.value_of(current, field)
        rows.append([ctx.button(("✓ " if value == now else "") + clip(_value(ctx, field, value), 16),
                                PickRule(kind, field, index, meeting_id))
                     for index, value in enumerate(editing.CHOICES[field])])
    return rows


# ---- the community's rules -----------------------------------------------------------------------------------


@router.committee_button(VotingRules)
async def voting_rules(ctx: Context, tap: VotingRules) -> None:
    ctx.toast()
    found = await store.community_rules(ctx.uow, ctx.community.id or 0)
    lines = [ctx.t("voting_rules.title")]
    rows: Keyboard = []
    for kind_rule in found:
        state = ctx.t("voting_rules.own" if kind_rule.own else "voting_rules.law")
        lines += ["", ctx.t("voting_rules.kind_line", kind=ctx.t(rules.key("kind", kind_rule.kind.value)),
                            state=state)]
        lines += _lines(ctx, kind_rule.kind, kind_rule.rules, kind_rule.law)
        if kind_rule.fields:
            rows.append([ctx.button(ctx.t("voting_rules.btn.kind", kind=ctx.t(rules.key("kind", kind_rule.kind.value))),
                                    KindRules(kind_rule.kind))])
    lines += ["", ctx.t("voting_rules.note")]
    rows.append([ctx.button(ctx.t("voting.btn.desk_home"), MeetingsDesk())])
    ctx.show("\n".join(lines), rows)


def _show_kind(ctx: Context, found: KindRule) -> None:
    kind = found.kind
    lines = [ctx.t("voting_rules.kind_title", kind=ctx.t(rules.key("kind", kind.value)),
                   state=ctx.t("voting_rules.own" if found.own else "voting_rules.law"))]
    lines += _lines(ctx, kind, found.rules, found.law)
    lines += ["", ctx.t("voting_rules.pick")]
    rows = _choice_rows(ctx, kind, found.rules, 0)
    if found.own:
        rows.append([ctx.button(ctx.t("voting_rules.btn.reset"), ResetRule(kind))])
    rows.append([ctx.button(ctx.t("menu.back"), VotingRules())])
    ctx.show("\n".join(lines), rows)


@router.committee_button(KindRules)
async def kind_rules(ctx: Context, tap: KindRules) -> None:
    ctx.toast()
    _show_kind(ctx, await store.kind_rule(ctx.uow, ctx.community.id or 0, tap.kind))


@router.committee_button(PickRule)
async def pick_rule(ctx: Context, tap: PickRule) -> None:
    value = editing.choice(tap.field, tap.index)
    if tap.meeting_id:
        found_meeting = await store.meeting_rule(ctx.uow, ctx.community.id or 0, tap.meeting_id)
        if found_meeting.meeting.kind is not tap.kind:
            raise StaleButton()
        current, law = found_meeting.meeting.rules, found_meeting.law
        back: Tap = MeetingRules(tap.meeting_id)
        scope = ctx.t("voting_rules.scope_meeting", id=tap.meeting_id, title=esc(clip(found_meeting.meeting.title, 60)))
    else:
        found = await store.kind_rule(ctx.uow, ctx.community.id or 0, tap.kind)
        current, law, back = found.rules, found.law, KindRules(tap.kind)
        scope = ctx.t("voting_rules.scope_community", kind=ctx.t(rules.key("kind", tap.kind.value)))
    editing.change(tap.kind, current, law, tap.field, value)  # refused now if weaker than the law
    default = editing.value_of(law, tap.field)
    if tap.field is RuleField.TIE_BREAK:
        compared = ""
    elif value == default:
        compared = ctx.t("voting_rules.is_law")
    elif editing.is_stricter(value, default):
        compared = ctx.t("voting_rules.stricter")
    else:
        compared = ctx.t("voting_rules.weaker")
    ctx.toast()
    ctx.show(ctx.t("voting_rules.confirm", scope=scope, field=_field(ctx, tap.kind, tap.field),
                   old=_value(ctx, tap.field, editing.value_of(current, tap.field)),
                   new=_value(ctx, tap.field, value), law=_value(ctx, tap.field, default), compared=compared),
             [[ctx.button(ctx.t("common.confirm"), ConfirmRule(tap.kind, tap.field, tap.index, tap.meeting_id))],
              [ctx.button(ctx.t("common.cancel"), back)]])


@router.committee_button(ConfirmRule)
async def confirm_rule(ctx: Context, tap: ConfirmRule) -> None:
    value = editing.choice(tap.field, tap.index)
    community_id, now = ctx.community.id or 0, ctx.now()
    if tap.meeting_id:
        found_meeting = await store.meeting_rule(ctx.uow, community_id, tap.meeting_id)
        if found_meeting.meeting.kind is not tap.kind:
            raise StaleButton()
        changed = await store.change_meeting_rule(ctx.uow, community_id, tap.meeting_id, tap.field, value,
                                                  actor=ctx.user_id, now=now)
        ctx.toast(ctx.t("voting_rules.saved"))
        _show_meeting_rule(ctx, changed)
        return
    found = await store.change_rule(ctx.uow, community_id, tap.kind, tap.field, value, actor=ctx.user_id, now=now)
    ctx.toast(ctx.t("voting_rules.saved"))
    _show_kind(ctx, found)


@router.committee_button(ResetRule)
async def reset_rule(ctx: Context, tap: ResetRule) -> None:
    found = await store.reset_rule(ctx.uow, ctx.community.id or 0, tap.kind, actor=ctx.user_id, now=ctx.now())
    ctx.toast(ctx.t("voting_rules.saved"))
    _show_kind(ctx, found)


# ---- one meeting's rule and write-ins ------------------------------------------------------------------------


def _show_meeting_rule(ctx: Context, found: MeetingRule) -> None:
    meeting = found.meeting
    lines = [ctx.t("voting_rules.meeting_title", id=meeting.id, title=esc(clip(meeting.title, 60)),
                   kind=ctx.t(rules.key("kind", meeting.kind.value)))]
    lines += _lines(ctx, meeting.kind, meeting.rules, found.law)
    if meeting.rules != found.community:
        lines.append(ctx.t("voting_rules.meeting_own"))
    rows: Keyboard = []
    if found.editable:
        lines += ["", ctx.t("voting_rules.pick_meeting")]
        rows = _choice_rows(ctx, meeting.kind, meeting.rules, meeting.id)
        for item in meeting.items:
            if item.kind is ItemKind.ELECTION and not item.further_round:
                lines.append(ctx.t("voting_rules.write_in_line", position=item.position + 1,
                                   state=ctx.t("voting_rules.write_in.on" if item.write_in
                                               else "voting_rules.write_in.off")))
                rows.append([ctx.button(ctx.t("voting_rules.btn.write_in_off" if item.write_in
                                              else "voting_rules.btn.write_in_on", position=item.position + 1),
                                        ToggleWriteIn(item.id, not item.write_in))])
    else:
        lines += ["", ctx.t("voting_rules.meeting_fixed")]
    rows.append([ctx.button(ctx.t("voting.btn.desk"), MeetingDesk(meeting.id))])
    ctx.show("\n".join(lines), rows)


@router.committee_button(MeetingRules)
async def meeting_rules(ctx: Context, tap: MeetingRules) -> None:
    ctx.toast()
    _show_meeting_rule(ctx, await store.meeting_rule(ctx.uow, ctx.community.id or 0, tap.meeting_id))


@router.committee_button(ToggleWriteIn)
async def toggle_write_in(ctx: Context, tap: ToggleWriteIn) -> None:
    found = await store.set_write_in(ctx.uow, ctx.community.id or 0, tap.item_id, tap.allowed, actor=ctx.user_id,
                                     now=ctx.now())
    ctx.toast(ctx.t("voting_rules.saved"))
    _show_meeting_rule(ctx, found)


# ---- an election's further round ------------------------------------------------------------------------------


def plan_text(ctx: Context, plan: FurtherPlan) -> str:
    items: Param = store.candidate_names(plan)
    rule = plan.meeting.rules
    return ctx.t("voting_rules.further.plan", id=plan.meeting.id, title=esc(clip(plan.meeting.title, 60)),
                 items=render(ctx, items), rule=render(ctx, meeting_notices.threshold_label(rule.further)),
                 tie=ctx.t(TIE_KEYS.get(rule.tie_break, TIE_KEYS["runoff"])))


@router.committee_button(FurtherRound)
async def further_round(ctx: Context, tap: FurtherRound) -> None:
    plan = await store.further_plan(ctx.uow, ctx.community.id or 0, tap.meeting_id)
    if plan.existing is not None:
        raise rules.VoteError("voting_rules.err.further_exists", id=plan.existing)
    if not plan.items:
        raise rules.VoteError("voting_rules.err.nothing_to_fill")
    if not ctx.in_private:
        raise InvalidInput("electorates.err.private_only")
    await ctx.set_form(FURTHER, "times", {"meeting": tap.meeting_id})
    ctx.toast()
    ctx.say(plan_text(ctx, plan) + "\n\n" + ctx.t("voting_rules.further.ask_times"),
            [[ctx.button(ctx.t("common.cancel"), CancelFurther(tap.meeting_id))]])


@router.committee_button(CancelFurther)
async def cancel_further(ctx: Context, tap: CancelFurther) -> None:
    ctx.require_form(FURTHER)
    await ctx.clear_form()
    ctx.toast()
    ctx.show(ctx.t("voting_rules.further.cancelled"), [[ctx.button(ctx.t("voting.btn.desk"),
                                                                   MeetingDesk(tap.meeting_id))]])


@router.form(FURTHER, committee=True)
async def further_times(ctx: Context) -> None:
    state = ctx.require_form(FURTHER)
    found = rules.parse_times(ctx.incoming.text or "", ctx.community.timezone)
    if len(found) not in (1, 2):
        raise InvalidInput("voting.err.time")
    opens, closes = (None, found[0]) if len(found) == 1 else (found[0], found[1])
    started = await store.start_further_round(ctx.uow, ctx.community.id or 0, int(state.data["meeting"]),
                                              opens_at=opens, closes_at=closes, actor=ctx.user_id,
                                              created_by=ctx.resident.id if ctx.resident else None, now=ctx.now())
    await ctx.clear_form()
    ctx.tell(*started.notices)
    meeting = started.meeting
    key = "voting_rules.further.opened" if started.opened else "voting_rules.further.scheduled"
    ctx.say(ctx.t(key, id=meeting.id, of=started.plan.meeting.id, opens=when(ctx, meeting.opens_at),
                  closes=when(ctx, meeting.closes_at), count=started.opened.register if started.opened else 0),
            [[ctx.button(ctx.t("voting.btn.desk"), MeetingDesk(meeting.id))]])
