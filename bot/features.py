"""Every feature, declared once: routers, commands, main-menu entries, help lines and scheduler jobs.

Adding a feature: its handlers module(s) with a router, its storage module(s) (and a line in storage/schema.py),
its catalogs (locales/*/LC_MESSAGES/<feature>.po), a migration, tests — and one ``Feature`` here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers import (
    committee,
    councils,
    electorate_owners,
    electorates,
    event_card,
    event_checkin,
    event_programme,
    event_volunteers,
    events_committee,
    exports,
    language,
    menu,
    paper,
    quick_polls,
    start,
    topic_comments,
    topic_desk_admin,
    topic_proposal,
    topics_committee,
    trust,
    voting,
    voting_committee,
    voting_rules,
    voting_write_in,
)
from handlers import events as events_home
from handlers import topics as topics_home
from handlers.feature import Feature, MenuEntry
from handlers.links import EventsHome, TopicsHome, VotesHome
from storage import quick_polls as quick_poll_store
from storage.outbox import SentHook

if TYPE_CHECKING:
    from bot.app import Linli


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A periodic job: a fixed id (never doubled across restarts), how often, and what it runs for the app."""

    job_id: str
    every_seconds: float
    make: Callable[[Linli], Callable[[], Awaitable[object]]]


@dataclass(frozen=True, slots=True)
class Declared:
    feature: Feature
    jobs: tuple[JobSpec, ...] = ()
    sent: tuple[tuple[str, SentHook], ...] = ()  # (outbox key prefix, what to record of the platform's answer)


def _overdue_topics(app: Linli) -> Callable[[], Awaitable[object]]:
    from scheduler.topic_jobs import alert_overdue_topics

    return lambda: alert_overdue_topics(app.sessions, app.notifier, app.clock)


def _close_quick_polls(app: Linli) -> Callable[[], Awaitable[object]]:
    from scheduler.quick_poll_jobs import close_due_polls

    async def run() -> int:
        closed = await close_due_polls(app.sessions, app.notifier, app.clock)
        if closed and app.outbox is not None:
            app.outbox.wake()
        return closed

    return run


def _meeting_jobs(app: Linli) -> Callable[[], Awaitable[object]]:
    from scheduler.meeting_jobs import run_meetings

    return lambda: run_meetings(app.sessions, app.notifier, app.clock)


def _monthly_events(app: Linli) -> Callable[[], Awaitable[object]]:
    from scheduler.event_jobs import make_monthly_events

    return lambda: make_monthly_events(app.sessions, app.notifier, app.clock)


def _monthly_exports(app: Linli) -> Callable[[], Awaitable[object]]:
    from scheduler.export_jobs import send_monthly_exports

    async def run() -> int:
        sent = await send_monthly_exports(app.sessions, app.clock, app.translator, app.settings.default_language)
        if sent and app.outbox is not None:
            app.outbox.wake()
        return sent

    return run


def _event_reminders(app: Linli) -> Callable[[], Awaitable[object]]:
    from core.events import parse_reminders
    from scheduler.event_jobs import send_event_reminders

    offsets = parse_reminders(app.settings.event_reminder_hours)
    return lambda: send_event_reminders(app.sessions, app.notifier, app.clock, offsets)


event_card.register()  # the extras' programme, volunteers and check-in on the event card

FEATURES: tuple[Declared, ...] = (
    Declared(Feature("home", routers=(start.router, menu.router, language.router),
                     commands=("start", "menu"), help=("help.resident",), committee_help=("help.committee",))),
    Declared(Feature("topics", routers=(topics_home.router, topic_proposal.router, topic_comments.router,
                                        topics_committee.router, councils.router, topic_desk_admin.router),
                     commands=("topics", "propose"), menu=(MenuEntry("menu.topics", TopicsHome()),),
                     help=("topics.help",), committee_help=("topics.help_committee",), offers=("offer.topics",)),
             jobs=(JobSpec("topics-overdue", 600, _overdue_topics),)),
    Declared(Feature("events", routers=(events_home.router, events_committee.router), commands=("events",),
                     menu=(MenuEntry("menu.events", EventsHome()),), help=("events.help",),
                     committee_help=("events.help_committee",), offers=("offer.events",)),
             jobs=(JobSpec("events-monthly", 600, _monthly_events), JobSpec("events-reminders", 60, _event_reminders))),
    Declared(Feature("event_extras", routers=(event_programme.router, event_volunteers.router, event_checkin.router),
                     commands=("programme", "volunteer", "checkin"), help=("extras.help",),
                     committee_help=("extras.help_committee",))),
    Declared(Feature("votes", routers=(voting.router, voting_committee.router, voting_rules.router,
                                      voting_write_in.router), commands=("votes",),
                     menu=(MenuEntry("menu.votes", VotesHome()),), help=("voting.help",),
                     committee_help=("voting.help_committee",), offers=("offer.votes",)),
             jobs=(JobSpec("meetings-due", 60, _meeting_jobs),)),
    Declared(Feature("trust", routers=(trust.router, paper.router), commands=("receipt", "bulletin", "paper"),
                     help=("trust.help",), committee_help=("trust.help_committee",))),
    Declared(Feature("me", menu=(MenuEntry("menu.me", menu.ShowMe()),), commands=("help", "lang", "cancel"))),
    Declared(Feature("committee", routers=(committee.router,))),
    Declared(Feature("quick_polls", routers=(quick_polls.router,), committee_help=("quick_polls.help_committee",)),
             jobs=(JobSpec("quick-polls-close", 60, _close_quick_polls),),
             sent=((quick_poll_store.SENT_PREFIX, quick_poll_store.record_sent),)),
    # /export (committee) and /calendar are routed but not in Telegram's command list (the help lines name them).
    Declared(Feature("exports", routers=(exports.router,), help=("exports.help",),
                     committee_help=("exports.help_committee",)),
             jobs=(JobSpec("exports-monthly", 300, _monthly_exports),)),
    Declared(Feature("electorates", routers=(electorates.router, electorate_owners.router), commands=("household",),
                     help=("electorates.help",), committee_help=("electorates.help_committee",))),
)


def features() -> tuple[Feature, ...]:
    return tuple(declared.feature for declared in FEATURES)


def commands() -> tuple[str, ...]:
    return tuple(name for feature in features() for name in feature.commands)


def jobs() -> tuple[JobSpec, ...]:
    return tuple(job for declared in FEATURES for job in declared.jobs)


def sent_hooks() -> Mapping[str, SentHook]:
    """What the outbox sender tells each feature of what it sent, by the outbox key's prefix."""
    hooks: dict[str, SentHook] = {}
    for declared in FEATURES:
        for prefix, hook in declared.sent:
            if prefix in hooks:
                raise ValueError(f"two features record what is sent under {prefix!r}")
            hooks[prefix] = hook
    return hooks
