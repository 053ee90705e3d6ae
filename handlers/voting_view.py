"""Rendering votes: a meeting's header, an item, a ballot's summary, results (the same catalog texts the notices
use, rendered here for the person looking)."""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

from core import voting as rules
from core.notices import Bilingual, Clipped, Label, Labels, Lines, Param, When
from core.voting import Status, bits
from handlers.budget import Page
from handlers.context import Context
from handlers.text import clip, esc, local_time
from storage import meeting_notices
from storage.meetings import ItemView, MeetingView, Published

TEXT_SHOWN = 600


def render(ctx: Context, value: Param) -> str:
    """A notice parameter in the viewer's language (user text escaped), as the notifier renders it."""
    match value:
        case bool() | int() | float():
            return str(value)
        case str():
            return html.escape(value, quote=False)
        case Clipped(text=text, limit=limit):
            return esc(clip(text, limit))
        case Bilingual(zh=zh, en=en):
            return esc(zh if ctx.lang.startswith("zh") else en)
        case Label(key=key, params=params):
            return ctx.t(key, **{name: render(ctx, v) for name, v in params})
        case Labels(keys=keys, separator_key=separator):
            return ("\n" if separator is None else ctx.t(separator)).join(ctx.t(k) for k in keys)
        case When(moment=moment, format=fmt):
            return moment.astimezone(ZoneInfo(ctx.community.timezone)).strftime(fmt)
        case Lines(items=items, joiner=joiner):
            return joiner.join(render(ctx, item) for item in items)
    raise TypeError(f"unknown parameter {value!r}")  # pragma: no cover


def when(ctx: Context, moment: object) -> str:
    from datetime import datetime

    return local_time(moment, ctx.community.timezone) if isinstance(moment, datetime) else "—"


def header(ctx: Context, meeting: MeetingView) -> str:
    lines = [ctx.t("voting.meeting.title", id=meeting.id, title=esc(meeting.title)),
             ctx.t("voting.meeting.meta", kind=ctx.t(rules.key("kind", meeting.kind.value)),
                   mode=ctx.t(rules.key("mode", meeting.mode.value)),
                   status=ctx.t(rules.key("status", meeting.status))),
             ctx.t("voting.meeting.rule", rule=render(ctx, Label(meeting.rules.key)),
                   quorum=render(ctx, meeting_notices.threshold_label(meeting.rules.quorum)),
                   passing=render(ctx, meeting_notices.threshold_label(meeting.rules.passing)))]
    if meeting.status in (Status.DISCUSSION, Status.OPEN, Status.DRAFT):
        lines.append(ctx.t("voting.meeting.times", opens=when(ctx, meeting.opens_at),
                           closes=when(ctx, meeting.closes_at)))
    if meeting.void_rounds and meeting.postpone_reason:
        lines.append(ctx.t("voting.meeting.postponed", rounds=meeting.void_rounds,
                           reason=esc(clip(meeting.postpone_reason, 300))))
    return "\n".join(lines)


def option_name(ctx: Context, item: ItemView, position: int) -> str:
    return render(ctx, meeting_notices.option_label(item, position))


def item_text(ctx: Context, item: ItemView, *, full: bool = False) -> str:
    kind = ctx.t(rules.key("item", item.kind.value), k=item.max_marks)
    secret = ctx.t("voting.item.secret" if item.secret else "voting.item.open")
    matter = ctx.t("voting.item.matter", n=item.matter, name=ctx.t(rules.key("matter", item.matter))) \
        if item.matter else ""
    return ctx.t("voting.item.head", position=item.position + 1, title=esc(item.title), kind=kind, secret=secret,
                 version=item.version, matter=matter) + "\n" + esc(clip(item.text, 3000 if full else TEXT_SHOWN))


def meeting_text(ctx: Context, meeting: MeetingView, extra: list[str] | None = None) -> str:
    page = Page()
    page.extend([header(ctx, meeting), ""])
    for item in meeting.items:
        page.add(item_text(ctx, item))
        page.add("")
    for line in extra or []:
        page.add(line)
    return page.text(lambda n: ctx.t("common.more", count=n)).strip()


def summary(ctx: Context, item: ItemView, marks: int) -> str:
    chosen = [option_name(ctx, item, p) for p in bits(marks) if p < len(item.options)]
    return ctx.t("voting.ballot.summary", choice="、".join(chosen) if chosen else "—", count=len(chosen),
                 k=item.max_marks)


def results_text(ctx: Context, published: Published) -> str:
    page = Page()
    page.extend([header(ctx, published.meeting), ""])
    for item, result in published.results:
        page.add(render(ctx, meeting_notices.result_lines(item, result)))
        page.add("")
    if published.turnout is not None:
        page.add(render(ctx, meeting_notices.turnout_lines(published.turnout)))
    if published.head:
        page.add("")
        page.add(render(ctx, meeting_notices.record_lines(published.head)))
    return page.text(lambda n: ctx.t("common.more", count=n)).strip()
