"""Rendering shared by the resident and committee sides of topics: the card, lists, notices and alerts.

Every user-supplied part is clipped, then escaped; each message is filled by measured length
(``handlers.budget``), so none exceeds Telegram's 4,096 characters whatever residents type.
"""

from __future__ import annotations

from collections.abc import Callable

from core.topics import LegalRule, TopicStatus, fifth_needed, reaches_agenda
from handlers.budget import Page
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import OpenTopic, TopicsHome
from handlers.port import Button, Keyboard
from handlers.text import clip, esc, local_time
from storage.topic_cards import TopicCard
from storage.topic_comments import CommentView
from storage.topic_lists import Listing, TopicRow
from storage.topics import EventView, TopicView

DESCRIPTION_SHOWN = 700
ANSWER_SHOWN = 700
NOTE_SHOWN = 300
COMMENT_SHOWN = 150
NAME_SHOWN = 24
TITLE_IN_BUTTON = 26
PAGE_SIZE = 6
SHORT = "%m-%d %H:%M"


STATUS_KEYS: dict[str, str] = {
    "submitted": "topics.status.submitted", "review": "topics.status.review", "demanded": "topics.status.demanded",
    "agenda": "topics.status.agenda", "council": "topics.status.council", "merged": "topics.status.merged",
    "declined": "topics.status.declined", "resolved": "topics.status.resolved",
}
RULE_KEYS: dict[str, str] = {LegalRule.ADULTS.value: "topics.rule.adults",
                             LegalRule.HOUSEHOLDS.value: "topics.rule.households"}
EVENT_KEYS: dict[str, str] = {
    "submitted": "topics.ev.submitted", "review": "topics.ev.review", "answered": "topics.ev.answered",
    "agenda": "topics.ev.agenda", "council": "topics.ev.council", "merged": "topics.ev.merged",
    "merged_in": "topics.ev.merged_in", "declined": "topics.ev.declined", "resolved": "topics.ev.resolved",
    "demanded": "topics.ev.demanded", "agenda_reached": "topics.ev.agenda_reached",
    "recommended": "topics.ev.recommended", "hidden": "topics.ev.hidden", "unhidden": "topics.ev.unhidden",
    "demand_met": "topics.ev.demand_met",
    # votes (keys in voting.po): linked to a meeting's item, and its result
    "meeting_linked": "topics.ev.meeting_linked", "vote_passed": "topics.ev.vote_passed",
    "vote_failed": "topics.ev.vote_failed", "vote_done": "topics.ev.vote_done",
}
LIST_TITLES: dict[Listing, str] = {
    Listing.HOT: "topics.list.title_h", Listing.NEW: "topics.list.title_n", Listing.CATEGORY: "topics.list.title_c",
    Listing.MINE: "topics.list.title_m", Listing.SUPPORTED: "topics.list.title_s",
    Listing.SEARCH: "topics.list.title_q", Listing.COUNCIL: "topics.list.title_k",
}


def person(ctx: Context, name: str) -> str:
    """A resident's name for display; someone who deleted their data has none."""
    return esc(clip(name, NAME_SHOWN)) if name else ctx.t("topics.card.former_resident")


def when(ctx: Context, moment: object, fmt: str = SHORT) -> str:
    return local_time(moment, ctx.community.timezone, fmt)  # type: ignore[arg-type]


def status_label(ctx: Context, status: str, lang: str | None = None) -> str:
    return ctx.t_in(lang or ctx.lang, STATUS_KEYS[status])


def rules_text(ctx: Context, label: str | None, lang: str | None = None) -> str:
    parts = [ctx.t_in(lang or ctx.lang, RULE_KEYS[part]) for part in (label or "").split("+") if part in RULE_KEYS]
    return ctx.t_in(lang or ctx.lang, "topics.rule.joiner").join(parts)


def event_line(ctx: Context, kind: str, note: str | None, ref_id: int | None, at: object, actor: str,
               committee: bool) -> str:
    note_text = rules_text(ctx, note) if kind == TopicStatus.DEMANDED.value else esc(clip(note or "", 40))
    what = ctx.t(EVENT_KEYS.get(kind, "topics.ev.submitted"), note=note_text, ref=ref_id or "")
    if committee and actor:
        what += ctx.t("topics.ev.by", actor=esc(clip(actor, NAME_SHOWN)))
    return f"· {when(ctx, at)} {what}"


def demand_counts(ctx: Context, adults: int | None, adult_base: int | None, households: int | None,
                  household_base: int | None, lang: str | None = None) -> str:
    """``成年居民 2/1000，住户 2/10``: the counts a demand was reached under (the adult rule only with a register)."""
    lang = lang or ctx.lang
    adult_part = (f"{adults or 0}/{adult_base}" if adult_base is not None
                  else ctx.t_in(lang, "topics.demand.adults_uncounted"))
    return ctx.t_in(lang, "topics.demand.counts", adults=adult_part, households=households or 0,
                    household_base=household_base or 0)


