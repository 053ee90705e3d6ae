"""The committee's own menu: join requests, roles, invite codes, binding the committee chat."""

from __future__ import annotations

from core.errors import NotFound
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
from storage import committee_admin, join_notices, registration, residents, roster
from storage import community as homes
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
    stats = await committee_admin.stats(ctx.session, ctx.community.id or 0)
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
    codes = await roster.open_codes(ctx.session, ctx.community.id or 0)
    if not codes:
        ctx.say(ctx.t("committee.no_codes"))
        return
    ctx.reply.add(SendDocument(chat_id=ctx.chat_id, file_name="linli-invite-codes.csv",
                               content=roster.codes_csv(codes).encode("utf-8-sig"),
                               caption=ctx.t("committee.codes_caption", count=len(codes))))


async def _show_requests(ctx: Context) -> None:
    pending = await committee_admin.pending_requests(ctx.session, ctx.community.id or 0)
    if not pending:
        ctx.show(ctx.t("committee.no_requests"), [[ctx.button(ctx.t("menu.back"), CommitteeHome())]])
        return
    rows = []
    lines = [ctx.t("committee.requests_title", count=len(pending))]
    for request in pending[:10]:
        lines.append(ctx.t("committee.request_line", name=esc(request.display_name),
                           address=esc(request.address or "—"), user_id=request.telegram_user_id))
        rows.append([ctx.button("✅ " + request.display_name[:20], DecideJoin(request.id or 0, True)),
                     ctx.button("✖️ " + request.display_name[:20], DecideJoin(request.id or 0, False))])
    rows.append([ctx.button(ctx.t("menu.back"), CommitteeHome())])
    ctx.show("\n".join(lines), rows)


@router.button(DecideJoin, committee=True, groups=True)
async def decide_join(ctx: Context, tap: DecideJoin) -> None:
    request_id, verdict = tap.request_id, "a" if tap.approve else "r"
    pending = await committee_admin.get_request(ctx.session, ctx.community.id or 0, request_id)
    household = None
    if verdict == "a" and pending.address:
        household = await committee_admin.match_household(ctx.session, ctx.community.id or 0, pending.address)
    request, _ = await registration.decide_request(
        ctx.session, ctx.community.id or 0, request_id, approve=verdict == "a", decided_by=ctx.user_id, now=ctx.now(),
        household_id=household.id if household else None)
    decider = esc(ctx.resident.display_name if ctx.resident else ctx.incoming.sender.display_name)
    outcome = "join.approved_by" if verdict == "a" else "join.rejected_by"
    address = (await homes.household_label(ctx.session, ctx.community.id or 0, household.id)
               if household and household.id else "—")
    ctx.toast(ctx.t("join.decided_toast"))
    ctx.show(ctx.t("join.committee_card", name=esc(request.display_name), address=esc(request.address or "—"),
                   adult=ctx.t("common.yes" if request.is_adult else "common.no"),
                   user_id=request.telegram_user_id)
             + "\n\n" + ctx.t(outcome, who=decider, household=esc(address)))
    ctx.tell(join_notices.decided(ctx.community, request, approved=verdict == "a", offers=ctx.screens.offers))


@router.command("bind", committee=True, groups=True)
async def bind(ctx: Context) -> None:
    if ctx.in_private:
        ctx.say(ctx.t("committee.bind_in_group"))
        return
    await committee_admin.bind_chat(ctx.session, ctx.community, ctx.chat_id, ctx.user_id, ctx.now())
    ctx.say(ctx.t("committee.bound", community=esc(ctx.community.name)))


@router.command("newcode", committee=True)
async def new_code(ctx: Context) -> None:
    """``/newcode 3-2-501``: a fresh invite code for a household (one code is used once; re-joining needs another)."""
    address = ctx.incoming.args
    household = (await committee_admin.match_household(ctx.session, ctx.community.id or 0, address)
                 if address else None)
    if household is None or household.id is None:
        ctx.say(ctx.t("committee.newcode_usage" if not address else "committee.newcode_unknown",
                      address=esc(address)))
        return
    code = await committee_admin.fresh_code(ctx.session, household, ctx.user_id, ctx.now())
    label = await homes.household_label(ctx.session, ctx.community.id or 0, household.id)
    ctx.say(ctx.t("committee.newcode_done", address=esc(label), code=code.code, days=90))


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
    target = await residents.by_telegram_id(ctx.session, ctx.community.id or 0, user_id)
    if target is None:
        raise NotFound("errors.resident_not_found", user_id=user_id)
    role = Role(parts[1])
    if ctx.incoming.command == "grant":
        changed = await committee_admin.grant(ctx.session, target, role, ctx.user_id, ctx.now())
        key = "committee.granted" if changed else "committee.already_has"
    else:
        changed = await committee_admin.revoke(ctx.session, target, role, ctx.user_id, ctx.now())
        key = "committee.revoked" if changed else "committee.did_not_have"
    ctx.say(ctx.t(key, name=esc(target.display_name), role=ctx.t(f"role.{role.value}")))
