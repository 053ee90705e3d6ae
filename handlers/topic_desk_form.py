"""The committee's typed input on the topic desk (answers, reasons, names, numbers) and the desk's topic card.

A member pressing a desk button in the committee's group chat continues in the private chat: forms are per
user and chat, and the group is no place to type an answer.
"""

from __future__ import annotations

from typing import Any

from core import topics as rules
from core.topics import TopicStatus, can_move
from handlers import topics_view as view
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import DeskHome
from handlers.port import Keyboard
from storage import conversations
from storage.councils import NAME_LIMIT
from storage.topic_cards import card
from storage.topics import TopicView

FORM = "topic_desk"  # text the committee confirms before it is published (answers, reasons)
# what the typed text is for → (prompt key, limit)
PROMPTS: dict[str, tuple[str, int]] = {
    "answer": ("topics.desk.ask_answer", rules.ANSWER_LIMIT),
    "decline": ("topics.desk.ask_decline", rules.REASON_LIMIT),
    "resolve": ("topics.desk.ask_resolve", rules.ANSWER_LIMIT),
    "hide": ("topics.desk.ask_hide", rules.REASON_LIMIT),
    "hidec": ("topics.desk.ask_hide_comment", rules.REASON_LIMIT),
    "demand": ("topics.desk.ask_demand", rules.REASON_LIMIT),
    "council": ("topics.desk.ask_council", NAME_LIMIT),
    "catnew": ("topics.desk.ask_category", rules.CATEGORY_NAME_LIMIT),
    "catname": ("topics.desk.ask_category", rules.CATEGORY_NAME_LIMIT),
    "setting": ("topics.desk.ask_setting", 0),
    "member": ("topics.desk.ask_member", 0),
}


class DeskAction(Tap, prefix="qd"):
    """Answer, decline, resolve or hide a topic: asks for the text first."""

    topic_id: int
    do: str


async def ask(ctx: Context, data: dict[str, Any], *, flow: str = FORM, **params: object) -> None:
    """Open the desk form ``flow`` for ``data["do"]``; from a group chat it continues in the private chat."""
    key, limit = PROMPTS[data["do"]]
    prompt = ctx.t(key, limit=limit, **params)
    if ctx.in_private:
        await ctx.set_form(flow, "text", data)
        ctx.toast()
        ctx.say(prompt)
    else:
        await conversations.save_form(ctx.uow, ctx.user_id, ctx.user_id, flow, "text", data, ctx.now())
        ctx.toast(ctx.t("topics.desk.see_private"), alert=True)
        ctx.say(prompt, chat_id=ctx.user_id)


async def show_desk_card(ctx: Context, topic_id: int, *, new_message: bool = False) -> None:
    """The card as the committee sees it (proposer, hidden reason, who did what) with the allowed actions."""
    shown = await card(ctx.uow, ctx.community, topic_id, ctx.resident, committee=True)
    text, buttons = view.card_text(ctx, shown, committee=True), desk_buttons(ctx, shown.topic)
    ctx.show(text, buttons, new=new_message)


def desk_buttons(ctx: Context, topic: TopicView) -> Keyboard:
    """Only the moves the status machine allows from here, two to a row."""
    from handlers.councils import PickCouncil
    from handlers.topics_committee import (
        Acknowledge,
        DeskComments,
        DeskTimeline,
        MergePick,
        PutOnAgenda,
        Unhide,
    )

    topic_id, status = topic.id, topic.status

    def button(key: str, tap: Tap) -> Any:
        return ctx.button(ctx.t(key), tap)

    hide = button("topics.desk.hide", DeskAction(topic_id, "hide"))
    rows: Keyboard = []
    if topic.hidden:
        rows.append([button("topics.desk.unhide", Unhide(topic_id))])
    elif topic.is_open:
        first = [button("topics.desk.acknowledge", Acknowledge(topic_id))] if topic.acknowledged_at is None else []
        rows.append([*first, button("topics.desk.answer", DeskAction(topic_id, "answer"))])
        moves = [(TopicStatus.AGENDA, button("topics.desk.agenda", PutOnAgenda(topic_id))),
                 (TopicStatus.COUNCIL, button("topics.desk.refer", PickCouncil(topic_id))),
                 (TopicStatus.MERGED, button("topics.desk.merge", MergePick(topic_id, 0))),
                 (TopicStatus.DECLINED, button("topics.desk.decline", DeskAction(topic_id, "decline"))),
                 (TopicStatus.RESOLVED, button("topics.desk.resolve", DeskAction(topic_id, "resolve")))]
        closing = (TopicStatus.DECLINED, TopicStatus.RESOLVED) if topic.demand_open else ()
        allowed = [b for target, b in moves if can_move(status, target) and target not in closing] + [hide]
        rows += [allowed[i:i + 2] for i in range(0, len(allowed), 2)]
    else:
        rows.append([hide])
    if topic.demand_open:  # a legal demand waits for a meeting or the committee's record, whatever the status
        rows.insert(0, [button("topics.desk.demand_record", DeskAction(topic_id, "demand"))])
    rows.append([button("topics.desk.timeline", DeskTimeline(topic_id)),
                 button("topics.desk.comments", DeskComments(topic_id, 0))])
    rows.append([ctx.button(ctx.t("topics.desk.back"), DeskHome())])
    return rows
