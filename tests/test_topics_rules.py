"""Pure topic rules: the legal 1/5 boundary, the status machine, similarity, limits, deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core import topics as rules
from core.errors import InvalidInput, TooLong
from core.topics import LegalBases, LegalRule, SupportTally, TopicStatus


@pytest.mark.parametrize(("count", "base", "reached"), [
    (0, 0, False),  # no base: never reached
    (5, 0, False),
    (1, 5, True),  # exactly one fifth reaches
    (0, 5, False),
    (20, 100, True),
    (19, 100, False),  # one less does not
    (21, 101, True),  # 21*5 = 105 >= 101
    (20, 101, False),  # 100 < 101
    (1, 1, True),
    (400, 2000, True),
    (399, 2000, False),
    (1000, 5000, True),
    (999, 5000, False),
])
def test_reaches_fifth(count: int, base: int, reached: bool) -> None:
    assert rules.reaches_fifth(count, base) is reached


@pytest.mark.parametrize(("base", "needed"), [(0, None), (1, 1), (5, 1), (6, 2), (100, 20), (101, 21), (5000, 1000)])
def test_fifth_needed(base: int, needed: int | None) -> None:
    assert rules.fifth_needed(base) == needed
    if needed is not None:
        assert rules.reaches_fifth(needed, base) and not rules.reaches_fifth(needed - 1, base)


@pytest.mark.parametrize(("tally", "bases", "met"), [
    (SupportTally(2, 2, 2, 2), LegalBases(100, 10), (LegalRule.HOUSEHOLDS,)),
    (SupportTally(2, 1, 2, 1), LegalBases(10, 10), (LegalRule.ADULTS,)),
    (SupportTally(2, 2, 2, 2), LegalBases(10, 10), (LegalRule.ADULTS, LegalRule.HOUSEHOLDS)),
    (SupportTally(2, 2, 1, 1), LegalBases(10, 10), ()),  # a child's support counts toward neither rule
    (SupportTally(9, 9, 9, 9), LegalBases(0, 0), ()),  # no bases at all
    # no adult register: the adult rule is not counted at all, however many adults in the bot support
    (SupportTally(2, 2, 2, 1), LegalBases(None, 50), ()),
    (SupportTally(2, 2, 2, 2), LegalBases(None, 10), (LegalRule.HOUSEHOLDS,)),
])
def test_legal_rules(tally: SupportTally, bases: LegalBases, met: tuple[LegalRule, ...]) -> None:
    assert rules.legal_rules_met(tally, bases) == met


@pytest.mark.parametrize(("supporters", "threshold", "reached"), [(20, 20, True), (19, 20, False), (5, 0, False)])
def test_agenda_threshold(supporters: int, threshold: int, reached: bool) -> None:
    assert rules.reaches_agenda(supporters, threshold) is reached


S = TopicStatus


@pytest.mark.parametrize(("current", "target", "allowed"), [
    (S.SUBMITTED, S.REVIEW, True),
    (S.SUBMITTED, S.AGENDA, True),
    (S.REVIEW, S.COUNCIL, True),
    (S.COUNCIL, S.REVIEW, True),
    (S.DEMANDED, S.AGENDA, True),
    (S.DEMANDED, S.DECLINED, False),  # a legal demand cannot be declined
    (S.AGENDA, S.RESOLVED, True),
    (S.AGENDA, S.MERGED, False),
    (S.MERGED, S.REVIEW, False),
    (S.DECLINED, S.AGENDA, False),
    (S.RESOLVED, S.REVIEW, False),
    (S.REVIEW, S.SUBMITTED, False),
])
def test_transitions(current: TopicStatus, target: TopicStatus, allowed: bool) -> None:
    assert rules.can_move(current, target) is allowed
    if not allowed:
        with pytest.raises(rules.BadTransition):
            rules.check_move(current, target)


def test_closed_statuses_lead_nowhere_and_open_ones_can_close() -> None:
    for status in rules.CLOSED:
        assert not rules.TRANSITIONS[status] and not rules.is_open(status)
    for status in rules.OPEN:
        assert rules.TRANSITIONS[status] & {S.RESOLVED, S.MERGED}


@pytest.mark.parametrize(("a", "b", "similar"), [
    ("3号楼加装电梯", "加装电梯 3号楼", True),
    ("加装电梯", "电梯加装", True),
    ("小区停车太难", "小区停车难", True),
    ("小区停车太难", "垃圾分类时间", False),
    ("Parking is hard", "parking spaces", True),
    ("Parking is hard", "Noise at night", False),
    ("ＰＡＲＫＩＮＧ", "parking", True),  # full-width letters
    ("", "anything", False),
])
def test_similarity(a: str, b: str, similar: bool) -> None:
    assert (rules.similarity(a, b) >= rules.SIMILARITY_THRESHOLD) is similar
    assert rules.similarity(a, b) == rules.similarity(b, a)


def test_most_similar_keeps_the_best_three() -> None:
    candidates = [(1, "加装电梯"), (2, "加装电梯申请"), (3, "3号楼加装电梯"), (4, "电梯加装"), (5, "停车")]
    found = rules.most_similar("加装电梯", candidates)
    assert [topic_id for topic_id, _ in found] == [1, 2, 3] or len(found) == 3
    assert found[0][0] == 1 and all(topic_id != 5 for topic_id, _ in found)


@pytest.mark.parametrize(("text", "error"), [
    ("", InvalidInput), ("   \n ", InvalidInput), ("x" * 81, TooLong), (None, InvalidInput),
])
def test_bad_titles(text: str | None, error: type[Exception]) -> None:
    with pytest.raises(error):
        rules.check_title(text)


def test_title_limits_and_cleaning() -> None:
    assert rules.check_title("  加装\t电梯 \n") == "加装 电梯"
    assert rules.check_title("x" * 80) == "x" * 80
    with pytest.raises(TooLong) as caught:
        rules.check_text("y" * 2001, rules.DESCRIPTION_LIMIT)
    assert caught.value.params == {"limit": 2000, "length": 2001}
    assert rules.check_text("a\r\nb  \n\x07c", 10) == "a\nb\nc"


def test_daily_limit() -> None:
    rules.check_daily_limit(2)
    with pytest.raises(rules.TooManyProposals):
        rules.check_daily_limit(3)


def test_local_day_is_the_communitys() -> None:
    late_evening = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    start, end = rules.local_day_bounds(late_evening, "Asia/Shanghai")
    assert start == datetime(2026, 11, 22, 16, 0, tzinfo=UTC) and end - start == timedelta(days=1)
    assert rules.local_date(late_evening + timedelta(hours=1), "Asia/Shanghai").isoformat() == "2026-11-24"


def test_overdue_and_deadline() -> None:
    submitted = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    due = rules.answer_deadline(submitted, 3)
    assert due == submitted + timedelta(days=3)
    assert not rules.is_overdue(due, None, S.REVIEW, due)  # at the deadline itself: still in time
    assert rules.is_overdue(due, None, S.REVIEW, due + timedelta(seconds=1))
    assert not rules.is_overdue(due, submitted, S.REVIEW, due + timedelta(days=1))  # answered
    assert not rules.is_overdue(due, None, S.RESOLVED, due + timedelta(days=1))  # closed


@pytest.mark.parametrize(("text", "names"), [
    ("停车 / Parking", ("停车", "Parking")),
    ("噪音｜Noise", ("噪音", "Noise")),
    ("其他", ("其他", "其他")),
])
def test_category_names(text: str, names: tuple[str, str]) -> None:
    assert rules.check_category_names(text) == names


@pytest.mark.parametrize("text", ["", "/", "a/b/c", "x" * 41])
def test_bad_category_names(text: str) -> None:
    with pytest.raises((InvalidInput, TooLong)):
        rules.check_category_names(text)
