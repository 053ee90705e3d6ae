"""The committee's own menu: join requests, roles, invite codes, binding the committee chat."""

from __future__ import annotations

from core.errors import InvalidInput, NotFound
from handlers import menu
from handlers.context import Context
from handlers.port import SendDocument
from handlers.router import Router
from handlers.text import esc
from storage import committee_admin, registration, residents, roster
from storage import community as homes
from storage.residents import Role

router = Router("committee")

GRANTABLE = tuple(role.value for role in Role)


def _home_keyboard(ctx: Context) -> list:
    return [
        [ctx.button(ctx.t("committee.requests"), "cm", "requests")],
        [ctx.button(ctx.t("committee.codes"), "cm", "codes")],
        [ctx.button(ctx.t("committee.topics"), "tq", "home")],
        [ctx.button(ctx.t("menu.back"), "m", "main")],
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


@router.button("cm", committee=True, groups=True)
async def committee_button(ctx: Context) -> None:
    assert ctx.payload is not None
    action = ctx.payload.str(0)
    ctx.toast()
    if action == "home":
        await _show_home(ctx)
    elif action == "requests":
        await _show_requests(ctx)
    elif action == "codes":
        codes = await roster.open_codes(ctx.session, ctx.community.id or 0)
        if not codes:
            ctx.say(ctx.t("committee.no_codes"))
            return
        ctx.reply.add(SendDocument(chat_id=ctx.chat_id, file_name="linli-invite-codes.csv",
                                   content=roster.codes_csv(codes).encode("utf-8-sig"),
                                   caption=ctx.t("committee.codes_caption", count=len(codes))))
    else:
        raise NotFound()


async def _show_requests(ctx: Context) -> None:
    pending = await committee_admin.pending_requests(ctx.session, ctx.community.id or 0)
    if not pending:
        ctx.show(ctx.t("committee.no_requests"), [[ctx.button(ctx.t("menu.back"), "cm", "home")]])
        return
    rows = []
    lines = [ctx.t("committee.requests_title", count=len(pending))]
    for request in pending[:10]:
        lines.append(ctx.t("committee.request_line", name=esc(request.display_name),
                           address=esc(request.address or "—"), user_id=request.telegram_user_id))
        rows.append([ctx.button("✅ " + request.display_name[:20], "jd", request.id, "a"),
                     ctx.button("✖️ " + request.display_name[:20], "jd", request.id, "r")])
    rows.append([ctx.button(ctx.t("menu.back"), "cm", "home")])
    ctx.show("\n".join(lines), rows)


@router.button("jd", committee=True, groups=True)
async def decide_join(ctx: Context) -> None:
    assert ctx.payload is not None
    request_id, verdict = ctx.payload.int(0), ctx.payload.str(1)
    if verdict not in ("a", "r"):
        raise InvalidInput("errors.stale_button")
    pending = await committee_admin.get_request(ctx.session, request_id)
    household = None
    if verdict == "a" and pending.address:
        household = await committee_admin.match_household(ctx.session, ctx.community.id or 0, pending.address)
    request, _ = await registration.decide_request(
        ctx.session, request_id, approve=verdict == "a", decided_by=ctx.user_id, now=ctx.now(),
        household_id=household.id if household else None)
    decider = esc(ctx.resident.display_name if ctx.resident else ctx.incoming.sender.display_name)
    outcome = "join.approved_by" if verdict == "a" else "join.rejected_by"
    address = await homes.household_label(ctx.session, household.id) if household and household.id else "—"
    ctx.toast(ctx.t("join.decided_toast"))
    ctx.show(ctx.t("join.committee_card", name=esc(request.display_name), address=esc(request.address or "—"),
                   adult=ctx.t("common.yes" if request.is_adult else "common.no"),
                   user_id=request.telegram_user_id)
             + "\n\n" + ctx.t(outcome, who=decider, household=esc(address)))
    message = "join.you_are_approved" if verdict == "a" else "join.you_are_rejected"
    await ctx.notify(request.telegram_user_id, ctx.t_in(request.language, message, community=esc(ctx.community.name),
                                                        offers=menu.offers(ctx, request.language)),
                     f"join-decided:{request.id}",
                     [[ctx.button(ctx.t_in(request.language, "menu.open"), "m", "main")]])


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
    ctx.say(ctx.t("committee.newcode_done", address=esc(await homes.household_label(ctx.session, household.id)),
                  code=code.code, days=90))


@router.command("grant", "revoke", committee=True)
async def grant(ctx: Context) -> None:
    parts = ctx.incoming.args.split()
    if len(parts) != 2 or not parts[0].lstrip("-").isdigit() or parts[1] not in GRANTABLE:
        ctx.say(ctx.t("committee.grant_usage", roles=", ".join(GRANTABLE)))
        return
    target = await residents.by_telegram_id(ctx.session, int(parts[0]))
    if target is None:
        raise NotFound("errors.resident_not_found", user_id=int(parts[0]))
    role = Role(parts[1])
    if ctx.incoming.command == "grant":
        changed = await committee_admin.grant(ctx.session, target, role, ctx.user_id, ctx.now())
        key = "committee.granted" if changed else "committee.already_has"
    else:
        changed = await committee_admin.revoke(ctx.session, target, role, ctx.user_id, ctx.now())
        key = "committee.revoked" if changed else "committee.did_not_have"
    ctx.say(ctx.t(key, name=esc(target.display_name), role=ctx.t(f"role.{role.value}")))
