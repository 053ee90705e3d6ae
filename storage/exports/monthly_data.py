"""A month of the community as the monthly export's tables (issue 11): read from the database, streamed to a writer.

What a month holds (its bounds are the community's calendar: 1st 00:00 to the next 1st 00:00, local time):

* votes: every round of a meeting that ended in the month — counted (its results as stored at closing) or void (a
  postponed round: kept, never counted, shown with its status and who took part);
* topics proposed or first answered in the month (hidden ones are left out);
* events starting in the month (``storage.events.month_summary``: replies, people going, attended, programme,
  volunteers);
* quick polls closed in the month.

Everything but the ballots is small and read first (:func:`read_month` → :class:`MonthData`). Ballots are streamed
(server-side cursor on PostgreSQL, ``yield_per`` batches) straight into the writer, which runs in a worker thread
and pulls each batch from the event loop (:class:`_Pull`): a month of 100,000 ballots is never in memory at once.

Secret ballots appear as receipt and choice only, in the bulletin's order (by item, then receipt): no name, no
household, no time, no channel — nothing that links a voter to a choice. Open ballots show the household; names
only when the committee asked for them (and the About sheet says so).

**What trust added** (paper ballots, proxies, receipts, the record chain) is read in four small functions:
:func:`_channels` (took part online / on paper / by proxy, from the ballots' ``channel``), :func:`_open_channel`,
:func:`_chain_head` (the meeting's record chain head, what ``linli verify`` recomputes) and :func:`_secret_ballots`
(the sealed box as receipt and marks, by receipt: the bulletin's order).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import topics as topic_rules
from core import voting as vote_rules
from core.bulletin import Channel
from core.errors import DomainError
from core.monthly import Month
from core.voting import ItemKind, ItemResult, MeetingKind, Mode, RuleSet, Turnout, bits
from locales.catalogs import DEFAULT_LANGUAGE, Translator
from storage import audit, charts
from storage.ballots import MeetingElector, OpenBallot, SecretBallot, SecretParticipation
from storage.community import Building, Community, Household
from storage.events import EventSummary, month_summary
from storage.exports import monthly as layouts
from storage.exports.report import Report, ReportSection
from storage.exports.tables import ExportInfo, Table, labels
from storage.meetings import (
    ItemView,
    Meeting,
    MeetingItem,
    MeetingResult,
    MeetingRound,
    _view,
    result_from_json,
    turnout_from_json,
)
from storage.quick_polls import QuickPoll, _tally
from storage.residents import Resident
from storage.topics import Topic, TopicCategory, TopicSupport
from storage.unit import Unit

BATCH = 2000  # ballots fetched per round trip (and handed to the writer at once)
LIST_SEPARATOR = "、"


class Format(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"  # a zip of CSV files
    JSON = "json"
    PDF = "pdf"  # the printable report

    @property
    def suffix(self) -> str:
        return ".zip" if self is Format.CSV else f".{self.value}"


class BadMonth(DomainError):
    key = "exports.err.month"


class Source(StrEnum):
    BOT = "bot"
    CLI = "cli"
    SCHEDULED = "scheduled"


# ---- the month -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    month: Month
    start: datetime  # aware: the 1st 00:00 in the community's zone
    end: datetime

    @property
    def name(self) -> str:
        return str(self.month)


def parse_month(text: str) -> Month:
    """``2026-11`` → Month(2026, 11); anything else is :class:`BadMonth`."""
    year, _, number = (text or "").strip().partition("-")
    if not (year.isdigit() and number.isdigit() and len(year) == 4 and 1 <= len(number) <= 2):
        raise BadMonth(value=(text or "")[:20])
    month = Month(int(year), int(number))
    if not 1 <= month.month <= 12 or month.year < 2000:
        raise BadMonth(value=text[:20])
    return month


def previous(month: Month) -> Month:
    return Month(month.year - 1, 12) if month.month == 1 else Month(month.year, month.month - 1)


def month_of(moment: datetime, timezone: str) -> Month:
    return Month.of(moment.astimezone(ZoneInfo(timezone)).date())


def period(month: Month, timezone: str) -> Period:
    zone = ZoneInfo(timezone)
    following = month.next()
    return Period(month, datetime(month.year, month.month, 1, tzinfo=zone),
                  datetime(following.year, following.month, 1, tzinfo=zone))


# ---- read models -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Channels:
    online: int
    paper: int = 0
    proxy: int = 0


@dataclass(frozen=True, slots=True)
class ItemRound:
    item: ItemView
    result: ItemResult | None  # None: a void round (never counted)
    took_part: int
    channels: Channels


@dataclass(frozen=True, slots=True)
class RoundData:
    meeting_id: int
    title: str
    kind: MeetingKind
    mode: Mode
    rules: RuleSet
    number: int
    status: str  # counted | void
    register_size: int
    register_area: int
    opened_at: datetime
    closed_at: datetime
    turnout: Turnout | None  # counted rounds: overall and by building and group
    took_part: int  # distinct register entries with a ballot on any item
    items: tuple[ItemRound, ...]
    chain_head: str | None
    reason: str | None  # why a void round was postponed

    @property
    def counted(self) -> bool:
        return self.status == "counted"


@dataclass(frozen=True, slots=True)
class TopicData:
    id: int
    title: str
    category_zh: str
    category_en: str
    created_at: datetime
    supports_residents: int
    supports_households: int
    status: str
    first_answered_at: datetime | None
    days_to_first_answer: int | None  # calendar days in the community's zone (0: the same day)
    overdue: bool  # answered late, or still owed an answer past its due time
    meeting_demanded: bool
    linked_item: str | None


@dataclass(frozen=True, slots=True)
class PollData:
    id: int
    question: str
    options: tuple[str, ...]
    opened_at: datetime
    closed_at: datetime
    voters: int
    counts: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class MonthData:
    community_id: int
    community: str
    timezone: str
    period: Period
    rounds: tuple[RoundData, ...]
    topics: tuple[TopicData, ...]
    events: tuple[EventSummary, ...]
    polls: tuple[PollData, ...]

    @property
    def ballots_expected(self) -> bool:
        return bool(self.rounds)


# ---- adapters (see the module's docstring) ----------------------------------------------------------------------


async def _channels(session: AsyncSession, item: ItemView, round_no: int, took_part: int) -> Channels:
    """How the ``took_part`` ballots of an item's round were cast: online, on paper, by proxy."""
    table: Any = SecretBallot if item.secret else OpenBallot
    statement: Any = (sa_select(col(table.channel), func.count()).where(col(table.item_id) == item.id,
                                                                   col(table.round) == round_no)
                      .group_by(col(table.channel)))
    counted = {str(channel): int(n) for channel, n in (await session.exec(statement)).all()}
    return Channels(online=counted.get(Channel.ONLINE.value, 0), paper=counted.get(Channel.PAPER.value, 0),
                    proxy=counted.get(Channel.PROXY.value, 0))


