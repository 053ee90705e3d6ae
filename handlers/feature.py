"""What a feature brings to the conversation side: its routers, commands, main-menu entries and help lines.

The list of features (with their scheduler jobs) is ``bot/features.py``: the one place a new feature is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.buttons import Tap

if TYPE_CHECKING:  # the router imports the context, which carries the screens defined here
    from handlers.router import Router


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """A button on the main menu: a catalog key for its label and the screen it opens."""

    label: str
    tap: Tap
    committee_only: bool = False


@dataclass(frozen=True, slots=True)
class Screens:
    """Everything features put on shared screens, gathered once at start (handlers read it from the context)."""

    menu: tuple[MenuEntry, ...] = ()
    help: tuple[str, ...] = ()  # catalog keys, shown to everyone in /help
    committee_help: tuple[str, ...] = ()  # shown to committee members below
    offers: tuple[str, ...] = ()  # catalog lines: what taking part offers (welcome, approval, guest menu)


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    routers: tuple[Router, ...] = ()
    commands: tuple[str, ...] = ()  # Telegram's command list (``commands.<name>`` in the catalogs)
    menu: tuple[MenuEntry, ...] = ()
    help: tuple[str, ...] = ()
    committee_help: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()  # a line for the welcome: add it when the feature ships, promise nothing before


def screens(features: tuple[Feature, ...]) -> Screens:
    return Screens(menu=tuple(e for f in features for e in f.menu), help=tuple(k for f in features for k in f.help),
                   committee_help=tuple(k for f in features for k in f.committee_help),
                   offers=tuple(k for f in features for k in f.offers))
