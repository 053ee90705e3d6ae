"""Periodic jobs: predictable ids (registered again = replaced, never doubled), failures don't stop them."""

from __future__ import annotations

import asyncio

from scheduler.runner import PeriodicJob, build_scheduler


async def test_jobs_have_fixed_ids_and_survive_failures() -> None:
    runs: list[str] = []

    async def ok() -> int:
        runs.append("ok")
        return 1

    async def broken() -> None:
        runs.append("broken")
        raise RuntimeError("boom")

    jobs = [PeriodicJob("a", ok, 0.05), PeriodicJob("b", broken, 0.05), PeriodicJob("a", ok, 0.05)]
    scheduler = build_scheduler(jobs, "Asia/Shanghai")
    assert sorted(job.id for job in scheduler.get_jobs()) == ["a", "b"]
    scheduler.start()
    try:
        await asyncio.sleep(0.3)
    finally:
        scheduler.shutdown(wait=False)
    assert runs.count("broken") >= 2 and runs.count("ok") >= 2
