"""Conversations, one module per feature, written against the port in ``handlers.port``."""

from __future__ import annotations

from collections.abc import Iterable

from handlers.feature import Feature
from handlers.router import Dispatcher


def build_dispatcher(features: Iterable[Feature]) -> Dispatcher:
    """One dispatcher over every feature's routers (commands, buttons and forms are unique across them)."""
    from handlers.menu import fallback

    return Dispatcher([router for feature in features for router in feature.routers], fallback)
