"""Electorates (选民名册): the committee's screen — counts, the owners/groups/representatives files, group and
residents' representatives, who casts a household's vote — and a resident's own household vote (``/household``).
"""

from __future__ import annotations

from core.errors import InvalidInput, StaleButton
from handlers.budget import Page
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import CommitteeHome, ElectoratesHome, OpenMenu, OwnersByFlat
from handlers.port import Button, Keyboard
from handlers.router import Router
from handlers.text import clip, esc
from storage import electorate_admin as admin
from storage import electorate_files as files
from storage.electorate_admin import GroupView, HouseholdVote, Person
from storage.electorate_files import ElectorateProblems
from storage.electorates import HoldHow

router = Router("electorates")

UPLOAD = "el_upload"
SEARCH = "el_search"
ADDRESS = "el_address"
MAX_FILE_BYTES = 2 * 1024 * 1024
PROBLEMS_SHOWN = 15
MAX_BUTTONS = 30  # rows of buttons under one list (Telegram allows 100 buttons; a phone shows far fewer)
BUTTON_LABEL = 40
UPLOAD_PROMPTS = {"owners": "electorates.upload.owners", "groups": "electorates.upload.groups",
                  "representatives": "electorates.upload.representatives"}
IMPORTED = {"owners": "electorates.imported.owners", "groups": "electorates.imported.groups",
            "representatives": "electorates.imported.representatives"}
HELD = {HoldHow.CLAIMED: "electorates.household.held_claimed",
        HoldHow.HOUSEHOLD: "electorates.household.held_household",
        HoldHow.COMMITTEE: "electorates.household.held_committee"}


class Upload(Tap, prefix="eu"):
    kind: str  # "owners", "groups" or "representatives"


class CancelForm(Tap, prefix="ex"):
    form: str


class Groups(Tap, prefix="eg"):
    pass


class OpenGroup(Tap, prefix="ek"):
    group_id: int


class PickPerson(Tap, prefix="ep"):
    """Start looking for a resident to seat: in a group (``group_id``) or, with 0, as a residents' representative."""

    group_id: int


class ChoosePerson(Tap, prefix="es"):
    form: str
    resident_id: int


class DropGroupRep(Tap, prefix="ed"):
    group_id: int
    resident_id: int


class Representatives(Tap, prefix="er"):
    pass


class DropRepresentative(Tap, prefix="ey"):
    resident_id: int


class AskHousehold(Tap, prefix="eh"):
    pass


class SetHolder(Tap, prefix="ec"):
    """The committee names who casts a household's vote (``resident_id`` 0: nobody, first to open a ballot)."""

    household_id: int
    resident_id: int


class MyHousehold(Tap, prefix="ev"):
    pass


class HandVote(Tap, prefix="ew"):
    """An adult of the household takes its vote (their own id) or hands it to another adult."""

    resident_id: int


def _name(person: Person, limit: int = 20) -> str:
    return clip(person.name, limit) or "—"


def _person(ctx: Context, person: Person) -> str:
    return ctx.t("electorates.person", name=esc(clip(person.name, 40)), address=esc(person.address or "—"))


def _private_only(ctx: Context) -> None:
    """Forms (a file, a name, an address) are filled in the private chat with the bot, not in a group."""
    if not ctx.in_private:
        raise InvalidInput("electorates.err.private_only")


def _back(ctx: Context) -> list[Button]:
    return [ctx.button(ctx.t("menu.back"), ElectoratesHome())]


# ---- the committee's screen ----------------------------------------------------------------------------------


@router.command("electorates", committee=True, groups=True)
async def electorates_command(ctx: Context) -> None:
    await _home(ctx)


@router.committee_button(ElectoratesHome)
async def electorates_home(ctx: Context, tap: ElectoratesHome) -> None:
    ctx.toast()
    await _home(ctx)


async def _home(ctx: Context) -> None:
    counts = await admin.counts(ctx.uow, ctx.community.id or 0)
    area = f"{counts.owned_area // 100}.{counts.owned_area % 100:02d}"
    text = ctx.t("electorates.home", adults=counts.adults, households=counts.households,
                 held=counts.households_held, groups=counts.groups, group_reps=counts.group_reps,
                 representatives=counts.representatives, owners=counts.owner_heads, flats=counts.owned_flats,
                 area=area, linked=counts.owners_linked, verified=counts.verified)
    ctx.show(text, [
        [ctx.button(ctx.t("electorates.btn.upload_owners"), Upload("owners")),
         ctx.button(ctx.t("electorates.owners.btn.home"), OwnersByFlat())],
        [ctx.button(ctx.t("electorates.btn.upload_groups"), Upload("groups")),
         ctx.button(ctx.t("electorates.btn.upload_representatives"), Upload("representatives"))],
        [ctx.button(ctx.t("electorates.btn.groups"), Groups()),
         ctx.button(ctx.t("electorates.btn.representatives"), Representatives())],
        [ctx.button(ctx.t("electorates.btn.household"), AskHousehold())],
        [ctx.button(ctx.t("menu.back"), CommitteeHome())]])


