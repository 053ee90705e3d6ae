"""Seats at an event (issue 10's rules, pure): capacity in people, waitlist in order, whole parties promoted."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.seats import NoRoom, Party, Seats, cancel, reply, resize


def test_capacity_counts_people_and_reserved_seats_are_not_offered() -> None:
    seats = Seats(capacity=10, reserved=2)
    seats = reply(seats, Party(1, adults=2, children=3)).seats
    change = reply(seats, Party(2, adults=4))
    assert not change.going and change.seats.place(2) == 1 and change.seats.free == 3  # 5 + 4 > 8 offered
    change = reply(change.seats, Party(3, adults=3))
    assert change.going and change.seats.free == 0  # a smaller party fits what the waiting one cannot use


def test_a_cancellation_promotes_whole_parties_in_order_skipping_those_too_large() -> None:
    seats = Seats(capacity=6)
    for household, adults in ((1, 4), (2, 2), (3, 3), (4, 1), (5, 2)):
        seats = reply(seats, Party(household, adults)).seats
    assert [p.household for p in seats.going] == [1, 2] and [p.household for p in seats.waiting] == [3, 4, 5]
    change = cancel(seats, 2)  # 2 seats free: 3 (three people) does not fit, 4 (one) does, then 5 (two) does not
    assert [p.household for p in change.promoted] == [4]
    assert [p.household for p in change.seats.waiting] == [3, 5] and change.seats.free == 1


def test_a_smaller_party_frees_seats_and_a_larger_one_that_does_not_fit_is_refused() -> None:
    seats = reply(reply(Seats(capacity=5), Party(1, adults=3)).seats, Party(2, adults=2)).seats
    seats = reply(seats, Party(3, adults=1)).seats  # waits
    change = reply(seats, Party(1, adults=2))  # one seat freed: household 3 comes
    assert [p.household for p in change.promoted] == [3] and change.seats.free == 0
    with pytest.raises(NoRoom) as refused:
        reply(change.seats, Party(2, adults=3))
    assert refused.value.free == 0


def test_a_waiting_party_keeps_its_place_when_it_changes() -> None:
    seats = reply(Seats(capacity=2), Party(1, adults=2)).seats
    seats = reply(reply(seats, Party(2, adults=2)).seats, Party(3, adults=1)).seats
    seats = reply(seats, Party(2, adults=1)).seats
    assert seats.place(2) == 1 and seats.place(3) == 2


def test_less_capacity_than_people_going_is_refused() -> None:
    seats = reply(Seats(capacity=10), Party(1, adults=6)).seats
    with pytest.raises(ValueError):
        resize(seats, 5)
    assert resize(seats, 6).free == 0 and resize(seats, None).free is None


def test_a_party_of_nobody_is_refused() -> None:
    with pytest.raises(ValueError):
        reply(Seats(capacity=3), Party(1, adults=0))


operation = st.one_of(
    st.tuples(st.just("reply"), st.integers(1, 12), st.integers(0, 4), st.integers(0, 3)),
    st.tuples(st.just("cancel"), st.integers(1, 12), st.just(0), st.just(0)),
    st.tuples(st.just("resize"), st.integers(0, 30), st.integers(0, 5), st.just(0)),
)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 25), st.integers(0, 4), st.lists(operation, max_size=40))
def test_any_sequence_keeps_capacity_and_the_waitlist_order(capacity: int, reserved: int,
                                                            operations: list[tuple[str, int, int, int]]) -> None:
    seats = Seats(capacity=capacity, reserved=min(reserved, capacity))
    arrival: list[int] = []  # the order the households now waiting joined the waitlist
    for kind, a, b, c in operations:
        try:
            if kind == "reply":
                change = reply(seats, Party(a, adults=b, children=c))
            elif kind == "cancel":
                change = cancel(seats, a)
            else:
                seats = resize(seats, a, b)
                change = None
        except ValueError:  # a refusal (party of nobody, no room, too small a capacity) changes nothing
            continue
        if change is not None:
            seats = change.seats
        still = {p.household for p in seats.waiting}
        arrival = [h for h in arrival if h in still]  # one who left (or was promoted) joins anew at the end
        arrival += [p.household for p in seats.waiting if p.household not in arrival]
        assert seats.free is None or seats.free >= 0  # never over what is offered
        assert seats.people_going <= (seats.offered if seats.offered is not None else seats.people_going)
        going = {p.household for p in seats.going}
        waiting = [p.household for p in seats.waiting]
        assert not going & set(waiting) and len(waiting) == len(set(waiting))
        assert waiting == sorted(waiting, key=arrival.index)  # the waitlist keeps its order
        assert all(seats.free is not None and p.people > seats.free for p in seats.waiting)  # nobody passed over
