"""Pure rules for deliberation topics (议题): limits, thresholds under the law, the status machine, similarity.

Nothing here touches the database or the clock; callers pass every value in.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.errors import DomainError, InvalidInput, TooLong
from core.text import clean_block, clean_line
from core.thresholds import AT_LEAST_ONE_FIFTH

TITLE_LIMIT = 80
DESCRIPTION_LIMIT = 2000
COMMENT_LIMIT = 500
ANSWER_LIMIT = 2000
REASON_LIMIT = 500
RECOMMENDATION_LIMIT = 1000
SEARCH_LIMIT = 30
PROPOSALS_PER_DAY = 3
SIMILARITY_THRESHOLD = 0.3
SIMILAR_SHOWN = 3


class TopicStatus(StrEnum):
    SUBMITTED = "submitted"
    REVIEW = "review"  # acknowledged, under review
    DEMANDED = "demanded"  # 1/5 of adult residents or households asked for a residents' meeting
    AGENDA = "agenda"
    COUNCIL = "council"  # referred to a council (议事团)
    MERGED = "merged"
    DECLINED = "declined"
    RESOLVED = "resolved"


S = TopicStatus

# Which status may follow which. A topic in DEMANDED cannot be declined: the committee MUST convene a meeting.
# The demand itself is never dropped by a status: whatever the status, a demanded topic stays on the committee's
# queue until a meeting is linked or the committee records how the demand was met, and it may be declined or
# resolved only after that (see ``demand_open``).
TRANSITIONS: dict[TopicStatus, frozenset[TopicStatus]] = {
    S.SUBMITTED: frozenset({S.REVIEW, S.DEMANDED, S.AGENDA, S.COUNCIL, S.MERGED, S.DECLINED, S.RESOLVED}),
    S.REVIEW: frozenset({S.DEMANDED, S.AGENDA, S.COUNCIL, S.MERGED, S.DECLINED, S.RESOLVED}),
    S.COUNCIL: frozenset({S.REVIEW, S.DEMANDED, S.AGENDA, S.MERGED, S.DECLINED, S.RESOLVED}),
    S.DEMANDED: frozenset({S.AGENDA, S.COUNCIL, S.MERGED, S.RESOLVED}),
    S.AGENDA: frozenset({S.COUNCIL, S.RESOLVED}),
    S.MERGED: frozenset(),
    S.DECLINED: frozenset(),
    S.RESOLVED: frozenset(),
}

CLOSED: frozenset[TopicStatus] = frozenset({S.MERGED, S.DECLINED, S.RESOLVED})
OPEN: frozenset[TopicStatus] = frozenset(set(TopicStatus) - CLOSED)
# Committee actions offered on a card, in this order (the system alone moves a topic to DEMANDED).
COMMITTEE_TARGETS: tuple[TopicStatus, ...] = (S.REVIEW, S.AGENDA, S.COUNCIL, S.MERGED, S.DECLINED, S.RESOLVED)


class TopicClosed(DomainError):
    key = "topics.err.closed"


class BadTransition(DomainError):
    key = "topics.err.transition"


class TooManyProposals(DomainError):
    key = "topics.err.daily_limit"


class DemandOpen(DomainError):
    """Declining or resolving a topic whose meeting demand has neither a meeting nor the committee's record."""

    key = "topics.err.demand_open"


def can_move(current: TopicStatus | str, target: TopicStatus | str) -> bool:
    return TopicStatus(target) in TRANSITIONS[TopicStatus(current)]


def check_move(current: TopicStatus | str, target: TopicStatus | str) -> None:
    if not can_move(current, target):
        raise BadTransition(current=str(current), target=str(target))


def is_open(status: TopicStatus | str) -> bool:
    return TopicStatus(status) in OPEN


# ---- text ------------------------------------------------------------------------------------


def _checked(value: str, limit: int) -> str:
    if not value:
        raise InvalidInput("errors.empty_text")
    if len(value) > limit:
        raise TooLong(limit=limit, length=len(value))
    return value


def check_title(text: str | None) -> str:
    if text is None:
        raise InvalidInput("errors.text_expected")
    return _checked(clean_line(text), TITLE_LIMIT)


def check_text(text: str | None, limit: int) -> str:
    """Multi-line input (description, comment, answer, reason) of at most ``limit`` characters."""
    if text is None:
        raise InvalidInput("errors.text_expected")
    return _checked(clean_block(text), limit)


CATEGORY_NAME_LIMIT = 40


def check_category_names(text: str | None) -> tuple[str, str]:
    """``中文名 / English name`` → both names; one name alone serves both languages."""
    if text is None:
        raise InvalidInput("errors.text_expected")
    parts = [clean_line(part) for part in text.replace("｜", "/").replace("|", "/").replace("／", "/").split("/")]
    parts = [part for part in parts if part]
    if not parts or len(parts) > 2:
        raise InvalidInput("topics.err.category_names")
    for part in parts:
        _checked(part, CATEGORY_NAME_LIMIT)
    return parts[0], parts[-1]


