"""What both doors share: the bot's command list and the shape of a door."""

from __future__ import annotations

from typing import Protocol

from bot.features import commands
from locales.catalogs import LANGUAGES, Translator

COMMANDS = commands()  # every feature's, in the order features are declared


def command_list(translator: Translator, language: str) -> list[tuple[str, str]]:
    """(command, description) for setMyCommands, in ``language``."""
    return [(name, translator(language, f"commands.{name}")) for name in COMMANDS]


def telegram_language_code(language: str) -> str:
    return "zh" if language.startswith("zh") else language


class Door(Protocol):
    """A way in: runs until ``stop`` is called, feeding updates to the app."""

    async def run(self) -> None: ...

    async def stop(self) -> None: ...


__all__ = ["COMMANDS", "LANGUAGES", "Door", "command_list", "telegram_language_code"]
