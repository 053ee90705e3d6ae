"""Conversations, one module per feature, written against the port in ``handlers.port``."""

from __future__ import annotations

from handlers.router import Dispatcher, Router


def routers() -> list[Router]:
    """Every feature's router, in the order routes are tried (commands and prefixes are unique)."""
    from handlers import (
        committee,
        councils,
        language,
        menu,
        start,
        topic_comments,
        topic_desk_admin,
        topic_proposal,
        topics,
        topics_committee,
    )

    return [start.router, menu.router, language.router, committee.router, topics.router, topic_proposal.router,
            topic_comments.router, topics_committee.router, councils.router, topic_desk_admin.router]


def build_dispatcher() -> Dispatcher:
    from handlers.menu import fallback

    return Dispatcher(routers(), fallback)