# ---- thresholds --------------------------------------------------------------------------------


class LegalRule(StrEnum):
    ADULTS = "adults"  # 1/5 of adult residents
    HOUSEHOLDS = "households"  # 1/5 of households


def reaches_fifth(count: int, base: int) -> bool:
    """At least one fifth, in exact integers. An empty base (0) is never reached."""
    return AT_LEAST_ONE_FIFTH.met(count, base)


def fifth_needed(base: int) -> int | None:
    """The smallest count that reaches 1/5 of ``base``; None when there is no base."""
    return AT_LEAST_ONE_FIFTH.needed(base) if base > 0 else None


def reaches_agenda(supporters: int, threshold: int) -> bool:
    """The committee's own threshold; 0 or less switches it off."""
    return threshold > 0 and supporters >= threshold


@dataclass(frozen=True, slots=True)
class SupportTally:
    residents: int  # verified supporters
    households: int  # distinct households among verified supporters
    adults: int  # verified adult supporters (count toward the adult rule)
    adult_households: int  # distinct households with a verified adult supporter (the household rule)


@dataclass(frozen=True, slots=True)
class LegalBases:
    """What the 1/5 rules count against. The law's base for the adult rule is ALL adult residents, which only
    the committee's register knows (most residents are not in the bot): without it the rule is not counted."""

    adults: int | None  # the committee's adult register; None: not set, the adult rule is not counted
    households: int  # households on the roster


def legal_rules_met(tally: SupportTally, bases: LegalBases) -> tuple[LegalRule, ...]:
    met: list[LegalRule] = []
    if bases.adults is not None and reaches_fifth(tally.adults, bases.adults):
        met.append(LegalRule.ADULTS)
    if reaches_fifth(tally.adult_households, bases.households):
        met.append(LegalRule.HOUSEHOLDS)
    return tuple(met)


def demand_open(meeting_demanded_at: datetime | None, meeting_item_id: int | None,
                demand_noted_at: datetime | None) -> bool:
    """A meeting was demanded and the committee has neither linked a meeting nor recorded how it was met."""
    return meeting_demanded_at is not None and meeting_item_id is None and demand_noted_at is None


def rules_label(rules: tuple[LegalRule, ...] | list[LegalRule]) -> str:
    """Stored form of the rules that triggered: ``adults``, ``households`` or ``adults+households``."""
    return "+".join(rule.value for rule in rules)


# ---- time --------------------------------------------------------------------------------------


def answer_deadline(submitted_at: datetime, answer_days: int) -> datetime:
    return submitted_at + timedelta(days=max(answer_days, 0))


def is_overdue(due_at: datetime, first_answered_at: datetime | None, status: TopicStatus | str,
               now: datetime) -> bool:
    return first_answered_at is None and is_open(status) and now > due_at


def local_date(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def local_day_bounds(moment: datetime, zone: str) -> tuple[datetime, datetime]:
    """[start, end) of the community's calendar day containing ``moment``, as aware datetimes."""
    tz = ZoneInfo(zone)
    day = moment.astimezone(tz).date()
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def check_daily_limit(proposed_today: int, limit: int = PROPOSALS_PER_DAY) -> None:
    if proposed_today >= limit:
        raise TooManyProposals(limit=limit)


# ---- similar titles ----------------------------------------------------------------------------


def _runs(text: str) -> list[str]:
    """Lower-cased runs of letters and digits (NFKC: full-width letters count as their half-width twins)."""
    runs: list[str] = []
    current: list[str] = []
    for ch in unicodedata.normalize("NFKC", text).lower():
        if ch.isalnum():
            current.append(ch)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams within each run (a one-character run counts as itself): works for 汉字 and Latin."""
    grams: set[str] = set()
    for run in _runs(text):
        if len(run) == 1:
            grams.add(run)
        grams.update(run[i:i + 2] for i in range(len(run) - 1))
    return frozenset(grams)


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams, 0.0 … 1.0."""
    left, right = bigrams(a), bigrams(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def most_similar(title: str, candidates: list[tuple[int, str]], limit: int = SIMILAR_SHOWN,
                 threshold: float = SIMILARITY_THRESHOLD) -> list[tuple[int, float]]:
    """(id, score) of the candidates at least ``threshold`` similar, best first."""
    scored = [(topic_id, similarity(title, other)) for topic_id, other in candidates]
    kept = [(topic_id, score) for topic_id, score in scored if score >= threshold]
    kept.sort(key=lambda pair: (-pair[1], -pair[0]))
    return kept[:limit]