@router.committee_button(CancelForm)
async def cancel_form(ctx: Context, tap: CancelForm) -> None:
    if ctx.state is None or ctx.state.ref != tap.form:
        raise StaleButton()
    await ctx.clear_form()
    ctx.toast()
    await _home(ctx)


# ---- files ---------------------------------------------------------------------------------------------------


@router.committee_button(Upload)
async def upload(ctx: Context, tap: Upload) -> None:
    if tap.kind not in UPLOAD_PROMPTS:
        raise StaleButton()
    _private_only(ctx)
    state = await ctx.set_form(UPLOAD, tap.kind)
    ctx.toast()
    ctx.show(ctx.t(UPLOAD_PROMPTS[tap.kind], max_kb=MAX_FILE_BYTES // 1024),
             [[ctx.button(ctx.t("common.cancel"), CancelForm(state.ref))]])


@router.form(UPLOAD, committee=True)
async def uploaded(ctx: Context) -> None:
    state = ctx.require_form(UPLOAD)
    kind = state.step
    attachment = ctx.incoming.attachment
    if attachment is None or attachment.kind != "document":
        raise InvalidInput("electorates.err.file_expected")
    data = await ctx.read_file(attachment, MAX_FILE_BYTES)
    table = files.read_bytes(data, attachment.file_name or "upload.csv")
    community_id, now = ctx.community.id or 0, ctx.now()
    try:
        if kind == "owners":
            result = await admin.import_owners(ctx.uow, community_id, files.parse_owners(table), actor=ctx.user_id,
                                               now=now)
        elif kind == "groups":
            result = await admin.import_groups(ctx.uow, community_id, files.parse_groups(table), actor=ctx.user_id,
                                               now=now)
        else:
            result = await admin.import_representatives(ctx.uow, community_id, files.parse_representatives(table),
                                                        actor=ctx.user_id, now=now)
    except ElectorateProblems as problems:  # nothing was written; the form stays open for a corrected file
        _show_problems(ctx, problems, state.ref)
        return
    await ctx.clear_form()
    ctx.say(ctx.t(IMPORTED[kind], rows=result.rows, created=result.created, updated=result.updated,
                  removed=result.removed, linked=result.linked),
            [[ctx.button(ctx.t("electorates.btn.home"), ElectoratesHome())]])


def _show_problems(ctx: Context, problems: ElectorateProblems, form: str) -> None:
    lines = [ctx.t("electorates.bad_rows", count=len(problems.problems))]
    for problem in problems.problems[:PROBLEMS_SHOWN]:
        lines.append(ctx.t("electorates.problem_line", line=problem.line, column=esc(clip(problem.column, 30)),
                           value=esc(clip(problem.value, 60) or "—"),
                           problem=ctx.t(problem.key, **problem.params)))
    if len(problems.problems) > PROBLEMS_SHOWN:
        lines.append(ctx.t("electorates.more_problems", count=len(problems.problems) - PROBLEMS_SHOWN))
    ctx.say("\n".join(lines), [[ctx.button(ctx.t("common.cancel"), CancelForm(form))]])


# ---- groups and representatives --------------------------------------------------------------------------------


@router.committee_button(Groups)
async def groups(ctx: Context, tap: Groups) -> None:
    ctx.toast()
    found = await admin.groups(ctx.uow, ctx.community.id or 0)
    if not found:
        ctx.show(ctx.t("electorates.no_groups"), [_back(ctx)])
        return
    page = Page()
    page.add(ctx.t("electorates.groups_title", count=len(found)))
    rows: Keyboard = []
    for view in found[:MAX_BUTTONS]:
        page.add(ctx.t("electorates.group_line", name=esc(clip(view.name, 30)),
                       buildings=esc(clip("、".join(view.buildings), 60) or "—"), reps=len(view.reps)))
        rows.append([ctx.button(clip(view.name, 30), OpenGroup(view.group_id))])
    rows.append(_back(ctx))
    ctx.show(page.text(), rows)


@router.committee_button(OpenGroup)
async def open_group(ctx: Context, tap: OpenGroup) -> None:
    ctx.toast()
    _show_group(ctx, await admin.group(ctx.uow, ctx.community.id or 0, tap.group_id))


def _show_group(ctx: Context, view: GroupView) -> None:
    lines = [ctx.t("electorates.group_title", name=esc(view.name),
                   buildings=esc("、".join(view.buildings) or "—"), reps=len(view.reps))]
    lines += [_person(ctx, p) for p in view.reps]
    rows: Keyboard = [[ctx.button(ctx.t("electorates.btn.remove", name=_name(p)), DropGroupRep(view.group_id,
                                                                                               p.resident_id))]
                      for p in view.reps]
    if not view.full:
        rows.append([ctx.button(ctx.t("electorates.btn.add_group_rep"), PickPerson(view.group_id))])
    rows.append([ctx.button(ctx.t("menu.back"), Groups())])
    ctx.show("\n".join(lines), rows)


@router.committee_button(DropGroupRep)
async def drop_group_rep(ctx: Context, tap: DropGroupRep) -> None:
    view = await admin.remove_group_rep(ctx.uow, ctx.community.id or 0, tap.group_id, tap.resident_id,
                                        actor=ctx.user_id, now=ctx.now())
    ctx.toast(ctx.t("electorates.removed"))
    _show_group(ctx, view)


@router.committee_button(Representatives)
async def representatives(ctx: Context, tap: Representatives) -> None:
    ctx.toast()
    _show_representatives(ctx, await admin.representatives(ctx.uow, ctx.community.id or 0))


def _show_representatives(ctx: Context, people: list[Person]) -> None:
    page = Page()
    page.add(ctx.t("electorates.representatives_title", count=len(people)))
    page.extend([_person(ctx, p) for p in people])
    rows: Keyboard = [[ctx.button(ctx.t("electorates.btn.remove", name=_name(p)), DropRepresentative(p.resident_id))]
                      for p in people[:MAX_BUTTONS]]
    rows.append([ctx.button(ctx.t("electorates.btn.add_representative"), PickPerson(0))])
    rows.append(_back(ctx))
    ctx.show(page.text(), rows)


@router.committee_button(DropRepresentative)
async def drop_representative(ctx: Context, tap: DropRepresentative) -> None:
    people = await admin.remove_representative(ctx.uow, ctx.community.id or 0, tap.resident_id, actor=ctx.user_id,
                                               now=ctx.now())
    ctx.toast(ctx.t("electorates.removed"))
    _show_representatives(ctx, people)


@router.committee_button(PickPerson)
async def pick_person(ctx: Context, tap: PickPerson) -> None:
    _private_only(ctx)
    if tap.group_id:
        await admin.group(ctx.uow, ctx.community.id or 0, tap.group_id)  # one of ours
    state = await ctx.set_form(SEARCH, "query", {"group_id": tap.group_id})
    ctx.toast()
    ctx.show(ctx.t("electorates.search_prompt"), [[ctx.button(ctx.t("common.cancel"), CancelForm(state.ref))]])


@router.form(SEARCH, committee=True)
async def search(ctx: Context) -> None:
    state = ctx.require_form(SEARCH)
    query = (ctx.incoming.text or "").strip()
    if not query or ctx.incoming.attachment is not None:
        raise InvalidInput("electorates.err.text_expected")
    found = await admin.find_residents(ctx.uow, ctx.community.id or 0, clip(query, 40))
    state = await ctx.set_form(SEARCH, "pick", state.data)
    cancel = [ctx.button(ctx.t("common.cancel"), CancelForm(state.ref))]
    if not found:
        ctx.say(ctx.t("electorates.search_none", query=esc(clip(query, 40))), [cancel])
        return
    rows: Keyboard = [[ctx.button(clip(f"{_name(p)} {p.address}".strip(), BUTTON_LABEL),
                                  ChoosePerson(state.ref, p.resident_id))] for p in found]
    rows.append(cancel)
    ctx.say(ctx.t("electorates.search_found", count=len(found)), rows)


@router.committee_button(ChoosePerson)
async def choose_person(ctx: Context, tap: ChoosePerson) -> None:
    state = ctx.require_form(SEARCH, tap.form)
    group_id = int(state.data.get("group_id") or 0)
    community_id, now = ctx.community.id or 0, ctx.now()
    if group_id:
        view = await admin.add_group_rep(ctx.uow, community_id, group_id, tap.resident_id, actor=ctx.user_id,
                                         now=now)
        await ctx.clear_form()
        ctx.toast(ctx.t("electorates.added"))
        _show_group(ctx, view)
    else:
        people = await admin.add_representative(ctx.uow, community_id, tap.resident_id, actor=ctx.user_id, now=now)
        await ctx.clear_form()
        ctx.toast(ctx.t("electorates.added"))
        _show_representatives(ctx, people)


# ---- households' votes -----------------------------------------------------------------------------------------


def _vote_text(ctx: Context, vote: HouseholdVote) -> str:
    adults = ctx.t("common.list_separator").join(esc(clip(p.name, 30)) for p in vote.adults) or "—"
    if vote.holder is None:
        holder = ctx.t("electorates.household.nobody")
    else:
        holder = ctx.t(HELD[vote.how or HoldHow.CLAIMED], name=esc(clip(vote.holder.name, 40)))
    return ctx.t("electorates.household.card", address=esc(vote.address), holder=holder, adults=adults)


@router.committee_button(AskHousehold)
async def ask_household(ctx: Context, tap: AskHousehold) -> None:
    _private_only(ctx)
    state = await ctx.set_form(ADDRESS, "address")
    ctx.toast()
    ctx.show(ctx.t("electorates.household.ask_address"),
             [[ctx.button(ctx.t("common.cancel"), CancelForm(state.ref))]])


@router.form(ADDRESS, committee=True)
async def household_address(ctx: Context) -> None:
    ctx.require_form(ADDRESS)
    address = (ctx.incoming.text or "").strip()
    if not address or ctx.incoming.attachment is not None:
        raise InvalidInput("electorates.err.text_expected")
    vote = await admin.household_by_address(ctx.uow, ctx.community.id or 0, clip(address, 40))
    await ctx.clear_form()
    _show_committee_household(ctx, vote)


def _show_committee_household(ctx: Context, vote: HouseholdVote) -> None:
    rows: Keyboard = [[ctx.button(ctx.t("electorates.btn.make_holder", name=_name(p)),
                                  SetHolder(vote.household_id, p.resident_id))]
                      for p in vote.adults[:8] if vote.holder is None or p.resident_id != vote.holder.resident_id]
    if vote.holder is not None:
        rows.append([ctx.button(ctx.t("electorates.btn.clear_holder"), SetHolder(vote.household_id, 0))])
    rows.append(_back(ctx))
    ctx.show(_vote_text(ctx, vote), rows)


@router.committee_button(SetHolder)
async def set_holder(ctx: Context, tap: SetHolder) -> None:
    handed = await admin.committee_set_household_vote(
        ctx.uow, ctx.community.id or 0, tap.household_id, tap.resident_id or None, actor=ctx.user_id,
        actor_resident_id=ctx.resident.id if ctx.resident else None, now=ctx.now())
    ctx.tell(*handed.notices)
    ctx.toast(ctx.t("electorates.saved"))
    _show_committee_household(ctx, handed.vote)


# ---- a resident's own household ----------------------------------------------------------------------------------


@router.command("household", verified=True)
async def household_command(ctx: Context) -> None:
    await _my_household(ctx)


@router.button(MyHousehold, verified=True)
async def my_household(ctx: Context, tap: MyHousehold) -> None:
    ctx.toast()
    await _my_household(ctx)


async def _my_household(ctx: Context) -> None:
    assert ctx.resident is not None  # the guard: verified
    _show_my_household(ctx, await admin.my_household(ctx.uow, ctx.community.id or 0, ctx.resident.id or 0))


def _show_my_household(ctx: Context, vote: HouseholdVote) -> None:
    me = ctx.resident.id if ctx.resident else None
    rows: Keyboard = []
    if me is not None and vote.may_change(me):
        holder = vote.holder.resident_id if vote.holder else None
        if holder != me:
            rows.append([ctx.button(ctx.t("electorates.btn.take_vote"), HandVote(me))])
        rows += [[ctx.button(ctx.t("electorates.btn.hand_vote", name=_name(p)), HandVote(p.resident_id))]
                 for p in vote.adults[:8] if p.resident_id not in (me, holder)]
        note = ctx.t("electorates.household.you_may_change")
    else:
        note = ctx.t("electorates.household.adults_only")
    rows.append([ctx.button(ctx.t("menu.back"), OpenMenu())])
    ctx.show(_vote_text(ctx, vote) + "\n\n" + note, rows)


@router.button(HandVote, verified=True)
async def hand_vote(ctx: Context, tap: HandVote) -> None:
    assert ctx.resident is not None
    handed = await admin.hand_household_vote(ctx.uow, ctx.community.id or 0, ctx.resident.id or 0, tap.resident_id,
                                             actor=ctx.user_id, now=ctx.now())
    ctx.tell(*handed.notices)
    ctx.toast(ctx.t("electorates.saved"))
    _show_my_household(ctx, handed.vote)
