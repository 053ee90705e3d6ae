"""Charts as PNG bytes (matplotlib, headless), for results and reports, with Chinese glyphs that really render.

The interface other modules use: :class:`Bar`, :class:`ChartSpec`, :func:`bar_chart` (a result: one bar per
option or candidate) and :class:`TurnoutRow`, :class:`TurnoutSpec`, :func:`turnout_chart` (eligible vs took part
per building or residents' group). Specs carry text already in the reader's language; nothing here translates.

Fonts: Noto Sans CJK SC from the ``mplfonts`` package (a dependency: installed with the project, never
downloaded at run time), registered once by path with matplotlib's font manager, with matplotlib's own DejaVu
Sans as the per-glyph fallback. Every text is handed to matplotlib with explicit font properties: no global
``rcParams`` change, no pyplot, so other figures of the process are untouched. Before drawing, every label and
title is checked against the fonts' character maps: a character neither font has raises :class:`MissingGlyphs`
rather than draw a tofu box (callers passing resident-typed text may strip such characters first with
:func:`renderable`). Math text is off (a ``$`` in a label is a dollar sign).

Sizes are deterministic: :data:`WIDTH_IN` × a height that is a function of the number of bars and subtitle lines
only, at :data:`DPI`.
"""

from __future__ import annotations

import importlib.util
import io
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.widths import clip_width, wrap_width

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

FONT_PACKAGE = "mplfonts"
FONT_FILE = "NotoSansCJKsc-Regular.otf"
FALLBACK_FAMILY = "DejaVu Sans"  # ships inside matplotlib

DPI = 100
WIDTH_IN = 8.0
LABEL_COLUMNS = 18  # a bar's label is clipped to this many columns (9 汉字)
TITLE_COLUMNS = 60
SUBTITLE_COLUMNS = 92
SUBTITLE_LINES = 3
BAR_PITCH_IN = 0.45

HIGHLIGHT = "#2a9d8f"
MUTED = "#8d99ae"
ELIGIBLE = "#d9dee6"
TOOK_PART = "#264653"
TEXT = "#1d2433"


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # an option's name ("赞成", a candidate's name)
    value: int  # votes (or area in hundredths of m² when the spec says so)
    highlight: bool = False  # the winning option / an elected candidate


@dataclass(frozen=True, slots=True)
class ChartSpec:
    title: str  # e.g. the item's title
    subtitle: str  # the rule and the outcome in words
    bars: tuple[Bar, ...]
    unit: str = ""  # axis label, e.g. "票" / "votes"
    decimals: int = 0  # values are in units of 10**-decimals (2: areas in hundredths of m²)


@dataclass(frozen=True, slots=True)
class TurnoutRow:
    label: str  # a building ("3号楼") or a residents' group
    eligible: int
    took_part: int


@dataclass(frozen=True, slots=True)
class TurnoutSpec:
    title: str
    subtitle: str
    rows: tuple[TurnoutRow, ...]
    eligible_label: str  # the legend: "有资格" / "eligible"
    took_part_label: str  # "参与" / "took part"
    unit: str = ""


class MissingGlyphs(ValueError):
    """Some text has characters no chart font can draw (they would print as empty boxes)."""

    def __init__(self, chars: set[str]) -> None:
        self.chars = frozenset(chars)
        names = ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, '?')}" for ch in sorted(chars))
        super().__init__(f"no glyph in the chart fonts for: {names}")


# ---- fonts -------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Fonts:
    family: tuple[str, ...]
    codepoints: frozenset[int]


_lock = threading.Lock()
_fonts_loaded: _Fonts | None = None


def font_path() -> Path:
    """The Noto Sans CJK file inside the installed ``mplfonts`` package (found without importing it)."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / "fonts" / FONT_FILE
        if path.is_file():
            return path
    raise RuntimeError(f"{FONT_FILE} not found: install the project's dependencies ({FONT_PACKAGE})")


def _fonts() -> _Fonts:
    global _fonts_loaded
    if _fonts_loaded is not None:
        return _fonts_loaded
    with _lock:
        if _fonts_loaded is None:
            from matplotlib import font_manager
            from matplotlib.ft2font import FT2Font

            path = font_path()
            font_manager.fontManager.addfont(str(path))
            family = font_manager.FontProperties(fname=str(path)).get_name()
            fallback = font_manager.findfont(font_manager.FontProperties(family=FALLBACK_FAMILY),
                                             fallback_to_default=False)
            codepoints = frozenset(FT2Font(str(path)).get_charmap()) | frozenset(FT2Font(fallback).get_charmap())
            _fonts_loaded = _Fonts(family=(family, FALLBACK_FAMILY), codepoints=codepoints)
    return _fonts_loaded


def font(size: float = 10) -> FontProperties:
    """Font properties for a chart text: the CJK font first, DejaVu Sans for any glyph it lacks."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(family=list(_fonts().family), size=size)