def _open_channel() -> Any:
    """The column that says how an open ballot was cast (online, paper or proxy: its last caster's)."""
    return col(OpenBallot.channel)


async def _chain_head(session: AsyncSession, meeting_id: int, round_no: int) -> str | None:
    """The head of the meeting's record chain (what ``linli verify`` recomputes)."""
    from storage import ballot_chain

    return await ballot_chain.head(session, meeting_id)


async def _secret_ballots(session: AsyncSession, item_id: int, round_no: int) -> AsyncIterator[Sequence[Any]]:
    """The secret item's box as (receipt, marks) in the bulletin's order (by receipt), in batches."""
    statement = (select(SecretBallot.receipt, SecretBallot.marks)
                 .where(SecretBallot.item_id == item_id, SecretBallot.round == round_no)
                 .order_by(col(SecretBallot.receipt)).execution_options(yield_per=BATCH))
    result = await session.stream(statement)
    async for batch in result.partitions(BATCH):
        yield batch


# ---- reading ---------------------------------------------------------------------------------------------------


async def _item_took_part(session: AsyncSession, item: ItemView, round_no: int) -> int:
    table: Any = SecretParticipation if item.secret else OpenBallot
    statement = select(func.count()).select_from(table).where(table.item_id == item.id, table.round == round_no)
    return int((await session.exec(statement)).one())


async def _round_took_part(session: AsyncSession, items: Sequence[ItemView], round_no: int) -> int:
    from storage.ballots import took_part

    return await took_part(session, [i.id for i in items if not i.secret], [i.id for i in items if i.secret],
                           round_no)


