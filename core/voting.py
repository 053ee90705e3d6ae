"""Votes as data: meeting kinds, item kinds, the status machine, rules stored as text, and counting an item from
the aggregated ballots (what one ``GROUP BY marks`` returns), under the rule of core.meetings / owners / elections.

A ballot's marks are a bit mask over the item's options (bit ``i`` = the option at position ``i``): one integer
column, so a whole item is counted by one ``GROUP BY`` and the per-option counts are derived from the distinct
masks here (there are few of them), never by a loop over the ballots.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from core import elections, meetings, owners
from core.errors import DomainError
from core.thresholds import (
    AT_LEAST_ONE_FIFTH,
    AT_LEAST_ONE_THIRD,
    AT_LEAST_THREE_QUARTERS,
    AT_LEAST_TWO_THIRDS,
    MORE_THAN_HALF,
    Threshold,
)

MAX_OPTIONS = 40  # options per item (marks are a BIGINT bit mask; candidates written in included)
TITLE_LIMIT = 80
TEXT_LIMIT = 2000
OPTION_LIMIT = 40
REASON_LIMIT = 500
FURTHER_RULE_KEY = "rule.election_further"  # an election's further round: most votes, at least a share of its ballots


class MeetingKind(StrEnum):
    RESIDENTS = "residents"  # 居民会议
    REPRESENTATIVES = "representatives"  # 居民代表会议
    OWNERS = "owners"  # 业主共同决定
    ELECTION = "election"  # elections of committee members or representatives
    ADVISORY = "advisory"  # an advisory poll of verified residents


class Mode(StrEnum):
    """Who is on the register (the electorate kinds of storage.electorates, same values)."""

    ADULTS = "adults"
    HOUSEHOLDS = "households"
    GROUPS = "groups"
    REPRESENTATIVES = "representatives"
    OWNERS = "owners"
    VERIFIED = "verified"


MODES_OF: dict[MeetingKind, tuple[Mode, ...]] = {
    MeetingKind.RESIDENTS: (Mode.ADULTS, Mode.HOUSEHOLDS, Mode.GROUPS),
    MeetingKind.REPRESENTATIVES: (Mode.REPRESENTATIVES,),
    MeetingKind.OWNERS: (Mode.OWNERS,),
    MeetingKind.ELECTION: (Mode.ADULTS, Mode.HOUSEHOLDS, Mode.GROUPS, Mode.REPRESENTATIVES),
    MeetingKind.ADVISORY: (Mode.VERIFIED,),
}


class ItemKind(StrEnum):
    MOTION = "motion"  # 赞成 / 反对 / 弃权
    SINGLE = "single"  # one of n
    MULTIPLE = "multiple"  # 1 to k of n
    ELECTION = "election"  # k seats from n candidates, up to k marks


MOTION_CODES = ("yes", "no", "abstain")


class Status(StrEnum):
    DRAFT = "draft"
    DISCUSSION = "discussion"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


MOVES: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.DISCUSSION}),
    Status.DISCUSSION: frozenset({Status.OPEN}),
    Status.OPEN: frozenset({Status.CLOSED, Status.DISCUSSION}),  # back to discussion: postponed
    Status.CLOSED: frozenset({Status.PUBLISHED}),
    Status.PUBLISHED: frozenset(),
}


def can_move(current: Status, target: Status) -> bool:
    return target in MOVES[current]


class VoteError(DomainError):
    key = "voting.err.generic"


# ---- rules as text ---------------------------------------------------------------------------------

_KNOWN = {t.key: t for t in (MORE_THAN_HALF, AT_LEAST_TWO_THIRDS, AT_LEAST_THREE_QUARTERS, AT_LEAST_ONE_THIRD,
                            AT_LEAST_ONE_FIFTH)}


def encode_threshold(threshold: Threshold) -> str:
    """``>1/2`` (more than), ``>=2/3`` (at least): how a threshold is stored on a meeting or a community rule."""
    return f"{'>' if threshold.strict else '>='}{threshold.numerator}/{threshold.denominator}"


def decode_threshold(text: str) -> Threshold:
    """The inverse of :func:`encode_threshold`; the law's fractions keep their names, others are "custom"."""
    strict = not text.startswith(">=")
    body = text[1:] if strict else text[2:]
    if not text.startswith(">"):
        raise ValueError(f"not a threshold: {text!r}")
    numerator, _, denominator = body.partition("/")
    n, d = int(numerator), int(denominator)
    if not 0 < n <= d or d > 100:
        raise ValueError(f"not a threshold: {text!r}")
    for known in _KNOWN.values():
        if (known.numerator, known.denominator, known.strict) == (n, d, strict):
            return known
    return Threshold(n, d, strict, "rule.custom_more_than" if strict else "rule.custom_at_least")


