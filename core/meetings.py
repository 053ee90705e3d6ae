"""Residents' meetings and representatives' meetings: quorum and majority under the law, as data.

Organic Law of Urban Residents' Committees: a residents' meeting (居民会议) of all adult residents, of one
representative per household, or of 2-3 representatives per residents' group is quorate when MORE THAN HALF of
those eligible take part, and a motion passes with MORE THAN HALF of those taking part. The residents'
representatives' meeting (居民代表会议, 2026 revision) commonly needs AT LEAST 2/3 of its members present and
more than half of those present. Every value is configurable per community and meeting; a result names its rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.thresholds import AT_LEAST_TWO_THIRDS, MORE_THAN_HALF, Threshold


class Eligibility(StrEnum):
    ADULTS = "adults"  # every adult resident
    HOUSEHOLDS = "households"  # one representative per household
    GROUPS = "groups"  # 2-3 representatives per residents' group
    REPRESENTATIVES = "representatives"  # the residents' representatives


@dataclass(frozen=True, slots=True)
class MeetingRule:
    """How a meeting counts: who may take part, the quorum over them, the majority over those taking part."""

    key: str  # catalog key of the rule's name
    eligibility: Eligibility
    quorum: Threshold | None  # None: no quorum (an advisory poll)
    passing: Threshold

    def with_thresholds(self, quorum: Threshold | None, passing: Threshold) -> MeetingRule:
        """The same rule with a community's own values (the law's are the defaults)."""
        return MeetingRule(self.key, self.eligibility, quorum, passing)


def residents_meeting(eligibility: Eligibility = Eligibility.ADULTS) -> MeetingRule:
    if eligibility is Eligibility.REPRESENTATIVES:
        raise ValueError("a residents' meeting is of adults, households or groups; use representatives_meeting()")
    return MeetingRule("rule.residents_meeting", eligibility, MORE_THAN_HALF, MORE_THAN_HALF)


REPRESENTATIVES_MEETING = MeetingRule("rule.representatives_meeting", Eligibility.REPRESENTATIVES,
                                      AT_LEAST_TWO_THIRDS, MORE_THAN_HALF)
ADVISORY_POLL = MeetingRule("rule.advisory", Eligibility.ADULTS, None, MORE_THAN_HALF)


@dataclass(frozen=True, slots=True)
class MotionCount:
    """A motion's ballots: 赞成 / 反对 / 弃权, plus invalid ballots that count as taking part for no option."""

    eligible: int
    yes: int
    no: int
    abstain: int = 0
    invalid: int = 0

    @property
    def took_part(self) -> int:
        return self.yes + self.no + self.abstain + self.invalid


@dataclass(frozen=True, slots=True)
class MotionResult:
    rule: MeetingRule
    count: MotionCount
    quorate: bool
    passed: bool
    needed_for_quorum: int | None  # how many had to take part (None: no quorum)
    needed_to_pass: int  # how many "yes" out of those taking part


def count_motion(rule: MeetingRule, count: MotionCount) -> MotionResult:
    """Quorum over the eligible, majority over those taking part (abstentions and invalid ballots count as taking
    part, so they weigh against passing); a meeting without quorum passes nothing."""
    if min(count.eligible, count.yes, count.no, count.abstain, count.invalid) < 0:
        raise ValueError("counts are never negative")
    if count.took_part > count.eligible and rule.quorum is not None:
        raise ValueError("more took part than were eligible")
    quorate = rule.quorum is None or rule.quorum.met(count.took_part, count.eligible)
    passed = quorate and rule.passing.met(count.yes, count.took_part)
    return MotionResult(rule=rule, count=count, quorate=quorate, passed=passed,
                        needed_for_quorum=rule.quorum.needed(count.eligible) if rule.quorum else None,
                        needed_to_pass=rule.passing.needed(count.took_part))