def missing_glyphs(text: str) -> set[str]:
    """The characters of ``text`` that neither chart font has (white space is never missing)."""
    codepoints = _fonts().codepoints
    return {ch for ch in text if not ch.isspace() and ord(ch) not in codepoints}


def check_glyphs(texts: Iterable[str]) -> None:
    """Raise :class:`MissingGlyphs` naming every character of ``texts`` the fonts cannot draw."""
    missing: set[str] = set()
    for text in texts:
        missing |= missing_glyphs(text)
    if missing:
        raise MissingGlyphs(missing)


def renderable(text: str) -> str:
    """``text`` without the characters the fonts lack (an emoji in a resident-typed name), spaces tidied."""
    missing = missing_glyphs(text)
    kept = "".join(ch for ch in text if ch not in missing and unicodedata.category(ch) != "Cf")
    return " ".join(kept.split())


# ---- numbers -----------------------------------------------------------------------------------------------

def scaled(value: int, decimals: int = 0) -> str:
    """An integer in units of 10**-decimals as text with digit grouping, exactly (no float rounding)."""
    sign = "-" if value < 0 else ""
    whole, part = divmod(abs(value), 10**decimals)
    return f"{sign}{whole:,}" + (f".{part:0{decimals}d}" if decimals else "")


def percent(part: int, whole: int) -> str:
    """``part / whole`` as a percentage with one decimal, rounded half up in integers ("—" when whole is 0)."""
    if whole <= 0:
        return "—"
    tenths = (part * 2000 + whole) // (2 * whole)
    return f"{tenths // 10}.{tenths % 10}%"


# ---- layout ------------------------------------------------------------------------------------------------

HEADER_TOP_IN = 0.18
TITLE_IN = 0.36
SUBTITLE_LINE_IN = 0.2
AXIS_FOOT_IN = 0.62
LEGEND_IN = 0.3
LEFT_IN = 1.75
RIGHT_IN = 0.3


def _subtitle_lines(subtitle: str) -> list[str]:
    return wrap_width(subtitle, SUBTITLE_COLUMNS, SUBTITLE_LINES) if subtitle.strip() else []


def _count(spec: ChartSpec | TurnoutSpec) -> int:
    return len(spec.bars) if isinstance(spec, ChartSpec) else len(spec.rows)


def chart_height(spec: ChartSpec | TurnoutSpec, pitch: float = BAR_PITCH_IN) -> float:
    """The height in inches :func:`draw` needs for ``spec``: a function of its bars and subtitle only."""
    legend = LEGEND_IN if isinstance(spec, TurnoutSpec) else 0.0
    return (HEADER_TOP_IN + TITLE_IN + SUBTITLE_LINE_IN * len(_subtitle_lines(spec.subtitle)) + 0.15
            + pitch * max(1, _count(spec)) + AXIS_FOOT_IN + legend)


def chart_texts(spec: ChartSpec | TurnoutSpec) -> list[str]:
    """Every text the chart of ``spec`` shows (for the glyph check)."""
    texts = [spec.title, spec.subtitle, spec.unit]
    if isinstance(spec, ChartSpec):
        texts += [bar.label for bar in spec.bars]
    else:
        texts += [row.label for row in spec.rows] + [spec.eligible_label, spec.took_part_label]
    return texts


def validate(spec: ChartSpec | TurnoutSpec) -> None:
    """A chart has something to draw, no negative values, and only characters the fonts have."""
    if _count(spec) == 0:
        raise ValueError("a chart needs at least one bar")
    if isinstance(spec, ChartSpec):
        if any(bar.value < 0 for bar in spec.bars) or spec.decimals < 0:
            raise ValueError("bar values are counts or areas: never negative")
    elif any(row.eligible < 0 or row.took_part < 0 for row in spec.rows):
        raise ValueError("turnout figures are never negative")
    check_glyphs(chart_texts(spec))