async def _rounds(session: AsyncSession, community_id: int, span: Period) -> list[RoundData]:
    statement = (select(MeetingRound, Meeting).join(Meeting, col(Meeting.id) == MeetingRound.meeting_id)
                 .where(Meeting.community_id == community_id, col(MeetingRound.status).in_(["counted", "void"]),
                        col(MeetingRound.closed_at) >= span.start, col(MeetingRound.closed_at) < span.end)
                 .order_by(col(MeetingRound.closed_at), col(Meeting.id), col(MeetingRound.number)))
    found = []
    for row, meeting in (await session.exec(statement)).all():
        view = await _view(session, meeting)
        stored: dict[int, ItemResult] = {}
        if row.status == "counted" and view.items:
            results = await session.exec(select(MeetingResult).where(
                col(MeetingResult.item_id).in_([i.id for i in view.items]), MeetingResult.round == row.number))
            stored = {r.item_id: result_from_json(r.outcome_json) for r in results.all()}
        items = []
        for item in view.items:
            result = stored.get(item.id)
            took = result.took_part if result is not None else await _item_took_part(session, item, row.number)
            items.append(ItemRound(item, result, took, await _channels(session, item, row.number, took)))
        turnout = turnout_from_json(row.turnout_json) if row.turnout_json else None
        took_part = turnout.took_part if turnout is not None else await _round_took_part(session, view.items,
                                                                                         row.number)
        assert row.closed_at is not None
        found.append(RoundData(
            meeting_id=view.id, title=view.title, kind=view.kind, mode=view.mode, rules=view.rules, number=row.number,
            status=row.status, register_size=row.register_size, register_area=row.register_area,
            opened_at=row.opened_at, closed_at=row.closed_at, turnout=turnout, took_part=took_part,
            items=tuple(items), chain_head=await _chain_head(session, view.id, row.number), reason=row.reason))
    return found


async def _topics(session: AsyncSession, community_id: int, span: Period, now: datetime, timezone: str
                  ) -> list[TopicData]:
    supports = (sa_select(col(TopicSupport.topic_id), func.count(func.distinct(Resident.id)).label("residents"),
                          func.count(func.distinct(Resident.household_id)).label("households"))
                .join(Resident, col(Resident.id) == col(TopicSupport.resident_id))
                .where(col(Resident.community_id) == community_id, col(Resident.verified))
                .group_by(col(TopicSupport.topic_id)).subquery())
    statement: Any = (
        sa_select(Topic, col(TopicCategory.name_zh), col(TopicCategory.name_en), supports.c.residents,
                  supports.c.households, col(Meeting.title), col(MeetingItem.title))
        .join(TopicCategory, col(TopicCategory.id) == Topic.category_id)
        .outerjoin(supports, supports.c.topic_id == Topic.id)
        .outerjoin(MeetingItem, col(MeetingItem.id) == Topic.meeting_item_id)
        .outerjoin(Meeting, col(Meeting.id) == MeetingItem.meeting_id)
        .where(col(Topic.community_id) == community_id, ~col(Topic.hidden),
               or_((col(Topic.created_at) >= span.start) & (col(Topic.created_at) < span.end),
                   (col(Topic.first_answered_at) >= span.start) & (col(Topic.first_answered_at) < span.end)))
        .order_by(col(Topic.created_at), col(Topic.id)))
    zone = ZoneInfo(timezone)
    found = []
    for topic, zh, en, residents, households, meeting_title, item_title in (await session.exec(statement)).all():
        days = None
        if topic.first_answered_at is not None:
            days = (_day(topic.first_answered_at, zone) - _day(topic.created_at, zone)).days
        overdue = topic.answered_late or topic_rules.is_overdue(_aware(topic.answer_due_at),
                                                                 topic.first_answered_at, topic.status, now)
        linked = f"{meeting_title} · {item_title}" if item_title else None
        found.append(TopicData(
            id=topic.id or 0, title=topic.title, category_zh=zh, category_en=en, created_at=_aware(topic.created_at),
            supports_residents=int(residents or 0), supports_households=int(households or 0), status=topic.status,
            first_answered_at=_aware(topic.first_answered_at) if topic.first_answered_at else None,
            days_to_first_answer=days, overdue=bool(overdue), meeting_demanded=topic.meeting_demanded_at is not None,
            linked_item=linked))
    return found


async def _polls(session: AsyncSession, community_id: int, span: Period) -> list[PollData]:
    statement = (select(QuickPoll).where(QuickPoll.community_id == community_id, col(QuickPoll.closed_at).is_not(None),
                                         col(QuickPoll.closed_at) >= span.start, col(QuickPoll.closed_at) < span.end)
                 .order_by(col(QuickPoll.closed_at), col(QuickPoll.id)))
    found = []
    for poll in (await session.exec(statement)).all():
        tally = await _tally(session, poll)
        assert poll.closed_at is not None
        found.append(PollData(poll.id or 0, poll.question, poll.options, _aware(poll.created_at),
                              _aware(poll.closed_at), tally.voters, tally.counts))
    return found


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC; PostgreSQL aware."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _day(moment: datetime, zone: ZoneInfo) -> date:
    return _aware(moment).astimezone(zone).date()