@dataclass(frozen=True, slots=True)
class RuleSet:
    """What a meeting is counted under, as stored on it (a community's own values, or the law's defaults)."""

    key: str  # the rule's catalog name
    quorum: str | None  # None: no quorum (advisory)
    passing: str
    further: str | None = None  # elections: a further round's threshold
    tie_break: str = elections.TieBreak.RUNOFF.value


def default_rules(kind: MeetingKind, mode: Mode) -> RuleSet:
    """The law's values (core.meetings, core.owners, core.elections) for ``kind``."""
    if kind is MeetingKind.RESIDENTS:
        rule = meetings.residents_meeting(meetings.Eligibility(mode.value))
        return RuleSet(rule.key, encode_threshold(MORE_THAN_HALF), encode_threshold(rule.passing))
    if kind is MeetingKind.REPRESENTATIVES:
        rule = meetings.REPRESENTATIVES_MEETING
        assert rule.quorum is not None
        return RuleSet(rule.key, encode_threshold(rule.quorum), encode_threshold(rule.passing))
    if kind is MeetingKind.OWNERS:  # participation; each item passes by its matter's rule
        return RuleSet("rule.owners", encode_threshold(AT_LEAST_TWO_THIRDS), encode_threshold(MORE_THAN_HALF))
    if kind is MeetingKind.ELECTION:
        e = elections.ElectionRule()
        return RuleSet(e.key, encode_threshold(e.valid_turnout), encode_threshold(e.first_round),
                       encode_threshold(e.further_round), e.tie_break.value)
    return RuleSet(meetings.ADVISORY_POLL.key, None, encode_threshold(MORE_THAN_HALF))


def check_mode(kind: MeetingKind, mode: Mode) -> None:
    if mode not in MODES_OF[kind]:
        raise VoteError("voting.err.mode")


def check_item(meeting_kind: MeetingKind, kind: ItemKind, options: Sequence[str], max_marks: int,
               matter: int | None, secret: bool) -> None:
    """An item the committee may put to the vote: enough options, k within them, a matter for owners' items."""
    if meeting_kind is MeetingKind.OWNERS:
        if kind is not ItemKind.MOTION:
            raise VoteError("voting.err.owners_motion")
        if matter is None or not 1 <= matter <= 9:
            raise VoteError("voting.err.matter")
        if secret:  # counted by area: each ballot must weigh its owner's area
            raise VoteError("voting.err.owners_open")
    if (kind is ItemKind.ELECTION) != (meeting_kind is MeetingKind.ELECTION):
        raise VoteError("voting.err.election_item")
    if kind is ItemKind.MOTION:
        return
    if len(options) > MAX_OPTIONS - 5:
        raise VoteError("voting.err.too_many_options", limit=MAX_OPTIONS - 5)
    if kind is ItemKind.ELECTION:
        if max_marks < 1:
            raise VoteError("voting.err.seats")
        if len(options) < max_marks:
            raise VoteError("voting.err.few_candidates", seats=max_marks, candidates=len(options))
        return
    if len(options) < 2:
        raise VoteError("voting.err.few_options")
    if kind is ItemKind.MULTIPLE and not 1 <= max_marks <= len(options):
        raise VoteError("voting.err.max_marks", count=len(options))


def max_marks_of(kind: ItemKind, max_marks: int) -> int:
    return 1 if kind in (ItemKind.MOTION, ItemKind.SINGLE) else max_marks


