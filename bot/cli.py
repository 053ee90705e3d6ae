"""The ``linli`` command: run the bot, the sandbox, migrations, roster and electorates import, roles, and checking
a meeting's ballot record (``verify``, ``bulletin``)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.config import Settings, Transport

if TYPE_CHECKING:
    from locales.catalogs import Translator
    from storage.electorate_files import ElectorateProblems
    from storage.roster import RosterProblems

app = typer.Typer(help="Linli (邻里): the residents' committee bot.", no_args_is_help=True,
                  pretty_exceptions_enable=False)


def _settings() -> Settings:
    return Settings()


def _logging(verbose: bool, settings: Settings | None = None) -> None:
    from bot.logging_setup import configure

    token = settings.bot_token.get_secret_value() if settings is not None and settings.bot_token else None
    configure(verbose, token)


@app.command()
def run(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    """Run the bot for real: the configured token, transport (door) and Bot API URL."""
    from bot.preflight import PreflightError, check_api, check_token

    settings = _settings()
    _logging(verbose, settings)
    try:
        token = check_token(settings.bot_token.get_secret_value() if settings.bot_token else None)
        username = asyncio.run(check_api(token, settings.bot_api_url))
    except PreflightError as error:
        typer.echo(f"linli run: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"connected to the Bot API as @{username}", err=True)
    asyncio.run(_run(settings))


async def _run(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run until SIGINT/SIGTERM (or until ``stop`` is set, for tests)."""
    from bot.app import Linli
    from bot.doors import make_door
    from bot.jobs import periodic_jobs
    from scheduler.runner import build_scheduler

    linli = Linli(settings)
    await linli.prepare()
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    door = make_door(linli, settings.transport, token, settings.bot_api_url)
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    task = asyncio.create_task(door.run())
    scheduler = None
    try:
        await asyncio.wait({task, asyncio.create_task(linli.attached.wait())}, return_when=asyncio.FIRST_COMPLETED)
        scheduler = build_scheduler(periodic_jobs(linli), settings.timezone)
        scheduler.start()
        done, _ = await asyncio.wait({task, asyncio.create_task(stop.wait())}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        await door.stop()
        if not task.done():
            await asyncio.wait_for(task, 30)
        await linli.close()


@app.command()
def migrate(revision: str = "head") -> None:
    """Bring the database to the newest schema (or to REVISION)."""
    from storage.db import upgrade_sync

    settings = _settings()
    upgrade_sync(settings.database_url, revision)
    typer.echo(f"database is at {revision}: {settings.database_url.split('@')[-1]}")


@app.command("import-roster")
def import_roster(
    file: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False, help="XLSX or CSV (UTF-8, GB18030/GBK; comma, tab or semicolon): "
                                          "楼号/building, 单元/unit, 房号/room, 面积/floor_area, 业主/owner")],
    codes_out: Annotated[Path | None, typer.Option("--codes-out", help="Write new codes here (CSV, UTF-8 with BOM)")]
    = None,
    codes_per_household: Annotated[int, typer.Option(min=1, max=20)] = 3,
    check: Annotated[bool, typer.Option("--check", help="Only validate the file; write nothing")] = False,
) -> None:
    """Import the household roster; every new household gets invite codes (printed, and as CSV).

    The whole file is checked first: if any row is bad, every bad row is listed and nothing is written.
    """
    from core.errors import DomainError
    from locales.catalogs import Translator
    from storage.roster import RosterProblems, parse_rows, read_table

    settings = _settings()
    t = Translator()
    language = settings.default_language
    try:
        rows = parse_rows(read_table(file))
    except RosterProblems as problems:
        typer.echo(t(language, problems.key, **problems.params), err=True)
        _print_problems(problems, t, language)
        raise typer.Exit(1) from None
    except DomainError as error:
        typer.echo(t(language, error.key, **error.params), err=True)
        raise typer.Exit(1) from None
    if not any(row.floor_area for row in rows):
        typer.echo(t(language, "roster.no_area_column"), err=True)
    if check:
        typer.echo(t(language, "roster.checked", households=len(rows),
                     buildings=len({row.building for row in rows})))
        return
    result = asyncio.run(_import(settings, rows, codes_per_household))
    typer.echo(f"households: {result.households_created} new, {result.households_updated} updated; "
               f"{len(result.codes)} invite codes")
    for building, unit, room, code in result.codes:
        typer.echo(f"{building}-{unit}-{room}\t{code}")
    if codes_out is not None:
        from storage.roster import codes_csv

        codes_out.write_text(codes_csv(result.codes), encoding="utf-8-sig", newline="")
        typer.echo(f"codes written to {codes_out}")


