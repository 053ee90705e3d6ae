"""The monthly export wired to the data (issue 11), on SQLite and PostgreSQL: a seeded November (meetings of every
kind, a postponed one with a void round, a secret election, an owners' decision; topics in every status; an event
with a waitlist; a quick poll) exported as XLSX, CSV and JSON, each opened and every figure checked against the
database; the JSON against its schema; the PDF report's pages; the send on the 1st exactly once across restarts;
the committee-only /export with its audit entry; the calendar feed."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema
import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import text

from bot.app import Linli
from core.clock import FrozenClock
from core.monthly import Month
from core.voting import bits
from storage import audit, charts
from storage.exports import jsondoc, monthly_data, sends
from storage.exports.monthly import MONTHLY
from storage.exports.monthly_data import Format, Source
from storage.unit import Unit
from tests.support.chat import Harness
from tests.support.exports import DIRECTOR, MONTH_START, Seeded, month
from tests.support.seed import Seed

NOVEMBER = Month(2026, 11)
MONTH_END = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
LAYOUTS = {layout.slug: layout for layout in MONTHLY}


@pytest.fixture
async def november(app: Linli, seed: Seed) -> Seeded:
    return await month(app, seed)


async def _export(app: Linli, fmt: Format, *, language: str = "zh-Hans", with_names: bool = False,
                  actor: int | None = None) -> bytes:
    async with app.sessions() as session:
        _, content = await monthly_data.export_bytes(Unit(session), app.community_id or 0, NOVEMBER, fmt,
                                                     now=app.clock.now(), actor=actor, source=Source.CLI,
                                                     language=language, with_names=with_names,
                                                     translator=app.translator)
        await session.commit()
    return content


async def _rows(app: Linli, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    async with app.sessions() as session:
        return [tuple(row) for row in (await session.exec(text(sql), params=params)).all()]  # type: ignore[call-overload]


# ---- opening each format as {slug: [{key: value}]} with plain Python values ----------------------------------


def _from_xlsx(app: Linli, content: bytes, language: str) -> dict[str, list[dict[str, Any]]]:
    t = lambda key: app.translator(language, key)  # noqa: E731
    yes, no = t("exports.value.yes"), t("exports.value.no")
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    found: dict[str, list[dict[str, Any]]] = {}
    for layout, sheet in zip(MONTHLY, workbook.worksheets, strict=True):
        assert sheet.title == t(layout.name)[:31]
        width = len(layout.columns)  # read-only rows end at their last value: pad them
        rows = [(*row, *(None,) * (width - len(row))) for row in sheet.iter_rows(values_only=True)]
        assert list(rows[0]) == [t(column.header) for column in layout.columns]
        found[layout.slug] = [{column.key: {yes: True, no: False}.get(value, value) if column.kind == "bool"
                               else value for column, value in zip(layout.columns, row, strict=True)}
                              for row in rows[1:]]
    return found


def _from_csv(app: Linli, content: bytes, language: str) -> dict[str, list[dict[str, Any]]]:
    t = lambda key: app.translator(language, key)  # noqa: E731
    yes, no = t("exports.value.yes"), t("exports.value.no")
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.namelist() == [f"{layout.slug}.csv" for layout in MONTHLY]
    found: dict[str, list[dict[str, Any]]] = {}
    for layout in MONTHLY:
        raw = archive.read(f"{layout.slug}.csv")
        assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel and WPS read UTF-8
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0] == [t(column.header) for column in layout.columns]

        def value(kind: str, cell: str) -> Any:
            if cell == "":
                return None
            if kind == "int":
                return int(cell)
            if kind == "bool":
                return {yes: True, no: False}[cell]
            return cell

        found[layout.slug] = [{c.key: value(c.kind, cell) for c, cell in zip(layout.columns, row, strict=True)}
                              for row in rows[1:]]
    return found


def _from_json(content: bytes) -> dict[str, list[dict[str, Any]]]:
    document = json.loads(content)
    jsonschema.Draft202012Validator(jsondoc.load_schema()).validate(document)
    assert document["period"] == "2026-11" and document["time_zone"] == "Asia/Shanghai"
    return {slug: table["rows"] for slug, table in document["tables"].items()}


# ---- what the database says ------------------------------------------------------------------------------------


async def _november_rounds(app: Linli) -> list[tuple[int, str, int, str, int, int]]:
    """(meeting id, title, round, status, register size, register area) of rounds ended in November."""
    return await _rows(app, """
        SELECT m.id, m.title, r.number, r.status, r.register_size, r.register_area FROM meeting_round r
        JOIN meeting m ON m.id = r.meeting_id
        WHERE r.status IN ('counted', 'void') AND r.closed_at >= :start AND r.closed_at < :end
        ORDER BY r.closed_at, m.id, r.number""", start=MONTH_START, end=MONTH_END)


async def _choices(app: Linli, item_id: int, secret: bool, round_no: int) -> list[int]:
    table = "secret_ballot" if secret else "open_ballot"
    return [int(m) for (m,) in await _rows(app, f"SELECT marks FROM {table} WHERE item_id = :item AND round = :round",
                                           item=item_id, round=round_no)]


async def _items(app: Linli, meeting_id: int) -> list[tuple[int, str, bool]]:
    return [(int(i), title, bool(secret)) for i, title, secret in await _rows(
        app, "SELECT id, title, secret FROM meeting_item WHERE meeting_id = :m ORDER BY position", m=meeting_id)]


async def _check(app: Linli, seeded: Seeded, tables: dict[str, list[dict[str, Any]]], language: str,
                 with_names: bool = False) -> None:
    """Every figure of the export against the database."""
    t = lambda key, **params: app.translator(language, key, **params)  # noqa: E731
    rounds = await _november_rounds(app)
    assert {r[0] for r in rounds} == {seeded.meetings[k] for k in seeded.meetings if k != "december"}
    assert sum(1 for r in rounds if r[3] == "void") == 1  # the postponed meeting's first round

    votes = tables["votes"]
    expected_votes = []
    for meeting_id, title, number, status, size, area in rounds:
        for item_id, item_title, secret in await _items(app, meeting_id):
            took = len(await _choices(app, item_id, secret, number)) if secret else int((await _rows(
                app, "SELECT count(*) FROM open_ballot WHERE item_id = :i AND round = :r", i=item_id, r=number))[0][0])
            stored = await _rows(app, "SELECT passed, outcome_json FROM meeting_result WHERE item_id = :i AND "
                                      "round = :r", i=item_id, r=number)
            result = json.loads(stored[0][1]) if stored else None
            expected_votes.append((title, item_id, item_title, number, size, took, secret, result, area, status))
    assert len(votes) == len(expected_votes)
    for row, (title, item_id, item_title, number, size, took, secret, result, area, status) in zip(
            votes, expected_votes, strict=True):
        assert (row["meeting"], row["item"], row["round"]) == (title, item_title, number)
        assert row["eligible"] == size and row["took_part"] == took and row["secret"] is secret
        assert row["status"] == t(f"exports.status.{status}")
        channels = dict(await _rows(app, f"SELECT channel, count(*) FROM {'secret_ballot' if secret else 'open_ballot'}"
                                         " WHERE item_id = :i AND round = :r GROUP BY channel", i=item_id, r=number))
        assert (row["took_part_online"], row["took_part_paper"], row["took_part_proxy"]) == tuple(
            int(channels.get(channel, 0)) for channel in ("online", "paper", "proxy"))
        assert sum(channels.values()) == took
        if result is None:  # the void round: never counted
            assert row["passed"] is None and row["quorum_met"] is None and row["counts"] is None
            continue
        assert result["took_part"] == took and result["eligible"] == size
        head = await _rows(app, "SELECT hash FROM ballot_event WHERE meeting_id = (SELECT id FROM meeting WHERE title "
                                "= :t) ORDER BY seq DESC LIMIT 1", t=title)
        assert row["chain_head"] == head[0][0] and len(row["chain_head"]) == 64
        assert row["quorum_met"] is result["quorate"] and row["passed"] == result["passed"]
        if result["quorate_by_area"] is not None:  # owners: areas in m², exact
            assert _area(row["eligible_area"]) == area == result["eligible_area"]
            assert _area(row["took_part_area"]) == result["took_part_area"]
    residents_row = next(r for r in votes if r["meeting"] == "十一月居民会议")
    assert residents_row["counts"] == t("exports.counts.joiner").join(
        t("exports.counts.option", name=t(f"voting.choice.{c}"), votes=n) for c, n in (("yes", 4), ("no", 1),
                                                                                          ("abstain", 1)))
    assert residents_row["took_part_paper"] == 1  # the hybrid meeting: one ballot from the hall

    # Results: per option, recounted here from the ballots themselves.
    results = tables["results"]
    recounted = []
    for meeting_id, _, number, status, *_ in rounds:
        if status != "counted":
            continue
        for item_id, item_title, secret in await _items(app, meeting_id):
            heads: Counter[int] = Counter()
            for marks in await _choices(app, item_id, secret, number):
                heads.update(bits(marks))
            options = await _rows(app, "SELECT position FROM meeting_option WHERE item_id = :i ORDER BY position",
                                  i=item_id)
            recounted += [(item_title, position, heads[position]) for (position,) in options]
    assert [(r["item"], r["votes"]) for r in results] == [(item, votes) for item, _, votes in recounted]
    owners_rows = [r for r in results if r["item"] == "加装电梯"]
    owners_area = dict(await _rows(app, """SELECT marks, sum(area) FROM open_ballot WHERE item_id =
        (SELECT id FROM meeting_item WHERE title = '加装电梯') GROUP BY marks"""))
    assert [_area(r["area"]) for r in owners_rows] == [int(owners_area.get(1 << p, 0)) for p in range(3)]
    elected = {r["option"]: r["chosen"] for r in results if r["item"] == "居委会委员"}
    assert elected == {"张三": True, "李四": True, "王五": False}  # 5, 4 and 3 of 6: more than half for two

    # Turnout by building: distinct register entries with a ballot, per building, against the register.
    residents_id = seeded.meetings["residents"]
    took_by_building = dict(await _rows(app, """SELECT e.building, count(DISTINCT e.id) FROM meeting_elector e
        JOIN open_ballot b ON b.elector_id = e.id WHERE e.meeting_id = :m GROUP BY e.building""", m=residents_id))
    register_by_building = dict(await _rows(app, """SELECT building, count(*) FROM meeting_elector
        WHERE meeting_id = :m GROUP BY building""", m=residents_id))
    turnout = [r for r in tables["turnout"] if r["meeting"] == "十一月居民会议"
               and r["scope"] == t("exports.scope.building")]
    assert {r["unit"]: (r["took_part"], r["eligible"]) for r in turnout} == {
        b or "—": (int(took_by_building.get(b, 0)), int(n)) for b, n in register_by_building.items()}
    groups = [r for r in tables["turnout"]
              if r["meeting"] == "十一月居民会议" and r["scope"] == t("exports.scope.group")]
    assert {r["unit"] for r in groups} == {"第一小组", "第二小组"}

    # Ballots: every ballot of November's rounds, secret ones as receipt and choice only.
    ballots = tables["ballots"]
    open_count = (await _rows(app, """SELECT count(*) FROM open_ballot b JOIN meeting_item i ON i.id = b.item_id
        JOIN meeting_round r ON r.meeting_id = i.meeting_id AND r.number = b.round
        WHERE r.closed_at >= :start AND r.closed_at < :end""", start=MONTH_START, end=MONTH_END))[0][0]
    secret_rows = await _rows(app, """SELECT b.receipt, b.marks FROM secret_ballot b
        JOIN meeting_item i ON i.id = b.item_id
        JOIN meeting_round r ON r.meeting_id = i.meeting_id AND r.number = b.round
        WHERE r.closed_at >= :start AND r.closed_at < :end""", start=MONTH_START, end=MONTH_END)
    assert len(ballots) == open_count + len(secret_rows)
    secret = [r for r in ballots if r["secret"]]
    candidates = ["张三", "李四", "王五"]
    assert {r["receipt"]: r["choice"] for r in secret} == {
        receipt: "、".join(candidates[p] for p in bits(int(marks))) for receipt, marks in secret_rows}
    assert [r["receipt"] for r in secret] == sorted(r["receipt"] for r in secret)  # the bulletin's order
    assert all(r["household"] is None and r["name"] is None and r["cast_at"] is None and r["channel"] is None
               for r in secret)
    opened = [r for r in ballots if not r["secret"]]
    assert all(r["receipt"] and r["cast_at"] is not None for r in opened)
    households = await _rows(app, """SELECT b.name || '-' || h.unit || '-' || h.room FROM open_ballot o
        JOIN meeting_elector e ON e.id = o.elector_id JOIN household h ON h.id = e.household_id
        JOIN building b ON b.id = h.building_id WHERE e.meeting_id = :m""", m=residents_id)
    shown = sorted(r["household"] for r in opened if r["meeting"] == "十一月居民会议")
    assert shown == sorted(h for (h,) in households)
    names = {r["name"] for r in opened}
    assert names == ({"Alice", "Bob", "Carol", "Dan", "Eve", "Frank", "Grace", "Director"} if with_names else {None})
    void = [r for r in ballots if r["meeting"] == "居民公约修订" and r["round"] == 1]
    assert len(void) == 3  # the void round's ballots are kept, shown with their round

    # Topics proposed or first answered in November.
    expected_topics = await _rows(app, """SELECT t.id, t.status, count(DISTINCT s.resident_id),
        count(DISTINCT r.household_id), t.meeting_demanded_at IS NOT NULL FROM topic t
        LEFT JOIN topic_support s ON s.topic_id = t.id LEFT JOIN resident r ON r.id = s.resident_id
        WHERE NOT t.hidden AND ((t.created_at >= :start AND t.created_at < :end)
           OR (t.first_answered_at >= :start AND t.first_answered_at < :end))
        GROUP BY t.id, t.status, t.meeting_demanded_at ORDER BY t.created_at, t.id""", start=MONTH_START,
                                  end=MONTH_END)
    topics = tables["topics"]
    assert [(r["topic_id"], r["status"], r["supports_residents"], r["supports_households"], r["meeting_demanded"])
            for r in topics] == [(i, t(f"topics.status.{s}"), n, h, bool(d)) for i, s, n, h, d in expected_topics]
    assert seeded.topics["october_silent"] not in {r["topic_id"] for r in topics}
    statuses = {r["status"] for r in topics}
    assert {t(f"topics.status.{s}") for s in ("submitted", "review", "demanded", "agenda", "council", "merged",
                                               "declined", "resolved")} <= statuses
    by_id = {r["topic_id"]: r for r in topics}
    assert by_id[seeded.topics["october_answered"]]["days_to_first_answer"] == 13
    assert by_id[seeded.topics["october_answered"]]["overdue"] is True  # answered after its three days
    assert by_id[seeded.topics["resolved"]]["days_to_first_answer"] == 2
    assert by_id[seeded.topics["resolved"]]["overdue"] is False

    # Events starting in November: replies and people going, the waitlist in people.
    (event,) = tables["events"]
    replies = await _rows(app, "SELECT status, adults, children FROM event_reply WHERE event_id = :e",
                          e=seeded.events["ninth"])
    going = [(a, c) for s, a, c in replies if s == "going"]
    assert event["replies"] == len(replies)
    assert (event["going_adults"], event["going_children"]) == (sum(a for a, _ in going), sum(c for _, c in going))
    assert event["waitlist"] == sum(a + c for s, a, c in replies if s == "waiting") > 0

    # The quick poll: verified residents' answers.
    (poll,) = tables["polls"]
    answers = await _rows(app, "SELECT choice FROM quick_poll_answer WHERE resident_id IS NOT NULL")
    assert poll["took_part"] == len(answers) == 3

    about = {r["topic"]: r["detail"] for r in tables["about"]}
    assert about[t("exports.about.period")] == "2026-11"
    assert about[t("exports.about.contacts")] == t("exports.about.contacts_included" if with_names
                                                   else "exports.about.contacts_left_out")


def _area(value: Any) -> int:
    """m² as written (a number, or "1234.56") → hundredths, exactly."""
    from decimal import Decimal

    return int(Decimal(str(value)).scaleb(2))


# ---- tests -----------------------------------------------------------------------------------------------------


async def test_xlsx_csv_and_json_carry_the_databases_figures(app: Linli, november: Seeded) -> None:
    xlsx = await _export(app, Format.XLSX)
    await _check(app, november, _from_xlsx(app, xlsx, "zh-Hans"), "zh-Hans")
    await _check(app, november, _from_csv(app, await _export(app, Format.CSV), "zh-Hans"), "zh-Hans")
    await _check(app, november, _from_json(await _export(app, Format.JSON, language="en")), "en")

    workbook = load_workbook(io.BytesIO(xlsx))  # as Excel opens it: ready to print
    votes = workbook.worksheets[0]
    assert votes.freeze_panes == "A2" and votes.print_title_rows == "$1:$1"
    assert votes.page_setup.orientation == "landscape" and votes.sheet_properties.pageSetUpPr.fitToPage
    opened = votes.cell(row=2, column=[c.key for c in LAYOUTS["votes"].columns].index("opened_at") + 1)
    assert isinstance(opened.value, datetime) and opened.value.tzinfo is None  # a real date, local time
    turnout = votes.cell(row=2, column=[c.key for c in LAYOUTS["votes"].columns].index("turnout") + 1)
    assert turnout.number_format == "0.0%" and isinstance(turnout.value, float)


async def test_names_only_when_asked_and_never_for_secret_ballots(app: Linli, november: Seeded) -> None:
    named = await _export(app, Format.XLSX, with_names=True)
    await _check(app, november, _from_xlsx(app, named, "zh-Hans"), "zh-Hans", with_names=True)
    document = _from_json(await _export(app, Format.JSON, with_names=True))
    participation = await _rows(app, "SELECT elector_id FROM secret_participation")
    assert participation  # someone took part in the secret election …
    for row in document["ballots"]:  # … and nothing in any secret row names, places or times them
        if row["secret"]:
            assert {k for k, v in row.items() if v is not None} == {"meeting", "item", "round", "secret", "receipt",
                                                                   "choice"}


async def test_the_report_renders_every_section_with_glyphs_and_bars(app: Linli, november: Seeded) -> None:
    async with app.sessions() as session:
        data = await monthly_data.read_month(Unit(session), app.community_id or 0, NOVEMBER, app.clock.now())
    for language in ("zh-Hans", "en"):
        report = monthly_data.report(data, language=language, now=app.clock.now(), translator=app.translator)
        titles = [page.title for page in report.pages]
        assert any("加装电梯" in title for title in titles) and any("委员选举" in title for title in titles)
        texts = [report.title, *report.footers]
        for page in report.pages:
            texts += [page.title, *page.lines]
            if page.chart is not None:
                texts += charts.chart_texts(page.chart)
                bars = page.chart.bars if isinstance(page.chart, charts.ChartSpec) else page.chart.rows
                assert bars and any((b.value if isinstance(b, charts.Bar) else b.eligible) > 0 for b in bars)
        assert set().union(*(charts.missing_glyphs(text) for text in texts)) == set()
        result_page = next(i for i, page in enumerate(report.pages) if "加装电梯" in page.title)
        png = report.page_png(result_page)
        assert png.startswith(b"\x89PNG") and len(png) > 20_000  # a drawn chart, not a blank page
    pdf = await _export(app, Format.PDF)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= len(report.pages)


async def test_an_empty_month_still_exports(app: Linli, seed: Seed) -> None:
    await seed.roster()
    for fmt in (Format.XLSX, Format.JSON, Format.PDF):
        content = await _export(app, fmt)
        assert content
    tables = _from_json(await _export(app, Format.JSON))
    assert all(tables[slug] == [] for slug in ("votes", "results", "turnout", "ballots", "topics", "events"))


async def test_the_workbook_goes_to_the_committee_chat_once_on_the_first(app: Linli, seed: Seed,
                                                                         clock: FrozenClock) -> None:
    from scheduler.export_jobs import send_monthly_exports

    await seed.roster()
    await seed.configure(committee_chat_id=-100555)
    clock.set(datetime(2026, 12, 1, 0, 59, tzinfo=UTC))  # 08:59 on the 1st in Shanghai: not yet
    language = app.settings.default_language
    assert await send_monthly_exports(app.sessions, clock, app.translator, language) == 0
    clock.set(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))  # 09:00
    assert await send_monthly_exports(app.sessions, clock, app.translator, language) == 1
    assert await send_monthly_exports(app.sessions, clock, app.translator, language) == 0
    restarted = Linli(app.settings, clock=clock)  # a restart: a new process on the same database
    await restarted.prepare(migrate=False)
    try:
        clock.advance(timedelta(hours=5))
        assert await send_monthly_exports(restarted.sessions, clock, restarted.translator, language) == 0
    finally:
        await restarted.close()
    rows = await _rows(app, "SELECT chat_id, dedupe_key, content FROM outbox_message WHERE dedupe_key LIKE "
                            "'exports-monthly:%'")
    assert [(chat, key) for chat, key, _ in rows] == [(-100555, f"exports-monthly:{app.community_id}:2026-11")]
    workbook = load_workbook(io.BytesIO(rows[0][2]), read_only=True)
    assert workbook.worksheets[0].title == app.translator("zh-Hans", "exports.sheet.votes")
    async with app.sessions() as session:
        entries = await audit.entries(session, app.community_id or 0, "export.monthly")
    assert [(e.subject, json.loads(e.detail_json)["source"]) for e in entries] == [("month:2026-11", "scheduled")]
    assert sends.due_month(datetime(2027, 1, 1, 1, tzinfo=UTC), "Asia/Shanghai") == Month(2026, 12)
    assert sends.due_month(datetime(2027, 1, 1, 0, tzinfo=UTC), "Asia/Shanghai") is None


async def test_two_workers_on_the_first_send_one_workbook(app: Linli, seed: Seed, clock: FrozenClock) -> None:
    import asyncio

    from scheduler.export_jobs import send_monthly_exports

    await seed.roster()
    await seed.configure(committee_chat_id=-100555)
    clock.set(datetime(2026, 12, 1, 1, 30, tzinfo=UTC))
    other = Linli(app.settings, clock=clock)
    await other.prepare(migrate=False)
    try:
        sent = await asyncio.gather(send_monthly_exports(app.sessions, clock, app.translator, "zh-Hans"),
                                    send_monthly_exports(other.sessions, clock, other.translator, "zh-Hans"))
    finally:
        await other.close()
    assert sorted(sent) == [0, 1]
    assert (await _rows(app, "SELECT count(*) FROM monthly_export_send"))[0][0] == 1


async def test_the_committee_exports_in_the_chat_and_a_resident_is_refused(chat: Harness, november: Seeded) -> None:
    director = chat.user(DIRECTOR, "Director")
    await director.send("/export")
    await director.tap("exports.btn.this_month", month="2026-11")
    await director.tap("exports.btn.xlsx")
    document = director.last.document
    assert document is not None and document[0] == "linli-2026-11.xlsx"
    tables = _from_xlsx(chat.app, document[1], "zh-Hans")
    assert len(tables["votes"]) == len(await _november_rounds(chat.app)) and len(tables["ballots"]) > 20
    assert {r["name"] for r in tables["ballots"]} == {None}

    await director.tap("exports.btn.back")  # the formats → the months
    await director.tap("exports.btn.pick")
    await director.press("2026-09")
    assert "2026-09" in director.find_button_message(director.label("exports.btn.xlsx")).text
    await director.tap("exports.btn.back")
    await director.tap("exports.btn.last_month", month="2026-10")
    await director.tap("exports.btn.pdf")
    assert director.last.document is not None and director.last.document[1].startswith(b"%PDF")
    async with chat.app.sessions() as session:
        entries = await audit.entries(session, chat.app.community_id or 0, "export.monthly")
    assert [(e.actor_telegram_id, e.subject, json.loads(e.detail_json)["format"]) for e in entries] == [
        (DIRECTOR, "month:2026-11", "xlsx"), (DIRECTOR, "month:2026-10", "pdf")]

    alice = chat.user(1, "Alice")
    await alice.send("/export")
    assert alice.last.text == chat.app.translator("zh-Hans", "errors.committee_only")
    await alice.send("/calendar")
    assert alice.last.document is not None
    feed = Calendar.from_ical(alice.last.document[1])
    assert [str(e.get("summary")) for e in feed.walk("VEVENT")] == ["新年联欢"]  # November's event is over


async def test_a_resident_cannot_press_a_forged_export_button(port: Harness, november: Seeded) -> None:
    from handlers.exports import ExportFile

    alice = port.user(1, "Alice")
    await alice.send("/menu")
    data = port.app.codec.pack(ExportFile(2026, 11, Format.XLSX, True))
    await alice.press_data(data)
    assert all(message.document is None for message in alice.messages)
    assert (await _rows(port.app, "SELECT count(*) FROM audit_entry WHERE action = 'export.monthly'"))[0][0] == 0


async def test_bad_months_are_refused_politely(port: Harness, november: Seeded) -> None:
    director = port.user(DIRECTOR, "Director")
    await director.send("/export 2026-13")
    assert director.last.text == port.app.translator("zh-Hans", "exports.err.month", value="2026-13")
    await director.send("/export 2027-01")
    assert director.last.text == port.app.translator("zh-Hans", "exports.err.future", month="2027-01")
    await director.send("/export 2026-09")
    assert director.last.labels[0] == port.app.translator("zh-Hans", "exports.btn.xlsx")


# ---- the command line ------------------------------------------------------------------------------------------


def test_linli_export_and_calendar_on_the_command_line(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from typer.testing import CliRunner

    from bot.cli import app as cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LINLI_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("LINLI_BOT_TOKEN", raising=False)
    runner = CliRunner()
    done = runner.invoke(cli, ["export", "--month", "2026-11", "--format", "json", "--lang", "en"])
    assert done.exit_code == 0, done.output
    document = json.loads((tmp_path / "linli-2026-11.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(jsondoc.load_schema()).validate(document)
    assert document["language"] == "en" and document["tables"]["votes"]["name"] == "Votes"
    done = runner.invoke(cli, ["export", "--month", "2026-11", "--format", "pdf", "--out", "notice.pdf"])
    assert done.exit_code == 0 and (tmp_path / "notice.pdf").read_bytes().startswith(b"%PDF"), done.output
    with sqlite3.connect(tmp_path / "cli.db") as db:
        sources = [json.loads(detail)["source"] for (detail,) in db.execute(
            "SELECT detail_json FROM audit_entry WHERE action = 'export.monthly'")]
    assert sources == ["cli", "cli"]
    refused = runner.invoke(cli, ["export", "--month", "2026-13"])
    assert refused.exit_code == 2 and "2026-13" in refused.output and "Traceback" not in refused.output
    refused = runner.invoke(cli, ["export", "--month", "2026-11", "--format", "doc"])
    assert refused.exit_code == 2 and "xlsx" in refused.output
    done = runner.invoke(cli, ["calendar", "--out", "events.ics"])
    assert done.exit_code == 0 and "0 upcoming events" in done.output, done.output
    assert Calendar.from_ical((tmp_path / "events.ics").read_bytes()).walk("VEVENT") == []
