"""Updates per second end to end: a ``/start CODE`` round trip (database write included) through each
door and the emulator, next to that framework's bare echo bot through the same emulator, in one run.

    python -m bench.updates_per_second [--n 500] [--database sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from bench.common import BENCH_TOKEN, measure
from bench.echo_baseline import run_aiogram_echo, run_ptb_echo
from bot.app import Linli
from bot.config import Settings, Transport
from bot.emulator import BotApiEmulator
from storage.community import get_community
from storage.db import upgrade
from storage.roster import RosterRow, import_roster

FIRST_USER = 300_000


async def _database(kind: str, directory: Path) -> str:
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{directory / 'bench.db'}"
    from tests.support.databases import create_postgres_database, pg_url

    name = create_postgres_database()
    if name is None:
        raise SystemExit("PostgreSQL is not reachable on 127.0.0.1:5432")
    return pg_url(name)


async def run_linli(transport: Transport, n: int, database: str, flood_per_second: float = 100_000) -> float:
    """Updates per second of the whole bot answering ``n`` users' ``/start CODE`` (each writes rows)."""
    from bot.doors import make_door

    with tempfile.TemporaryDirectory() as tmp:
        url = await _database(database, Path(tmp))
        await upgrade(url)
        emu = BotApiEmulator(self_check=False)
        await emu.start()
        emu.add_bot(BENCH_TOKEN, username="bench_bot")
        settings = Settings(_env_file=None, bot_token=BENCH_TOKEN, database_url=url,  # type: ignore[call-arg]
                            transport=transport, bot_api_url=emu.base_url, flood_per_second=flood_per_second,
                            flood_chat_burst=1000, flood_group_per_minute=1000)
        app = Linli(settings)
        await app.prepare(migrate=False)
        async with app.sessions() as session:
            community = await get_community(session, app.community_id or 0)
            rows = [RosterRow("B", str(i // 100), str(i), 80.0, True) for i in range(n)]
            result = await import_roster(session, community, rows, app.clock.now(), codes_per_household=1)
            await session.commit()
        codes = [code for *_, code in result.codes]
        users = [FIRST_USER + i for i in range(n)]
        for user in users:
            emu.add_user(user, f"U{user}")
        door = make_door(app, transport, BENCH_TOKEN, emu.base_url)
        task = asyncio.create_task(door.run())
        try:
            await emu.wait_until(emu.is_polling, timeout=30, description="polling")
            rate = await measure(emu, lambda i: emu.user_sends(users[i], f"/start {codes[i]}"), n, timeout=300)
        finally:
            await door.stop()
            await task
            await app.close()
            await emu.stop()
        if database == "postgres":
            from tests.support.databases import drop_postgres_database

            drop_postgres_database(url.rsplit("/", 1)[1])
        return rate


async def main(n: int, databases: list[str], telegram_limits: bool) -> None:
    baselines = {Transport.AIOGRAM: await run_aiogram_echo(n), Transport.PTB: await run_ptb_echo(n)}
    limits = "Telegram's 30 msg/s" if telegram_limits else "flood limiter lifted (capacity)"
    print(f"n={n} updates, bot and emulator in one process (2 cores); {limits}")
    print(f"{'door':8} {'database':9} {'linli /start':>14} {'bare echo':>11} {'ratio':>7}")
    for transport in (Transport.AIOGRAM, Transport.PTB):
        for database in databases:
            rate = await run_linli(transport, n, database, 30 if telegram_limits else 100_000)
            echo = baselines[transport]
            print(f"{transport.value:8} {database:9} {rate:11.1f}/s {echo:8.1f}/s {rate / echo:7.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--telegram-limits", action="store_true", help="keep the 30 messages/s overall limit")
    arguments = parser.parse_args()
    chosen = ["sqlite", "postgres"] if arguments.database == "both" else [arguments.database]
    asyncio.run(main(arguments.n, chosen, arguments.telegram_limits))
