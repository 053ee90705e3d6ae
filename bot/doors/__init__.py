"""The ways in: ``make_door`` builds the configured one and imports only its framework.

aiogram and python-telegram-bot are imported lazily here, so a process pays (in start-up time and
memory) only for the door it runs; ``import aiogram`` alone is ~165 MB of RSS on these machines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.config import Transport
from bot.doors.common import Door

if TYPE_CHECKING:
    from bot.app import Linli


def make_door(app: Linli, transport: Transport, token: str, api_url: str | None = None) -> Door:
    """The door for ``transport``, driving ``app``; ``api_url`` points at a local Bot API server."""
    if transport is Transport.PTB:
        from bot.doors.ptb_door import PtbDoor

        return PtbDoor(app, token, api_url)
    from bot.doors.aiogram_door import AiogramDoor

    return AiogramDoor(app, token, api_url)


__all__ = ["Door", "make_door"]
