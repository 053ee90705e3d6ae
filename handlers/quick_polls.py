"""Quick polls: a committee member posts an advisory native poll to a group chat; answers are recorded as they come.

``/quickpoll`` in a group chat the bot is in (or in private: for the committee's bound chat) → the question on
the first line and one option per line below (also right after the command) → when it closes (1 hour, 1 day,
3 days, or typed: ``90m``, ``2h``, ``3d``, ``2026-12-01 18:00``) → preview → publish. The poll carries a "close
now" button for the committee; the scheduler closes it at its time (scheduler/quick_poll_jobs.py) and posts the
count. ``poll_answer`` updates reach :func:`answered`: every answer, change and retraction is recorded.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core import quick_polls as rules
from core.errors import DomainError, StaleButton
from handlers.buttons import Tap
from handlers.context import Context
from handlers.port import Keyboard, SendPoll
from handlers.router import Router
from handlers.text import esc, local_time
from storage import quick_poll_notices, quick_polls
from storage.quick_polls import PollView

router = Router("quick_polls")

FLOW = "quickpoll"
GROUP_PATIENCE = timedelta(minutes=15)  # a form left that long in a group is dropped: the group's talk goes on
PRESET_LABELS = {60: "quick_polls.closing.60", 1440: "quick_polls.closing.1440", 4320: "quick_polls.closing.4320"}
assert tuple(PRESET_LABELS) == rules.PRESETS_MINUTES


class PickClosing(Tap, prefix="ga"):
    form: str
    minutes: int  # one of rules.PRESETS_MINUTES; 0: type it


class PublishPoll(Tap, prefix="gb"):
    form: str


class CancelPoll(Tap, prefix="gc"):
    form: str


class StopQuickPoll(Tap, prefix="gd"):
    """On the poll itself: a committee member closes it now."""

    poll_id: int


class NoPollChat(DomainError):
    key = "quick_polls.err.no_chat"


@router.command("quickpoll", committee=True, groups=True)
async def quickpoll(ctx: Context) -> None:
    chat = ctx.chat_id if not ctx.in_private else ctx.community.committee_chat_id
    if chat is None:
        raise NoPollChat()
    data: dict = {"chat": chat}
    if ctx.incoming.args:
        await _drafted(ctx, data, ctx.incoming.args)
        return
    state = await ctx.set_form(FLOW, "draft", data)
    ctx.say(ctx.t("quick_polls.ask_draft", low=rules.MIN_OPTIONS, high=rules.MAX_OPTIONS,
                  limit=rules.QUESTION_LIMIT), _cancel_only(ctx, state.ref))


@router.form(FLOW, committee=True, groups=True)
async def poll_input(ctx: Context) -> None:
    state = ctx.require_form(FLOW)
    data = state.data
    if not ctx.in_private and ctx.now() - state.updated_at > GROUP_PATIENCE:
        await ctx.clear_form()  # abandoned: what the member says in the group now is not a poll
        return
    if state.step == "draft":
        await _drafted(ctx, data, ctx.incoming.text)
    elif state.step == "custom":
        closes_at = rules.parse_closing(ctx.incoming.text, ctx.now(), ctx.community.timezone)
        await _preview(ctx, data, closes_at)
    elif ctx.in_private:  # in a group, other talk goes on while the form waits for a button
        ctx.say(ctx.t("start.use_buttons"))


async def _drafted(ctx: Context, data: dict, text: str | None) -> None:
    draft = rules.parse_draft(text)
    data.update(question=draft.question, options=list(draft.options))
    state = await ctx.set_form(FLOW, "closing", data)
    form = state.ref
    presets = [ctx.button(ctx.t(PRESET_LABELS[minutes]), PickClosing(form, minutes))
               for minutes in rules.PRESETS_MINUTES]
    ctx.show(ctx.t("quick_polls.ask_closing", question=esc(draft.question), count=len(draft.options)),
             [presets, [ctx.button(ctx.t("quick_polls.closing.custom"), PickClosing(form, 0))],
              [ctx.button(ctx.t("common.cancel"), CancelPoll(form))]])


def _cancel_only(ctx: Context, form: str) -> Keyboard:
    return [[ctx.button(ctx.t("common.cancel"), CancelPoll(form))]]


def _at(ctx: Context, form: str, step: str) -> dict:
    """The form's data if the button belongs to this form at ``step``; else the button is stale."""
    state = ctx.require_form(FLOW, form)
    if state.step != step:
        raise StaleButton()
    ctx.toast()
    return state.data


