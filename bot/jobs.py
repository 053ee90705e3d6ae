"""Which periodic jobs the running bot has: each feature's, as declared in bot/features.py (jobs live in scheduler/)."""

from __future__ import annotations

from bot.app import Linli
from bot.features import jobs
from scheduler.runner import PeriodicJob


def periodic_jobs(app: Linli) -> list[PeriodicJob]:
    """The features' scheduled jobs. The outbox is not one of them: its sender loop (``Linli.attach``) drives it."""
    return [PeriodicJob(job.job_id, job.make(app), every_seconds=job.every_seconds) for job in jobs()]
