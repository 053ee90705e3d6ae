"""Charts as PNG bytes (matplotlib, headless), for results and reports.

The interface other modules use: :class:`Bar`, :class:`ChartSpec`, :func:`bar_chart`. (First version: the
charts helper replaces the rendering with the CJK font and the missing-glyph check.)
"""

from __future__ import annotations

import io
from dataclasses import dataclass


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


def bar_chart(spec: ChartSpec) -> bytes:
    """One horizontal bar chart as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 1.6 + 0.5 * max(1, len(spec.bars))), dpi=100)
    axes = figure.subplots()
    labels = [bar.label for bar in spec.bars]
    values = [bar.value for bar in spec.bars]
    axes.barh(labels, values, color=["#2a9d8f" if bar.highlight else "#8d99ae" for bar in spec.bars])
    axes.invert_yaxis()
    axes.set_title(spec.title)
    axes.set_xlabel(spec.unit)
    figure.suptitle(spec.subtitle, fontsize=9)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
