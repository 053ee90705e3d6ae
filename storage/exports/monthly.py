"""The monthly export's tables (issue 11): their columns, in order, with catalog headers and kinds.

Wiring a month is mapping read models to rows in these orders: ``VOTES.table(rows)`` with ``rows`` any iterable of
tuples (a generator over a query keeps the month out of memory). Text values (a kind's or a status's name) are
passed already in the export's language; the writers translate only sheet names and headers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from storage.exports.tables import Column, ExportInfo, Kind, Table, local


@dataclass(frozen=True, slots=True)
class Layout:
    slug: str
    name: str  # catalog key of the sheet's name
    columns: tuple[Column, ...]

    def table(self, rows: Iterable[Sequence[Any]]) -> Table:
        return Table(slug=self.slug, name=self.name, columns=self.columns, rows=rows)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(column.key for column in self.columns)


def _columns(*spec: tuple[str, Kind]) -> tuple[Column, ...]:
    return tuple(Column(key=key, header=".".join(("exports", "col", key)), kind=kind) for key, kind in spec)


T, N, B, D, DT, P, A = Kind.TEXT, Kind.INT, Kind.BOOL, Kind.DATE, Kind.DATETIME, Kind.PERCENT, Kind.AREA

# One row per agenda item and round (a postponed meeting's void round is a row of its own, status "void").
VOTES = Layout("votes", "exports.sheet.votes", _columns(
    ("meeting", T), ("item", T), ("kind", T), ("mode", T), ("rule", T), ("round", N), ("status", T),
    ("eligible", N), ("eligible_area", A), ("took_part", N), ("took_part_online", N), ("took_part_paper", N),
    ("took_part_proxy", N), ("took_part_area", A), ("turnout", P), ("quorum_met", B), ("counts", T),
    ("passed", B), ("secret", B), ("opened_at", DT), ("closed_at", DT), ("chain_head", T),
))
# One row per option (or candidate) of each counted item: the per-option figures of VOTES, as numbers.
RESULTS = Layout("results", "exports.sheet.results", _columns(
    ("meeting", T), ("item", T), ("round", N), ("option", T), ("votes", N), ("area", A), ("share", P),
    ("chosen", B),
))
# One row per meeting and building or residents' group.
TURNOUT = Layout("turnout", "exports.sheet.turnout", _columns(
    ("meeting", T), ("scope", T), ("unit", T), ("eligible", N), ("took_part", N), ("turnout", P),
))
# Open ballots with household and name; secret ballots as receipt and choice only (no name, household or time),
# in the bulletin's order.
BALLOTS = Layout("ballots", "exports.sheet.ballots", _columns(
    ("meeting", T), ("item", T), ("round", N), ("secret", B), ("household", T), ("name", T), ("receipt", T),
    ("choice", T), ("channel", T), ("cast_at", DT),
))
TOPICS = Layout("topics", "exports.sheet.topics", _columns(
    ("topic_id", N), ("title", T), ("category", T), ("proposed_at", D), ("supports_residents", N),
    ("supports_households", N), ("status", T), ("days_to_first_answer", N), ("overdue", B),
    ("meeting_demanded", B), ("linked_item", T),
))
# One row per event starting in the month; "waitlist" counts people, "programme_by_residents" the items residents
# planned themselves (of "programme_items").
EVENTS = Layout("events", "exports.sheet.events", _columns(
    ("event", T), ("starts_at", DT), ("venue", T), ("status", T), ("replies", N), ("going_adults", N),
    ("going_children", N), ("attended", N), ("no_shows", N), ("waitlist", N), ("programme_items", N),
    ("programme_by_residents", N), ("volunteers", N),
))
# One row per quick poll (a native poll in a chat, advisory) closed in the month: verified residents' answers only.
POLLS = Layout("polls", "exports.sheet.polls", _columns(
    ("question", T), ("opened_at", DT), ("closed_at", DT), ("took_part", N), ("counts", T),
))
ABOUT = Layout("about", "exports.sheet.about", _columns(("topic", T), ("detail", T)))

MONTHLY: tuple[Layout, ...] = (VOTES, RESULTS, TURNOUT, BALLOTS, TOPICS, EVENTS, POLLS, ABOUT)


def about_rows(info: ExportInfo, t: Callable[..., str], rules: Sequence[str], contacts_included: bool = False
               ) -> list[tuple[str, str]]:
    """The About sheet: period, community, when, the rules counted under, how to verify, what privacy left out.

    ``t(key, **params)`` is the catalog in the export's language; ``rules`` are the rules' names and thresholds
    in words, one per rule used this month."""
    generated = local(info.generated_at, info.zone).strftime("%Y-%m-%d %H:%M")
    rows = [
        (t("exports.about.period"), info.period),
        (t("exports.about.community"), info.community),
        (t("exports.about.generated_at"), f"{generated} ({info.time_zone})"),
    ]
    rows += [(t("exports.about.rule"), rule) for rule in rules]
    rows += [
        (t("exports.about.verify"), t("exports.about.verify_text")),
        (t("exports.about.recount"), t("exports.about.recount_text")),
        (t("exports.about.privacy"), t("exports.about.privacy_text")),
        (t("exports.about.contacts"),
         t("exports.about.contacts_included" if contacts_included else "exports.about.contacts_left_out")),
    ]
    return rows
