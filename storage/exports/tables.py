"""The read model every export writer takes: tables of typed columns, rows streamed once, and what the export is.

A :class:`Table` names its sheet by a catalog key (``exports.sheet.ballots``) and each column by a header key
and a :class:`Kind`; its rows are any iterable of sequences (a generator over a query is the intent: writers
consume it once and keep nothing but the row at hand). Values by kind:

======== ============================================ =============================================
kind     Python value                                  written as
======== ============================================ =============================================
text     ``str``                                       text (never a formula)
int      ``int``                                       a number
bool     ``bool``                                      是/否 · yes/no (JSON: true/false)
date     ``date``, or an aware ``datetime``            the date in the community's time zone
datetime an aware ``datetime``                         the local time in the community's time zone
percent  ``Fraction`` (or int/float) ratio, 1 = 100%   a percentage (JSON: the ratio as a number)
area     ``int`` hundredths of a square metre          m² with two decimals, exactly
======== ============================================ =============================================

``None`` is an empty cell (JSON ``null``) in every kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from locales.catalogs import DEFAULT_LANGUAGE, Translator


class Kind(StrEnum):
    TEXT = "text"
    INT = "int"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    PERCENT = "percent"
    AREA = "area"


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # a stable machine name: the JSON key and the CSV's second header ("cast_at")
    header: str  # a catalog key: "exports.col.cast_at"
    kind: Kind = Kind.TEXT


@dataclass(frozen=True, slots=True)
class Table:
    slug: str  # file and JSON name: "ballots" (ASCII, unique in an export)
    name: str  # a catalog key for the sheet's name: "exports.sheet.ballots"
    columns: tuple[Column, ...]
    rows: Iterable[Sequence[Any]] = field(compare=False)  # consumed once


@dataclass(frozen=True, slots=True)
class ExportInfo:
    """What the export is: written into the JSON document and the report's header."""

    period: str  # "2026-11"
    community: str
    generated_at: datetime  # aware
    time_zone: str = "Asia/Shanghai"
    language: str = DEFAULT_LANGUAGE

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.time_zone)


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@cache
def _translator() -> Translator:
    return Translator()


def labels(language: str, translator: Translator | None = None) -> Callable[..., str]:
    """The catalog in ``language`` as a function: ``t(key, **params)`` → text."""
    translate = translator or _translator()

    def t(key: str, /, **params: Any) -> str:
        return translate(language, key, **params)

    return t


# ---- value conversion shared by the writers ---------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text: str) -> str:
    """Text a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``, tab, CR first) gets a ``'`` in
    front, as Excel itself shows an apostrophe-prefixed literal."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """An aware time as the community's wall-clock time, without a zone (what Excel stores)."""
    if moment.tzinfo is None:
        raise ValueError("export times must be timezone-aware (UTC in the database)")
    return moment.astimezone(zone).replace(tzinfo=None)


def local_date(value: date | datetime, zone: ZoneInfo) -> date:
    return local(value, zone).date() if isinstance(value, datetime) else value


def ratio(value: Fraction | int | float) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


def percent_text(value: Fraction | int | float, decimals: int = 1) -> str:
    """A ratio as a percentage, rounded half up in integers: Fraction(1, 3) → "33.3%"."""
    scale = 10**decimals
    units = ratio(value) * 100 * scale
    rounded = (units.numerator * 2 + units.denominator) // (2 * units.denominator)
    sign = "-" if rounded < 0 else ""
    whole, part = divmod(abs(rounded), scale)
    return f"{sign}{whole}" + (f".{part:0{decimals}d}" if decimals else "") + "%"


def area(value: int) -> Decimal:
    """Hundredths of a square metre as exact square metres."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"areas are integers in hundredths of m², got {type(value).__name__}")
    return Decimal(value).scaleb(-2)


def check_unique_slugs(tables: Sequence[Table]) -> None:
    slugs = [table.slug for table in tables]
    if len(set(slugs)) != len(slugs):
        raise ValueError(f"table slugs must be unique: {slugs}")
    for slug in slugs:
        if not slug or not slug.replace("_", "").replace("-", "").isalnum() or not slug.isascii():
            raise ValueError(f"a table slug is ASCII letters, digits, - and _: {slug!r}")
