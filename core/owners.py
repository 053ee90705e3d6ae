"""Owners' decisions (业主共同决定, Civil Code art. 278): counted by area AND by head, in integers.

Taking part needs owners holding at least 2/3 of the exclusive area AND at least 2/3 of the owners. Matters
(6) raising the maintenance fund, (7) rebuilding or altering, (8) changing the use of common parts need at least
3/4 of the participating area AND 3/4 of the participating owners; every other matter, (5) included, more than
half of each. Heads are counted as the Supreme People's Court's interpretation says (法释〔2009〕7号, arts. 8-9): an
exclusive part is one owner, but one owner of several parts counts once, and the developer's unsold parts together
count once; co-owners of a flat share its one vote. Areas are in hundredths of a square metre.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from core.thresholds import AT_LEAST_THREE_QUARTERS, AT_LEAST_TWO_THIRDS, MORE_THAN_HALF, Threshold


class Matter(IntEnum):
    """Art. 278's list; the committee picks one for every owners' item."""

    PROCEDURE_RULES = 1
    MANAGEMENT_COVENANT = 2
    OWNERS_COMMITTEE = 3
    PROPERTY_COMPANY = 4
    USE_MAINTENANCE_FUND = 5
    RAISE_MAINTENANCE_FUND = 6
    REBUILD_OR_ALTER = 7
    CHANGE_COMMON_USE = 8
    OTHER_MAJOR = 9


SPECIAL_MATTERS = frozenset({Matter.RAISE_MAINTENANCE_FUND, Matter.REBUILD_OR_ALTER, Matter.CHANGE_COMMON_USE})


class Choice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


@dataclass(frozen=True, slots=True)
class Flat:
    """One exclusive part: its registered area (hundredths of m²) and whose it is for the head count.

    ``owner`` names the owner as the head count sees them: the same key for every flat of one owner (counted
    once), one key for all of the developer's unsold flats, one key per flat for its co-owners together.
    """

    flat_id: int
    area: int
    owner: str


@dataclass(frozen=True, slots=True)
class OwnersRule:
    key: str
    participation: Threshold  # over the whole area and over all owners
    passing: Threshold  # over the participating area and the participating owners


def rule_for(matter: Matter) -> OwnersRule:
    if matter in SPECIAL_MATTERS:
        return OwnersRule("rule.owners_special", AT_LEAST_TWO_THIRDS, AT_LEAST_THREE_QUARTERS)
    return OwnersRule("rule.owners_ordinary", AT_LEAST_TWO_THIRDS, MORE_THAN_HALF)


@dataclass(frozen=True, slots=True)
class Weight:
    """Area and heads of a set of flats."""

    area: int
    heads: int


def weigh(flats: Iterable[Flat]) -> Weight:
    """Area of every flat; heads as distinct owners (an owner of two flats: area twice, head once)."""
    listed = list(flats)
    return Weight(area=sum(f.area for f in listed), heads=len({f.owner for f in listed}))


@dataclass(frozen=True, slots=True)
class OwnersResult:
    matter: Matter
    rule: OwnersRule
    eligible: Weight
    took_part: Weight
    yes: Weight
    no: Weight
    abstain: Weight
    quorate_by_area: bool
    quorate_by_heads: bool
    passed_by_area: bool
    passed_by_heads: bool

    @property
    def quorate(self) -> bool:
        return self.quorate_by_area and self.quorate_by_heads

    @property
    def passed(self) -> bool:
        return self.quorate and self.passed_by_area and self.passed_by_heads


def count_owners(matter: Matter, flats: Iterable[Flat], votes: Mapping[int, Choice],
                 rule: OwnersRule | None = None) -> OwnersResult:
    """``votes``: the choice cast for each flat that took part (by flat id; one vote per flat).

    An owner who voted some of their flats one way and others another is counted, by head, with the choice most
    of their area went to (ties: the first flat's); by area, each flat counts where it was cast.
    """
    every = {f.flat_id: f for f in flats}
    unknown = set(votes) - set(every)
    if unknown:
        raise ValueError(f"votes for flats that are not on the register: {sorted(unknown)}")
    rule = rule or rule_for(matter)
    voted = [every[flat_id] for flat_id in votes]
    by_owner: dict[str, dict[Choice, int]] = {}
    for flat in voted:
        areas = by_owner.setdefault(flat.owner, {})
        areas[votes[flat.flat_id]] = areas.get(votes[flat.flat_id], 0) + flat.area
    head_choice = {owner: max(areas, key=lambda c: areas[c]) for owner, areas in by_owner.items()}

    def weight_of(choice: Choice) -> Weight:
        return Weight(area=sum(f.area for f in voted if votes[f.flat_id] is choice),
                      heads=sum(1 for c in head_choice.values() if c is choice))

    return count_weights(matter, weigh(every.values()), weigh(voted), weight_of(Choice.YES), weight_of(Choice.NO),
                         weight_of(Choice.ABSTAIN), rule)


def count_weights(matter: Matter, eligible: Weight, took_part: Weight, yes: Weight, no: Weight, abstain: Weight,
                  rule: OwnersRule | None = None) -> OwnersResult:
    """The same count from weights already summed (e.g. by one ``GROUP BY`` over ballots, one per owner)."""
    rule = rule or rule_for(matter)
    return OwnersResult(
        matter=matter, rule=rule, eligible=eligible, took_part=took_part, yes=yes, no=no, abstain=abstain,
        quorate_by_area=rule.participation.met(took_part.area, eligible.area),
        quorate_by_heads=rule.participation.met(took_part.heads, eligible.heads),
        passed_by_area=rule.passing.met(yes.area, took_part.area),
        passed_by_heads=rule.passing.met(yes.heads, took_part.heads))
