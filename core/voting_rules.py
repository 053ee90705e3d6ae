"""A community's voting rules as the committee edits them: which thresholds of which kind may change, the choices
offered, and the law's floor (a rule may be stricter than the statute, never weaker).

The statute binds two kinds: a residents' meeting (the Organic Law: more than half take part, more than half of
them decide) and owners' decisions (Civil Code art. 278: at least 2/3 of the area and of the owners take part; the
majorities of each matter are the law's and not edited here). The representatives' meeting's 2/3, and the election
rules, are common local rules: configurable either way. An advisory poll has no quorum and plain counts.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

from core.elections import TieBreak
from core.voting import MeetingKind, RuleSet, VoteError, decode_threshold, encode_threshold


class RuleField(StrEnum):
    QUORUM = "quorum"  # taking part (elections: the valid turnout)
    PASSING = "passing"  # deciding (elections: the first round's share of the ballots)
    FURTHER = "further"  # elections: a further round's share of its ballots
    TIE_BREAK = "tie_break"  # elections: a tie for the last seat: a further round, or lot


CHOICES: dict[RuleField, tuple[str, ...]] = {
    RuleField.QUORUM: (">1/2", ">=2/3", ">=3/4"),
    RuleField.PASSING: (">1/2", ">=2/3", ">=3/4"),
    RuleField.FURTHER: (">=1/3", ">=1/4", ">=1/5", ">1/2"),
    RuleField.TIE_BREAK: (TieBreak.RUNOFF.value, TieBreak.LOT.value),
}

EDITABLE: dict[MeetingKind, tuple[RuleField, ...]] = {
    MeetingKind.RESIDENTS: (RuleField.QUORUM, RuleField.PASSING),
    MeetingKind.REPRESENTATIVES: (RuleField.QUORUM, RuleField.PASSING),
    MeetingKind.OWNERS: (RuleField.QUORUM,),
    MeetingKind.ELECTION: (RuleField.QUORUM, RuleField.PASSING, RuleField.FURTHER, RuleField.TIE_BREAK),
    MeetingKind.ADVISORY: (),
}

# Fields the statute fixes a minimum for: a value weaker than the law's default is refused.
STATUTORY: dict[MeetingKind, frozenset[RuleField]] = {
    MeetingKind.RESIDENTS: frozenset({RuleField.QUORUM, RuleField.PASSING}),
    MeetingKind.OWNERS: frozenset({RuleField.QUORUM}),
}


class RuleRefused(VoteError):
    key = "voting_rules.err.weaker_than_law"


def value_of(rules: RuleSet, field: RuleField) -> str | None:
    return {RuleField.QUORUM: rules.quorum, RuleField.PASSING: rules.passing, RuleField.FURTHER: rules.further,
            RuleField.TIE_BREAK: rules.tie_break}[field]


def choice(field: RuleField, index: int) -> str:
    """The ``index``-th value offered for ``field`` (a button carries the index, never the text)."""
    offered = CHOICES[field]
    if not 0 <= index < len(offered):
        raise VoteError("voting_rules.err.choice")
    return offered[index]


def change(kind: MeetingKind, current: RuleSet, law: RuleSet, field: RuleField, value: str) -> RuleSet:
    """``current`` with ``field`` set to ``value``, checked: a field this kind has, a value offered for it, and
    not weaker than the law where the statute binds (raises :class:`RuleRefused`)."""
    if field not in EDITABLE[kind] or value not in CHOICES[field]:
        raise VoteError("voting_rules.err.choice")
    if field in STATUTORY.get(kind, frozenset()):
        floor = value_of(law, field)
        if floor is not None and not decode_threshold(value).at_least_as_strict_as(decode_threshold(floor)):
            raise RuleRefused()
    return replace(current, **{field.value: value})


def is_stricter(value: str, law: str | None) -> bool:
    """Whether threshold ``value`` asks more than the law's ``law`` (shown on the confirmation)."""
    if law is None:
        return True
    return decode_threshold(value) != decode_threshold(law) and decode_threshold(value).at_least_as_strict_as(
        decode_threshold(law))


__all__ = ["CHOICES", "EDITABLE", "STATUTORY", "RuleField", "RuleRefused", "change", "choice", "encode_threshold",
           "is_stricter", "value_of"]
