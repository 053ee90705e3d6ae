"""Proposing a topic: title → description → category → optional photo → preview (similar topics) → confirm.

Buttons: ``tf:<action>:<form version>:…``; a button from an older step of the form is stale.
"""

from __future__ import annotations

from core import topics as rules
from core.errors import InvalidInput, StaleButton
from handlers import topics_view as view
from handlers.context import Context
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import clip, esc
from storage import topic_lists, topics

router = Router("topic_proposal")

FLOW = "topic_new"
FIELDS = {"t": "title", "d": "description", "c": "category", "p": "photo"}


@router.command("propose", verified=True)
async def propose_command(ctx: Context) -> None:
    await start(ctx)


async def start(ctx: Context) -> None:
    await topics.check_may_propose(ctx.session, ctx.community, ctx.resident, ctx.now())
    await ctx.set_form(FLOW, "title", {})
    ctx.toast()
    ctx.say(ctx.t("topics.form.intro") + "\n\n" + ctx.t("topics.form.ask_title", limit=rules.TITLE_LIMIT))


@router.form(FLOW, verified=True)
async def proposal_input(ctx: Context) -> None:
    state = ctx.require_form(FLOW)
    data = state.data
    if state.step in ("title", "description") and ctx.incoming.attachment is not None:
        raise InvalidInput("errors.text_expected")
    if state.step == "title":
        data["title"] = rules.check_title(ctx.incoming.text)
        await _next(ctx, data, "description")
    elif state.step == "description":
        data["description"] = rules.check_text(ctx.incoming.text, rules.DESCRIPTION_LIMIT)
        await _next(ctx, data, "category")
    elif state.step == "photo":
        attachment = ctx.incoming.attachment
        if attachment is None:
            raise InvalidInput("topics.err.photo_expected")
        if attachment.kind != "photo":
            raise InvalidInput("topics.err.photo_document")
        data["photo"] = attachment.file_id
        await _next(ctx, data, "preview")
    else:
        ctx.say(ctx.t("start.use_buttons"))


async def _next(ctx: Context, data: dict, step: str) -> None:
    """Move on to ``step``; while editing one field from the preview, go straight back to the preview."""
    if data.get("editing") and step != "preview":
        step = "preview"
    state = await ctx.set_form(FLOW, step, data)
    await _ask(ctx, step, data, state.version)


async def _ask(ctx: Context, step: str, data: dict, version: int) -> None:
    editing = bool(data.get("editing"))
    if step == "title":
        current = "\n\n" + ctx.t("topics.form.current", value=esc(data["title"])) if editing else ""
        ctx.show(ctx.t("topics.form.ask_title", limit=rules.TITLE_LIMIT) + current)
    elif step == "description":
        current = ("\n\n" + ctx.t("topics.form.current", value=esc(clip(data["description"], 1500)))
                   if editing else "")
        ctx.show(ctx.t("topics.form.ask_description", limit=rules.DESCRIPTION_LIMIT) + current)
    elif step == "category":
        found = await topics.categories(ctx.session, ctx.community.id or 0)
        buttons = [ctx.button(c.name(ctx.lang), "tf", "cat", version, c.id) for c in found]
        ctx.show(ctx.t("topics.form.ask_category"), [buttons[i:i + 2] for i in range(0, len(buttons), 2)][:7])
    elif step == "photo":
        ctx.show(ctx.t("topics.form.ask_photo"),
                 [[ctx.button(ctx.t("topics.form.skip_photo"), "tf", "skip", version)]])
    else:
        await _preview(ctx, data, version)