def draw(figure: Figure, spec: ChartSpec | TurnoutSpec, top_in: float, pitch: float = BAR_PITCH_IN,
         margin_in: float = 0.25) -> float:
    """Draw ``spec`` (title, subtitle, axes, legend) into ``figure`` from ``top_in`` inches below its top edge,
    ``margin_in`` from its left and right edges; returns the height used."""
    from matplotlib.ticker import FuncFormatter

    validate(spec)
    width, height = figure.get_size_inches()
    y = top_in + HEADER_TOP_IN
    figure.text(margin_in / width, 1 - y / height, clip_width(spec.title, TITLE_COLUMNS), fontproperties=font(13),
                color=TEXT, va="top", parse_math=False)
    y += TITLE_IN
    for line in _subtitle_lines(spec.subtitle):
        figure.text(margin_in / width, 1 - y / height, line, fontproperties=font(9), color="#4a5468", va="top",
                    parse_math=False)
        y += SUBTITLE_LINE_IN
    y += 0.15
    plot_height = pitch * max(1, _count(spec))
    left = margin_in + LEFT_IN - 0.25
    right = RIGHT_IN + margin_in - 0.25
    axes = figure.add_axes((left / width, 1 - (y + plot_height) / height, (width - left - right) / width,
                            plot_height / height))
    if isinstance(spec, ChartSpec):
        _bars(axes, spec)
    else:
        _turnout(figure, axes, spec, bottom_in=y + plot_height + AXIS_FOOT_IN, left_in=left)
    axes.set_xlabel(spec.unit, fontproperties=font(9), color=TEXT, parse_math=False)
    axes.tick_params(labelfontfamily=list(_fonts().family), labelsize=9, colors=TEXT)
    axes.xaxis.set_major_formatter(FuncFormatter(_tick))
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_ylim(_count(spec) - 0.5, -0.5)  # first bar on top
    return chart_height(spec, pitch)


def _tick(value: float, _position: object = None) -> str:
    """An axis figure with digit grouping like the figures at the bars: 12,500 · 0.5."""
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")


def _labels(axes: Axes, labels: list[str]) -> None:
    axes.set_yticks(range(len(labels)), labels=[clip_width(label, LABEL_COLUMNS) for label in labels],
                    fontproperties=font(10), parse_math=False)


def _bars(axes: Axes, spec: ChartSpec) -> None:
    from matplotlib.ticker import MaxNLocator

    unit = 10**spec.decimals
    values = [bar.value / unit for bar in spec.bars]  # positions only; the printed figures are exact
    axes.barh(range(len(values)), values, height=0.62,
              color=[HIGHLIGHT if bar.highlight else MUTED for bar in spec.bars])
    _labels(axes, [bar.label for bar in spec.bars])
    top = max(values)
    axes.set_xlim(0, (top or 1) * 1.2)
    if spec.decimals == 0:
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    for position, bar in enumerate(spec.bars):
        axes.text(bar.value / unit + (top or 1) * 0.012, position, scaled(bar.value, spec.decimals), va="center",
                  fontproperties=font(9), color=TEXT, parse_math=False)


def _turnout(figure: Figure, axes: Axes, spec: TurnoutSpec, bottom_in: float, left_in: float) -> None:
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    positions = range(len(spec.rows))
    axes.barh(positions, [row.eligible for row in spec.rows], height=0.7, color=ELIGIBLE)
    axes.barh(positions, [row.took_part for row in spec.rows], height=0.4, color=TOOK_PART)
    _labels(axes, [row.label for row in spec.rows])
    top = max(max(row.eligible, row.took_part) for row in spec.rows)
    axes.set_xlim(0, (top or 1) * 1.3)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    for position, row in enumerate(spec.rows):
        axes.text(max(row.eligible, row.took_part) + (top or 1) * 0.012, position,
                  f"{row.took_part:,}/{row.eligible:,} · {percent(row.took_part, row.eligible)}", va="center",
                  fontproperties=font(9), color=TEXT, parse_math=False)
    width, height = figure.get_size_inches()
    figure.legend([Patch(color=ELIGIBLE), Patch(color=TOOK_PART)], [spec.eligible_label, spec.took_part_label],
                  loc="upper left",
                  bbox_to_anchor=(left_in / width, 1 - bottom_in / height), ncols=2, frameon=False,
                  prop=font(9))


# ---- PNG ---------------------------------------------------------------------------------------------------

def _png(spec: ChartSpec | TurnoutSpec) -> bytes:
    from matplotlib.figure import Figure

    validate(spec)
    figure = Figure(figsize=(WIDTH_IN, chart_height(spec)), dpi=DPI, facecolor="white")
    draw(figure, spec, 0.0)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return out.getvalue()


def bar_chart(spec: ChartSpec) -> bytes:
    """One horizontal bar chart as PNG bytes (the highlighted bars in colour, each bar's figure at its end)."""
    return _png(spec)


def turnout_chart(spec: TurnoutSpec) -> bytes:
    """Eligible vs took part per building or group as PNG bytes: the eligible bar pale, the part that took part
    dark inside it, ``took/eligible · percent`` at its end, a legend below."""
    return _png(spec)