async def read_month(unit: Unit, community_id: int, month: Month, now: datetime) -> MonthData:
    """Everything of ``month`` but the ballots (streamed by the writers)."""
    session = unit.session
    community = await session.get(Community, community_id)
    if community is None:
        raise BadMonth(value=str(month))
    span = period(month, community.timezone)
    return MonthData(
        community_id=community_id, community=community.name, timezone=community.timezone, period=span,
        rounds=tuple(await _rounds(session, community_id, span)),
        topics=tuple(await _topics(session, community_id, span, now, community.timezone)),
        events=tuple(await month_summary(session, community_id, month)),
        polls=tuple(await _polls(session, community_id, span)))


# ---- texts -----------------------------------------------------------------------------------------------------


def _key(feature: str, group: str, value: str) -> str:
    """A catalog key built from a value: ``_key("topics", "status", "agenda")`` → ``topics.status.agenda``."""
    return ".".join((feature, group, value))


def _threshold(t: Callable[..., str], text: str | None) -> str:
    if text is None:
        return t("voting.rule.no_quorum")
    threshold = vote_rules.decode_threshold(text)
    return t(threshold.key, n=threshold.numerator, d=threshold.denominator)


def rule_text(t: Callable[..., str], key: str, quorum: str | None, passing: str) -> str:
    """A rule in words: its name, the quorum and what passes."""
    return t("exports.rule", rule=t(key), quorum=_threshold(t, quorum), passing=_threshold(t, passing))


def _rule_of(data: RoundData, entry: ItemRound, t: Callable[..., str]) -> str:
    if entry.result is not None:
        return rule_text(t, entry.result.rule_key, entry.result.quorum, entry.result.passing)
    return rule_text(t, data.rules.key, data.rules.quorum, data.rules.passing)


def option_names(item: ItemView, t: Callable[..., str]) -> list[str]:
    return [t(vote_rules.key("choice", option.code)) if option.code else option.label for option in item.options]


def _area_text(hundredths: int) -> str:
    return f"{hundredths // 100:,}.{hundredths % 100:02d}"


def counts_text(item: ItemView, result: ItemResult, t: Callable[..., str]) -> str:
    names = option_names(item, t)
    by_area = result.quorate_by_area is not None
    parts = [t("exports.counts.option_area", name=names[o.position], votes=o.heads, area=_area_text(o.area))
             if by_area else t("exports.counts.option", name=names[o.position], votes=o.heads)
             for o in result.options if o.position < len(names)]
    if result.invalid:
        parts.append(t("exports.counts.invalid", votes=result.invalid))
    return t("exports.counts.joiner").join(parts)


def outcome_text(item: ItemView, result: ItemResult | None, t: Callable[..., str]) -> str:
    """The outcome in words (the result message's own texts)."""
    if result is None:
        return t("exports.outcome.void")
    names = option_names(item, t)
    if not result.quorate:
        return t("voting.outcome.no_quorum" if item.kind is not ItemKind.ELECTION else "voting.outcome.invalid")
    if result.passed is not None:
        return t("voting.outcome.passed" if result.passed else "voting.outcome.failed")
    chosen = LIST_SEPARATOR.join(names[p] for p in result.winners if p < len(names)) or "—"
    if item.kind is ItemKind.ELECTION:
        return t("voting.outcome.elected", names=chosen, unfilled=result.unfilled)
    return t("voting.outcome.chosen", names=chosen)