@app.command("import-electorate")
def import_electorate(
    kind: Annotated[str, typer.Argument(help="owners, groups or representatives")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="XLSX or CSV, as for the roster")],
    check: Annotated[bool, typer.Option("--check", help="Only validate the file; write nothing")] = False,
) -> None:
    """Import the owners (楼号, 单元, 房号, 业主, [面积]), residents' groups (居民小组, 楼号) or representatives
    (居民小组, 姓名 and/or 楼号/单元/房号, [类型]); the same as uploading the file in /electorates.

    If any row is bad, every bad row is listed and nothing is written; importing the same file twice changes nothing.
    """
    from core.errors import DomainError
    from locales.catalogs import Translator
    from storage import electorate_files as files

    parsers: dict[str, Any] = {"owners": files.parse_owners, "groups": files.parse_groups,
                               "representatives": files.parse_representatives}
    if kind not in parsers:
        typer.echo(f"unknown list {kind!r}; one of: {', '.join(parsers)}", err=True)
        raise typer.Exit(2)
    settings = _settings()
    t = Translator()
    language = settings.default_language
    try:
        rows = parsers[kind](files.read_table(file))
        if check:
            typer.echo(f"{kind}: {len({row.line for row in rows})} rows checked (--check: nothing written)")
            return
        result = asyncio.run(_import_electorate(settings, kind, rows))
    except files.ElectorateProblems as problems:
        typer.echo(t(language, problems.key, **problems.params), err=True)
        _print_problems(problems, t, language)
        raise typer.Exit(1) from None
    except DomainError as error:
        typer.echo(t(language, error.key, **error.params), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{kind}: {result.rows} rows, {result.created} created, {result.updated} updated, "
               f"{result.removed} removed, {result.linked} linked")


async def _import_electorate(settings: Settings, kind: str, rows: list):  # type: ignore[no-untyped-def]
    from bot.app import Linli
    from storage import electorate_admin
    from storage.unit import Unit

    importers: dict[str, Any] = {"owners": electorate_admin.import_owners, "groups": electorate_admin.import_groups,
                                 "representatives": electorate_admin.import_representatives}
    linli = Linli(settings)
    try:
        await linli.prepare()
        async with linli.sessions() as session:
            result = await importers[kind](Unit(session), linli.community_id or 0, rows, actor=None,
                                           now=linli.clock.now())
            await session.commit()
        return result
    finally:
        await linli.close()


