"""Updates per second end to end, through a real door and the emulator, next to that framework's bare echo bot
through the same emulator, in one run. Two taps:

- ``start``: ``n`` users each send ``/start CODE`` (checks the code, records the attempt, opens the form);
- ``support``: ``n`` verified residents each tap 👍 on a topic card (the use case writes, the card is redrawn);
- ``vote``: ``n`` verified residents each confirm their ballot on an open meeting (the ballot is written, the
  screen is redrawn).
- ``rsvp``: ``n`` verified residents each answer "going, 1 adult" on an event card (the event's row is locked, the
  reply written, the card redrawn with the places left).

    python -m bench.updates_per_second [--n 500] [--database sqlite|postgres|both] [--tap start|support|vote|rsvp|all]

``python -m bench`` runs these together with the start-up and memory figures.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from pydantic import SecretStr

from bench.common import BENCH_TOKEN, measure
from bench.echo_baseline import run_aiogram_echo, run_ptb_echo
from bot.app import Linli
from bot.config import Settings, Transport
from bot.emulator import BotApiEmulator
from storage.community import get_community

FIRST_USER = 300_000
PROPOSERS = 5  # support taps spread over this many topics (each tap locks its topic's row)
EVENTS = 5  # RSVP taps spread over this many events (each tap locks its event's row)
TAPS = ("start", "support", "vote", "rsvp")


async def _database(kind: str, directory: Path) -> str:
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{directory / 'bench.db'}"
    from tests.support.databases import create_postgres_database, pg_url

    name = create_postgres_database()
    if name is None:
        raise SystemExit("PostgreSQL is not reachable on 127.0.0.1:5432")
    return pg_url(name)


async def _seed_codes(app: Linli, n: int) -> list[str]:
    """``n`` households with one invite code each."""
    from storage.roster import RosterRow, import_roster

    async with app.sessions() as session:
        community = await get_community(session, app.community_id or 0)
        rows = [RosterRow("B", str(i // 100), str(i), 80.0, True) for i in range(n)]
        result = await import_roster(session, community, rows, app.clock.now(), codes_per_household=1)
        await session.commit()
    return [code for *_, code in result.codes]


async def _seed_supporters(app: Linli, users: list[int]) -> list[int]:
    """Verified residents for ``users`` and ``PROPOSERS`` topics to support; returns the topic ids.

    The adult register is large, so no tap reaches the law's 1/5 threshold (each would tell every supporter).
    """
    from storage import topics
    from storage.residents import Resident

    now = app.clock.now()
    async with app.sessions() as session:
        community = await get_community(session, app.community_id or 0)
        community.adult_population = 1_000_000
        session.add(community)
        proposers = [Resident(community_id=community.id or 0, telegram_user_id=FIRST_USER - 1 - i,
                              display_name=f"P{i}", verified=True, verified_at=now, created_at=now)
                     for i in range(PROPOSERS)]
        session.add_all(proposers)
        session.add_all([Resident(community_id=community.id or 0, telegram_user_id=user, display_name=f"U{user}",
                                  verified=True, verified_at=now, created_at=now) for user in users])
        await session.flush()
        category = (await topics.categories(session, community.id or 0))[0]
        topic_ids = []
        for number, proposer in enumerate(proposers):
            outcome = await topics.propose(session, community=community, proposer=proposer,
                                           title=f"Bench topic {number}", description="A topic to support.",
                                           category_id=category.id or 0, photo_file_id=None, now=now)
            topic_ids.append(outcome.topic.id or 0)
        await session.commit()
    return topic_ids


async def _seed_events(app: Linli, users: list[int]) -> list[int]:
    """Verified residents for ``users`` and ``EVENTS`` events without a seat limit; returns the event ids."""
    from datetime import timedelta

    from core.events import EventDraft
    from storage import event_admin
    from storage.residents import Resident
    from storage.unit import Unit

    now = app.clock.now()
    async with app.sessions() as session:
        community = await get_community(session, app.community_id or 0)
        organiser = Resident(community_id=community.id or 0, telegram_user_id=FIRST_USER - 1, display_name="Org",
                             verified=False, created_at=now)  # not announced to: no message to a stranger
        session.add(organiser)
        await session.flush()
        event_ids = []
        for number in range(EVENTS):
            start = now + timedelta(days=7 + number)
            made = await event_admin.create_event(
                Unit(session), community.id or 0,
                EventDraft(f"Bench event {number}", start, start + timedelta(hours=2), "Garden", household_max=6),
                organiser.id or 0, now)
            event_ids.append(made.event.id)
        # the residents arrive after the announcements: the bench measures taps, not the outbox
        session.add_all([Resident(community_id=community.id or 0, telegram_user_id=user, display_name=f"U{user}",
                                  verified=True, verified_at=now, created_at=now) for user in users])
        await session.commit()
    return event_ids


def rsvp_button(app: Linli, event_id: int) -> str:
    """The card's "going, one adult" button (signed; the same for every resident)."""
    from handlers.events import Rsvp

    return app.codec.pack(Rsvp(event_id, 1, 0))


