"""Quick polls: posted by the committee to a group chat, answered, changed, retracted, answered by people who are
not residents, closed by the scheduler (or early by the committee) and counted — through the port and both doors,
on SQLite and PostgreSQL. Plus the rules, the storage's check-then-write rules under concurrency, and bad input."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.app import Linli
from bot.features import jobs
from core import quick_polls as rules
from core.clock import FrozenClock
from core.errors import InvalidInput, StaleButton
from handlers.port import SendPoll, Sent
from handlers.quick_polls import StopQuickPoll
from storage import outbox, quick_poll_notices, quick_polls, residents
from storage.quick_polls import QuickPoll, QuickPollAnswer, QuickPollAnswerChange
from storage.unit import Unit
from tests.support.chat import Harness, Msg, PortHarness, UserChat
from tests.support.seed import Seed

GROUP = -100200300
QUESTION = "周六上午打扫楼道，您方便吗？"
OPTIONS = ["方便", "不方便", "看情况"]
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def _run_close_job(harness: Harness) -> None:
    job = next(job for job in jobs() if job.job_id == "quick-polls-close")
    await job.make(harness.app)()
    await harness.flush_outbox()


def _polls(harness: Harness) -> list[Msg]:
    return [m for m in harness.bot_messages(GROUP) if m.poll is not None]


async def _people(chat: Harness, seed: Seed) -> dict[str, UserChat]:
    await seed.roster()
    await seed.committee(9001, "Director Li")
    for user_id, name in ((2001, "Alice"), (2002, "Bob"), (2005, "Eve"), (2006, "Frank")):
        await seed.resident(user_id, name)
    await seed.resident(2003, "Carol", verified=False)  # asked to join, not approved yet: not counted
    people = {"director": chat.user(9001, "Director Li"), "alice": chat.user(2001, "Alice"),
              "bob": chat.user(2002, "Bob"), "carol": chat.user(2003, "Carol"), "dave": chat.user(4004, "Dave"),
              "eve": chat.user(2005, "Eve"), "frank": chat.user(2006, "Frank")}
    chat.group(GROUP, "碧波路居民群", list(people.values()))
    return people


async def _post(director: UserChat, closing: str = "quick_polls.closing.60") -> Msg:
    asked = await director.send("/quickpoll", chat_id=GROUP)
    assert "第一行是问题" in asked[-1].text
    await director.send("\n".join([QUESTION, *OPTIONS]), chat_id=GROUP)
    assert "什么时候结束投票" in director.harness.bot_messages(GROUP)[-1].text
    await director.tap(closing, chat_id=GROUP)
    preview = director.harness.bot_messages(GROUP)[-1].text
    assert "预览快速投票" in preview and "1. 方便" in preview and "发到：本群" in preview
    assert "不是依法作出的决定" in preview
    await director.tap("quick_polls.publish", chat_id=GROUP)
    polls = _polls(director.harness)
    assert len(polls) == 1
    return polls[0]


# ---- the scenario, through the port and both doors, on both databases ----------------------------------------


async def test_a_quick_poll_is_answered_changed_retracted_closed_by_the_scheduler_and_counted(
        chat: Harness, seed: Seed, clock: FrozenClock) -> None:
    people = await _people(chat, seed)
    poll = await _post(people["director"])
    assert poll.text == QUESTION and poll.poll is not None and poll.poll.options == OPTIONS
    assert poll.labels == [people["director"].label("quick_polls.stop")]
    assert "已发布" in chat.bot_messages(GROUP)[-2].text  # the preview, edited

    await people["alice"].answer_poll(poll, [0], chat_id=GROUP)
    await people["bob"].answer_poll(poll, [1], chat_id=GROUP)
    await people["alice"].answer_poll(poll, [2], chat_id=GROUP)  # changed: the last answer counts
    await people["bob"].answer_poll(poll, [], chat_id=GROUP)  # retracted: no longer counted
    await people["eve"].answer_poll(poll, [2], chat_id=GROUP)
    await people["frank"].answer_poll(poll, [0], chat_id=GROUP)
    await people["carol"].answer_poll(poll, [0], chat_id=GROUP)  # not verified: shown apart
    await people["dave"].answer_poll(poll, [1], chat_id=GROUP)  # not a resident at all: shown apart
    assert not any(m.from_bot and m.text for m in chat.bot_messages(4004))  # answering is never replied to

    before = len(chat.bot_messages(GROUP))
    clock.advance(timedelta(minutes=59))
    await _run_close_job(chat)
    assert len(chat.bot_messages(GROUP)) == before and not _polls(chat)[0].poll.closed  # type: ignore[union-attr]

    clock.advance(timedelta(minutes=2))
    await _run_close_job(chat)
    closed = _polls(chat)[0]
    assert closed.poll is not None and closed.poll.closed and closed.labels == []  # stopped, button gone
    result = chat.bot_messages(GROUP)[-1].text
    assert "快速投票结果" in result and QUESTION in result and "到时结束" in result
    assert "1. 方便 — 1 (33%)\n2. 不方便 — 0 (0%)\n3. 看情况 — 2 (67%)" in result
    assert "参与投票的本小区居民：3 人" in result
    assert "另有 2 位非本小区认证居民的回答" in result and "1. 方便 — 1\n2. 不方便 — 1\n3. 看情况 — 0" in result
    assert "仅供参考，不是居民会议或业主大会依法作出的决定" in result

    await _run_close_job(chat)  # due no more: no second stop, no second count
    assert len(chat.bot_messages(GROUP)) == before + 1

    async with chat.app.sessions() as session:
        stored = (await session.exec(select(QuickPoll))).one()
        assert (stored.status, stored.closed_by, stored.closed_at) == ("closed", None, clock.now())
        answers = {a.telegram_user_id: (a.choice, a.resident_id is not None)
                   for a in (await session.exec(select(QuickPollAnswer))).all()}
        assert answers == {2001: ("2", True), 2002: ("", True), 2005: ("2", True), 2006: ("0", True),
                           2003: ("0", False), 4004: ("1", False)}
        history = (await session.exec(select(QuickPollAnswerChange)
                                      .order_by(col(QuickPollAnswerChange.update_id)))).all()
        assert [(h.telegram_user_id, h.choice) for h in history] == [
            (2001, "0"), (2002, "1"), (2001, "2"), (2002, ""), (2005, "2"), (2006, "0"), (2003, "0"), (4004, "1")]
        assert all(h.telegram_poll_id == stored.telegram_poll_id and not h.late for h in history)


async def test_the_committee_closes_a_poll_early_and_forged_or_foreign_presses_are_refused(
        chat: Harness, seed: Seed) -> None:
    people = await _people(chat, seed)
    director, alice = people["director"], people["alice"]
    poll = await _post(director, "quick_polls.closing.1440")
    await alice.answer_poll(poll, [1], chat_id=GROUP)
    stop = poll.data_of(director.label("quick_polls.stop"))

    refused = await alice.press(director.label("quick_polls.stop"), message=poll, chat_id=GROUP)
    assert refused.alert and refused.text == alice.label("errors.committee_only")
    body, _, signature = stop.rpartition("~")
    forged = await director.press_data(f"{body}~{'A' * len(signature)}", poll.message_id, chat_id=GROUP)
    assert forged.alert and forged.text == director.label("errors.stale_button")
    unknown = await director.press_data(chat.app.codec.pack(StopQuickPoll(99999)), poll.message_id, chat_id=GROUP)
    assert unknown.alert and unknown.text == director.label("errors.stale_button")
    assert not _polls(chat)[0].poll.closed  # type: ignore[union-attr]

    done = await director.press(director.label("quick_polls.stop"), message=poll, chat_id=GROUP)
    assert done.text == director.label("quick_polls.stopped")
    await chat.flush_outbox()
    assert _polls(chat)[0].poll.closed  # type: ignore[union-attr]
    result = chat.bot_messages(GROUP)[-1].text
    assert "居委会提前结束" in result and "2. 不方便 — 1 (100%)" in result and "没有非居民的回答" in result
    again = await director.press_data(stop, poll.message_id, chat_id=GROUP)  # the button is gone; pressed anyway
    assert again.alert and again.text == director.label("quick_polls.err.closed")
    await _run_close_job(chat)
    assert [m.text for m in chat.bot_messages(GROUP)].count(result) == 1


# ---- the committee's form: bad input, private use, who may ---------------------------------------------------


async def test_bad_input_gets_a_clear_answer_and_the_form_goes_on(port: PortHarness, seed: Seed,
                                                                  clock: FrozenClock) -> None:
    await seed.roster()
    await seed.committee(9001)
    await seed.resident(2001, "Alice")
    director, alice = port.user(9001, "Director"), port.user(2001, "Alice")

    refused = await alice.send("/quickpoll 去不去？\n去\n不去", chat_id=GROUP)
    assert refused[-1].text == alice.label("errors.committee_only")

    await director.send("/quickpoll", chat_id=GROUP)
    said = await director.send("只有问题？\n只有一个选项", chat_id=GROUP)
    assert "需要 2–10 个选项" in said[-1].text and "现在有 1 个" in said[-1].text
    said = await director.send("去不去？\n去\n去", chat_id=GROUP)
    assert "选项“去”重复了" in said[-1].text
    said = await director.send("问" * 256 + "\n是\n否", chat_id=GROUP)
    assert "问题太长了（256 字）" in said[-1].text
    said = await director.send("去不去？\n去\n" + "不" * 101, chat_id=GROUP)
    assert "第 2 个选项太长了" in said[-1].text

    await director.send("去不去？\n去\n不去", chat_id=GROUP)
    await director.tap("quick_polls.closing.custom", chat_id=GROUP)
    said = await director.send("下周吧", chat_id=GROUP)
    assert "没看懂这个时间" in said[-1].text
    said = await director.send("2m", chat_id=GROUP)
    assert "5 分钟到 30 天之内" in said[-1].text
    said = await director.send("31天", chat_id=GROUP)
    assert "5 分钟到 30 天之内" in said[-1].text
    said = await director.send("2026-11-24 18:00", chat_id=GROUP)
    assert "结束时间：2026-11-24 18:00" in said[-1].text
    await director.tap("common.cancel", chat_id=GROUP)
    assert port.bot_messages(GROUP)[-1].text == director.label("quick_polls.cancelled")
    assert not _polls(port)
    chatter = await director.send("大家好", chat_id=GROUP)  # no form open any more: group talk is left alone
    assert chatter == []

    await director.send("/quickpoll", chat_id=GROUP)
    assert await director.send("先问问大家", chat_id=GROUP) != []  # read as a draft (and refused: no options)
    clock.advance(timedelta(minutes=16))  # the member walked away from the form
    assert await director.send("大家好", chat_id=GROUP) == []
    assert await director.send("大家好", chat_id=GROUP) == []


async def test_in_private_a_poll_goes_to_the_committee_chat(port: PortHarness, seed: Seed) -> None:
    await seed.roster()
    await seed.committee(9001, language="en")
    director = port.user(9001, "Director", language="en")
    said = await director.send("/quickpoll Paint the door?\nRed\nGreen")
    assert said[-1].text == director.label("quick_polls.err.no_chat")

    await seed.configure(committee_chat_id=GROUP)
    port.messenger.reachable.add(GROUP)
    await director.send("/quickpoll Paint the door?\nRed\nGreen")  # question and options right after the command
    assert "When should the poll close?" in director.last.text
    await director.tap("quick_polls.closing.4320")
    assert "Posted to: the committee chat" in director.last.text and "Closes: 2026-11-26 10:00" in director.last.text
    await director.tap("quick_polls.publish")
    assert "Quick poll “Paint the door?” posted" in director.last.text
    polls = _polls(port)
    assert [(p.text, p.poll.options if p.poll else None) for p in polls] == [("Paint the door?", ["Red", "Green"])]
    assert polls[0].labels == ["⏹ 结束投票（居委会）"]  # the group reads the community's default language
    assert director.last.buttons == []  # the confirmation has no button left to press twice


async def test_an_old_publish_button_cannot_post_twice(port: PortHarness, seed: Seed) -> None:
    await seed.roster()
    await seed.committee(9001)
    director = port.user(9001, "Director")
    await director.send("/quickpoll 去不去？\n去\n不去", chat_id=GROUP)
    await director.tap("quick_polls.closing.60", chat_id=GROUP)
    preview = port.bot_messages(GROUP)[-1]
    publish = preview.data_of(director.label("quick_polls.publish"))
    await director.press_data(publish, preview.message_id, chat_id=GROUP)
    again = await director.press_data(publish, preview.message_id, chat_id=GROUP)
    assert again.alert and again.text == director.label("errors.stale_button")
    assert len(_polls(port)) == 1


# ---- storage: what is sent is remembered; the newest answer wins; a poll closes once ------------------------


async def _poll_row(app: Linli, seed: Seed, *, sent: bool = True) -> tuple[int, str]:
    await seed.roster()
    director = await seed.committee(9001)
    await seed.resident(2001, "Alice")
    async with app.sessions() as session:
        poll = await quick_polls.post(
            Unit(session), community_id=app.community_id or 0, chat_id=GROUP,
            draft=rules.Draft("去不去？", ("去", "不去")), closes_at=NOW + timedelta(hours=1),
            created_by=director.id or 0, now=NOW,
            action=lambda view: SendPoll(view.chat_id, view.question, view.options, anonymous=False))
        if sent:
            await outbox.mark_sent(session, 1, NOW, 77)
            await quick_polls.record_sent(Unit(session), f"quickpoll:{poll.id}", Sent(77, f"tg-{poll.id}"))
        await session.commit()
    return poll.id, f"tg-{poll.id}"


async def _answer(app: Linli, poll_ref: str, user_id: int, choice: tuple[int, ...], update_id: int,
                  community_id: int | None = None) -> None:
    async with app.sessions() as session:
        resident = await residents.by_telegram_id(session, app.community_id or 0, user_id)
        # seen from another community (``community_id``) the person is nobody: the poll's community decides
        resident_id = resident.id if resident is not None and resident.verified and community_id is None else None
        await quick_polls.record_answer(Unit(session), community_id=community_id or app.community_id or 0,
                                        resident_id=resident_id, telegram_poll_id=poll_ref, telegram_user_id=user_id,
                                        option_ids=choice, update_id=update_id, now=NOW)
        await session.commit()


async def test_the_newest_answer_wins_whatever_order_they_are_stored_in(app: Linli, seed: Seed) -> None:
    poll_id, ref = await _poll_row(app, seed)
    await _answer(app, ref, 2001, (1,), 12)
    await _answer(app, ref, 2001, (0,), 11)  # an older answer stored late (another worker) changes nothing
    await _answer(app, ref, 2001, (1,), 12)  # the same update again: recorded once
    async with app.sessions() as session:
        assert (await quick_polls.tally(Unit(session), poll_id)).counts == (0, 1)
        history = (await session.exec(select(QuickPollAnswerChange))).all()
        assert sorted(h.update_id for h in history) == [11, 12]


async def test_answers_before_the_send_was_recorded_still_count(app: Linli, seed: Seed) -> None:
    poll_id, _ = await _poll_row(app, seed, sent=False)
    await _answer(app, "tg-early", 2001, (0,), 5)  # the poll's id is not known yet
    async with app.sessions() as session:
        assert (await quick_polls.tally(Unit(session), poll_id)).voters == 0
        await quick_polls.record_sent(Unit(session), f"quickpoll:{poll_id}", Sent(78, "tg-early"))
        await session.commit()
    async with app.sessions() as session:
        tally = await quick_polls.tally(Unit(session), poll_id)
        assert (tally.counts, tally.voters) == ((1, 0), 1)
        with pytest.raises(StaleButton):
            await quick_polls.get(Unit(session), 99999)


async def test_who_counts_is_decided_by_the_polls_own_community(app: Linli, seed: Seed) -> None:
    poll_id, ref = await _poll_row(app, seed)
    await _answer(app, ref, 2001, (0,), 40, community_id=(app.community_id or 0) + 1)  # the handler's other home
    async with app.sessions() as session:
        tally = await quick_polls.tally(Unit(session), poll_id)
        assert (tally.voters, tally.outsiders) == (1, 0)  # Alice is a verified resident where the poll is


async def test_a_poll_not_yet_in_its_chat_is_not_closed(app: Linli, seed: Seed) -> None:
    poll_id, _ = await _poll_row(app, seed, sent=False)
    async with app.sessions() as session:
        assert await quick_polls.close_due(Unit(session), NOW + timedelta(hours=2)) == []
        with pytest.raises(rules.PollNotPosted):
            await quick_polls.close_now(Unit(session), community_id=app.community_id or 0, poll_id=poll_id,
                                        closed_by=1, now=NOW)


async def test_the_scheduler_and_two_members_close_a_poll_at_once_it_closes_once(app: Linli, seed: Seed) -> None:
    poll_id, ref = await _poll_row(app, seed)
    await _answer(app, ref, 2001, (0,), 20)
    director_id = (await seed.committee(9001)).id or 0
    due = NOW + timedelta(hours=1)

    async def by_job() -> int:
        async with app.sessions() as session:
            closed = await quick_polls.close_due(Unit(session), due)
            await session.commit()
            return len(closed)

    async def by_member() -> int:
        try:
            async with app.sessions() as session:
                await quick_polls.close_now(Unit(session), community_id=app.community_id or 0, poll_id=poll_id,
                                            closed_by=director_id, now=due)
                await session.commit()
                return 1
        except rules.PollAlreadyClosed:
            return 0

    async def late_answer() -> None:
        await _answer(app, ref, 2001, (1,), 21)

    results = await asyncio.gather(by_job(), by_member(), by_member(), by_job(), late_answer())
    assert sum(r for r in results if isinstance(r, int)) == 1
    async with app.sessions() as session:
        stops = (await session.exec(select(outbox.OutboxMessage).where(
            col(outbox.OutboxMessage.dedupe_key).startswith("quickpoll-stop:")))).all()
        assert len(stops) == 1
        late = (await session.exec(select(QuickPollAnswerChange).where(QuickPollAnswerChange.update_id == 21))).one()
        current = (await session.exec(select(QuickPollAnswer))).one()
        # the answer racing the close is either in the count or recorded as late, never both or neither
        assert (late.late, current.choice) in ((True, "0"), (False, "1"))


async def test_a_person_who_deletes_their_data_still_counts_but_is_named_nowhere(app: Linli, seed: Seed) -> None:
    from storage import privacy

    poll_id, ref = await _poll_row(app, seed)
    await _answer(app, ref, 2001, (1,), 30)
    async with app.sessions() as session:
        await privacy.forget(Unit(session), community_id=app.community_id or 0, telegram_user_id=2001, now=NOW)
        await session.commit()
    async with app.sessions() as session:
        assert (await quick_polls.tally(Unit(session), poll_id)).counts == (0, 1)
        assert [a.telegram_user_id for a in (await session.exec(select(QuickPollAnswer))).all()] == [None]
        assert (await session.exec(select(QuickPollAnswerChange))).all() == []


# ---- the rules ---------------------------------------------------------------------------------------------


def test_a_draft_is_a_question_and_its_options() -> None:
    draft = rules.parse_draft("  周六打扫？ \n\n 方便\n不方便  \n")
    assert draft == rules.Draft("周六打扫？", ("方便", "不方便"))
    assert rules.parse_draft("Q\n" + "\n".join(str(i) for i in range(10))).options[-1] == "9"
    assert rules.parse_draft("周六打扫？ | 方便 |不方便|") == draft
    assert rules.parse_draft("A|B?\nyes\nno").question == "A|B?"  # on several lines a "|" is just text
    for text, key in [("", "errors.empty_text"), ("Q\nA", "quick_polls.err.option_count"),
                      ("Q\n" + "\n".join(str(i) for i in range(11)), "quick_polls.err.option_count"),
                      ("Q\nYes\nyes", "quick_polls.err.option_twice"),
                      ("Q" * 256 + "\nA\nB", "quick_polls.err.question_long"),
                      ("Q\nA\n" + "B" * 101, "quick_polls.err.option_long")]:
        with pytest.raises(InvalidInput) as caught:
            rules.parse_draft(text)
        assert caught.value.key == key, text
    with pytest.raises(InvalidInput):
        rules.parse_draft(None)


@pytest.mark.parametrize(("typed", "after"), [
    ("90m", timedelta(minutes=90)), ("2h", timedelta(hours=2)), ("2 小时", timedelta(hours=2)),
    ("3d", timedelta(days=3)), ("3天", timedelta(days=3)), ("30 分钟", timedelta(minutes=30)),
    ("2026-11-24 18:00", timedelta(days=1, hours=8)), ("11-24 18:00", timedelta(days=1, hours=8)),
    ("11月24日 18:00", timedelta(days=1, hours=8)), ("30d", timedelta(days=30)),
])
def test_closing_times_people_type(typed: str, after: timedelta) -> None:
    assert rules.parse_closing(typed, NOW, "Asia/Shanghai") == NOW + after


@pytest.mark.parametrize(("typed", "key"), [
    ("soon", "quick_polls.err.closing_format"), ("4m", "quick_polls.err.closing_range"),
    ("31d", "quick_polls.err.closing_range"), ("2026-11-23 10:02", "quick_polls.err.closing_range"),
    ("2026-02-30 10:00", "quick_polls.err.closing_format"), (None, "quick_polls.err.closing_format"),
])
def test_closing_times_refused(typed: str | None, key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        rules.parse_closing(typed, NOW, "Asia/Shanghai")
    assert caught.value.key == key


def test_a_date_without_a_year_already_past_means_next_year() -> None:
    december = datetime(2026, 12, 28, 2, 0, tzinfo=UTC)
    assert rules.parse_closing("01-05 18:00", december, "Asia/Shanghai") == datetime(2027, 1, 5, 10, 0, tzinfo=UTC)


def test_counting_residents_and_others_apart() -> None:
    tally = rules.count(3, [((0,), True), ((2,), True), ((), True), ((2,), True), ((1,), False), ((5,), True)])
    assert (tally.counts, tally.voters, tally.outsider_counts, tally.outsiders) == ((1, 0, 2), 3, (0, 1, 0), 1)
    assert [tally.share(i) for i in range(3)] == [33, 0, 67]
    assert rules.count(2, []).share(0) == 0
    assert rules.decode_choice(rules.encode_choice([2, 0, 2])) == (0, 2) and rules.decode_choice("") == ()


def test_the_result_says_it_is_advisory_in_both_languages(app: Linli) -> None:
    view = quick_polls.PollView(1, 1, GROUP, "<b>去</b>不去？", ("去", "不去"), NOW, rules.PollStatus.CLOSED, 7)
    notice = quick_poll_notices.result(quick_polls.ClosedPoll(view, rules.count(2, [((0,), True)]), None))
    for language, advisory in (("zh-Hans", "不是居民会议或业主大会依法作出的决定"),
                               ("en", "not a decision of a residents'")):
        text = app.notifier.render(notice, language, "Asia/Shanghai")
        assert advisory in text and "&lt;b&gt;去&lt;/b&gt;不去？" in text and "1. 去 — 1 (100%)" in text


async def test_a_poll_answer_costs_few_statements(port: PortHarness, seed: Seed) -> None:
    """A big group answering is many updates: each is the inbox's statements plus a handful of its own."""
    from tests.support.queries import count_queries

    people = await _people(port, seed)
    poll = await _post(people["director"])
    await people["alice"].answer_poll(poll, [0], chat_id=GROUP)
    with count_queries(port.app.engine) as queries:
        await people["alice"].answer_poll(poll, [1], chat_id=GROUP)
    own = queries.without("inbox_update")
    # the context (one SELECT: it knows the person), the poll (locked), the history row, the current answer, the
    # outbox check of the harness's drain — nothing per other answer or per option
    assert len(own) <= 6, queries.report()


