"""Profile support taps through the port (no door, no emulator): where one tap's time goes.

    python -m bench.profile_tap [--n 200] [--database sqlite|postgres] [--html out.html]

Seeds ``n`` verified residents and a few topics, then each resident taps 👍 once, one after another, under
pyinstrument; prints the call tree (frames under 2 % hidden) and the mean time per tap.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from itertools import count
from pathlib import Path

from pydantic import SecretStr

from bench.updates_per_second import FIRST_USER, _database, _seed_supporters, support_button
from bot.app import Linli
from bot.config import Settings
from handlers.port import Action, ChatKind, Incoming, Messenger, Sender, Sent


class NullMessenger(Messenger):
    """Accepts every action (the door's cost is not what this profile is about)."""

    def __init__(self) -> None:
        self.ids = count(1)

    async def perform(self, action: Action) -> Sent:
        return Sent(next(self.ids))


async def main(n: int, database: str, html: bool) -> str | None:
    from pyinstrument import Profiler

    with tempfile.TemporaryDirectory() as tmp:
        url = await _database(database, Path(tmp))
        settings = Settings(_env_file=None, bot_token=SecretStr("1:profile"), database_url=url)  # type: ignore[call-arg]
        app = Linli(settings)
        await app.prepare(migrate=True)
        users = [FIRST_USER + i for i in range(n)]
        topic_ids = await _seed_supporters(app, users)
        buttons = [support_button(app, topic_id) for topic_id in topic_ids]
        messenger = NullMessenger()

        def tap(i: int) -> Incoming:
            return Incoming(update_id=i + 1, sender=Sender(users[i], f"U{i}", "zh-hans"), chat_id=users[i],
                            chat_kind=ChatKind.PRIVATE, callback_data=buttons[i % len(buttons)],
                            callback_id=str(i), message_id=1)

        for i in range(min(10, n)):  # warm up (statement caches, first connections)
            await app.handle(tap(i), messenger)
        profiler = Profiler(interval=0.0005, async_mode="enabled")
        started = time.perf_counter()
        with profiler:
            for i in range(min(10, n), n):
                await app.handle(tap(i), messenger)
        elapsed = time.perf_counter() - started
        await app.close()
        if database == "postgres":
            from tests.support.databases import drop_postgres_database

            drop_postgres_database(url.rsplit("/", 1)[1])
    print(profiler.output_text(unicode=True, color=False, show_all=False, time="percent_of_total"))
    print(f"{n - min(10, n)} support taps on {database}: {1000 * elapsed / max(1, n - min(10, n)):.1f} ms per tap")
    return profiler.output_html() if html else None


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--html", default=None)
    arguments = parser.parse_args()
    page = asyncio.run(main(arguments.n, arguments.database, arguments.html is not None))
    if page is not None:
        Path(arguments.html).write_text(page, encoding="utf-8")