def _ratio(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole > 0 else None


def rules_used(data: MonthData, t: Callable[..., str]) -> list[str]:
    """Each rule counted under this month, in words, once."""
    seen: dict[str, None] = {}
    for entry in data.rounds:
        for item in entry.items:
            seen[_rule_of(entry, item, t)] = None
    return list(seen)


# ---- tables ----------------------------------------------------------------------------------------------------


def _votes_rows(data: MonthData, t: Callable[..., str]) -> Iterator[tuple[Any, ...]]:
    for entry in data.rounds:
        owners = entry.kind is MeetingKind.OWNERS
        for part in entry.items:
            item, result = part.item, part.result
            counted = result is not None
            yield (entry.title, item.title, t(vote_rules.key("kind", entry.kind.value)),
                   t(vote_rules.key("mode", entry.mode.value)), _rule_of(entry, part, t), entry.number,
                   t(_key("exports", "status", entry.status)), entry.register_size,
                   entry.register_area if owners else None, part.took_part, part.channels.online,
                   part.channels.paper, part.channels.proxy,
                   (result.took_part_area if result is not None else None) if owners else None,
                   _ratio(part.took_part, entry.register_size),
                   result.quorate if result is not None else None,
                   counts_text(item, result, t) if result is not None else None,
                   result.passed if result is not None else None, item.secret, entry.opened_at, entry.closed_at,
                   entry.chain_head if counted else None)


def _results_rows(data: MonthData, t: Callable[..., str]) -> Iterator[tuple[Any, ...]]:
    for entry in data.rounds:
        for part in entry.items:
            result = part.result
            if result is None:
                continue
            names = option_names(part.item, t)
            by_area = result.quorate_by_area is not None
            for option in result.options:
                if option.position >= len(names):
                    continue
                yield (entry.title, part.item.title, entry.number, names[option.position], option.heads,
                       option.area if by_area else None, _ratio(option.heads, result.took_part),
                       option.position in result.winners)


def _turnout_rows(data: MonthData, t: Callable[..., str]) -> Iterator[tuple[Any, ...]]:
    building, group = t("exports.scope.building"), t("exports.scope.group")
    for entry in data.rounds:
        if entry.turnout is None:
            continue
        yield (entry.title, t("exports.scope.all"), "", entry.turnout.eligible, entry.turnout.took_part,
               _ratio(entry.turnout.took_part, entry.turnout.eligible))
        for name, (took, eligible) in entry.turnout.by_building.items():
            yield entry.title, building, name or "—", eligible, took, _ratio(took, eligible)
        for name, (took, eligible) in entry.turnout.by_group.items():
            if name:
                yield entry.title, group, name, eligible, took, _ratio(took, eligible)


def _topics_rows(data: MonthData, t: Callable[..., str], language: str) -> Iterator[tuple[Any, ...]]:
    for topic in data.topics:
        yield (topic.id, topic.title, topic.category_zh if language.startswith("zh") else topic.category_en,
               topic.created_at, topic.supports_residents, topic.supports_households,
               t(_key("topics", "status", topic.status)), topic.days_to_first_answer, topic.overdue,
               topic.meeting_demanded, topic.linked_item)


def _events_rows(data: MonthData, t: Callable[..., str]) -> Iterator[tuple[Any, ...]]:
    for event in data.events:
        yield (event.title, event.starts_at, event.venue, t(_key("exports", "event_status", event.status)),
               event.replies, event.going_adults, event.going_children, event.attended, event.no_shows,
               event.waiting_people, event.programme_items, event.programme_by_residents, event.volunteers)


def _polls_rows(data: MonthData, t: Callable[..., str]) -> Iterator[tuple[Any, ...]]:
    for poll in data.polls:
        counts = t("exports.counts.joiner").join(t("exports.counts.option", name=name, votes=count)
                                                 for name, count in zip(poll.options, poll.counts, strict=False))
        yield poll.question, poll.opened_at, poll.closed_at, poll.voters, counts


def _info(data: MonthData, language: str, now: datetime) -> ExportInfo:
    return ExportInfo(period=data.period.name, community=data.community, generated_at=now, time_zone=data.timezone,
                      language=language)


def tables(data: MonthData, ballots: Iterable[Sequence[Any]], *, language: str, now: datetime,
           with_names: bool = False, translator: Translator | None = None) -> list[Table]:
    """The monthly tables in the sheets' order; ``ballots`` is consumed once, by the writer, when it gets there."""
    t = labels(language, translator)
    about = layouts.about_rows(_info(data, language, now), t, rules_used(data, t), contacts_included=with_names)
    return [
        layouts.VOTES.table(_votes_rows(data, t)),
        layouts.RESULTS.table(_results_rows(data, t)),
        layouts.TURNOUT.table(_turnout_rows(data, t)),
        layouts.BALLOTS.table(ballots),
        layouts.TOPICS.table(_topics_rows(data, t, language)),
        layouts.EVENTS.table(_events_rows(data, t)),
        layouts.POLLS.table(_polls_rows(data, t)),
        layouts.ABOUT.table(about),
    ]


# ---- ballots, streamed -----------------------------------------------------------------------------------------


class _Choices:
    """Marks → the chosen options' names, per item (few distinct masks: each is worked out once)."""

    def __init__(self, item: ItemView, t: Callable[..., str]) -> None:
        self.names = option_names(item, t)
        self.known: dict[int, str] = {}

    def __call__(self, marks: int) -> str:
        text = self.known.get(marks)
        if text is None:
            text = LIST_SEPARATOR.join(self.names[p] for p in bits(marks) if p < len(self.names))
            self.known[marks] = text
        return text


async def ballot_batches(session: AsyncSession, data: MonthData, t: Callable[..., str], *,
                         with_names: bool) -> AsyncGenerator[list[tuple[Any, ...]]]:
    """Every ballot of the month's rounds as BALLOTS rows, a batch at a time: per round and item, open ballots by
    household, secret ones by receipt."""
    channels = {channel.value: t(_key("exports", "channel", channel.value)) for channel in Channel}
    households = await _household_labels(session, data.community_id)
    for entry in data.rounds:
        for part in entry.items:
            item = part.item
            choice = _Choices(item, t)
            head = (entry.title, item.title, entry.number)
            if item.secret:
                async for batch in _secret_ballots(session, item.id, entry.number):
                    yield [(*head, True, None, None, receipt, choice(int(marks)), None, None)
                           for receipt, marks in batch]
                continue
            columns: list[Any] = [col(MeetingElector.household_id), col(OpenBallot.receipt), col(OpenBallot.marks),
                                  col(OpenBallot.cast_at), _open_channel()]
            if with_names:
                columns.append(col(Resident.display_name))
            statement: Any = (sa_select(*columns)
                              .join(MeetingElector, col(MeetingElector.id) == OpenBallot.elector_id))
            if with_names:
                statement = statement.outerjoin(Resident, col(Resident.id) == OpenBallot.cast_by)
            statement = (statement.where(col(OpenBallot.item_id) == item.id, col(OpenBallot.round) == entry.number)
                         .order_by(col(MeetingElector.building), col(MeetingElector.household_id),
                                   col(MeetingElector.key))
                         .execution_options(yield_per=BATCH))
            result = await session.stream(statement)
            async for rows in result.partitions(BATCH):
                yield [(*head, False, households.get(row[0]) if row[0] is not None else None,
                        row[5] if with_names else None, row[1], choice(int(row[2])), channels.get(row[4], row[4]),
                        _aware(row[3])) for row in rows]


async def _household_labels(session: AsyncSession, community_id: int) -> dict[int, str]:
    """Household id → "building-unit-room" (one query: a community has a few thousand households)."""
    statement = (select(Household.id, Building.name, Household.unit, Household.room)
                 .join(Building, col(Building.id) == Household.building_id)
                 .where(Household.community_id == community_id))
    return {household_id or 0: f"{building}-{unit}-{room}"
            for household_id, building, unit, room in (await session.exec(statement)).all()}


class _Pull:
    """The rows of an async batch source as a plain iterator for a writer running in a worker thread: each batch is
    fetched on the event loop (where the session lives) while the thread waits."""

    def __init__(self, batches: AsyncIterator[list[tuple[Any, ...]]], loop: asyncio.AbstractEventLoop) -> None:
        self.batches = batches
        self.loop = loop

    async def _next(self) -> list[tuple[Any, ...]] | None:
        try:
            return await anext(self.batches)
        except StopAsyncIteration:
            return None

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        while True:
            batch = asyncio.run_coroutine_threadsafe(self._next(), self.loop).result()
            if batch is None:
                return
            yield from batch


# ---- the report ------------------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return charts.renderable(text) or "—"


def report_sections(data: MonthData, t: Callable[..., str], language: str) -> list[ReportSection]:
    """Turnout per meeting, each result as a bar chart with its rule and outcome in words, topics by status with
    answer times, event attendance (and quick polls). Resident-typed text loses characters the fonts lack."""
    sections: list[ReportSection] = []
    for entry in data.rounds:
        title = _clean(entry.title)
        if entry.turnout is not None:
            rows = tuple(charts.TurnoutRow(_clean(t("exports.report.building", name=name)) if name else "—",
                                           eligible, took)
                         for name, (took, eligible) in entry.turnout.by_building.items())
            rows += tuple(charts.TurnoutRow(_clean(name), eligible, took)
                          for name, (took, eligible) in entry.turnout.by_group.items() if name)
            overall = t("exports.report.turnout_line", took=entry.turnout.took_part,
                        eligible=entry.turnout.eligible,
                        percent=charts.percent(entry.turnout.took_part, entry.turnout.eligible))
            chart = charts.TurnoutSpec(
                title=title, subtitle=_clean(overall), rows=rows or (charts.TurnoutRow(
                    t("exports.scope.all"), entry.turnout.eligible, entry.turnout.took_part),),
                eligible_label=t("exports.chart.eligible"), took_part_label=t("exports.chart.took_part"),
                unit=t("exports.chart.people"))
            sections.append(ReportSection(_clean(t("exports.report.turnout_title", title=entry.title)),
                                          (_clean(overall), _clean(t("exports.report.closed_at",
                                                                     at=_local(entry.closed_at, data.timezone)))),
                                          chart))
        else:
            sections.append(ReportSection(_clean(t("exports.report.void_title", title=entry.title,
                                                   round=entry.number)),
                                          (_clean(t("exports.report.void_line", took=entry.took_part,
                                                    eligible=entry.register_size)),
                                           _clean(t("exports.report.void_reason", reason=entry.reason or "—")))))
        for part in entry.items:
            if part.result is None:
                continue
            sections.append(_result_section(entry, part, t))
    sections += _topic_sections(data, t, language)
    sections += _event_sections(data, t)
    for poll in data.polls:
        bars = tuple(charts.Bar(_clean(name), count) for name, count in zip(poll.options, poll.counts, strict=False))
        sections.append(ReportSection(_clean(t("exports.report.poll_title", question=poll.question)),
                                      (_clean(t("exports.report.poll_line", voters=poll.voters)),),
                                      charts.ChartSpec(_clean(poll.question), "", bars, t("exports.chart.votes"))
                                      if bars else None))
    if not sections:
        sections.append(ReportSection(_clean(t("exports.report.empty_title")), (_clean(t("exports.report.empty")),)))
    return sections


def _result_section(entry: RoundData, part: ItemRound, t: Callable[..., str]) -> ReportSection:
    result = part.result
    assert result is not None
    names = option_names(part.item, t)
    by_area = result.quorate_by_area is not None
    outcome = outcome_text(part.item, result, t)
    rule = rule_text(t, result.rule_key, result.quorum, result.passing)
    bars = tuple(charts.Bar(_clean(names[o.position]), o.area if by_area else o.heads, o.position in result.winners)
                 for o in result.options if o.position < len(names))
    chart = charts.ChartSpec(title=_clean(part.item.title), subtitle=_clean(f"{outcome} · {rule}"), bars=bars,
                             unit=t("exports.chart.area" if by_area else "exports.chart.votes"),
                             decimals=2 if by_area else 0)
    lines = [t("exports.report.outcome", outcome=outcome), t("exports.report.rule", rule=rule),
             t("exports.report.took_part", took=result.took_part, eligible=result.eligible,
               percent=charts.percent(result.took_part, result.eligible), invalid=result.invalid),
             t("exports.report.counts", counts=counts_text(part.item, result, t))]
    if by_area:
        lines.append(t("exports.report.area", took=_area_text(result.took_part_area),
                       eligible=_area_text(result.eligible_area)))
    if part.item.secret:
        lines.append(t("exports.report.secret"))
    return ReportSection(_clean(t("exports.report.result_title", meeting=entry.title, item=part.item.title)),
                         tuple(_clean(line) for line in lines), chart if bars else None)


def _topic_sections(data: MonthData, t: Callable[..., str], language: str) -> list[ReportSection]:
    if not data.topics:
        return []
    by_status: dict[str, int] = {}
    for topic in data.topics:
        by_status[topic.status] = by_status.get(topic.status, 0) + 1
    order = [status.value for status in topic_rules.TopicStatus]
    bars = tuple(charts.Bar(_clean(t(_key("topics", "status", status))), by_status[status])
                 for status in order if status in by_status)
    answered = [topic.days_to_first_answer for topic in data.topics if topic.days_to_first_answer is not None]
    lines = [t("exports.report.topics_line", count=len(data.topics), answered=len(answered),
               overdue=sum(1 for topic in data.topics if topic.overdue))]
    if answered:
        lines.append(t("exports.report.topics_days", average=f"{sum(answered) / len(answered):.1f}",
                       longest=max(answered)))
    for topic in data.topics:
        days = (t("exports.report.days", days=topic.days_to_first_answer) if topic.days_to_first_answer is not None
                else t("exports.report.unanswered"))
        lines.append(t("exports.report.topic", id=topic.id, title=topic.title, days=days,
                       status=t(_key("topics", "status", topic.status)), supports=topic.supports_residents))
    chart = charts.ChartSpec(_clean(t("exports.report.topics_chart")), "", bars, t("exports.chart.topics"))
    return [ReportSection(_clean(t("exports.report.topics_title")), tuple(_clean(line) for line in lines), chart)]


def _event_sections(data: MonthData, t: Callable[..., str]) -> list[ReportSection]:
    if not data.events:
        return []
    rows = tuple(charts.TurnoutRow(_clean(event.title), event.going, event.attended) for event in data.events)
    lines = [t("exports.report.event", title=event.title, at=_local(event.starts_at, data.timezone),
               going=event.going, adults=event.going_adults, children=event.going_children, attended=event.attended,
               no_shows=event.no_shows, waiting=event.waiting_people, programme=event.programme_items,
               by_residents=event.programme_by_residents, volunteers=event.volunteers,
               status=t(_key("exports", "event_status", event.status)))
             for event in data.events]
    chart = charts.TurnoutSpec(_clean(t("exports.report.events_chart")), "", rows,
                               eligible_label=t("exports.chart.going"), took_part_label=t("exports.chart.attended"),
                               unit=t("exports.chart.people"))
    return [ReportSection(_clean(t("exports.report.events_title")), tuple(_clean(line) for line in lines), chart)]


def _local(moment: datetime, timezone: str) -> str:
    return _aware(moment).astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def report(data: MonthData, *, language: str, now: datetime, translator: Translator | None = None) -> Report:
    t = labels(language, translator)
    return Report(_info(data, language, now), report_sections(data, t, language), translator)


# ---- writing an export -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Written:
    file_name: str
    period: str
    format: Format
    rows: dict[str, int]  # per table (PDF: {"pages": n})
    with_names: bool


def file_name(month: Month, fmt: Format, with_names: bool = False) -> str:
    return f"linli-{month}{'-names' if with_names else ''}{fmt.suffix}"


def _write(fmt: Format, data: MonthData, ballots: Iterable[Sequence[Any]], out: IO[bytes] | Path, language: str,
           now: datetime, with_names: bool, translator: Translator | None) -> dict[str, int]:
    """Runs in a worker thread: the chosen writer over the month's tables."""
    from storage.exports.csvzip import write_csv_zip
    from storage.exports.jsondoc import write_json
    from storage.exports.xlsx import write_xlsx

    info = _info(data, language, now)
    if fmt is Format.PDF:
        return {"pages": report(data, language=language, now=now, translator=translator).write_pdf(out)}
    built = tables(data, ballots, language=language, now=now, with_names=with_names, translator=translator)
    if fmt is Format.XLSX:
        return write_xlsx(built, out, info, translator)
    if fmt is Format.CSV:
        return write_csv_zip(built, out, info, translator)
    if isinstance(out, Path):
        return write_json(built, out, info, translator)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=True)
    try:
        return write_json(built, text, info, translator)
    finally:
        text.detach()


