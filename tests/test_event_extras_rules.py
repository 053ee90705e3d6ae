"""The extras' pure rules, by tables of cases: the check-in window, code words, minutes, places, parties, no-shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core import event_extras as rules
from core.errors import InvalidInput, TooLong
from core.event_extras import Window
from core.seats import Party

START = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)
END = START + timedelta(hours=2)


@pytest.mark.parametrize(("offset", "expected"), [
    (timedelta(minutes=-31), Window.EARLY), (timedelta(minutes=-30), Window.OPEN), (timedelta(0), Window.OPEN),
    (timedelta(hours=2), Window.OPEN), (timedelta(hours=2, seconds=1), Window.OVER)])
def test_check_in_window(offset: timedelta, expected: Window) -> None:
    assert rules.window(START, END, START + offset) is expected


@pytest.mark.parametrize(("typed", "code", "same"), [
    ("桂花27", "桂花27", True), (" 桂花 ２７ ", "桂花27", True), ("moon7", "Moon7", True), ("桂花28", "桂花27", False),
    ("", "桂花27", False), ("桂花", "桂花27", False)])
def test_code_words_compare_loosely(typed: str, code: str, same: bool) -> None:
    assert (rules.normalize_code(typed) == rules.normalize_code(code)) is same


@pytest.mark.parametrize("bad", ["a", "x" * 17, "a-b", "桂花!", ""])
def test_code_words_the_committee_may_not_set(bad: str) -> None:
    with pytest.raises(rules.BadCode):
        rules.check_code(bad)


def test_made_up_codes_are_a_word_and_two_digits() -> None:
    for _ in range(50):
        code = rules.new_code()
        assert code[:2] in rules.CODE_WORDS and 10 <= int(code[2:]) <= 99 and rules.check_code(code) == code


@pytest.mark.parametrize(("typed", "minutes"), [("1", 1), ("60", 60), ("１２", 12), ("15 分钟", 15), ("8min", 8),
                                                ("10 minutes", 10)])
def test_minutes(typed: str, minutes: int) -> None:
    assert rules.check_minutes(typed) == minutes


@pytest.mark.parametrize("bad", ["0", "61", "-5", "ten", "", None, "1.5", "９９９９９９９"])
def test_minutes_refused(bad: str | None) -> None:
    with pytest.raises(rules.BadMinutes):
        rules.check_minutes(bad)


def test_titles() -> None:
    assert rules.check_item_title("  太极\n扇 ") == "太极 扇"
    assert rules.check_item_title("长" * 40) == "长" * 40
    with pytest.raises(TooLong):
        rules.check_item_title("长" * 41)
    with pytest.raises(InvalidInput):
        rules.check_item_title("  ")


@pytest.mark.parametrize(("order", "item", "place", "expected"), [
    ([1, 2, 3], 4, 1, [4, 1, 2, 3]), ([1, 2, 3], 4, 3, [1, 2, 4, 3]), ([1, 2, 3], 4, 99, [1, 2, 3, 4]),
    ([1, 2, 3], 4, 0, [4, 1, 2, 3]), ([1, 2, 3], 3, 1, [3, 1, 2]), ([1, 2, 3], 1, 3, [2, 3, 1]), ([], 7, 5, [7])])
def test_places(order: list[int], item: int, place: int, expected: list[int]) -> None:
    assert rules.insert_at(order, item, place) == expected


@pytest.mark.parametrize(("adults", "children", "most", "families", "ok"), [
    (1, 0, 6, True, True), (2, 4, 6, True, True), (0, 1, 6, True, True), (0, 0, 6, True, False),
    (4, 3, 6, True, False), (1, 1, 6, False, False), (-1, 2, 6, True, False), (3, -1, 6, True, False)])
def test_parties(adults: int, children: int, most: int, families: bool, ok: bool) -> None:
    if ok:
        assert rules.check_party(adults, children, most=most, families=families) == (adults, children)
    else:
        with pytest.raises(rules.BadParty):
            rules.check_party(adults, children, most=most, families=families)


def test_no_shows_are_the_parties_going_whose_household_never_came() -> None:
    going = (Party(1, 2, 1), Party(2, 1), Party(3, 4))
    assert rules.no_shows(going, [2, 9]) == (Party(1, 2, 1), Party(3, 4))
    assert rules.no_shows(going, [1, 2, 3]) == ()


def test_totals() -> None:
    assert rules.totals([(8, True), (12, False), (5, True)]) == rules.ProgrammeTotals(3, 25, 2)
    assert rules.totals([]) == rules.ProgrammeTotals(0, 0, 0)
