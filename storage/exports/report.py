"""The printable report for the notice board (政务公开栏): a PDF, one page per section (or more when a
section's text runs long), each with a title, a chart and short lines of text.

Sections are plain data (:class:`ReportSection`): turnout per meeting (a :class:`~storage.charts.TurnoutSpec`),
each result as a bar chart (:class:`~storage.charts.ChartSpec`) with its rule and outcome in words, topics by
status with answer times, event attendance. Texts arrive in the reader's language; only the report's title and
footer come from the catalog. Every page is A4 portrait; every text is checked for glyphs the fonts lack and
every chart must have bars (:func:`storage.charts.validate`) before anything is drawn, so a report is never
printed with empty boxes. Written with matplotlib's PdfPages (fonts embedded as subsets).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from core.widths import wrap_width
from locales.catalogs import Translator
from storage import charts
from storage.exports.tables import ExportInfo, labels, local

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PAGE_IN = (8.27, 11.69)  # A4 portrait
MARGIN_IN = 0.6
HEAD_IN = 0.55  # the report's title line
SECTION_TITLE_IN = 0.6
LINE_IN = 0.27
LINE_COLUMNS = 86
FOOT_IN = 0.55
MIN_PITCH_IN = 0.22


@dataclass(frozen=True, slots=True)
class ReportSection:
    title: str
    lines: tuple[str, ...] = ()  # short lines: the rule and outcome in words, answer times…
    chart: charts.ChartSpec | charts.TurnoutSpec | None = None


@dataclass(frozen=True, slots=True)
class _Page:
    title: str
    chart: charts.ChartSpec | charts.TurnoutSpec | None
    pitch: float
    lines: tuple[str, ...]


def _room() -> float:
    return PAGE_IN[1] - HEAD_IN - SECTION_TITLE_IN - FOOT_IN - MARGIN_IN


def _pages(sections: Sequence[ReportSection]) -> list[_Page]:
    """Lay sections out on pages: the chart first (bars squeezed, never below a readable pitch), then the lines;
    lines that do not fit go to a continuation page with the same title."""
    pages: list[_Page] = []
    for section in sections:
        room = _room()
        pitch = charts.BAR_PITCH_IN
        if section.chart is not None:
            charts.validate(section.chart)
            fixed = charts.chart_height(section.chart, 0.0)
            bars = max(1, len(section.chart.bars) if isinstance(section.chart, charts.ChartSpec)
                       else len(section.chart.rows))
            wanted_lines = min(len(section.lines), 6) * LINE_IN
            pitch = max(MIN_PITCH_IN, min(charts.BAR_PITCH_IN, (room - fixed - wanted_lines) / bars))
            if fixed + pitch * bars > room:
                raise ValueError(f"the chart of {section.title!r} has too many bars for a page")
            room -= charts.chart_height(section.chart, pitch)
        lines = [piece for line in section.lines for piece in wrap_width(line, LINE_COLUMNS, 4)]
        per_page = max(1, int(room // LINE_IN))
        pages.append(_Page(section.title, section.chart, pitch, tuple(lines[:per_page])))
        rest = lines[per_page:]
        full = max(1, int(_room() // LINE_IN))
        while rest:
            pages.append(_Page(section.title, None, pitch, tuple(rest[:full])))
            rest = rest[full:]
    return pages


class Report:
    """A report of ``sections`` for the period and community of ``info``, in ``info.language``."""

    def __init__(self, info: ExportInfo, sections: Sequence[ReportSection], translator: Translator | None = None
                 ) -> None:
        if not sections:
            raise ValueError("a report needs at least one section")
        self.info = info
        t = labels(info.language, translator)
        self.title = t("exports.report.title", community=info.community, period=info.period)
        generated = local(info.generated_at, info.zone).strftime("%Y-%m-%d %H:%M")
        self.pages = _pages(sections)
        total = len(self.pages)
        self.footers = [t("exports.report.footer", community=info.community, period=info.period,
                          generated=generated, page=number, pages=total) for number in range(1, total + 1)]
        texts = [self.title, *self.footers]
        for page in self.pages:
            texts += [page.title, *page.lines]
        charts.check_glyphs(texts)

    def figure(self, index: int) -> Figure:
        """Page ``index`` (0-based) as a matplotlib figure (A4 portrait)."""
        from matplotlib.figure import Figure

        page = self.pages[index]
        width, height = PAGE_IN
        figure = Figure(figsize=PAGE_IN, dpi=charts.DPI, facecolor="white")
        left = MARGIN_IN / width
        figure.text(left, 1 - MARGIN_IN * 0.6 / height, self.title, fontproperties=charts.font(9), color="#6b7385",
                    va="top", parse_math=False)
        y = HEAD_IN + 0.1
        figure.text(left, 1 - y / height, page.title, fontproperties=charts.font(17), color=charts.TEXT,
                    va="top", parse_math=False)
        y += SECTION_TITLE_IN
        if page.chart is not None:
            y += charts.draw(figure, page.chart, y, pitch=page.pitch, margin_in=MARGIN_IN)
        y += 0.1
        for line in page.lines:
            figure.text(left, 1 - y / height, line, fontproperties=charts.font(10.5), color=charts.TEXT, va="top",
                        parse_math=False)
            y += LINE_IN
        figure.text(0.5, FOOT_IN * 0.6 / height, self.footers[index], fontproperties=charts.font(8),
                    color="#6b7385", ha="center", va="bottom", parse_math=False)
        return figure

    def page_png(self, index: int) -> bytes:
        """Page ``index`` as PNG bytes (a preview; what tests inspect)."""
        import io

        out = io.BytesIO()
        self.figure(index).savefig(out, format="png", dpi=charts.DPI, facecolor="white")
        return out.getvalue()

    def write_pdf(self, out: str | Path | IO[bytes]) -> int:
        """Write every page into one PDF; returns the number of pages."""
        from matplotlib.backends.backend_pdf import PdfPages

        metadata = {"Title": self.title, "Creator": "Linli", "CreationDate": None}
        with PdfPages(out, metadata=metadata) as pdf:
            for index in range(len(self.pages)):
                pdf.savefig(self.figure(index))
        return len(self.pages)
