"""The export writers on synthetic tables: the workbook as Excel opens and prints it, the CSV zip, the JSON and its
schema, the PDF report, the calendar feed."""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import jsonschema
import numpy as np
import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from core.widths import display_width
from locales.catalogs import load_catalog
from storage import charts
from storage.exports import jsondoc
from storage.exports.calendar import CalendarEvent, event_uid, ics_feed
from storage.exports.csvzip import write_csv_zip
from storage.exports.monthly import ABOUT, BALLOTS, MONTHLY, TOPICS, TURNOUT, VOTES, about_rows
from storage.exports.report import Report, ReportSection
from storage.exports.tables import Column, ExportInfo, Kind, Table, labels, percent_text
from storage.exports.xlsx import MAX_WIDTH, sheet_name, write_xlsx

OPENED = datetime(2026, 11, 9, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
CLOSED = datetime(2026, 11, 20, 16, 15, tzinfo=UTC)  # 00:15 on the 21st in Shanghai
INFO = ExportInfo(period="2026-11", community="碧波路居民区", generated_at=datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
INFO_EN = ExportInfo(period="2026-11", community="Bibo Road", generated_at=INFO.generated_at, language="en")
ITEM = "关于加装电梯的决议（第二稿）：每户分摊比例按楼层计算，低层住户可申请减免"
FORMULAS = ["=HYPERLINK(\"http://x\")", "+86 138 0000 0000", "-5", "@SUM(A1)", "\tx", "\rx"]


def votes_rows() -> Iterator[tuple[Any, ...]]:
    yield ("第3次居民会议", ITEM, "居民会议", "每户一名代表", "过半数参与，过半数赞成", 1, "已关闭",
           240, None, 150, 140, 8, 2, None, Fraction(150, 240), True, "赞成 90 · 反对 40 · 弃权 20", True, False,
           OPENED, CLOSED, "9f2c…e1")
    yield ("业主大会", "改建电梯（第278条第(7)项）", "业主共同决定", "业主", "面积与人数均达3/4", 1, "已关闭",
           180, 1_523_456, 130, 130, 0, 0, 1_100_001, Fraction(13, 18), True, "同意 100 · 反对 30", False, False,
           OPENED, CLOSED, "0a1b…ff")


def ballots_rows(n: int = 30) -> Iterator[tuple[Any, ...]]:
    for i in range(n):
        secret = i % 2 == 1
        yield ("第3次居民会议", ITEM, 1, secret, None if secret else f"{i % 4 + 1}号楼{i + 101}室",
               None if secret else f"住户{i}", f"R{i:06X}", ("赞成", "反对", "弃权")[i % 3], "online",
               None if secret else OPENED + timedelta(minutes=i))


def topics_rows() -> Iterator[tuple[Any, ...]]:
    for number, title in enumerate(["小区南门增设非机动车棚", *FORMULAS], start=1):
        yield (number, title, "设施", OPENED, 12 * number, 9, "已答复", number % 4, number == 2, False, None)


def tables() -> list[Table]:
    t = labels("zh-Hans")
    return [VOTES.table(votes_rows()), BALLOTS.table(ballots_rows()), TOPICS.table(topics_rows()),
            TURNOUT.table([("第3次居民会议", "楼栋", "1号楼", 40, 25, Fraction(25, 40))]),
            ABOUT.table(about_rows(INFO, t, ["居民会议：过半数参与，过半数赞成"]))]


def _column(layout_keys: tuple[str, ...], key: str) -> int:
    return layout_keys.index(key) + 1


# ---- XLSX ------------------------------------------------------------------------------------------------------

def _workbook(info: ExportInfo = INFO) -> Any:
    out = io.BytesIO()
    counts = write_xlsx(tables(), out, info)
    assert counts == {"votes": 2, "ballots": 30, "topics": 7, "turnout": 1, "about": 8}
    return load_workbook(io.BytesIO(out.getvalue()))


@pytest.mark.parametrize(("info", "language"), [(INFO, "zh-Hans"), (INFO_EN, "en")])
def test_workbook_sheets_and_headers_are_in_the_chosen_language(info: ExportInfo, language: str) -> None:
    catalog = load_catalog(language)
    book = _workbook(info)
    assert book.sheetnames == [catalog[f"exports.sheet.{slug}"] for slug in
                               ("votes", "ballots", "topics", "turnout", "about")]
    sheet = book[catalog["exports.sheet.votes"]]
    assert [cell.value for cell in sheet[1]] == [catalog[column.header] for column in VOTES.columns]
    assert all(cell.font.bold for cell in sheet[1])
    if language == "zh-Hans":
        assert book.sheetnames[0] == "投票汇总"


def test_workbook_is_ready_to_print_as_it_opens() -> None:
    book = _workbook()
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.print_options.gridLines is True
        assert sheet.oddFooter.center.text == "&P / &N"
        assert "碧波路居民区" in sheet.oddHeader.center.text
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"


def test_workbook_column_widths_fit_chinese_text() -> None:
    sheet = _workbook()["投票汇总"]
    keys = VOTES.keys
    width = {key: sheet.column_dimensions[sheet.cell(1, _column(keys, key)).column_letter].width for key in keys}
    assert width["meeting"] >= display_width("第3次居民会议")  # 14 columns for 7 characters
    assert width["meeting"] > len("第3次居民会议") + 2  # counted wide, not as 7
    assert width["item"] == MAX_WIDTH  # the long item is capped and wraps
    item_cell = sheet.cell(2, _column(keys, "item"))
    assert item_cell.alignment.wrap_text is True
    assert width["chain_head"] >= display_width("链头（核验用）")  # the header decides a narrow column
    assert width["round"] >= display_width("轮次")


def test_workbook_types_and_number_formats() -> None:
    book = _workbook()
    votes = book["投票汇总"]
    keys = VOTES.keys

    def cell(row: int, key: str) -> Any:
        return votes.cell(row, _column(keys, key))

    assert cell(2, "eligible").value == 240 and cell(2, "eligible").data_type == "n"
    assert cell(2, "eligible_area").value is None  # empty stays empty
    assert cell(3, "eligible_area").value == pytest.approx(15234.56)
    assert cell(3, "eligible_area").number_format == "#,##0.00"
    assert cell(2, "turnout").value == pytest.approx(0.625) and cell(2, "turnout").number_format == "0.0%"
    assert cell(2, "quorum_met").value == "是" and cell(2, "secret").value == "否"
    opened = cell(2, "opened_at")
    assert opened.is_date and opened.value == datetime(2026, 11, 9, 9, 30)  # Shanghai wall clock
    assert opened.number_format == "yyyy-mm-dd hh:mm"
    assert cell(2, "closed_at").value == datetime(2026, 11, 21, 0, 15)  # the day changes with the zone
    topics = book["议题"]
    proposed = topics.cell(2, _column(TOPICS.keys, "proposed_at"))
    assert proposed.is_date and proposed.number_format == "yyyy-mm-dd"
    assert proposed.value == datetime(2026, 11, 9)  # a date (openpyxl reads dates back as midnight)


def test_workbook_text_is_never_a_formula() -> None:
    topics = _workbook()["议题"]
    titles = [topics.cell(row, _column(TOPICS.keys, "title")) for row in range(3, 3 + len(FORMULAS))]
    assert all(cell.data_type == "s" for cell in titles)  # a string cell: Excel never evaluates it
    assert [cell.value for cell in titles[:5]] == FORMULAS[:5]  # kept as typed


def test_workbook_secret_ballots_carry_no_name_household_or_time() -> None:
    sheet = _workbook()["选票"]
    keys = BALLOTS.keys
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, _column(keys, "secret")).value == "是":
            assert [sheet.cell(row, _column(keys, key)).value for key in ("household", "name", "cast_at")] == \
                   [None, None, None]
            assert sheet.cell(row, _column(keys, "receipt")).value


def test_workbook_drops_control_characters_and_refuses_bad_rows() -> None:
    table = Table("t", "exports.sheet.topics", (Column("title", "exports.col.title"),), [("a\x01b\x0bc",)])
    out = io.BytesIO()
    write_xlsx([table], out, INFO)
    assert load_workbook(out).active.cell(2, 1).value == "abc"
    with pytest.raises(ValueError, match="timezone-aware"):
        write_xlsx([Table("t", "exports.sheet.votes", (Column("at", "exports.col.opened_at", Kind.DATETIME),),
                          [(datetime(2026, 11, 1),)])], io.BytesIO(), INFO)
    with pytest.raises(ValueError, match="2 values for 1 columns"):
        write_xlsx([Table("t", "exports.sheet.votes", (Column("a", "exports.col.item"),), [("x", "y")])],
                   io.BytesIO(), INFO)
    with pytest.raises(ValueError, match="unique"):
        write_xlsx([VOTES.table([]), VOTES.table([])], io.BytesIO(), INFO)


def test_workbook_reads_each_table_once_lazily() -> None:
    """Rows come from a generator and are pulled as they are written (a look-ahead of the first rows only)."""
    pulled = 0

    def rows() -> Iterator[tuple[Any, ...]]:
        nonlocal pulled
        for row in ballots_rows(1000):
            pulled += 1
            yield row

    counts = write_xlsx([BALLOTS.table(rows())], io.BytesIO(), INFO)
    assert counts == {"ballots": 1000} and pulled == 1000


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_name("投票/汇总:[1]", taken) == "投票 汇总  1"
    assert sheet_name("x" * 40, taken) == "x" * 31
    assert sheet_name("X" * 40, taken) == "X" * 27 + " (2)"  # Excel compares names case-insensitively
    assert sheet_name("", taken) == "Sheet"


# ---- CSV ------------------------------------------------------------------------------------------------------

def _csv_zip() -> zipfile.ZipFile:
    out = io.BytesIO()
    counts = write_csv_zip(tables(), out, INFO)
    assert counts["ballots"] == 30
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def _csv(archive: zipfile.ZipFile, slug: str) -> list[list[str]]:
    data = archive.read(f"{slug}.csv")
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_zip_has_one_utf8_bom_file_per_table() -> None:
    archive = _csv_zip()
    assert archive.namelist() == ["votes.csv", "ballots.csv", "topics.csv", "turnout.csv", "about.csv"]
    votes = _csv(archive, "votes")
    catalog = load_catalog("zh-Hans")
    assert votes[0] == [catalog[column.header] for column in VOTES.columns]
    row = dict(zip(VOTES.keys, votes[1], strict=True))
    assert row["item"] == ITEM
    assert row["eligible"] == "240" and row["eligible_area"] == ""
    assert row["turnout"] == "62.5%" and row["quorum_met"] == "是"
    assert row["opened_at"] == "2026-11-09 09:30" and row["closed_at"] == "2026-11-21 00:15"
    assert dict(zip(VOTES.keys, votes[2], strict=True))["eligible_area"] == "15234.56"
    assert _csv(archive, "topics")[1][TOPICS.keys.index("proposed_at")] == "2026-11-09"


def test_csv_neutralises_cells_that_look_like_formulas() -> None:
    topics = _csv(_csv_zip(), "topics")
    titles = [row[TOPICS.keys.index("title")] for row in topics[2:]]
    assert titles == ["'" + text for text in FORMULAS]
    assert topics[1][TOPICS.keys.index("title")] == "小区南门增设非机动车棚"  # ordinary text untouched
    table = Table("n", "exports.sheet.votes", (Column("n", "exports.col.votes", Kind.INT),), [(-5,)])
    out = io.BytesIO()
    write_csv_zip([table], out, INFO)
    assert zipfile.ZipFile(out).read("n.csv").decode("utf-8-sig").splitlines()[1] == "-5"  # a number stays one


def test_percentages_round_half_up_exactly() -> None:
    assert percent_text(Fraction(1, 3)) == "33.3%"
    assert percent_text(Fraction(1, 16)) == "6.3%"  # 6.25 → 6.3
    assert percent_text(1) == "100.0%"
    assert percent_text(0.5) == "50.0%"


# ---- JSON ------------------------------------------------------------------------------------------------------

def _document(info: ExportInfo = INFO) -> dict[str, Any]:
    out = io.StringIO()
    jsondoc.write_json(tables(), out, info)
    loaded: dict[str, Any] = json.loads(out.getvalue())
    return loaded


def _validator() -> jsonschema.protocols.Validator:
    schema = jsondoc.load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("info", [INFO, INFO_EN])
def test_json_validates_against_its_schema(info: ExportInfo) -> None:
    document = _document(info)
    _validator().validate(document)
    assert document["schema_version"] == 1 and document["period"] == "2026-11"
    assert document["generated_at"] == "2026-12-01T09:00:00+08:00"
    votes = document["tables"]["votes"]
    assert [column["key"] for column in votes["columns"]] == list(VOTES.keys)
    first, second = votes["rows"]
    assert first["opened_at"] == "2026-11-09T09:30:00+08:00" and first["eligible_area"] is None
    assert first["turnout"] == 0.625 and first["quorum_met"] is True and first["eligible"] == 240
    assert second["eligible_area"] == 15234.56
    assert document["tables"]["topics"]["rows"][0]["proposed_at"] == "2026-11-09"
    assert len(document["tables"]["ballots"]["rows"]) == 30


def test_the_schema_catches_a_wrong_document() -> None:
    validator = _validator()
    document = _document()
    del document["tables"]["votes"]["rows"][0]["passed"]
    assert not validator.is_valid(document)
    document = _document()
    document["tables"]["ballots"]["rows"][0]["cast_at"] = "2026-11-09 09:30"  # no zone offset
    assert not validator.is_valid(document)
    document = _document()
    document["schema_version"] = 2
    assert not validator.is_valid(document)


def test_the_schema_file_is_the_one_the_code_describes() -> None:
    assert jsondoc.SCHEMA_PATH.read_text(encoding="utf-8") == jsondoc.schema_text(), \
        "regenerate it: python -m storage.exports.jsondoc"
    assert {layout.slug for layout in MONTHLY} == set(jsondoc.load_schema()["properties"]["tables"]["properties"])


def test_a_table_outside_the_monthly_layouts_follows_the_generic_shape() -> None:
    table = Table("extra", "exports.sheet.events", (Column("day", "exports.col.starts_at", Kind.DATE),
                                                    Column("m2", "exports.col.area", Kind.AREA)),
                  [(date(2026, 11, 9), 5), (OPENED, None)])
    out = io.StringIO()
    jsondoc.write_json([table], out, INFO)
    document = json.loads(out.getvalue())
    _validator().validate(document)
    assert document["tables"]["extra"]["rows"] == [{"day": "2026-11-09", "m2": 0.05},
                                                   {"day": "2026-11-09", "m2": None}]
    assert Decimal(out.getvalue().split('"m2": ')[1].split("}")[0]) == Decimal("0.05")


# ---- PDF report ------------------------------------------------------------------------------------------------

def _report(sections: list[ReportSection] | None = None) -> Report:
    return Report(INFO, sections or [
        ReportSection("分楼参与：第3次居民会议", ("有资格 200 户，参与 130 户（65.0%），超过半数，会议有效。",),
                      charts.TurnoutSpec("各楼参与", "按户计", tuple(charts.TurnoutRow(f"{n}号楼", 40, 20 + n * 2)
                                                               for n in range(1, 6)), "有资格", "参与", "户")),
        ReportSection("表决结果：居民公约修订",
                      ("规则：居民会议，过半数参与，参与者过半数赞成即通过。", "结果：通过。"),
                      charts.ChartSpec("居民公约修订", "赞成 90 / 150，通过",
                                       (charts.Bar("赞成", 90, True), charts.Bar("反对", 40), charts.Bar("弃权", 20)),
                                       "票")),
        ReportSection("议题", tuple(f"议题 {n}：已答复，用时 {n % 3 + 1} 天" for n in range(80))),
    ])


def test_report_pages_render_chinese_with_non_empty_charts() -> None:
    from matplotlib.image import imread

    report = _report()
    assert len(report.pages) >= 4  # 80 topic lines continue on a second page
    for index in (0, 1):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a missing glyph would warn here
            png = report.page_png(index)
        image = imread(io.BytesIO(png), format="png")
        assert image.shape[:2] == (1169, 827)  # A4 at 100 dpi
        colours = {0: charts.TOOK_PART, 1: charts.HIGHLIGHT}
        target = np.array([int(colours[index][i:i + 2], 16) / 255 for i in (1, 3, 5)])
        assert (np.abs(image[:, :, :3] - target).max(axis=2) < 0.02).sum() > 2000  # the chart has bars
    assert report.pages[2].title == report.pages[3].title == "议题"


def test_report_writes_one_pdf_page_per_page() -> None:
    report = _report()
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pages = report.write_pdf(out)
    data = out.getvalue()
    assert data.startswith(b"%PDF") and pages == len(report.pages)
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", data)) == pages


def test_report_refuses_missing_glyphs_and_empty_charts() -> None:
    with pytest.raises(charts.MissingGlyphs):
        _report([ReportSection("活动 🎉", ("到场 30 人",))])
    with pytest.raises(charts.MissingGlyphs):
        _report([ReportSection("活动", ("到场 30 人 👍",))])
    with pytest.raises(ValueError):
        _report([ReportSection("表决结果", (), charts.ChartSpec("空", "", ()))])


# ---- ICS --------------------------------------------------------------------------------------------------------

EVENTS = [
    CalendarEvent(event_uid(1, 8), 0, "Film night", datetime(2026, 12, 20, 11, tzinfo=UTC),
                  datetime(2026, 12, 20, 13, tzinfo=UTC), "活动室", cancelled=True),
    CalendarEvent(event_uid(1, 7), 3, "相约九号：包饺子", datetime(2026, 12, 9, 2, tzinfo=UTC),
                  datetime(2026, 12, 9, 4, tzinfo=UTC), "社区活动室（雨天：地下车库）", description="自带擀面杖",
                  alarm_before=timedelta(hours=1), updated_at=datetime(2026, 12, 1, tzinfo=UTC)),
]


def test_ics_feed_parses_back_with_uid_sequence_venue_alarm_and_zone() -> None:
    data = ics_feed(EVENTS, "碧波路居民区", "Asia/Shanghai", INFO.generated_at)
    calendar = Calendar.from_ical(data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    first, second = calendar.walk("VEVENT")
    assert str(first["UID"]) == "event-1-7@linli.invalid" and first["SEQUENCE"] == 3
    assert str(first["LOCATION"]) == "社区活动室（雨天：地下车库）" and str(first["DESCRIPTION"]) == "自带擀面杖"
    start = first.decoded("DTSTART")
    assert (start.hour, str(start.tzinfo)) == (10, "Asia/Shanghai")
    assert first["DTSTART"].params["TZID"] == "Asia/Shanghai"
    (alarm,) = first.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(hours=1) and str(alarm["ACTION"]) == "DISPLAY"
    assert str(second["UID"]) == "event-1-8@linli.invalid" and second["SEQUENCE"] == 0
    assert str(second["STATUS"]) == "CANCELLED" and second.walk("VALARM") == []
    assert "碧波路居民区" in str(calendar["X-WR-CALNAME"])


def test_ics_feed_refuses_duplicate_uids_and_naive_times() -> None:
    with pytest.raises(ValueError, match="UID"):
        ics_feed([EVENTS[1], EVENTS[1]], "c", "Asia/Shanghai", INFO.generated_at)
    naive = CalendarEvent("x@y", 0, "t", datetime(2026, 12, 9, 10), datetime(2026, 12, 9, 12), "v")
    with pytest.raises(ValueError, match="aware"):
        ics_feed([naive], "c", "Asia/Shanghai", INFO.generated_at)
    assert b"BEGIN:VCALENDAR" in ics_feed([], "c", "Asia/Shanghai", INFO.generated_at)


# ---- catalogs and the benchmark's two files ---------------------------------------------------------------------

@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_every_monthly_sheet_and_header_is_in_the_catalog(language: str) -> None:
    catalog = load_catalog(language)
    keys = {layout.name for layout in MONTHLY} | {column.header for layout in MONTHLY for column in layout.columns}
    assert sorted(key for key in keys if key not in catalog) == []
    names = [catalog[layout.name] for layout in MONTHLY]
    assert len(set(names)) == len(names)


def test_about_rows_say_what_privacy_left_out() -> None:
    t = labels("en")
    rows = dict(about_rows(INFO_EN, t, ["rule A", "rule B"]))
    assert rows["Period"] == "2026-11" and rows["Generated at"] == "2026-12-01 09:00 (Asia/Shanghai)"
    assert rows["Contact data"] == "Personal contact data is left out."
    assert "linli verify" in rows["How to verify"]
    included = about_rows(INFO_EN, t, [], contacts_included=True)
    assert ("Contact data", load_catalog("en")["exports.about.contacts_included"]) in included
    assert [row for row in about_rows(INFO_EN, t, ["rule A", "rule B"]) if row[0] == "Rule used"] == \
           [("Rule used", "rule A"), ("Rule used", "rule B")]


def test_the_benchmark_writes_the_same_rows_both_ways(tmp_path: Any) -> None:
    from bench import export_bench

    export_bench.bare_dump(tmp_path / "bare.xlsx", 300)
    export_bench.linli_export(tmp_path / "linli.xlsx", 300)
    bare = list(load_workbook(tmp_path / "bare.xlsx").active.iter_rows(min_row=2, values_only=True))
    ours = list(load_workbook(tmp_path / "linli.xlsx").active.iter_rows(min_row=2, values_only=True))
    secret = BALLOTS.keys.index("secret")
    assert len(bare) == len(ours) == 300
    for plain, styled in zip(bare, ours, strict=True):
        assert styled[secret] == ("是" if plain[secret] else "否")
        assert plain[:secret] + plain[secret + 1:] == styled[:secret] + styled[secret + 1:]
    figures = export_bench.measure(200, 1)
    assert figures.rows == 200 and figures.linli_s > 0 and figures.linli_peak_mb > 0 and figures.bare_peak_mb > 0
