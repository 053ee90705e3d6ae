"""APScheduler wakes the jobs; the database decides what is due, so a restart loses and repeats nothing."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class PeriodicJob:
    """A job with a predictable id, so it is replaced (never doubled) when registered again."""

    job_id: str
    run: Job
    every_seconds: float


def build_scheduler(jobs: list[PeriodicJob], timezone: str) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=timezone)
    # replace_existing only acts once the scheduler runs: de-duplicate by id here (the last one wins).
    for job in {job.job_id: job for job in jobs}.values():
        scheduler.add_job(_logged(job), IntervalTrigger(seconds=job.every_seconds), id=job.job_id,
                          replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=60)
    return scheduler


def _logged(job: PeriodicJob) -> Job:
    async def run() -> None:
        try:
            result = await job.run()
            if result:
                log.info("job %s: %s", job.job_id, result)
        except Exception:
            log.exception("job %s failed; it runs again at its next tick", job.job_id)
    return run