async def test_a_quick_poll_in_the_sandbox(tmp_path: Path) -> None:
    from bot.sandbox import run_sandbox

    typed = ("/as committee\n/group\n/bind\n/quickpoll 周六打扫楼道？ | 方便 | 不方便\n1\n1\n"
             "/as resident\n/vote 2\n/vote\n/vote 1\n/vote 3\n/private\n/vote 1\n/quit\n")
    out = io.StringIO()
    await run_sandbox(demo=True, database_url=f"sqlite+aiosqlite:///{tmp_path / 's.db'}", stdin=io.StringIO(typed),
                      out=out, files_dir=tmp_path)
    screen = out.getvalue()
    assert "📊 周六打扫楼道？  (answer: /vote N)" in screen and "   2. 不方便 — 0" in screen
    assert screen.count("(answer recorded)") == 2 and "(answer retracted)" in screen
    assert "Telegram would not let you: option ids out of range" in screen
    assert "(no poll here to answer)" in screen


def test_both_doors_read_a_poll_answer_alike_and_the_inbox_keeps_it() -> None:
    from aiogram.types import Update as AiogramUpdate
    from telegram import Update as PtbUpdate

    from bot import incoming_json
    from bot.doors import aiogram_door, ptb_door
    from handlers.port import PollAnswer

    by_user = {"update_id": 7, "poll_answer": {
        "poll_id": "5001", "user": {"id": 42, "is_bot": False, "first_name": "Ann", "language_code": "zh-hans"},
        "option_ids": [2], "option_persistent_ids": ["2"]}}
    by_chat = {"update_id": 8, "poll_answer": {  # an anonymous group admin answering as the group: nobody to count
        "poll_id": "5001", "voter_chat": {"id": -100, "type": "supergroup", "title": "G"}, "option_ids": [],
        "option_persistent_ids": []}}
    aiogram = aiogram_door.update_to_incoming(AiogramUpdate.model_validate(by_user))
    ptb = ptb_door.update_to_incoming(PtbUpdate.de_json(by_user, None))
    assert aiogram == ptb and aiogram is not None
    assert (aiogram.poll_answer, aiogram.sender.user_id, aiogram.chat_id) == (PollAnswer("5001", (2,)), 42, 42)
    assert incoming_json.loads(incoming_json.dumps(aiogram)) == aiogram
    assert aiogram_door.update_to_incoming(AiogramUpdate.model_validate(by_chat)) is None
    assert ptb_door.update_to_incoming(PtbUpdate.de_json(by_chat, None)) is None