async def write_month(unit: Unit, community_id: int, month: Month, fmt: Format, out: IO[bytes] | Path, *,
                      now: datetime, actor: int | None, source: Source, language: str = DEFAULT_LANGUAGE,
                      with_names: bool = False, translator: Translator | None = None) -> Written:
    """Write ``month``'s export as ``fmt`` to ``out`` (a path or a binary stream) and record it in the audit log:
    who (``actor``, a Telegram id; None for the command line and the scheduled send), what, when."""
    session = unit.session
    data = await read_month(unit, community_id, month, now)
    t = labels(language, translator)
    batches = ballot_batches(session, data, t, with_names=with_names)
    try:
        ballots = _Pull(batches, asyncio.get_running_loop())
        counts = await asyncio.to_thread(_write, fmt, data, ballots, out, language, now, with_names, translator)
    finally:
        await batches.aclose()
    written = Written(file_name(month, fmt, with_names), data.period.name, fmt, counts, with_names)
    await audit.record(session, community_id=community_id, actor=actor, action="export.monthly",
                       subject=f"month:{data.period.name}", now=now, format=fmt.value, language=language,
                       with_names=with_names, source=source.value, rows=counts)
    return written


async def export_bytes(unit: Unit, community_id: int, month: Month, fmt: Format, *, now: datetime,
                       actor: int | None, source: Source, language: str = DEFAULT_LANGUAGE, with_names: bool = False,
                       translator: Translator | None = None) -> tuple[Written, bytes]:
    """The export as bytes (what the bot sends as a document)."""
    buffer = io.BytesIO()
    written = await write_month(unit, community_id, month, fmt, buffer, now=now, actor=actor, source=source,
                                language=language, with_names=with_names, translator=translator)
    return written, buffer.getvalue()
