"""The committee's own menu: join requests, roles, invite codes, binding the committee chat."""

from __future__ import annotations

from core.telegram_ids import parse_user_id
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import (
    CommitteeHome,
    DecideJoin,
    DeskHome,
    ElectoratesHome,
    ExportsHome,
    MeetingsDesk,
    OpenMenu,
)
from handlers.port import SendDocument
from handlers.router import Router
from handlers.text import clip, esc
from storage import committee_admin, roster
from storage.residents import Role

router = Router("committee")

GRANTABLE = tuple(role.value for role in Role)


class JoinRequests(Tap, prefix="cr"):
    pass


class InviteCodes(Tap, prefix="cc"):
    pass


def _home_keyboard(ctx: Context) -> list:
    return [
        [ctx.button(ctx.t("committee.requests"), JoinRequests())],
        [ctx.button(ctx.t("committee.codes"), InviteCodes())],
        [ctx.button(ctx.t("committee.topics"), DeskHome())],
        [ctx.button(ctx.t("electorates.btn.home"), ElectoratesHome())],
        [ctx.button(ctx.t("voting.committee_home"), MeetingsDesk())],
        [ctx.button(ctx.t("exports.btn.home"), ExportsHome())],
        [ctx.button(ctx.t("menu.back"), OpenMenu())],
    ]


@router.command("committee", committee=True)
async def committee_command(ctx: Context) -> None:
    await _show_home(ctx)


async def _show_home(ctx: Context) -> None:
    stats = await committee_admin.stats(ctx.uow, ctx.community.id)
    bound = ctx.t("committee.chat_bound") if ctx.community.committee_chat_id else ctx.t("committee.chat_unbound")
    ctx.show(ctx.t("committee.home", community=esc(ctx.community.name), households=stats.households,
                   residents=stats.verified_residents, adults=stats.verified_adults,
                   pending=stats.pending_requests, chat=bound), _home_keyboard(ctx))


@router.button(CommitteeHome, committee=True, groups=True)
async def committee_home(ctx: Context, tap: CommitteeHome) -> None:
    ctx.toast()
    await _show_home(ctx)


@router.button(JoinRequests, committee=True, groups=True)
async def join_requests(ctx: Context, tap: JoinRequests) -> None:
    ctx.toast()
    await _show_requests(ctx)


@router.button(InviteCodes, committee=True, groups=True)
async def invite_codes(ctx: Context, tap: InviteCodes) -> None:
    ctx.toast()
    codes = await committee_admin.open_codes(ctx.uow, ctx.community.id)
    if not codes:
        ctx.say(ctx.t("committee.no_codes"))
        return
    ctx.reply.add(SendDocument(chat_id=ctx.chat_id, file_name="linli-invite-codes.csv",
                               content=roster.codes_csv(codes).encode("utf-8-sig"),
                               caption=ctx.t("committee.codes_caption", count=len(codes))))


async def _show_requests(ctx: Context) -> None:
    pending = await committee_admin.pending_requests(ctx.uow, ctx.community.id)
    if not pending:
        ctx.show(ctx.t("committee.no_requests"), [[ctx.button(ctx.t("menu.back"), CommitteeHome())]])
        return
    rows = []
    lines = [ctx.t("committee.requests_title", count=len(pending))]
    for request in pending[:10]:
        lines.append(ctx.t("committee.request_line", name=esc(request.display_name),
                           address=esc(request.address or "—"), user_id=request.telegram_user_id))
        rows.append([ctx.button("✅ " + request.display_name[:20], DecideJoin(request.id, True)),
                     ctx.button("✖️ " + request.display_name[:20], DecideJoin(request.id, False))])
    rows.append([ctx.button(ctx.t("menu.back"), CommitteeHome())])
    ctx.show("\n".join(lines), rows)


@router.button(DecideJoin, committee=True, groups=True)
async def decide_join(ctx: Context, tap: DecideJoin) -> None:
    decided = await committee_admin.decide_join(ctx.uow, community=ctx.community, request_id=tap.request_id,
                                                approve=tap.approve, decided_by=ctx.user_id, now=ctx.now(),
                                                offers=ctx.screens.offers)
    request = decided.request
    decider = esc(ctx.resident.display_name if ctx.resident else ctx.incoming.sender.display_name)
    outcome = "join.approved_by" if tap.approve else "join.rejected_by"
    ctx.toast(ctx.t("join.decided_toast"))
    ctx.show(ctx.t("join.committee_card", name=esc(request.display_name), address=esc(request.address or "—"),
                   adult=ctx.t("common.yes" if request.is_adult else "common.no"),
                   user_id=request.telegram_user_id)
             + "\n\n" + ctx.t(outcome, who=decider, household=esc(decided.address or "—")))
    ctx.tell(*decided.notices)


@router.command("bind", committee=True, groups=True)
async def bind(ctx: Context) -> None:
    if ctx.in_private:
        ctx.say(ctx.t("committee.bind_in_group"))
        return
    ctx.community = await committee_admin.bind_chat(ctx.uow, ctx.community, ctx.chat_id, ctx.user_id, ctx.now())
    ctx.say(ctx.t("committee.bound", community=esc(ctx.community.name)))


@router.command("newcode", committee=True)
async def new_code(ctx: Context) -> None:
    """``/newcode 3-2-501``: a fresh invite code for a household (one code is used once; re-joining needs another)."""
    address = ctx.incoming.args
    issued = await committee_admin.new_code(ctx.uow, community_id=ctx.community.id, address=address,
                                            actor=ctx.user_id, now=ctx.now())
    if issued is None:
        ctx.say(ctx.t("committee.newcode_usage" if not address else "committee.newcode_unknown",
                      address=esc(address)))
        return
    ctx.say(ctx.t("committee.newcode_done", address=esc(issued.address), code=issued.code, days=issued.valid_days))


@router.command("grant", "revoke", committee=True)
async def grant(ctx: Context) -> None:
    parts = ctx.incoming.args.split()
    if len(parts) != 2 or parts[1] not in GRANTABLE:
        ctx.say(ctx.t("committee.grant_usage", roles=", ".join(GRANTABLE)))
        return
    user_id = parse_user_id(parts[0])
    if user_id is None:  # 20 digits would overflow the database's BIGINT
        ctx.say(ctx.t("errors.not_a_user_id", value=esc(clip(parts[0], 24))))
        return
    role = Role(parts[1])
    give = ctx.incoming.command == "grant"
    done = await committee_admin.change_role(ctx.uow, community_id=ctx.community.id, telegram_user_id=user_id,
                                             role=role, give=give, actor=ctx.user_id, now=ctx.now())
    if give:
        key = "committee.granted" if done.changed else "committee.already_has"
    else:
        key = "committee.revoked" if done.changed else "committee.did_not_have"
    ctx.say(ctx.t(key, name=esc(done.name), role=ctx.t(f"role.{role.value}")))
