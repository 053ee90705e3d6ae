"""Charts render Chinese as real glyphs (or refuse), are non-empty and deterministic, and leave matplotlib's
globals alone."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest

from core.widths import clip_width, display_width, wrap_width
from storage import charts
from storage.charts import (
    Bar,
    ChartSpec,
    MissingGlyphs,
    TurnoutRow,
    TurnoutSpec,
    bar_chart,
    missing_glyphs,
    turnout_chart,
)

MOTION = ChartSpec(title="居民会议：居民公约修订", subtitle="规则：参与过半数，赞成过参与者半数。结果：通过。",
                   bars=(Bar("赞成", 50, highlight=True), Bar("反对", 15), Bar("弃权", 8)), unit="票")
TURNOUT = TurnoutSpec(title="分楼参与", subtitle="按户计", eligible_label="有资格", took_part_label="参与", unit="户",
                      rows=tuple(TurnoutRow(f"{number}号楼", 40, 10 + 5 * number) for number in range(1, 6)))


def _image(png: bytes) -> np.ndarray:
    from matplotlib.image import imread

    return imread(io.BytesIO(png), format="png")


def _pixels_of(image: np.ndarray, colour: str) -> int:
    """How many pixels have ``colour`` (#rrggbb), within antialiasing tolerance."""
    target = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(image[:, :, :3] - target).max(axis=2) < 0.02).sum())


@pytest.mark.parametrize("text", ["赞成", "反对", "弃权", "居民会议", "业主共同决定（第278条）", "Residents' meeting",
                                  "0123456789", "3号楼 · 62.5%", "面积 m² ≥ 2/3", "“引号”、《书名》……"])
def test_the_chart_fonts_have_chinese_english_and_digits(text: str) -> None:
    assert missing_glyphs(text) == set()


@pytest.mark.parametrize(("text", "missing"), [("赞成👍", {"👍"}), ("🎉 活动 🏠", {"🎉", "🏠"}),
                                               ("\U000f0000", {"\U000f0000"})])
def test_a_glyph_no_font_has_is_reported(text: str, missing: set[str]) -> None:
    assert missing_glyphs(text) == missing


def test_a_label_with_a_missing_glyph_fails_loudly_instead_of_drawing_tofu() -> None:
    spec = ChartSpec(title="居民会议", subtitle="", bars=(Bar("赞成 👍", 3), Bar("反对", 1)))
    with pytest.raises(MissingGlyphs) as raised:
        bar_chart(spec)
    assert raised.value.chars == {"👍"}
    assert "U+1F44D" in str(raised.value)
    with pytest.raises(MissingGlyphs):
        turnout_chart(TurnoutSpec("🎉", "", (TurnoutRow("1号楼", 2, 1),), "有资格", "参与"))


def test_renderable_strips_what_the_fonts_lack() -> None:
    assert charts.renderable("张三 🎉\u200d ") == "张三"
    assert missing_glyphs(charts.renderable("赞成👍👍 反对")) == set()


def test_chinese_renders_without_any_missing_glyph_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)" when it draws tofu
        bar_chart(MOTION)
        turnout_chart(TURNOUT)


def test_the_default_font_would_have_drawn_tofu() -> None:
    """The check above can fail: without our font, matplotlib's default has no Chinese glyphs and says so."""
    from matplotlib.figure import Figure

    figure = Figure()
    figure.text(0.1, 0.5, "赞成", family="DejaVu Sans")
    with pytest.warns(UserWarning, match="missing from font"):
        figure.savefig(io.BytesIO(), format="png")


def test_a_bar_chart_is_a_non_empty_png_of_a_deterministic_size() -> None:
    png = bar_chart(MOTION)
    image = _image(png)
    assert image.shape[:2] == (round(charts.chart_height(MOTION) * charts.DPI), round(charts.WIDTH_IN * charts.DPI))
    assert _pixels_of(image, charts.HIGHLIGHT) > 2000  # the winning bar
    assert _pixels_of(image, charts.MUTED) > 500  # the others
    assert bar_chart(MOTION) == png  # same spec, same bytes