# ---- marks -----------------------------------------------------------------------------------------


def bits(mask: int) -> tuple[int, ...]:
    """Positions marked in ``mask``."""
    return tuple(i for i in range(mask.bit_length()) if mask >> i & 1)


def toggle(mask: int, position: int, *, single: bool) -> int:
    if single:
        return 0 if mask == 1 << position else 1 << position
    return mask ^ (1 << position)


def check_marks(mask: int, options: int, max_marks: int) -> None:
    """A ballot as the bot takes it: at least one mark, on existing options, at most ``max_marks``."""
    if mask <= 0 or mask >> options or len(bits(mask)) > max_marks:
        raise VoteError("voting.err.marks", limit=max_marks)


# ---- counting --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Group:
    """One row of the item's ``GROUP BY marks``: how many ballots (heads) with those marks, their area."""

    marks: int
    heads: int
    area: int = 0


@dataclass(frozen=True, slots=True)
class OptionCount:
    position: int
    heads: int
    area: int = 0


@dataclass(frozen=True, slots=True)
class ItemResult:
    """An item's result, whatever its kind: what the result message, the chart and the topic card show."""

    rule_key: str
    quorum: str | None  # the thresholds counted under, as stored
    passing: str
    eligible: int
    took_part: int
    quorate: bool
    passed: bool | None  # motions (and owners' items); None for choices and elections
    options: tuple[OptionCount, ...]
    invalid: int = 0
    needed_for_quorum: int | None = None
    eligible_area: int = 0
    took_part_area: int = 0
    quorate_by_area: bool | None = None  # owners only
    passed_by_area: bool | None = None
    passed_by_heads: bool | None = None
    winners: tuple[int, ...] = ()  # positions: adopted options, elected candidates
    tied: tuple[int, ...] = ()
    unfilled: int = 0  # elections: seats left for a further round
    further: str | None = None  # elections: the further round's threshold
    drawn: tuple[int, ...] = ()  # elections: among ``winners``, who got a seat by the recorded draw (lot)
    by_channel: tuple[tuple[str, int], ...] = ()  # ballots per channel (online, paper, proxy), invalid ones included


def option_counts(groups: Sequence[Group], options: int) -> tuple[tuple[OptionCount, ...], int]:
    """Per-option heads and area from the distinct masks, and the invalid ballots (none marked)."""
    heads, area, invalid = [0] * options, [0] * options, 0
    for group in groups:
        marked = [p for p in bits(group.marks) if p < options]
        if not marked:
            invalid += group.heads
        for position in marked:
            heads[position] += group.heads
            area[position] += group.area
    return tuple(OptionCount(p, heads[p], area[p]) for p in range(options)), invalid


