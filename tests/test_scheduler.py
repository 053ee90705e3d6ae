"""Periodic jobs: predictable ids (registered again = replaced, never doubled), failures don't stop them."""

from __future__ import annotations

import asyncio

from scheduler.runner import PeriodicJob, build_scheduler


async def test_jobs_have_fixed_ids_and_survive_failures() -> None:
    runs: list[str] = []
    twice_each = asyncio.Event()  # the scheduler's own timer drives the jobs: wait for the runs, not for time

    def ran(name: str) -> None:
        runs.append(name)
        if runs.count("ok") >= 2 and runs.count("broken") >= 2:
            twice_each.set()

    async def ok() -> int:
        ran("ok")
        return 1

    async def broken() -> None:
        ran("broken")
        raise RuntimeError("boom")

    jobs = [PeriodicJob("a", ok, 0.05), PeriodicJob("b", broken, 0.05), PeriodicJob("a", ok, 0.05)]
    scheduler = build_scheduler(jobs, "Asia/Shanghai")
    assert sorted(job.id for job in scheduler.get_jobs()) == ["a", "b"]
    scheduler.start()
    try:
        await asyncio.wait_for(twice_each.wait(), 10)  # a failure does not stop its job: "broken" runs again
    finally:
        scheduler.shutdown(wait=False)
    assert runs.count("broken") >= 2 and runs.count("ok") >= 2


async def test_update_tracker_forgets_old_updates() -> None:
    from bot.app import UpdateTracker

    tracker = UpdateTracker(keep=3)
    for update_id in range(1, 6):
        await tracker.mark(update_id)
    assert set(tracker.done) == {3, 4, 5}
    await tracker.wait(5, timeout=0.1)