def _legal_lines(ctx: Context, view: TopicCard) -> list[str]:
    bases, counted = view.bases, view.tally
    lines = [ctx.t("topics.card.legal_title")]
    needed = fifth_needed(bases.adults or 0)
    lines.append(ctx.t("topics.card.legal_adults", count=counted.adults, needed=needed, base=bases.adults)
                 if needed else ctx.t("topics.card.legal_adults_none"))
    needed = fifth_needed(bases.households)
    lines.append(ctx.t("topics.card.legal_households", count=counted.adult_households, needed=needed,
                       base=bases.households) if needed else ctx.t("topics.card.legal_households_none"))
    return lines


def card_text(ctx: Context, view: TopicCard, *, committee: bool = False) -> str:
    topic = view.topic
    category = view.category.name(ctx.lang) if view.category else "—"
    parts = [ctx.t("topics.card.title", id=topic.id, title=esc(topic.title)),
             ctx.t("topics.card.meta", status=status_label(ctx, topic.status), category=esc(category),
                   date=when(ctx, topic.created_at, "%Y-%m-%d"))]
    if committee:
        parts.append(ctx.t("topics.card.proposer", name=person(ctx, view.proposer_name)))
        if topic.hidden:
            parts.append(ctx.t("topics.card.hidden", reason=esc(clip(topic.hidden_reason or "", NOTE_SHOWN))))
    elif view.proposed:
        parts.append(ctx.t("topics.card.mine"))
    parts.append("")
    parts.append(esc(clip(topic.description, DESCRIPTION_SHOWN)))
    if topic.photo_file_id:
        parts.append(ctx.t("topics.card.photo"))
    parts.append("")
    parts.append(ctx.t("topics.card.supports", residents=view.tally.residents, households=view.tally.households))
    if view.agenda_threshold > 0:
        reached = reaches_agenda(view.tally.residents, view.agenda_threshold) or topic.agenda_reached_at
        parts.append(ctx.t("topics.card.agenda_reached" if reached else "topics.card.agenda",
                           count=view.tally.residents, threshold=view.agenda_threshold))
    parts += _legal_lines(ctx, view)
    if topic.meeting_demanded_at is not None:
        parts.append(ctx.t("topics.card.demanded", time=when(ctx, topic.meeting_demanded_at),
                           rule=rules_text(ctx, topic.meeting_demanded_rule),
                           counts=demand_counts(ctx, topic.demand_adults, topic.demand_adult_base,
                                                topic.demand_households, topic.demand_household_base)))
        if topic.demand_note and topic.demand_noted_at:
            parts.append(ctx.t("topics.card.demand_met", time=when(ctx, topic.demand_noted_at),
                               text=esc(clip(topic.demand_note, NOTE_SHOWN))))
        elif committee and topic.demand_open:
            parts.append(ctx.t("topics.card.demand_open"))
    parts.append("")
    if topic.merged_into_id and view.merged_into is not None:
        parts.append(ctx.t("topics.card.merged", id=topic.merged_into_id, title=esc(view.merged_into.title)))
    if view.council_name:
        parts.append(ctx.t("topics.card.council", name=esc(view.council_name)))
    if topic.is_open:
        key = "topics.card.overdue" if topic.overdue(ctx.now()) else "topics.card.due"
        parts.append(ctx.t(key, due=when(ctx, topic.answer_due_at)))
    if topic.answer_text and topic.answered_at:
        late = ctx.t("topics.card.late") if topic.answered_late else ""
        parts.append(ctx.t("topics.card.answer", time=when(ctx, topic.answered_at), late=late,
                           text=esc(clip(topic.answer_text, ANSWER_SHOWN))))
    elif topic.first_answered_at and topic.answered_late:
        parts.append(ctx.t("topics.card.late_close", time=when(ctx, topic.first_answered_at)))
    if topic.decline_reason:
        parts.append(ctx.t("topics.card.decline", text=esc(clip(topic.decline_reason, NOTE_SHOWN))))
    if topic.resolution:
        parts.append(ctx.t("topics.card.resolution", text=esc(clip(topic.resolution, NOTE_SHOWN))))
    if view.recommendations:
        recommendation, council = view.recommendations[0]
        parts.append(ctx.t("topics.card.recommendation", council=esc(council),
                           time=when(ctx, recommendation.created_at), text=esc(clip(recommendation.text, NOTE_SHOWN))))
    if view.events:
        parts.append("")
        parts.append(ctx.t("topics.card.timeline"))
        parts += [event_line(ctx, e.kind, e.note, e.ref_id, e.at, actor, committee) for e, actor in view.events]
    if view.comment_total:
        parts.append("")
        parts.append(ctx.t("topics.card.comments", count=view.comment_total))
        parts += [comment_line(ctx, comment, name) for comment, name in view.comments]
    page = Page()
    page.extend(parts)
    return page.text(more(ctx)).replace("\n\n\n", "\n\n").strip()