def test_the_plot_area_has_ink() -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(charts.WIDTH_IN, charts.chart_height(MOTION)), dpi=charts.DPI)
    charts.draw(figure, MOTION, 0.0)
    (axes,) = figure.axes
    x0, y0, x1, y1 = (round(v) for v in axes.get_window_extent().extents)
    image = _image(bar_chart(MOTION))
    height = image.shape[0]
    area = image[height - y1:height - y0, x0:x1, :3]
    assert (area < 0.9).any(axis=2).mean() > 0.1  # well over a tenth of the plot area is not background


def test_height_follows_the_number_of_bars_only() -> None:
    three = charts.chart_height(MOTION)
    six = charts.chart_height(ChartSpec(MOTION.title, MOTION.subtitle, MOTION.bars * 2, MOTION.unit))
    assert six - three == pytest.approx(3 * charts.BAR_PITCH_IN)
    long_labels = ChartSpec("标题", "", tuple(Bar("很长很长的候选人名字" * 3, n) for n in range(3)))
    assert _image(bar_chart(long_labels)).shape[1] == round(charts.WIDTH_IN * charts.DPI)


def test_turnout_chart_draws_eligible_and_took_part() -> None:
    image = _image(turnout_chart(TURNOUT))
    assert _pixels_of(image, charts.TOOK_PART) > 2000
    assert _pixels_of(image, charts.ELIGIBLE) > 1000


def test_english_and_dollar_signs_render_as_text() -> None:
    spec = ChartSpec("Owners' decision: $5 fee", "passes with 3/4 of area AND owners",
                     (Bar("For $", 30_000, True), Bar("Against", 1_250)), unit="m²", decimals=2)
    assert _image(bar_chart(spec)).shape[1] == 800


def test_charts_leave_matplotlib_globals_alone() -> None:
    import matplotlib

    before = dict(matplotlib.rcParams)
    bar_chart(MOTION)
    turnout_chart(TURNOUT)
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize("spec", [ChartSpec("空", "", ()), ChartSpec("负", "", (Bar("赞成", -1),)),
                                  TurnoutSpec("空", "", (), "a", "b"),
                                  TurnoutSpec("负", "", (TurnoutRow("1号楼", -1, 0),), "a", "b")])
def test_nothing_to_draw_or_a_negative_count_is_refused(spec: ChartSpec | TurnoutSpec) -> None:
    with pytest.raises(ValueError):
        bar_chart(spec) if isinstance(spec, ChartSpec) else turnout_chart(spec)


def test_figures_are_exact_integers() -> None:
    assert charts.scaled(123_456, 2) == "1,234.56"
    assert charts.scaled(5, 2) == "0.05"
    assert charts.scaled(1_000_000) == "1,000,000"
    assert charts.percent(1, 3) == "33.3%"
    assert charts.percent(2, 3) == "66.7%"
    assert charts.percent(1, 8) == "12.5%"
    assert charts.percent(0, 0) == "—"
    assert [charts._tick(v) for v in (0, 2500.0, 12_500.0, 0.5, 0.25)] == ["0", "2,500", "12,500", "0.5", "0.25"]


def test_display_widths_count_chinese_twice() -> None:
    assert display_width("赞成ab") == 6
    assert display_width("（第二稿）") == 10
    assert display_width("a\n赞成赞成") == 8
    assert clip_width("居民公约修订草案第二稿", 9) == "居民公约…"
    assert display_width(clip_width("居民公约修订草案第二稿", 9)) <= 9
    assert clip_width("short", 9) == "short"
    lines = wrap_width("居民会议参与须过半数有资格的人参加 and some English words here", 12, 3)
    assert len(lines) == 3 and all(display_width(line) <= 12 for line in lines)
    assert lines[-1].endswith("…")
    assert wrap_width("赞成", 1, 5) == ["赞", "成"]
