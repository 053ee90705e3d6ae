"""Write-ins on an election's ballot (另选他人): the voter looks up another eligible person by name and picks them
from the registered adults found (never free text); the person joins the ballot as a candidate, marked.

Nothing of the choice is kept in the conversation state: only the meeting and item being filled in. The marks made
before the write-in are not carried over (they would have to be stored); the written-in person comes back marked
and the voter adds the others again.
"""

from __future__ import annotations

from core.errors import InvalidInput
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import OpenBallot, WriteIn
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import clip, esc
from handlers.voting import draw
from storage import write_ins

router = Router("voting_write_in")

WRITE_IN = "vote_write_in"
BUTTON_LABEL = 40


class PickWrittenIn(Tap, prefix="ot"):
    form: str
    resident_id: int


class CancelWriteIn(Tap, prefix="ou"):
    form: str


def _me(ctx: Context) -> int:
    return ctx.resident.id or 0 if ctx.resident is not None else 0


def _where(ctx: Context) -> dict[str, int]:
    data = ctx.require_form(WRITE_IN).data
    return {"community_id": ctx.community.id or 0, "meeting_id": int(data["meeting"]), "item_id": int(data["item"]),
            "round_no": int(data["round"]), "resident_id": _me(ctx)}


@router.button(WriteIn, verified=True)
async def write_in(ctx: Context, tap: WriteIn) -> None:
    if not ctx.in_private:
        raise InvalidInput("voting_rules.err.private_only")
    await write_ins.search(ctx.uow, community_id=ctx.community.id or 0, meeting_id=tap.meeting_id,
                           item_id=tap.item_id, round_no=tap.round, resident_id=_me(ctx), query="")  # may they?
    state = await ctx.set_form(WRITE_IN, "query", {"meeting": tap.meeting_id, "item": tap.item_id,
                                                   "round": tap.round})
    ctx.toast()
    ctx.say(ctx.t("voting_rules.write_in.ask"), [[ctx.button(ctx.t("common.cancel"), CancelWriteIn(state.ref))]])


@router.form(WRITE_IN, verified=True)
async def write_in_query(ctx: Context) -> None:
    query = (ctx.incoming.text or "").strip()
    if not query or ctx.incoming.attachment is not None:
        raise InvalidInput("voting_rules.err.name_expected")
    found = await write_ins.search(ctx.uow, query=clip(query, 40), **_where(ctx))
    state = ctx.require_form(WRITE_IN)
    cancel = [ctx.button(ctx.t("common.cancel"), CancelWriteIn(state.ref))]
    if not found:
        ctx.say(ctx.t("voting_rules.write_in.none", query=esc(clip(query, 40))), [cancel])
        return
    rows: Keyboard = [[ctx.button(clip(f"{clip(p.name, 20)} {p.address}".strip(), BUTTON_LABEL),
                                  PickWrittenIn(state.ref, p.resident_id))] for p in found]
    rows.append(cancel)
    ctx.say(ctx.t("voting_rules.write_in.found", count=len(found)), rows)


@router.button(PickWrittenIn, verified=True)
async def pick_written_in(ctx: Context, tap: PickWrittenIn) -> None:
    ctx.require_form(WRITE_IN, tap.form)
    done = await write_ins.write_in(ctx.uow, candidate_id=tap.resident_id, **_where(ctx))
    await ctx.clear_form()
    ctx.toast(ctx.t("voting_rules.write_in.added"))
    draw(ctx, done.ballot, 1 << done.position)


@router.button(CancelWriteIn, verified=True)
async def cancel_write_in(ctx: Context, tap: CancelWriteIn) -> None:
    state = ctx.require_form(WRITE_IN, tap.form)
    meeting_id = int(state.data["meeting"])
    await ctx.clear_form()
    ctx.toast()
    ctx.show(ctx.t("voting_rules.write_in.cancelled"), [[ctx.button(ctx.t("voting.btn.ballot"),
                                                                    OpenBallot(meeting_id))]])