async def _seed_voters(app: Linli, users: list[int]) -> list[str]:
    """Verified adults for ``users`` and an open advisory vote of one motion; the confirm button (yes)."""
    from datetime import timedelta

    from core.voting import ItemKind, MeetingKind, Mode
    from handlers.voting import CastBallot
    from storage import meetings
    from storage.meetings import Draft, DraftItem
    from storage.residents import Resident
    from storage.unit import Unit

    now = app.clock.now()
    async with app.sessions() as session:
        session.add_all([Resident(community_id=app.community_id or 0, telegram_user_id=user, display_name=f"U{user}",
                                  verified=True, verified_at=now, created_at=now) for user in users])
        await session.flush()
        unit = Unit(session)
        view = await meetings.create(unit, community_id=app.community_id or 0, created_by=None, now=now,
                                     draft=Draft(MeetingKind.ADVISORY, Mode.VERIFIED, "Bench vote",
                                                 (DraftItem(ItemKind.MOTION, "Bench motion", "A motion."),), None,
                                                 now + timedelta(days=1)))
        await meetings.publish(unit, community_id=app.community_id or 0, meeting_id=view.id, actor=None, now=now)
        await meetings.open_voting(unit, community_id=app.community_id or 0, meeting_id=view.id, now=now)
        await session.commit()
    return [app.codec.pack(CastBallot(view.id, view.items[0].id, 1, 1))]


def support_button(app: Linli, topic_id: int) -> str:
    """The card's 👍 button (signed; the same for every resident)."""
    from handlers.topics import SupportTopic

    return app.codec.pack(SupportTopic(topic_id))


async def run_linli(transport: Transport, n: int, database: str, tap: str = "start",
                    flood_per_second: float = 100_000) -> float:
    """Updates per second of the whole bot answering ``n`` users' taps (each writes rows)."""
    from bot.doors import make_door

    with tempfile.TemporaryDirectory() as tmp:
        url = await _database(database, Path(tmp))
        emu = BotApiEmulator(self_check=False)
        await emu.start()
        emu.add_bot(BENCH_TOKEN, username="bench_bot")
        settings = Settings(_env_file=None, bot_token=SecretStr(BENCH_TOKEN), database_url=url,  # type: ignore[call-arg]
                            transport=transport, bot_api_url=emu.base_url, flood_per_second=flood_per_second,
                            flood_chat_burst=1000, flood_group_per_minute=1000)
        app = Linli(settings)
        await app.prepare(migrate=True)
        users = [FIRST_USER + i for i in range(n)]
        for user in users:
            emu.add_user(user, f"U{user}")
        push: Callable[[int], object]
        if tap == "start":
            codes = await _seed_codes(app, n)

            def push(i: int) -> object:
                return emu.user_sends(users[i], f"/start {codes[i]}")
        elif tap == "support":
            topic_ids = await _seed_supporters(app, users)
            buttons = [support_button(app, topic_id) for topic_id in topic_ids]
        elif tap == "vote":
            buttons = await _seed_voters(app, users)
        else:
            event_ids = await _seed_events(app, users)
            buttons = [rsvp_button(app, event_id) for event_id in event_ids]
        door = make_door(app, transport, BENCH_TOKEN, emu.base_url)
        task = asyncio.create_task(door.run())
        try:
            await emu.wait_until(emu.is_polling, timeout=60, description="polling")
            if tap != "start":  # each resident has a message (the menu) for the tapped card or ballot to replace
                await measure(emu, lambda i: emu.user_sends(users[i], "/start"), n, timeout=600)
                menus = {user: emu.bot_messages(user)[-1]["message_id"] for user in users}

                def push(i: int) -> object:
                    return emu.user_presses(users[i], menus[users[i]], buttons[i % len(buttons)], forged=True)
            rate = await measure(emu, push, n, timeout=600, event="sent" if tap == "start" else "edited")
        finally:
            await door.stop()
            await task
            await app.close()
            await emu.stop()
        if database == "postgres":
            from tests.support.databases import drop_postgres_database

            drop_postgres_database(url.rsplit("/", 1)[1])
        return rate


ECHO: dict[Transport, Callable[[int], Awaitable[float]]] = {Transport.AIOGRAM: run_aiogram_echo,
                                                            Transport.PTB: run_ptb_echo}


async def main(n: int, databases: list[str], taps: list[str], telegram_limits: bool) -> None:
    limits = "Telegram's 30 msg/s" if telegram_limits else "flood limiter lifted (capacity)"
    print(f"n={n} updates, bot and emulator in one process; {limits}")
    print(f"{'door':8} {'database':9} {'tap':8} {'linli':>10} {'bare echo':>11} {'ratio':>7}")
    for transport in (Transport.PTB, Transport.AIOGRAM):
        echo = await ECHO[transport](n)
        for database in databases:
            for tap in taps:
                rate = await run_linli(transport, n, database, tap, 30 if telegram_limits else 100_000)
                print(f"{transport.value:8} {database:9} {tap:8} {rate:8.1f}/s {echo:8.1f}/s {rate / echo:7.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--tap", choices=[*TAPS, "both"], default="both")
    parser.add_argument("--telegram-limits", action="store_true", help="keep the 30 messages/s overall limit")
    arguments = parser.parse_args()
    chosen = ["sqlite", "postgres"] if arguments.database == "both" else [arguments.database]
    asyncio.run(main(arguments.n, chosen, list(TAPS) if arguments.tap == "both" else [arguments.tap],
                     arguments.telegram_limits))