def _print_problems(problems: RosterProblems | ElectorateProblems, t: Translator, language: str) -> None:
    """Every bad row as one table: row number, column, the value as written, what is wrong."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    headings = ("roster.col.line", "roster.col.column", "roster.col.value", "roster.col.problem")
    table = Table(*(t(language, key) for key in headings),
                  box=None, pad_edge=False, header_style="bold")
    for problem in problems.problems:
        # Text(), not markup: the values come from the file.
        table.add_row(str(problem.line), Text(problem.column), Text(problem.value or "—"),
                      Text(t(language, problem.key, **problem.params)))
    Console(stderr=True, width=120, soft_wrap=False).print(table)


async def _import(settings: Settings, rows: list, codes_per_household: int):
    from bot.app import Linli
    from storage.community import get_community
    from storage.roster import import_roster as do_import

    linli = Linli(settings)
    try:
        await linli.prepare()
        async with linli.sessions() as session:
            community = await get_community(session, linli.community_id or 0)
            result = await do_import(session, community, rows, linli.clock.now(), codes_per_household)
            await session.commit()
        return result
    finally:
        await linli.close()


@app.command()
def grant(
    telegram_user_id: Annotated[str, typer.Argument(help="The person's numeric Telegram id")],
    role: Annotated[str, typer.Argument(help="committee, admin, building_leader, owner, …")],
    name: Annotated[str, typer.Option(help="Name to show until they register")] = "",
) -> None:
    """Give a role from the command line (how the first committee member is made)."""
    from core.telegram_ids import parse_user_id
    from storage.residents import Role

    user_id = parse_user_id(telegram_user_id)
    if user_id is None:
        typer.echo(f"not a Telegram user id: {telegram_user_id[:24]!r} (a positive number of at most 16 digits)",
                   err=True)
        raise typer.Exit(2)
    try:
        parsed = Role(role)
    except ValueError as exc:
        typer.echo(f"unknown role {role!r}; one of: {', '.join(r.value for r in Role)}", err=True)
        raise typer.Exit(2) from exc
    changed = asyncio.run(_grant(_settings(), user_id, parsed, name))
    typer.echo(f"{user_id}: {'granted' if changed else 'already had'} {parsed.value}")


async def _grant(settings: Settings, telegram_user_id: int, role: object, name: str) -> bool:
    from bot.app import Linli
    from storage import committee_admin, residents

    linli = Linli(settings)
    try:
        await linli.prepare()
        async with linli.sessions() as session:
            now = linli.clock.now()
            resident = await residents.remember_guest(session, linli.community_id or 0, telegram_user_id,
                                                      name or f"委员 {telegram_user_id}", settings.default_language,
                                                      now)
            resident.verified = True
            resident.verified_at = resident.verified_at or now
            session.add(resident)
            changed = await committee_admin.grant(session, resident, role, None, now)  # type: ignore[arg-type]
            await session.commit()
        return changed
    finally:
        await linli.close()


@app.command("export")
def export(
    month: Annotated[str, typer.Option("--month", help="The month, e.g. 2026-11 (the community's calendar)")],
    lang: Annotated[str, typer.Option("--lang", help="zh or en: sheet names, headers and texts")] = "zh",
    fmt: Annotated[str, typer.Option("--format", help="xlsx, csv (a zip of CSVs), json or pdf (the report)")]
    = "xlsx",
    out: Annotated[Path | None, typer.Option("--out", help="Where to write it (default: linli-<month>.<ext> here)")]
    = None,
    with_names: Annotated[bool, typer.Option("--with-names", help="Include the names behind open ballots "
                                                                   "(personal data; the About sheet says so)")]
    = False,
) -> None:
    """Write a month's export: votes, results, turnout, ballots (secret ones as receipt and choice only), topics,
    events, quick polls and how to verify them. Recorded in the audit log."""
    from core.errors import DomainError
    from locales.catalogs import Translator
    from storage.exports.monthly_data import Format, file_name, parse_month

    settings = _settings()
    t = Translator()
    languages = {"zh": "zh-Hans", "zh-hans": "zh-Hans", "en": "en"}
    if lang.lower() not in languages:
        typer.echo(f"unknown language {lang!r}; one of: zh, en", err=True)
        raise typer.Exit(2)
    try:
        chosen = Format(fmt.lower())
    except ValueError:
        typer.echo(f"unknown format {fmt!r}; one of: {', '.join(f.value for f in Format)}", err=True)
        raise typer.Exit(2) from None
    try:
        parsed = parse_month(month)
    except DomainError as error:
        typer.echo(t(settings.default_language, error.key, **error.params), err=True)
        raise typer.Exit(2) from None
    target = out or Path(file_name(parsed, chosen, with_names))
    counts = asyncio.run(_export(settings, parsed, chosen, target, languages[lang.lower()], with_names))
    typer.echo(f"{target}: " + ", ".join(f"{name} {count}" for name, count in counts.items()))


async def _export(settings: Settings, month: Any, fmt: Any, out: Path, language: str,
                  with_names: bool) -> dict[str, int]:
    from bot.app import Linli
    from storage.exports.monthly_data import Source, write_month
    from storage.unit import Unit

    linli = Linli(settings)
    try:
        await linli.prepare()
        async with linli.sessions() as session:
            written = await write_month(Unit(session), linli.community_id or 0, month, fmt, out,
                                        now=linli.clock.now(), actor=None, source=Source.CLI, language=language,
                                        with_names=with_names, translator=linli.translator)
            await session.commit()
        return written.rows
    finally:
        await linli.close()


@app.command("calendar")
def calendar(
    out: Annotated[Path, typer.Option("--out", help="Where to write the .ics")] = Path("linli-events.ics"),
    lang: Annotated[str, typer.Option("--lang", help="zh or en (the calendar's name and alarms)")] = "zh",
) -> None:
    """Write every upcoming event of the community as one iCalendar feed (.ics)."""
    settings = _settings()
    language = "en" if lang.lower() == "en" else "zh-Hans"
    content, count = asyncio.run(_calendar(settings, language))
    out.write_bytes(content)
    typer.echo(f"{out}: {count} upcoming events")


async def _calendar(settings: Settings, language: str) -> tuple[bytes, int]:
    from bot.app import Linli
    from storage.exports.feed import upcoming_feed
    from storage.unit import Unit

    linli = Linli(settings)
    try:
        await linli.prepare()
        async with linli.sessions() as session:
            found = await upcoming_feed(Unit(session), linli.community_id or 0, linli.clock.now(), language=language,
                                        translator=linli.translator)
        return found.content, found.events
    finally:
        await linli.close()


@app.command()
def verify(
    meeting: Annotated[int, typer.Argument(help="The meeting's number (#)")],
    bulletin: Annotated[Path | None, typer.Option(
        "--bulletin", exists=True, dir_okay=False, help="An exported bulletin (CSV or JSON) to check as well")] = None,
) -> None:
    """Recompute a meeting's ballot record (hash chain) and tally from storage, and from an exported bulletin.

    Reports every event that does not fit (edited, deleted, inserted, reordered; a head that is not the published
    one), every receipt whose ballot differs, every count that differs. Exit code 0: clean; 1: a mismatch.
    """
    from storage.trust import Report

    data = bulletin.read_bytes() if bulletin is not None else None
    report: Report = asyncio.run(_verify(_settings(), meeting, data))
    for line in verify_lines(report):
        typer.echo(line)
    raise typer.Exit(0 if report.clean else 1)


def verify_lines(report: object) -> list[str]:
    """The report as lines of text (English: an operator's tool)."""
    from core.receipts import shown
    from storage.trust import Report

    assert isinstance(report, Report)
    lines = [f"meeting {report.meeting_id} ({report.status}): {report.events} events on the record",
             f"record head:    {report.head}", f"published head: {report.published_head or '— (not published)'}"]
    lines += [f"event {finding.seq}: {finding.problem.value}" for finding in report.chain]
    for where, mismatches in (("ballot tables", report.tables), ("bulletin", report.bulletin)):
        for m in mismatches:
            recorded = "|".join(m.recorded.choice) or "invalid" if m.recorded else "absent"
            other = "|".join(m.published.choice) or "invalid" if m.published else "absent"
            lines.append(f"receipt {shown(m.receipt)} (item {m.item}): record {recorded}, {where} {other}")
    for where, tallies in (("record", report.tally), ("bulletin", report.bulletin_tally)):
        lines += [f"item {t.item} {t.what}: {where} counts {t.recorded}, the stored result {t.stored}"
                  for t in tallies]
    if report.bulletin_head is not None and report.bulletin_head != report.published_head:
        lines.append(f"bulletin head {report.bulletin_head} is not the published head")
    for number, tally in sorted(report.counted.items()):
        votes = ", ".join(f"{option} {n}" for option, n in tally.votes.items()) or "—"
        lines.append(f"item {number}: {tally.cast} cast, {tally.invalid} invalid; {votes}")
    lines.append("clean" if report.clean else "MISMATCH")
    return lines


async def _verify(settings: Settings, meeting_id: int, data: bytes | None):  # type: ignore[no-untyped-def]
    from bot.app import Linli
    from core.bulletin import BadBulletin
    from core.errors import DomainError
    from storage import trust
    from storage.unit import Unit

    linli = Linli(settings)
    try:
        await linli.prepare()
        async with linli.sessions() as session:
            try:
                return await trust.verify(Unit(session), meeting_id, data)
            except DomainError as error:
                typer.echo(f"linli verify: no meeting {meeting_id} ({error.key})", err=True)
                raise typer.Exit(2) from None
            except BadBulletin as error:
                typer.echo(f"linli verify: not a bulletin: {error}", err=True)
                raise typer.Exit(2) from None
            finally:
                await session.rollback()
    finally:
        await linli.close()


@app.command("bulletin")
def export_bulletin(
    meeting: Annotated[int, typer.Argument(help="The meeting's number (#)")],
    out: Annotated[Path, typer.Option("--out", "-o", dir_okay=False, help="Where to write it")],
    json_format: Annotated[bool, typer.Option("--json", help="JSON (with the record's head) instead of CSV")]
    = False,
) -> None:
    """Export a published meeting's bulletin: every counted ballot as receipt + choice, sorted by receipt."""
    data = asyncio.run(_bulletin(_settings(), meeting, json_format))
    out.write_bytes(data)
    typer.echo(f"bulletin of meeting {meeting} written to {out}")


async def _bulletin(settings: Settings, meeting_id: int, json_format: bool) -> bytes:
    from bot.app import Linli
    from core.errors import DomainError
    from storage import trust
    from storage.unit import Unit

    linli = Linli(settings)
    try:
        await linli.prepare()
        async with linli.sessions() as session:
            try:
                found = await trust.bulletin(Unit(session), linli.community_id or 0, meeting_id)
            except DomainError as error:
                typer.echo(f"linli bulletin: meeting {meeting_id} has no published bulletin ({error.key})", err=True)
                raise typer.Exit(2) from None
            return found.json() if json_format else found.csv()
    finally:
        await linli.close()


@app.command()
def sandbox(
    demo: Annotated[bool, typer.Option("--demo", help="Seed a demo community with invite codes")] = False,
    transport: Annotated[Transport, typer.Option(help="Which door drives the handlers")] = Transport.PTB,
    database_url: Annotated[str | None, typer.Option(help="Default: linli-sandbox.db here")] = None,
    files_dir: Annotated[Path, typer.Option(help="Where files the bot sends are saved")] = Path("sandbox-files"),
) -> None:
    """Chat with the real bot in this terminal, against the built-in Bot API emulator."""
    from bot.sandbox import run_sandbox

    asyncio.run(run_sandbox(demo=demo, transport=transport, database_url=database_url, files_dir=files_dir))


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
