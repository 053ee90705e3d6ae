"""Seats at an event: parties (adults and children) going or waiting, counted in people, never over capacity.

A pure model of the rules (issue 10): capacity counts people, not replies; the committee's reserved seats are
not offered; a reply that does not fit joins the waitlist in order; freed seats promote whole parties from the
waitlist in order, skipping a party too large for what is free; a smaller party never loses its seat. Storage
applies the same decisions inside one transaction; this module says what they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True, slots=True)
class Party:
    household: int  # one reply per household
    adults: int
    children: int = 0

    @property
    def people(self) -> int:
        return self.adults + self.children


@dataclass(frozen=True, slots=True)
class Seats:
    """Who is going and who waits (in arrival order), for ``capacity`` people of which ``reserved`` are kept."""

    capacity: int | None  # None: no limit
    reserved: int = 0
    going: tuple[Party, ...] = ()
    waiting: tuple[Party, ...] = ()

    @property
    def offered(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.reserved, 0)

    @property
    def people_going(self) -> int:
        return sum(p.people for p in self.going)

    @property
    def free(self) -> int | None:
        return None if self.offered is None else self.offered - self.people_going

    def place(self, household: int) -> int | None:
        """1-based place on the waitlist, or None if not waiting."""
        for number, party in enumerate(self.waiting, start=1):
            if party.household == household:
                return number
        return None


@dataclass(frozen=True, slots=True)
class Change:
    seats: Seats
    going: bool  # the household's party is going (else waiting, or gone)
    promoted: tuple[Party, ...] = field(default_factory=tuple)  # parties moved from the waitlist to going


def _fits(seats: Seats, people: int) -> bool:
    return seats.free is None or people <= seats.free


def promote(seats: Seats) -> tuple[Seats, tuple[Party, ...]]:
    """Fill free seats from the waitlist, whole parties in order, skipping any too large for what is left."""
    going, waiting, moved = list(seats.going), [], []
    current = seats
    for party in seats.waiting:
        if _fits(current, party.people):
            going.append(party)
            moved.append(party)
            current = replace(current, going=tuple(going))
        else:
            waiting.append(party)
    return replace(seats, going=tuple(going), waiting=tuple(waiting)), tuple(moved)


class NoRoom(ValueError):
    """A household going asked for more places than are free; its party stays as it was."""

    def __init__(self, free: int) -> None:
        super().__init__(f"only {free} more places are free")
        self.free = free


def reply(seats: Seats, party: Party) -> Change:
    """A household says it is coming, or changes its party.

    Going, and it still fits with the seats it held: it keeps them (a smaller party frees seats for the
    waitlist). Going, and the larger party does not fit: :class:`NoRoom`, nothing changes. Waiting: the new
    size keeps its place. New, and it fits: going (after promotion no waiting party fits what is free, so
    nobody is passed over). New, and it does not fit: the end of the waitlist.
    """
    if party.people < 1:
        raise ValueError("a party has at least one person")
    held = next((p for p in seats.going if p.household == party.household), None)
    others = tuple(p for p in seats.going if p.household != party.household)
    if any(p.household == party.household for p in seats.waiting):
        waiting = tuple(party if p.household == party.household else p for p in seats.waiting)
        after, moved = promote(replace(seats, waiting=waiting))
        return Change(after, going=any(p.household == party.household for p in after.going), promoted=moved)
    without = replace(seats, going=others)
    if _fits(without, party.people):
        after, moved = promote(replace(without, going=(*others, party)))
        return Change(after, going=True, promoted=moved)
    if held is not None:
        assert without.free is not None  # without a capacity everything fits
        raise NoRoom(free=without.free - held.people)
    return Change(replace(seats, waiting=(*seats.waiting, party)), going=False)


def cancel(seats: Seats, household: int) -> Change:
    """A household is not coming (or leaves the waitlist): its seats go to the waitlist, in order."""
    without = replace(seats, going=tuple(p for p in seats.going if p.household != household),
                      waiting=tuple(p for p in seats.waiting if p.household != household))
    after, moved = promote(without)
    return Change(after, going=False, promoted=moved)


def resize(seats: Seats, capacity: int | None, reserved: int | None = None) -> Seats:
    """New capacity or reservation; refused (ValueError) if fewer seats than people already going."""
    changed = replace(seats, capacity=capacity, reserved=seats.reserved if reserved is None else reserved)
    if changed.free is not None and changed.free < 0:
        raise ValueError("fewer seats than people going")
    after, _ = promote(changed)
    return after
