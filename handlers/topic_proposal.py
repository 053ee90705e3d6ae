"""Proposing a topic: title → description → category → optional photo → preview (similar topics) → confirm.

Form buttons carry the form's reference (``ctx.form_ref``); a button from an older step or form is stale.
"""

from __future__ import annotations

from core import topics as rules
from core.errors import InvalidInput, StaleButton
from handlers import topics_view as view
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import OpenTopic, TopicsHome
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import clip, esc
from storage import topic_lists, topics

router = Router("topic_proposal")

FLOW = "topic_new"
FIELDS = ("title", "description", "category", "photo")


class ProposeTopic(Tap, prefix="pn"):
    pass


class PickCategory(Tap, prefix="pc"):
    form: str
    category_id: int


class SkipPhoto(Tap, prefix="pp"):
    form: str


class EditProposal(Tap, prefix="pe"):
    form: str


class BackToPreview(Tap, prefix="pb"):
    form: str


class EditField(Tap, prefix="pf"):
    form: str
    field: str


class SubmitProposal(Tap, prefix="pk"):
    form: str


class CancelProposal(Tap, prefix="px"):
    form: str


@router.command("propose", verified=True)
async def propose_command(ctx: Context) -> None:
    await start(ctx)


async def start(ctx: Context) -> None:
    await topics.may_propose(ctx.uow, ctx.community, ctx.resident, ctx.now())
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
    await _ask(ctx, step, data, state.ref)


async def _ask(ctx: Context, step: str, data: dict, form: str) -> None:
    editing = bool(data.get("editing"))
    if step == "title":
        current = "\n\n" + ctx.t("topics.form.current", value=esc(data["title"])) if editing else ""
        ctx.show(ctx.t("topics.form.ask_title", limit=rules.TITLE_LIMIT) + current)
    elif step == "description":
        current = ("\n\n" + ctx.t("topics.form.current", value=esc(clip(data["description"], 1500)))
                   if editing else "")
        ctx.show(ctx.t("topics.form.ask_description", limit=rules.DESCRIPTION_LIMIT) + current)
    elif step == "category":
        found = await topics.category_list(ctx.uow, ctx.community.id)
        buttons = [ctx.button(c.name(ctx.lang), PickCategory(form, c.id)) for c in found]
        ctx.show(ctx.t("topics.form.ask_category"), [buttons[i:i + 2] for i in range(0, len(buttons), 2)][:7])
    elif step == "photo":
        ctx.show(ctx.t("topics.form.ask_photo"),
                 [[ctx.button(ctx.t("topics.form.skip_photo"), SkipPhoto(form))]])
    else:
        await _preview(ctx, data, form)


async def _preview(ctx: Context, data: dict, form: str) -> None:
    category = await topics.category(ctx.uow, ctx.community.id, int(data["category"]))
    similar = await topic_lists.similar_open(ctx.uow, ctx.community.id, data["title"])
    lines = [ctx.t("topics.form.preview", title=esc(data["title"]), category=esc(category.name(ctx.lang)),
                   description=esc(clip(data["description"], 1500)),
                   photo=ctx.t("common.yes" if data.get("photo") else "common.no"))]
    rows: Keyboard = [[ctx.button(ctx.t("topics.form.submit"), SubmitProposal(form))],
                      [ctx.button(ctx.t("common.edit"), EditProposal(form)),
                       ctx.button(ctx.t("common.cancel"), CancelProposal(form))]]
    if similar:
        lines.append("")
        lines.append(ctx.t("topics.form.similar"))
        for topic in similar:
            lines.append(ctx.t("topics.form.similar_line", id=topic.id, title=esc(topic.title),
                               status=view.status_label(ctx, topic.status)))
            rows.append([ctx.button(ctx.t("topics.form.similar_open", id=topic.id,
                                          title=clip(topic.title, view.TITLE_IN_BUTTON)), OpenTopic(topic.id))])
    ctx.show("\n".join(lines), rows)


@router.button(ProposeTopic, verified=True)
async def propose_button(ctx: Context, tap: ProposeTopic) -> None:
    await start(ctx)


def _at(ctx: Context, form: str, step: str) -> dict:
    """The proposal form's data, if the button belongs to this form at ``step``; else the button is stale."""
    state = ctx.require_form(FLOW, form)
    if state.step != step:
        raise StaleButton()
    ctx.toast()
    return state.data


@router.button(PickCategory, verified=True)
async def pick_category(ctx: Context, tap: PickCategory) -> None:
    data = _at(ctx, tap.form, "category")
    category = await topics.category(ctx.uow, ctx.community.id, tap.category_id)
    if not category.active:
        raise topics.CategoryUnavailable()
    data["category"] = category.id
    await _next(ctx, data, "photo")


@router.button(SkipPhoto, verified=True)
async def skip_photo(ctx: Context, tap: SkipPhoto) -> None:
    data = _at(ctx, tap.form, "photo")
    data.pop("photo", None)
    await _next(ctx, data, "preview")


@router.button(EditProposal, verified=True)
async def edit_proposal(ctx: Context, tap: EditProposal) -> None:
    _at(ctx, tap.form, "preview")
    form = tap.form
    ctx.show(ctx.t("topics.form.edit_which"), [
        [ctx.button(ctx.t("topics.form.field_title"), EditField(form, "title")),
         ctx.button(ctx.t("topics.form.field_description"), EditField(form, "description"))],
        [ctx.button(ctx.t("topics.form.field_category"), EditField(form, "category")),
         ctx.button(ctx.t("topics.form.field_photo"), EditField(form, "photo"))],
        [ctx.button(ctx.t("menu.back"), BackToPreview(form))],
    ])


@router.button(BackToPreview, verified=True)
async def back_to_preview(ctx: Context, tap: BackToPreview) -> None:
    data = _at(ctx, tap.form, "preview")
    await _preview(ctx, data, tap.form)


@router.button(EditField, verified=True)
async def edit_field(ctx: Context, tap: EditField) -> None:
    data = _at(ctx, tap.form, "preview")
    if tap.field not in FIELDS:
        raise StaleButton()
    data["editing"] = True
    state = await ctx.set_form(FLOW, tap.field, data)
    await _ask(ctx, tap.field, data, state.ref)


@router.button(SubmitProposal, verified=True)
async def submit_proposal(ctx: Context, tap: SubmitProposal) -> None:
    await _submit(ctx, _at(ctx, tap.form, "preview"))


@router.button(CancelProposal, verified=True)
async def cancel_proposal(ctx: Context, tap: CancelProposal) -> None:
    ctx.require_form(FLOW, tap.form)
    ctx.toast()
    await ctx.clear_form()
    ctx.show(ctx.t("topics.form.cancelled"))


async def _submit(ctx: Context, data: dict) -> None:
    proposed = await topics.submit(ctx.uow, community=ctx.community, proposer=ctx.resident,
                                   title=data["title"], description=data["description"],
                                   category_id=int(data["category"]), photo_file_id=data.get("photo"),
                                   now=ctx.now())
    topic = proposed.topic
    await ctx.clear_form()
    ctx.tell(*proposed.notices)
    ctx.show(ctx.t("topics.form.submitted", id=topic.id, title=esc(topic.title),
                   due=view.when(ctx, topic.answer_due_at)),
             [[ctx.button(ctx.t("topics.btn.open"), OpenTopic(topic.id))],
              [ctx.button(ctx.t("topics.btn.home"), TopicsHome())]])
