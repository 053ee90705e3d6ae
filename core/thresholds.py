"""Fractions the law counts with, in integers only: "more than half" is strict, "at least 2/3" inclusive.

    MORE_THAN_HALF.met(51, 100)   # True
    MORE_THAN_HALF.met(50, 100)   # False: exactly half is not enough
    AT_LEAST_TWO_THIRDS.met(2, 3) # True
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Threshold:
    """``part / whole`` must be more than (``strict``) or at least ``numerator / denominator``."""

    numerator: int
    denominator: int
    strict: bool
    key: str  # catalog key naming it ("more than half", "at least two thirds")

    def met(self, part: int, whole: int) -> bool:
        """Integer comparison, never floats; nothing is met out of nothing (``whole`` 0)."""
        if whole <= 0:
            return False
        left, right = part * self.denominator, whole * self.numerator
        return left > right if self.strict else left >= right

    def needed(self, whole: int) -> int:
        """The smallest ``part`` that meets the threshold out of ``whole`` (``whole + 1`` if none can)."""
        if whole <= 0:
            return 1
        least = (whole * self.numerator) // self.denominator
        while not self.met(least, whole):
            least += 1
        return least

    def at_least_as_strict_as(self, other: Threshold) -> bool:
        """Whether meeting this threshold always meets ``other`` too (a rule may be stricter than the law's, never
        weaker): a larger fraction, or the same one and not inclusive where ``other`` is strict."""
        left, right = self.numerator * other.denominator, other.numerator * self.denominator
        return left > right or (left == right and (self.strict or not other.strict))


MORE_THAN_HALF = Threshold(1, 2, strict=True, key="rule.more_than_half")
AT_LEAST_TWO_THIRDS = Threshold(2, 3, strict=False, key="rule.at_least_two_thirds")
AT_LEAST_THREE_QUARTERS = Threshold(3, 4, strict=False, key="rule.at_least_three_quarters")
AT_LEAST_ONE_THIRD = Threshold(1, 3, strict=False, key="rule.at_least_one_third")
AT_LEAST_ONE_FIFTH = Threshold(1, 5, strict=False, key="rule.at_least_one_fifth")
