"""Owners flat by flat (the committee, in the electorates screen): find a flat by its address, see its owners and
registered area; add an owner (a name, optionally the registered resident who is that owner, picked by name or
address), remove one, change the area (exact m²), mark the flat developer-held."""

from __future__ import annotations

from core.errors import InvalidInput, StaleButton
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import ElectoratesHome, OwnersByFlat
from handlers.port import Keyboard
from handlers.router import Router
from handlers.text import clip, esc
from storage import electorate_admin, owner_admin
from storage.owner_admin import FlatView

router = Router("electorate_owners")

FLAT, OWNER, AREA = "own_flat", "own_add", "own_area"
BUTTON_LABEL = 40


class OpenFlat(Tap, prefix="om"):
    household_id: int


class AddOwner(Tap, prefix="on"):
    household_id: int


class LinkOwner(Tap, prefix="oo"):
    """The owner being added is this registered resident (0: nobody registered, the name only)."""

    form: str
    resident_id: int


class DropOwner(Tap, prefix="op"):
    household_id: int
    owner_id: int


class AskArea(Tap, prefix="oq"):
    household_id: int


class DeveloperHeld(Tap, prefix="or"):
    household_id: int
    held: bool


class CancelOwnerForm(Tap, prefix="os"):
    form: str


def _m2(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def _private_only(ctx: Context) -> None:
    if not ctx.in_private:
        raise InvalidInput("electorates.err.private_only")


def _text(ctx: Context) -> str:
    text = (ctx.incoming.text or "").strip()
    if not text or ctx.incoming.attachment is not None:
        raise InvalidInput("electorates.err.text_expected")
    return text


def show_flat(ctx: Context, flat: FlatView, *, new: bool = False) -> None:
    lines = [ctx.t("electorates.owners.flat", address=esc(flat.address), area=_m2(flat.area),
                   count=len(flat.owners))]
    for owner in flat.owners:
        if owner.developer:
            lines.append(ctx.t("electorates.owners.developer_line"))
            continue
        linked = (ctx.t("electorates.owners.linked", name=esc(clip(owner.resident.name, 30)),
                        address=esc(owner.resident.address or "—"))
                  if owner.resident is not None else ctx.t("electorates.owners.not_linked"))
        lines.append(ctx.t("electorates.owners.owner_line", name=esc(clip(owner.name, 40)), linked=linked,
                           flats=owner.flats))
    if not flat.owners:
        lines.append(ctx.t("electorates.owners.none"))
    rows: Keyboard = []
    if not flat.developer_held:
        rows.append([ctx.button(ctx.t("electorates.owners.btn.add"), AddOwner(flat.household_id))])
    rows += [[ctx.button(ctx.t("electorates.btn.remove", name=clip(o.name if not o.developer else
                                                                     ctx.t("electorates.owners.developer"), 20)),
                         DropOwner(flat.household_id, o.owner_id))] for o in flat.owners[:owner_admin.MAX_OWNERS]]
    rows.append([ctx.button(ctx.t("electorates.owners.btn.area"), AskArea(flat.household_id)),
                 ctx.button(ctx.t("electorates.owners.btn.not_developer" if flat.developer_held
                                  else "electorates.owners.btn.developer"),
                            DeveloperHeld(flat.household_id, not flat.developer_held))])
    rows.append([ctx.button(ctx.t("electorates.owners.btn.other_flat"), OwnersByFlat()),
                 ctx.button(ctx.t("menu.back"), ElectoratesHome())])
    ctx.show("\n".join(lines), rows, new=new)


@router.committee_button(OwnersByFlat)
async def owners_by_flat(ctx: Context, tap: OwnersByFlat) -> None:
    _private_only(ctx)
    state = await ctx.set_form(FLAT, "address")
    ctx.toast()
    ctx.show(ctx.t("electorates.owners.ask_flat"), [[ctx.button(ctx.t("common.cancel"), CancelOwnerForm(state.ref))]])


@router.form(FLAT, committee=True)
async def flat_address(ctx: Context) -> None:
    ctx.require_form(FLAT)
    flat = await owner_admin.flat_by_address(ctx.uow, ctx.community.id or 0, clip(_text(ctx), 40))
    await ctx.clear_form()
    show_flat(ctx, flat, new=True)


@router.committee_button(OpenFlat)
async def open_flat(ctx: Context, tap: OpenFlat) -> None:
    ctx.toast()
    show_flat(ctx, await owner_admin.flat(ctx.uow, ctx.community.id or 0, tap.household_id))


@router.committee_button(CancelOwnerForm)
async def cancel(ctx: Context, tap: CancelOwnerForm) -> None:
    if ctx.state is None or ctx.state.ref != tap.form:
        raise StaleButton()
    household_id = int(ctx.state.data.get("household") or 0)
    await ctx.clear_form()
    ctx.toast()
    if household_id:
        show_flat(ctx, await owner_admin.flat(ctx.uow, ctx.community.id or 0, household_id))
    else:
        ctx.show(ctx.t("electorates.owners.cancelled"), [[ctx.button(ctx.t("electorates.btn.home"),
                                                                     ElectoratesHome())]])


# ---- adding an owner: the name, then who among the registered residents they are (or nobody) ----------------


@router.committee_button(AddOwner)
async def add_owner(ctx: Context, tap: AddOwner) -> None:
    _private_only(ctx)
    flat = await owner_admin.flat(ctx.uow, ctx.community.id or 0, tap.household_id)
    state = await ctx.set_form(OWNER, "name", {"household": flat.household_id})
    ctx.toast()
    ctx.say(ctx.t("electorates.owners.ask_name", address=esc(flat.address)),
            [[ctx.button(ctx.t("common.cancel"), CancelOwnerForm(state.ref))]])


@router.form(OWNER, committee=True)
async def owner_input(ctx: Context) -> None:
    state = ctx.require_form(OWNER)
    text = clip(_text(ctx), 64)
    data = dict(state.data)
    if state.step == "name":
        data["name"] = text
        query = text
    else:  # "link": another name or an address to look the resident up by
        query = text
    found = await electorate_admin.find_residents(ctx.uow, ctx.community.id or 0, query)
    state = await ctx.set_form(OWNER, "link", data)
    rows: Keyboard = [[ctx.button(clip(f"{clip(p.name, 20)} {p.address}".strip(), BUTTON_LABEL),
                                  LinkOwner(state.ref, p.resident_id))] for p in found]
    rows.append([ctx.button(ctx.t("electorates.owners.btn.no_link"), LinkOwner(state.ref, 0))])
    rows.append([ctx.button(ctx.t("common.cancel"), CancelOwnerForm(state.ref))])
    ctx.say(ctx.t("electorates.owners.ask_link", name=esc(clip(data["name"], 40)), count=len(found)), rows)


@router.committee_button(LinkOwner)
async def link_owner(ctx: Context, tap: LinkOwner) -> None:
    state = ctx.require_form(OWNER, tap.form)
    if state.step != "link":
        raise StaleButton()
    flat = await owner_admin.add_owner(ctx.uow, ctx.community.id or 0, int(state.data["household"]),
                                       str(state.data.get("name") or ""), resident_id=tap.resident_id or None,
                                       actor=ctx.user_id, now=ctx.now())
    await ctx.clear_form()
    ctx.toast(ctx.t("electorates.added"))
    show_flat(ctx, flat)


@router.committee_button(DropOwner)
async def drop_owner(ctx: Context, tap: DropOwner) -> None:
    flat = await owner_admin.remove_owner(ctx.uow, ctx.community.id or 0, tap.household_id, tap.owner_id,
                                          actor=ctx.user_id, now=ctx.now())
    ctx.toast(ctx.t("electorates.removed"))
    show_flat(ctx, flat)


# ---- the area and developer-held ----------------------------------------------------------------------------


@router.committee_button(AskArea)
async def ask_area(ctx: Context, tap: AskArea) -> None:
    _private_only(ctx)
    flat = await owner_admin.flat(ctx.uow, ctx.community.id or 0, tap.household_id)
    state = await ctx.set_form(AREA, "area", {"household": flat.household_id})
    ctx.toast()
    ctx.say(ctx.t("electorates.owners.ask_area", address=esc(flat.address), area=_m2(flat.area)),
            [[ctx.button(ctx.t("common.cancel"), CancelOwnerForm(state.ref))]])


@router.form(AREA, committee=True)
async def area_input(ctx: Context) -> None:
    state = ctx.require_form(AREA)
    flat = await owner_admin.set_area(ctx.uow, ctx.community.id or 0, int(state.data["household"]), _text(ctx),
                                      actor=ctx.user_id, now=ctx.now())
    await ctx.clear_form()
    ctx.say(ctx.t("electorates.owners.area_saved", area=_m2(flat.area)))
    show_flat(ctx, flat, new=True)


@router.committee_button(DeveloperHeld)
async def developer_held(ctx: Context, tap: DeveloperHeld) -> None:
    flat = await owner_admin.set_developer_held(ctx.uow, ctx.community.id or 0, tap.household_id, tap.held,
                                                actor=ctx.user_id, now=ctx.now())
    ctx.toast(ctx.t("electorates.saved"))
    show_flat(ctx, flat)
