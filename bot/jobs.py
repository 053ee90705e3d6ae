"""Which periodic jobs the running bot has (wiring only; the jobs live in scheduler/)."""

from __future__ import annotations

from bot.app import Linli
from scheduler.runner import PeriodicJob


def periodic_jobs(app: Linli) -> list[PeriodicJob]:
    """The scheduled jobs. The outbox is not one of them: its sender loop (``Linli.attach``) is its only driver."""
    jobs: list[PeriodicJob] = []
    try:
        from scheduler.topic_jobs import alert_overdue_topics
    except ImportError:  # pragma: no cover - the topics feature is always installed
        return jobs

    async def overdue() -> int:
        return await alert_overdue_topics(app.sessions, app.translator, app.clock)

    jobs.append(PeriodicJob("topics-overdue", overdue, every_seconds=600))
    return jobs
