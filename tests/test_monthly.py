"""相约九号 from its template: one event a month, made ahead, a month skipped or changed without the template."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from core.monthly import Month, MonthChange, Template, due, moved, occurrence

ZONE = "Asia/Shanghai"
NINTH = Template(day=9, start=time(19, 0), minutes=120, venue="社区广场", rain_venue="活动室", capacity=120,
                 lead_days=14)


def at(text: str) -> datetime:
    """A local (Shanghai) moment, as the UTC datetime the clock gives."""
    return datetime.fromisoformat(text + "+08:00").astimezone(UTC)


def test_the_ninth_at_seven_in_the_communitys_time_zone() -> None:
    event = occurrence(NINTH, Month(2026, 12), ZONE)
    assert event is not None and event.starts_at.isoformat() == "2026-12-09T19:00:00+08:00"
    assert event.ends_at - event.starts_at == timedelta(hours=2) and event.rain_venue == "活动室"


def test_made_fourteen_days_ahead_and_not_before() -> None:
    assert due(NINTH, at("2026-11-25T18:59:59"), ZONE) == []  # December's is 14 days and 1 s away: not yet
    assert [str(e.month) for e in due(NINTH, at("2026-11-25T19:00:00"), ZONE)] == ["2026-12"]


def test_a_month_already_made_is_not_made_again() -> None:
    now = at("2026-12-01T08:00:00")
    assert [str(e.month) for e in due(NINTH, now, ZONE)] == ["2026-12"]
    assert due(NINTH, now, ZONE, already_made=frozenset({Month(2026, 12)})) == []


def test_a_skipped_month_and_a_changed_month_leave_the_template_alone() -> None:
    changes = {Month(2027, 1): MonthChange(skip=True), Month(2027, 2): MonthChange(start=time(15, 0), venue="礼堂")}
    assert due(NINTH, at("2027-01-01T09:00:00"), ZONE, changes) == []
    (february,) = due(NINTH, at("2027-02-01T09:00:00"), ZONE, changes)
    assert february.starts_at.hour == 15 and february.venue == "礼堂"
    (march,) = due(NINTH, at("2027-03-01T09:00:00"), ZONE, changes)
    assert march.starts_at.hour == 19 and march.venue == "社区广场"


def test_a_day_the_month_does_not_have_falls_on_its_last_day() -> None:
    thirty_first = Template(day=31, start=time(10, 0), minutes=60, venue="x")
    event = occurrence(thirty_first, Month(2027, 2), ZONE)
    assert event is not None and event.starts_at.day == 28


def test_moving_one_month_keeps_its_length() -> None:
    event = occurrence(NINTH, Month(2026, 12), ZONE)
    assert event is not None
    later = moved(event, NINTH, MonthChange(start=time(20, 0), venue="活动室"))
    assert later.starts_at.hour == 20 and later.ends_at - later.starts_at == timedelta(hours=2)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1800, max_value=12 * 3600), min_size=1, max_size=60),
       st.sets(st.integers(min_value=0, max_value=11), max_size=4))
def test_ticks_at_any_moments_make_exactly_one_event_a_month(gaps: list[int], skipped: set[int]) -> None:
    """Ticks at irregular moments over a year (a bot down for hours between them): every month not skipped gets
    exactly one event, made before it starts; a skipped month gets none."""
    start = at("2026-11-01T00:00:00")
    months = [Month(2026, 11)]
    for _ in range(13):
        months.append(months[-1].next())
    changes = {months[i]: MonthChange(skip=True) for i in skipped}
    made: dict[Month, datetime] = {}
    now = start
    step = itertools.cycle(gaps)
    while now < start + timedelta(days=365):
        for event in due(NINTH, now, ZONE, changes, already_made=frozenset(made)):
            assert event.month not in made and event.starts_at > now
            made[event.month] = now
        now += timedelta(seconds=next(step))
    for month in months[:12]:
        if month in changes:
            assert month not in made
        elif occurrence(NINTH, month, ZONE).starts_at < start + timedelta(days=365):  # type: ignore[union-attr]
            assert month in made, str(month)
