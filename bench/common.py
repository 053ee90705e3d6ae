"""Shared benchmark plumbing: an emulator with a few users, and a throughput measurement.

Bot and emulator share one process and one event loop, so the numbers include
the emulator's own cost; compare them with each other, not with Telegram.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bot.emulator import BotApiEmulator

BENCH_TOKEN = "777000:bench-token"
BENCH_USERS = (2001, 2002, 2003, 2004, 2005)


async def start_emulator(users: tuple[int, ...] = BENCH_USERS, token: str = BENCH_TOKEN) -> BotApiEmulator:
    """A started emulator (no response self-check, no flood limits) with one bot and ``users``."""
    emu = BotApiEmulator(self_check=False)
    await emu.start()
    emu.add_bot(token, username="bench_bot", first_name="Bench")
    for user_id in users:
        emu.add_user(user_id, f"User {user_id}")
    return emu


def text_pusher(emu: BotApiEmulator, users: tuple[int, ...] = BENCH_USERS) -> Callable[[int], Any]:
    """push(i): user ``users[i % len(users)]`` sends "message i"."""
    return lambda i: emu.user_sends(users[i % len(users)], f"message {i}")


async def measure(
    emu: BotApiEmulator, push: Callable[[int], Any], expect_count: int, *, timeout: float = 120.0,
    event: str = "sent",
) -> float:
    """Push ``expect_count`` updates (push(0) ... push(n-1)) at once, wait until the bot has done
    ``expect_count`` ``event``s (sent messages; "edited" for a button that updates its card), and return
    updates per second over that span."""
    sent = 0

    def count(seen: str, _data: dict[str, Any]) -> None:
        nonlocal sent
        if seen == event:
            sent += 1

    emu.subscribe(count)
    try:
        started = time.perf_counter()
        for i in range(expect_count):
            push(i)
        await emu.wait_until(lambda: sent >= expect_count, timeout=timeout,
                             description=f"{expect_count} {event} (got {sent})")
        elapsed = time.perf_counter() - started
    finally:
        emu.unsubscribe(count)
    return expect_count / elapsed