@router.button(PickClosing, committee=True, groups=True)
async def pick_closing(ctx: Context, tap: PickClosing) -> None:
    data = _at(ctx, tap.form, "closing")
    if tap.minutes == 0:
        state = await ctx.set_form(FLOW, "custom", data)
        ctx.show(ctx.t("quick_polls.ask_custom", low=int(rules.SHORTEST.total_seconds() // 60),
                       high=rules.LONGEST.days), _cancel_only(ctx, state.ref))
        return
    if tap.minutes not in rules.PRESETS_MINUTES:
        raise StaleButton()
    await _preview(ctx, data, rules.closing_after(tap.minutes, ctx.now()))


async def _preview(ctx: Context, data: dict, closes_at: datetime) -> None:
    data["closes_at"] = closes_at.isoformat()
    state = await ctx.set_form(FLOW, "preview", data)
    where = ctx.t("quick_polls.where.here" if data["chat"] == ctx.chat_id else "quick_polls.where.committee")
    options = "\n".join(f"{number}. {esc(option)}" for number, option in enumerate(data["options"], 1))
    ctx.show(ctx.t("quick_polls.preview", question=esc(data["question"]), options=options, where=where,
                   closes=local_time(closes_at, ctx.community.timezone)),
             [[ctx.button(ctx.t("quick_polls.publish"), PublishPoll(state.ref)),
               ctx.button(ctx.t("common.cancel"), CancelPoll(state.ref))]])


@router.button(PublishPoll, committee=True, groups=True)
async def publish(ctx: Context, tap: PublishPoll) -> None:
    data = _at(ctx, tap.form, "preview")
    assert ctx.resident is not None and ctx.resident.id is not None  # the committee guard saw to it
    group_language = ctx.options.default_language  # a group chat reads the community's default language

    def message(poll: PollView) -> SendPoll:
        stop = ctx.button(ctx.t_in(group_language, "quick_polls.stop"), StopQuickPoll(poll.id))
        return SendPoll(poll.chat_id, esc(poll.question), poll.options, anonymous=False, buttons=[[stop]])

    poll = await quick_polls.post(ctx.uow, community_id=ctx.community.id or 0, chat_id=int(data["chat"]),
                                  draft=rules.Draft(data["question"], tuple(data["options"])),
                                  closes_at=datetime.fromisoformat(data["closes_at"]),
                                  created_by=ctx.resident.id, now=ctx.now(), action=message)
    ctx.queued = True
    await ctx.clear_form()
    ctx.show(ctx.t("quick_polls.posted", question=esc(poll.question),
                   closes=local_time(poll.closes_at, ctx.community.timezone)))


@router.button(CancelPoll, committee=True, groups=True)
async def cancel(ctx: Context, tap: CancelPoll) -> None:
    ctx.require_form(FLOW, tap.form)
    ctx.toast()
    await ctx.clear_form()
    ctx.show(ctx.t("quick_polls.cancelled"))


@router.button(StopQuickPoll, committee=True, groups=True)
async def stop(ctx: Context, tap: StopQuickPoll) -> None:
    assert ctx.resident is not None and ctx.resident.id is not None
    closed = await quick_polls.close_now(ctx.uow, community_id=ctx.community.id or 0, poll_id=tap.poll_id,
                                         closed_by=ctx.resident.id, now=ctx.now())
    ctx.tell(quick_poll_notices.result(closed))
    ctx.queued = True
    ctx.toast(ctx.t("quick_polls.stopped"))


@router.poll_answers()
async def answered(ctx: Context) -> None:
    """An answer, a change or a retraction in one of our polls, from a resident or anyone else in the chat."""
    answer = ctx.incoming.poll_answer
    assert answer is not None
    resident = ctx.resident.id if ctx.resident is not None and ctx.verified else None  # forgotten: not verified
    await quick_polls.record_answer(ctx.uow, community_id=ctx.community.id or 0, resident_id=resident,
                                    telegram_poll_id=answer.poll_id, telegram_user_id=ctx.user_id,
                                    option_ids=answer.option_ids, update_id=ctx.incoming.update_id, now=ctx.now())
