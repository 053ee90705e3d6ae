"""The ``linli`` command: run the bot, the sandbox, migrations, roster import, roles."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Annotated

import typer

from bot.config import Settings, Transport

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
    settings = _settings()
    _logging(verbose, settings)
    if settings.bot_token is None:
        typer.echo("LINLI_BOT_TOKEN is not set: starting the sandbox (the same bot against the local emulator).\n"
                   "For the real thing, get a token from @BotFather (see README).", err=True)
        from bot.sandbox import run_sandbox

        asyncio.run(run_sandbox(demo=True, transport=settings.transport))
        return
    asyncio.run(_run(settings))


async def _run(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run until SIGINT/SIGTERM (or until ``stop`` is set, for tests)."""
    from bot.app import Linli
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


def make_door(linli: object, transport: Transport, token: str, api_url: str | None) -> object:
    if transport is Transport.PTB:
        from bot.doors.ptb_door import PtbDoor

        return PtbDoor(linli, token, api_url)  # type: ignore[arg-type]
    from bot.doors.aiogram_door import AiogramDoor

    return AiogramDoor(linli, token, api_url)  # type: ignore[arg-type]


@app.command()
def migrate(revision: str = "head") -> None:
    """Bring the database to the newest schema (or to REVISION)."""
    from storage.db import upgrade_sync

    settings = _settings()
    upgrade_sync(settings.database_url, revision)
    typer.echo(f"database is at {revision}: {settings.database_url.split('@')[-1]}")


@app.command("import-roster")
def import_roster(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="XLSX or CSV: building, unit, room, "
                                                                            "floor_area, owner")],
    codes_out: Annotated[Path | None, typer.Option("--codes-out", help="Write new codes as CSV here")] = None,
    codes_per_household: Annotated[int, typer.Option(min=1, max=20)] = 3,
) -> None:
    """Import the household roster; every new household gets invite codes (printed, and as CSV)."""
    from core.errors import DomainError
    from handlers.i18n import Translator
    from storage.roster import parse_rows, read_table

    settings = _settings()
    try:
        rows = parse_rows(read_table(file))
    except DomainError as error:
        typer.echo(Translator()(settings.default_language, error.key, **error.params), err=True)
        raise typer.Exit(1) from error
    result = asyncio.run(_import(settings, rows, codes_per_household))
    typer.echo(f"households: {result.households_created} new, {result.households_updated} updated; "
               f"{len(result.codes)} invite codes")
    for building, unit, room, code in result.codes:
        typer.echo(f"{building}-{unit}-{room}\t{code}")
    if codes_out is not None:
        from storage.roster import codes_csv

        codes_out.write_text(codes_csv(result.codes), encoding="utf-8")
        typer.echo(f"codes written to {codes_out}")


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
    telegram_user_id: Annotated[int, typer.Argument(help="The person's numeric Telegram id")],
    role: Annotated[str, typer.Argument(help="committee, admin, building_leader, owner, …")],
    name: Annotated[str, typer.Option(help="Name to show until they register")] = "",
) -> None:
    """Give a role from the command line (how the first committee member is made)."""
    from storage.residents import Role

    try:
        parsed = Role(role)
    except ValueError as exc:
        typer.echo(f"unknown role {role!r}; one of: {', '.join(r.value for r in Role)}", err=True)
        raise typer.Exit(2) from exc
    changed = asyncio.run(_grant(_settings(), telegram_user_id, parsed, name))
    typer.echo(f"{telegram_user_id}: {'granted' if changed else 'already had'} {parsed.value}")


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


@app.command()
def sandbox(
    demo: Annotated[bool, typer.Option("--demo", help="Seed a demo community with invite codes")] = False,
    transport: Annotated[Transport, typer.Option(help="Which door drives the handlers")] = Transport.AIOGRAM,
    database_url: Annotated[str | None, typer.Option(help="Default: linli-sandbox.db here")] = None,
) -> None:
    """Chat with the real bot in this terminal, against the built-in Bot API emulator."""
    from bot.sandbox import run_sandbox

    asyncio.run(run_sandbox(demo=demo, transport=transport, database_url=database_url))


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
