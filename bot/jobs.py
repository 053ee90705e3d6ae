"""Which periodic jobs the running bot has (wiring only; the jobs live in scheduler/)."""

from __future__ import annotations

from bot.app import Linli
from scheduler.runner import PeriodicJob


def periodic_jobs(app: Linli) -> list[PeriodicJob]:
    jobs: list[PeriodicJob] = []
    if app.outbox is not None:
        outbox = app.outbox
        jobs.append(PeriodicJob("outbox-drain", outbox.drain_once, every_seconds=15))
    try:
        from scheduler.topic_jobs import alert_overdue_topics
    except ImportError:  # pragma: no cover - the topics feature is always installed
        return jobs

    async def overdue() -> int:
        return await alert_overdue_topics(app.sessions, app.notifier, app.clock)

    jobs.append(PeriodicJob("topics-overdue", overdue, every_seconds=600))
    return jobs