def more(ctx: Context) -> Callable[[int], str]:
    """The closing line of a page some lines did not fit on."""
    return lambda count: ctx.t("common.more", count=count)


def comment_parts(ctx: Context, comment: CommentView, name: str,
                  bullet: str = "· ") -> tuple[Callable[[str], str], str]:
    """How a comment's line is rendered around its (escaped) text, and that text."""
    if comment.hidden:
        return (lambda shown: bullet + ctx.t("topics.card.comment_hidden", reason=shown),
                clip(comment.hidden_reason or "", NOTE_SHOWN))
    name_shown, time = person(ctx, name), when(ctx, comment.created_at)
    return (lambda shown: bullet + ctx.t("topics.card.comment", name=name_shown, time=time, text=shown),
            comment.text)


def comment_line(ctx: Context, comment: CommentView, name: str, limit: int = COMMENT_SHOWN,
                 bullet: str = "· ") -> str:
    render, text = comment_parts(ctx, comment, name, bullet)
    return render(esc(clip(text, limit)))


def add_comment(page: Page, ctx: Context, comment: CommentView, name: str, bullet: str) -> bool:
    """A comment in full on a comments page, clipped if the page has no room left for all of it."""
    page.add("")
    return page.add_fitted(*comment_parts(ctx, comment, name, bullet))


def timeline_text(ctx: Context, topic: TopicView, entries: list[tuple[EventView, str]], committee: bool) -> str:
    """The timeline screen: as many events, newest first, as fit."""
    page = Page()
    page.extend([ctx.t("topics.card.title", id=topic.id, title=esc(topic.title)), ctx.t("topics.card.timeline")])
    page.extend([event_line(ctx, e.kind, e.note, e.ref_id, e.at, actor, committee) for e, actor in entries])
    return page.text(more(ctx))


def resident_buttons(ctx: Context, view: TopicCard) -> Keyboard:
    from handlers.topic_comments import ShowComments
    from handlers.topics import RecommendTopic, SupportTopic, TopicFullText, TopicPhoto, TopicTimeline, WithdrawSupport

    topic, topic_id = view.topic, view.topic.id
    rows: Keyboard = []
    if topic.is_open:
        rows.append([ctx.button(ctx.t("topics.btn.withdraw"), WithdrawSupport(topic_id)) if view.supported
                     else ctx.button(ctx.t("topics.btn.support", count=view.tally.residents), SupportTopic(topic_id))])
    rows.append([ctx.button(ctx.t("topics.btn.comments", count=view.comment_total), ShowComments(topic_id, 0)),
                 ctx.button(ctx.t("topics.btn.timeline"), TopicTimeline(topic_id))])
    extra = [ctx.button(ctx.t("topics.btn.full"), TopicFullText(topic_id))]
    if topic.photo_file_id:
        extra.append(ctx.button(ctx.t("topics.btn.photo"), TopicPhoto(topic_id)))
    rows.append(extra)
    if view.council_member:
        rows.append([ctx.button(ctx.t("topics.btn.recommend"), RecommendTopic(topic_id))])
    if topic.merged_into_id:
        rows.append([ctx.button(ctx.t("topics.btn.open_merged", id=topic.merged_into_id),
                                OpenTopic(topic.merged_into_id))])
    rows.append([ctx.button(ctx.t("topics.btn.home"), TopicsHome())])
    return rows


def paging_row(ctx: Context, total: int, page: int, to_page: Callable[[int], Tap],
               size: int = PAGE_SIZE) -> list[Button]:
    """Previous / next buttons; ``to_page(n)`` is the button that shows page ``n``."""
    row = []
    if page > 0:
        row.append(ctx.button(ctx.t("common.prev"), to_page(page - 1)))
    if (page + 1) * size < total:
        row.append(ctx.button(ctx.t("common.next"), to_page(page + 1)))
    return row


def pages(total: int, size: int = PAGE_SIZE) -> int:
    return max((total + size - 1) // size, 1)


def list_text(ctx: Context, title: str, rows: list[TopicRow], total: int, page: int) -> str:
    if not rows:
        return title + "\n\n" + ctx.t("topics.list.empty")
    lines = Page()
    lines.extend([title, ctx.t("topics.list.page", page=page + 1, pages=pages(total), total=total), ""])
    now = ctx.now()
    for row in rows:
        badge = ctx.t("topics.list.overdue") if row.overdue(now) else ""
        lines.add(ctx.t("topics.list.line", id=row.id, title=esc(clip(row.title, 60)),
                        status=status_label(ctx, row.status), supports=row.supports, badge=badge))
    return lines.text(more(ctx))


def topic_button(ctx: Context, row: TopicRow, opener: Callable[[int], Tap]) -> list[Button]:
    return [ctx.button(f"#{row.id} {clip(row.title, TITLE_IN_BUTTON)} · 👍{row.supports}", opener(row.id))]


def listing_title(ctx: Context, listing: Listing, **params: object) -> str:
    return ctx.t(LIST_TITLES[listing], **params)
