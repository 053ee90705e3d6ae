"""Elections (committee members, representatives): secret ballot, open count, the common rules as defaults.

The election is valid when MORE THAN HALF of the registered voters vote. In the first round a candidate is
elected with MORE THAN HALF of the ballots cast (invalid ballots count as cast). Seats left unfilled go to a
further round, by most votes but with AT LEAST 1/3 of that round's ballots cast. A ballot with more marks than
seats is invalid (作废). A tie for the last seat(s) is broken by the rule the committee chose before voting: a
further round among the tied, or lot (drawn and recorded outside; the order is passed in here).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from core.thresholds import AT_LEAST_ONE_THIRD, MORE_THAN_HALF, Threshold


class TieBreak(StrEnum):
    RUNOFF = "runoff"  # a further round among the tied
    LOT = "lot"  # drawn by lot, the draw recorded


@dataclass(frozen=True, slots=True)
class ElectionRule:
    key: str = "rule.election"
    valid_turnout: Threshold = MORE_THAN_HALF  # of registered voters
    first_round: Threshold = MORE_THAN_HALF  # of ballots cast, per candidate
    further_round: Threshold = AT_LEAST_ONE_THIRD  # of that round's ballots cast, most votes first
    tie_break: TieBreak = TieBreak.RUNOFF


@dataclass(frozen=True, slots=True)
class Ballot:
    """The candidates marked (ids; a write-in is any eligible person's id), or an unreadable paper ballot."""

    marks: tuple[int, ...] = ()
    unreadable: bool = False


@dataclass(frozen=True, slots=True)
class RoundResult:
    seats: int
    registered: int
    cast: int
    invalid: int
    votes: dict[int, int]  # candidate → votes, from valid ballots
    valid: bool  # enough voters voted (first round); a further round is valid if anyone voted
    elected: tuple[int, ...]
    tied: tuple[int, ...] = ()  # tied for the last seat(s): a runoff among them, or lot
    drawn_by_lot: tuple[int, ...] = ()  # among ``elected``: who got a seat by the recorded draw
    rule: ElectionRule = field(default_factory=ElectionRule)

    @property
    def unfilled(self) -> int:
        return self.seats - len(self.elected)


def is_invalid(ballot: Ballot, seats: int) -> bool:
    """More marks than seats, a candidate marked twice, or unreadable: cast, but for nobody."""
    return ballot.unreadable or len(ballot.marks) > seats or len(set(ballot.marks)) != len(ballot.marks)


def _tally(ballots: Sequence[Ballot], seats: int) -> tuple[Counter[int], int]:
    votes: Counter[int] = Counter()
    invalid = 0
    for ballot in ballots:
        if is_invalid(ballot, seats):
            invalid += 1
        else:
            votes.update(ballot.marks)
    return votes, invalid


def _fill(votes: Counter[int], seats: int, qualifies: Threshold, cast: int, rule: ElectionRule,
          lot_order: Sequence[int]) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """(elected, tied, drawn by lot): the most voted of those who qualify, up to ``seats``."""
    ranked = sorted((c for c in votes if qualifies.met(votes[c], cast)), key=lambda c: (-votes[c], c))
    if len(ranked) <= seats:
        return tuple(ranked), (), ()
    boundary = votes[ranked[seats - 1]] if seats > 0 else None
    sure = tuple(c for c in ranked if boundary is None or votes[c] > boundary)
    level = [c for c in ranked if votes[c] == boundary]
    left = seats - len(sure)
    if len(level) <= left:  # the boundary is not shared with anyone left out
        return sure + tuple(level), (), ()
    if rule.tie_break is TieBreak.LOT and lot_order:
        drawn = tuple(sorted(level, key=lambda c: lot_order.index(c) if c in lot_order else len(lot_order)))[:left]
        return sure + drawn, (), drawn
    return sure, tuple(sorted(level)), ()


def count_first_round(seats: int, registered: int, ballots: Iterable[Ballot], rule: ElectionRule | None = None,
                      *, lot_order: Sequence[int] = ()) -> RoundResult:
    """The first round: valid with enough voters; elected with more than half of the ballots cast."""
    cast_ballots = list(ballots)
    votes, invalid = _tally(cast_ballots, seats)
    return count_first_votes(seats, registered, votes, len(cast_ballots), invalid, rule, lot_order=lot_order)


def count_first_votes(seats: int, registered: int, counted: Mapping[int, int], cast: int, invalid: int,
                      rule: ElectionRule | None = None, *, lot_order: Sequence[int] = ()) -> RoundResult:
    """:func:`count_first_round` from votes already summed per candidate (valid ballots) and the ballots cast."""
    if seats < 1:
        raise ValueError("an election fills at least one seat")
    rule = rule or ElectionRule()
    votes = Counter({c: n for c, n in counted.items() if n})
    valid = rule.valid_turnout.met(cast, registered)
    if not valid:
        return RoundResult(seats, registered, cast, invalid, dict(votes), False, (), rule=rule)
    elected, tied, drawn = _fill(votes, seats, rule.first_round, cast, rule, lot_order)
    return RoundResult(seats, registered, cast, invalid, dict(votes), True, elected, tied, drawn, rule)


def count_further_round(seats: int, registered: int, ballots: Iterable[Ballot], rule: ElectionRule | None = None,
                        *, lot_order: Sequence[int] = ()) -> RoundResult:
    """A further round for the seats left: most votes, with at least the configured share of ballots cast."""
    cast_ballots = list(ballots)
    votes, invalid = _tally(cast_ballots, seats)
    return count_further_votes(seats, registered, votes, len(cast_ballots), invalid, rule, lot_order=lot_order)


def count_further_votes(seats: int, registered: int, counted: Mapping[int, int], cast: int, invalid: int,
                        rule: ElectionRule | None = None, *, lot_order: Sequence[int] = ()) -> RoundResult:
    """:func:`count_further_round` from votes already summed per candidate."""
    if seats < 1:
        raise ValueError("a further round fills at least one seat")
    rule = rule or ElectionRule()
    votes = Counter({c: n for c, n in counted.items() if n})
    elected, tied, drawn = _fill(votes, seats, rule.further_round, cast, rule, lot_order)
    return RoundResult(seats, registered, cast, invalid, dict(votes), cast > 0, elected, tied, drawn, rule)


def further_candidates(votes: Mapping[int, int], options: Iterable[int], elected: Iterable[int],
                       tied: Sequence[int], unfilled: int, *, extra: int = 1) -> tuple[int, ...]:
    """The candidates of a further round for ``unfilled`` seats: those tied for the last seats when the tie is
    broken by a further round; else the best placed of the others (not elected), by the first round's votes,
    ``unfilled + extra`` of them (more candidates than seats), and everyone level with the last of them (no one
    is left out by the order they were listed in). All of the others if there are no more."""
    if unfilled < 1:
        return ()
    if tied:
        return tuple(sorted(tied))
    chosen = set(elected)
    others = sorted((c for c in options if c not in chosen), key=lambda c: (-votes.get(c, 0), c))
    wanted = unfilled + extra
    if len(others) <= wanted:
        return tuple(sorted(others))
    boundary = votes.get(others[wanted - 1], 0)
    return tuple(sorted(c for c in others if votes.get(c, 0) >= boundary))