async def _preview(ctx: Context, data: dict, version: int) -> None:
    category = await topics.get_category(ctx.session, ctx.community.id or 0, int(data["category"]))
    similar = await topic_lists.similar_open(ctx.session, ctx.community.id or 0, data["title"])
    lines = [ctx.t("topics.form.preview", title=esc(data["title"]), category=esc(category.name(ctx.lang)),
                   description=esc(clip(data["description"], 1500)),
                   photo=ctx.t("common.yes" if data.get("photo") else "common.no"))]
    rows: Keyboard = [[ctx.button(ctx.t("topics.form.submit"), "tf", "ok", version)],
                      [ctx.button(ctx.t("common.edit"), "tf", "edit", version),
                       ctx.button(ctx.t("common.cancel"), "tf", "no", version)]]
    if similar:
        lines.append("")
        lines.append(ctx.t("topics.form.similar"))
        for topic, _ in similar:
            lines.append(ctx.t("topics.form.similar_line", id=topic.id, title=esc(topic.title),
                               status=view.status_label(ctx, topic.status)))
            rows.append([ctx.button(ctx.t("topics.form.similar_open", id=topic.id,
                                          title=clip(topic.title, view.TITLE_IN_BUTTON)), "tp", "c", topic.id)])
    ctx.show("\n".join(lines), rows)


@router.button("tf", verified=True)
async def proposal_button(ctx: Context) -> None:
    assert ctx.payload is not None
    action = ctx.payload.str(0)
    if action == "new":
        await start(ctx)
        return
    state = ctx.require_form(FLOW, ctx.payload.int(1))
    data = state.data
    ctx.toast()
    if action == "cat" and state.step == "category":
        category = await topics.get_category(ctx.session, ctx.community.id or 0, ctx.payload.int(2))
        if not category.active:
            raise topics.CategoryUnavailable()
        data["category"] = category.id
        await _next(ctx, data, "photo")
    elif action == "skip" and state.step == "photo":
        data.pop("photo", None)
        await _next(ctx, data, "preview")
    elif action == "edit" and state.step == "preview":
        ctx.show(ctx.t("topics.form.edit_which"), [
            [ctx.button(ctx.t("topics.form.field_title"), "tf", "ed", state.version, "t"),
             ctx.button(ctx.t("topics.form.field_description"), "tf", "ed", state.version, "d")],
            [ctx.button(ctx.t("topics.form.field_category"), "tf", "ed", state.version, "c"),
             ctx.button(ctx.t("topics.form.field_photo"), "tf", "ed", state.version, "p")],
            [ctx.button(ctx.t("menu.back"), "tf", "back", state.version)],
        ])
    elif action == "back" and state.step == "preview":
        await _preview(ctx, data, state.version)
    elif action == "ed" and state.step == "preview":
        field = FIELDS.get(ctx.payload.str(2))
        if field is None:
            raise StaleButton()
        data["editing"] = True
        state = await ctx.set_form(FLOW, field, data)
        await _ask(ctx, field, data, state.version)
    elif action == "ok" and state.step == "preview":
        await _submit(ctx, data)
    elif action == "no":
        await ctx.clear_form()
        ctx.show(ctx.t("topics.form.cancelled"))
    else:
        raise StaleButton()


async def _submit(ctx: Context, data: dict) -> None:
    outcome = await topics.propose(ctx.session, community=ctx.community, proposer=ctx.resident,
                                   title=data["title"], description=data["description"],
                                   category_id=int(data["category"]), photo_file_id=data.get("photo"),
                                   now=ctx.now())
    topic = outcome.topic
    await ctx.clear_form()
    category = await topics.get_category(ctx.session, ctx.community.id or 0, topic.category_id)
    await view.alert_committee(ctx, topic, "topics.alert.new", f"tp-new:{topic.id}",
                               category=lambda lang: esc(category.name(lang)),
                               due=view.when(ctx, topic.answer_due_at))
    await view.announce_thresholds(ctx, outcome)
    ctx.show(ctx.t("topics.form.submitted", id=topic.id, title=esc(topic.title),
                   due=view.when(ctx, topic.answer_due_at)),
             [[ctx.button(ctx.t("topics.btn.open"), "tp", "c", topic.id)],
              [ctx.button(ctx.t("topics.btn.home"), "tp", "home")]])
