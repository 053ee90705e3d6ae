"""The committee's exports: ``/export`` (last month, this month or another, then the format) sends the file to the
chat; ``/calendar`` sends everyone the community's upcoming events as one calendar file.

Only the committee exports (the router's guard); the use case writes every export to the audit log. "With names"
is the committee's explicit request for the names behind open ballots (the About sheet then says so); secret
ballots never carry anything but receipt and choice.
"""

from __future__ import annotations

from core.errors import StaleButton
from core.monthly import Month
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import CommitteeHome, ExportsHome
from handlers.port import SendDocument
from handlers.router import Router
from handlers.text import esc
from storage.exports import feed, monthly_data
from storage.exports.monthly_data import BadMonth, Format, Source, month_of, parse_month, previous

router = Router("exports")

PICK_MONTHS = 12  # "another month": the twelve before last month


class PickMonth(Tap, prefix="zb"):
    """The list of earlier months."""


class ExportMonth(Tap, prefix="zc"):
    """A month chosen: show the formats."""

    year: int
    month: int


class ExportFile(Tap, prefix="zd"):
    year: int
    month: int
    format: Format
    names: bool = False


FORMAT_LABELS = {Format.XLSX: "exports.btn.xlsx", Format.CSV: "exports.btn.csv", Format.JSON: "exports.btn.json",
                 Format.PDF: "exports.btn.pdf"}


def _current(ctx: Context) -> Month:
    return month_of(ctx.now(), ctx.community.timezone)


def _checked(ctx: Context, year: int, number: int) -> Month:
    """A month from a button: a real month, not after the current one (else the button was forged or is stale)."""
    if not 1 <= number <= 12 or year < 2000:
        raise StaleButton()
    month, current = Month(year, number), _current(ctx)
    if (month.year, month.month) > (current.year, current.month):
        raise StaleButton()
    return month


async def _home(ctx: Context) -> None:
    current = _current(ctx)
    last = previous(current)
    ctx.show(ctx.t("exports.home"), [
        [ctx.button(ctx.t("exports.btn.last_month", month=str(last)), ExportMonth(last.year, last.month))],
        [ctx.button(ctx.t("exports.btn.this_month", month=str(current)), ExportMonth(current.year, current.month))],
        [ctx.button(ctx.t("exports.btn.pick"), PickMonth())],
        [ctx.button(ctx.t("exports.btn.back"), CommitteeHome())],
    ])


def _formats(ctx: Context, month: Month) -> None:
    def file(fmt: Format, names: bool = False) -> ExportFile:
        return ExportFile(month.year, month.month, fmt, names)

    ctx.show(ctx.t("exports.formats", month=str(month)), [
        [ctx.button(ctx.t(FORMAT_LABELS[Format.XLSX]), file(Format.XLSX)),
         ctx.button(ctx.t("exports.btn.xlsx_names"), file(Format.XLSX, True))],
        [ctx.button(ctx.t(FORMAT_LABELS[Format.CSV]), file(Format.CSV)),
         ctx.button(ctx.t(FORMAT_LABELS[Format.JSON]), file(Format.JSON))],
        [ctx.button(ctx.t(FORMAT_LABELS[Format.PDF]), file(Format.PDF))],
        [ctx.button(ctx.t("exports.btn.back"), ExportsHome())],
    ])


@router.command("export", committee=True, groups=True)
async def export_command(ctx: Context) -> None:
    """``/export`` shows the months; ``/export 2026-11`` goes straight to that month's formats."""
    if ctx.incoming.args.strip():
        month = parse_month(ctx.incoming.args)
        current = _current(ctx)
        if (month.year, month.month) > (current.year, current.month):
            raise BadMonth("exports.err.future", month=str(month))
        _formats(ctx, month)
        return
    await _home(ctx)


@router.committee_button(ExportsHome)
async def exports_home(ctx: Context, tap: ExportsHome) -> None:
    ctx.toast()
    await _home(ctx)


@router.committee_button(PickMonth)
async def pick_month(ctx: Context, tap: PickMonth) -> None:
    ctx.toast()
    month = previous(_current(ctx))
    buttons = []
    for _ in range(PICK_MONTHS):
        month = previous(month)
        buttons.append(ctx.button(str(month), ExportMonth(month.year, month.month)))
    rows = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
    ctx.show(ctx.t("exports.pick"), [*rows, [ctx.button(ctx.t("exports.btn.back"), ExportsHome())]])


@router.committee_button(ExportMonth)
async def export_month(ctx: Context, tap: ExportMonth) -> None:
    ctx.toast()
    _formats(ctx, _checked(ctx, tap.year, tap.month))


@router.committee_button(ExportFile)
async def export_file(ctx: Context, tap: ExportFile) -> None:
    month = _checked(ctx, tap.year, tap.month)
    names = tap.names and tap.format in (Format.XLSX, Format.CSV, Format.JSON)
    written, content = await monthly_data.export_bytes(
        ctx.uow, ctx.community.id or 0, month, tap.format, now=ctx.now(), actor=ctx.user_id, source=Source.BOT,
        language=ctx.lang, with_names=names)
    ctx.toast()
    caption = ctx.t("exports.caption_names" if names else "exports.caption", community=esc(ctx.community.name),
                    month=str(month), format=ctx.t(FORMAT_LABELS[tap.format]))
    ctx.reply.add(SendDocument(chat_id=ctx.chat_id, file_name=written.file_name, content=content, caption=caption))


@router.command("calendar")
async def calendar(ctx: Context) -> None:
    found = await feed.upcoming_feed(ctx.uow, ctx.community.id or 0, ctx.now(), language=ctx.lang)
    if not found.events:
        ctx.say(ctx.t("exports.calendar.none"))
        return
    ctx.reply.add(SendDocument(chat_id=ctx.chat_id, file_name="linli-events.ics", content=found.content,
                               caption=ctx.t("exports.calendar.caption", community=esc(found.community),
                                             count=found.events)))