def count_item(*, kind: ItemKind, rules: RuleSet, eligible: int, groups: Sequence[Group], options: int,
               max_marks: int = 1, matter: int | None = None, eligible_area: int = 0, further_round: bool = False,
               lot_order: Sequence[int] = ()) -> ItemResult:
    """Count one item from its aggregated ballots under ``rules``.

    Motions follow core.meetings (owners' items core.owners by area and head); elections core.elections (a
    ballot with more marks than seats is invalid); single and multiple choices are plain counts over a quorum,
    an option adopted when it reaches the passing share of those taking part (advisory polls: the most votes).
    """
    counts, invalid = option_counts(groups, options)
    took_part = sum(g.heads for g in groups)
    took_area = sum(g.area for g in groups)
    quorum = decode_threshold(rules.quorum) if rules.quorum else None
    passing = decode_threshold(rules.passing)
    base = ItemResult(rule_key=rules.key, quorum=rules.quorum, passing=rules.passing, eligible=eligible,
                      took_part=took_part, quorate=False, passed=None, options=counts, invalid=invalid,
                      needed_for_quorum=quorum.needed(eligible) if quorum else None)
    if matter is not None:  # owners: by area and by head (one elector = one owner, its area = all its flats)
        o_rule = owners.rule_for(owners.Matter(matter))
        if quorum is not None:
            o_rule = owners.OwnersRule(o_rule.key, quorum, o_rule.passing)

        def weight(code: int) -> owners.Weight:
            return owners.Weight(area=counts[code].area, heads=counts[code].heads) if code < len(counts) \
                else owners.Weight(0, 0)

        result = owners.count_weights(owners.Matter(matter), owners.Weight(eligible_area, eligible),
                                      owners.Weight(took_area, took_part), weight(0), weight(1), weight(2), o_rule)
        return replace(base, rule_key=o_rule.key, passing=encode_threshold(o_rule.passing),
                       quorate=result.quorate, passed=result.passed, eligible_area=eligible_area,
                       took_part_area=took_area, quorate_by_area=result.quorate_by_area,
                       passed_by_area=result.passed_by_area, passed_by_heads=result.passed_by_heads,
                       winners=(0,) if result.passed else ())
    if kind is ItemKind.MOTION:
        rule = meetings.MeetingRule(rules.key, meetings.Eligibility.ADULTS, quorum, passing)
        yes, no, abstain = (counts[i].heads for i in range(3))
        motion = meetings.count_motion(rule, meetings.MotionCount(eligible=eligible, yes=yes, no=no,
                                                                  abstain=abstain, invalid=invalid))
        return replace(base, quorate=motion.quorate, passed=motion.passed, winners=(0,) if motion.passed else ())
    if kind is ItemKind.ELECTION:
        e_rule = elections.ElectionRule(
            key=rules.key, valid_turnout=quorum or MORE_THAN_HALF, first_round=passing,
            further_round=decode_threshold(rules.further) if rules.further else AT_LEAST_ONE_THIRD,
            tie_break=elections.TieBreak(rules.tie_break))
        votes = {c.position: c.heads for c in counts if c.heads}
        over = sum(g.heads for g in groups if len(bits(g.marks)) > max_marks)
        counted = (elections.count_further_votes if further_round else elections.count_first_votes)(
            max_marks, eligible, votes, took_part, invalid + over, e_rule, lot_order=lot_order)
        if further_round:  # named as counted: the further round's rule and threshold
            base = replace(base, rule_key=FURTHER_RULE_KEY, passing=encode_threshold(e_rule.further_round),
                           quorum=None, needed_for_quorum=None)  # valid if anyone voted (core.elections)
        return replace(base, invalid=invalid + over, quorate=counted.valid, winners=counted.elected,
                       tied=counted.tied, unfilled=counted.unfilled, further=rules.further,
                       drawn=counted.drawn_by_lot)
    quorate = quorum is None or quorum.met(took_part, eligible)
    if not quorate:
        winners: tuple[int, ...] = ()
    elif quorum is None:  # advisory: the most votes
        top = max((c.heads for c in counts), default=0)
        winners = tuple(c.position for c in counts if top and c.heads == top)
    else:
        winners = tuple(c.position for c in counts if passing.met(c.heads, took_part))
    return replace(base, quorate=quorate, winners=winners)


@dataclass(frozen=True, slots=True)
class Turnout:
    """Who took part, overall and by building and residents' group (names; "" for none)."""

    eligible: int
    took_part: int
    by_building: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # name → (took part, eligible)
    by_group: Mapping[str, tuple[int, int]] = field(default_factory=dict)


# ---- times as the committee types them ------------------------------------------------------------------

_MOMENT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(\d{1,2})[:：](\d{2})")


def parse_times(text: str, timezone: str) -> list[datetime]:
    """``2026-11-25 10:00`` (one or more, in the community's time zone) → aware UTC datetimes, in order given."""
    found = []
    for year, month, day, hour, minute in _MOMENT.findall(text or ""):
        try:
            local = datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=ZoneInfo(timezone))
        except ValueError as exc:
            raise VoteError("voting.err.time") from exc
        found.append(local.astimezone(UTC))
    return found


def key(group: str, value: object) -> str:
    """A catalog key built from a value: ``key("kind", MeetingKind.OWNERS)`` → ``voting.kind.owners``."""
    return f"voting.{group}.{value}"
