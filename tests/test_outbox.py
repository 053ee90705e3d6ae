"""The outbox: any action, queued in the same transaction, claimed once, sent fairly — across restarts and workers.

Time is a FrozenClock everywhere (the flood limiter reads it too): nothing here waits for time to pass.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import col, select

from bot.app import Linli
from bot.jobs import periodic_jobs
from bot.limits import LimitedMessenger, chat_of
from core.clock import FrozenClock
from handlers.port import (
    Action,
    Button,
    EditText,
    OutboxAction,
    RetryLater,
    SendDocument,
    SendError,
    SendPhoto,
    SendPoll,
    SendText,
    Sent,
    StopPoll,
)
from scheduler.outbox_sender import OutboxSender
from storage import action_codec, outbox
from storage.db import alembic_config
from storage.outbox import LEASE, OutboxMessage
from tests.emulator.support import tiny_png
from tests.support.chat import EmulatorHarness, RecordingMessenger


class FakeMessenger:
    def __init__(self, fail_with: Exception | None = None) -> None:
        self.sent: list[Action] = []
        self.fail_with = fail_with

    async def perform(self, action: Action) -> Sent:
        await asyncio.sleep(0)  # let another worker interleave
        if self.fail_with is not None:
            error, self.fail_with = self.fail_with, None
            raise error
        self.sent.append(action)
        return Sent(100 + len(self.sent))

    @property
    def texts(self) -> list[str]:
        return [a.text for a in self.sent if isinstance(a, SendText)]


async def _queue(app: Linli, *keys: str, chat_id: int = 42) -> None:
    async with app.sessions() as session:
        for key in keys:
            await outbox.enqueue(session, SendText(chat_id, f"hello {key}"), dedupe_key=key, now=app.clock.now())
        await session.commit()


async def _put(app: Linli, action: OutboxAction, key: str) -> bool:
    async with app.sessions() as session:
        queued = await outbox.enqueue(session, action, key, app.clock.now())
        await session.commit()
    return queued


async def _row(app: Linli, key: str) -> OutboxMessage:
    async with app.sessions() as session:
        return (await session.exec(select(OutboxMessage).where(col(OutboxMessage.dedupe_key) == key))).one()


# ---- one row, one send ---------------------------------------------------------------------------


async def test_same_key_is_queued_once(app: Linli) -> None:
    await _queue(app, "a", "a", "b")
    async with app.sessions() as session:
        assert await outbox.pending_count(session) == 2


async def test_restart_neither_loses_nor_repeats(app: Linli) -> None:
    await _queue(app, "a", "b")
    first = FakeMessenger()
    assert await OutboxSender(app.sessions, first, app.clock).drain_once() == 2
    second = FakeMessenger()  # a new process after a restart
    assert await OutboxSender(app.sessions, second, app.clock).drain_once() == 0
    assert first.texts == ["hello a", "hello b"] and second.sent == []


async def test_two_workers_send_each_message_once(app: Linli) -> None:
    await _queue(app, *[f"k{i}" for i in range(10)])
    one, two = FakeMessenger(), FakeMessenger()
    for _ in range(3):  # a pass takes at most a few rows of one chat
        await asyncio.gather(OutboxSender(app.sessions, one, app.clock).drain_once(),
                             OutboxSender(app.sessions, two, app.clock).drain_once())
    assert sorted(one.texts + two.texts) == sorted(f"hello k{i}" for i in range(10))


async def test_flood_limit_postpones_then_sends(app: Linli, clock: FrozenClock) -> None:
    await _queue(app, "a")
    messenger = FakeMessenger(fail_with=RetryLater(30))
    sender = OutboxSender(app.sessions, messenger, clock)
    assert await sender.drain_once() == 0
    assert await sender.drain_once() == 0  # not due yet
    clock.advance(timedelta(seconds=31))
    assert await sender.drain_once() == 1
    assert messenger.texts == ["hello a"]


async def test_refused_message_is_marked_failed_not_retried(app: Linli) -> None:
    await _queue(app, "a")
    messenger = FakeMessenger(fail_with=SendError("Forbidden: bot was blocked by the user"))
    sender = OutboxSender(app.sessions, messenger, app.clock)
    assert await sender.drain_once() == 0
    assert await sender.drain_once() == 0
    async with app.sessions() as session:
        assert await outbox.pending_count(session) == 0
        assert await outbox.due(session, app.clock.now()) == []


async def test_network_failure_is_retried_then_given_up(app: Linli, clock: FrozenClock) -> None:
    await _queue(app, "a")
    messenger = FakeMessenger(fail_with=SendError("connection reset", permanent=False))
    sender = OutboxSender(app.sessions, messenger, clock)
    assert await sender.drain_once() == 0
    clock.advance(timedelta(seconds=31))
    assert await sender.drain_once() == 1  # the blip passed: the message still goes out
    assert messenger.texts == ["hello a"]

    await _queue(app, "b")

    class Down(FakeMessenger):
        async def perform(self, action: Action) -> Sent:
            raise SendError("network down", permanent=False)

    down = OutboxSender(app.sessions, Down(), clock)
    for _ in range(10):
        await down.drain_once()
        clock.advance(timedelta(seconds=31))
    async with app.sessions() as session:
        assert await outbox.pending_count(session) == 0  # given up after a bounded number of tries


async def test_a_send_that_hangs_is_given_up_and_tried_again(app: Linli, clock: FrozenClock) -> None:
    await _queue(app, "a")

    class Hangs(FakeMessenger):
        async def perform(self, action: Action) -> Sent:
            await asyncio.Event().wait()  # never answers
            raise AssertionError("unreachable")

    assert await OutboxSender(app.sessions, Hangs(), clock, send_timeout=0.01).drain_once() == 0
    row = await _row(app, "a")
    assert row.status == "pending" and row.not_before > clock.now()  # postponed as a transient failure


# ---- the lease: a dead sender's row ----------------------------------------------------------------


async def _claimed_by_a_dead_worker(app: Linli, clock: FrozenClock, key: str = "a") -> None:
    async with app.sessions() as session:
        row = (await outbox.due(session, clock.now()))[0]
        assert row.dedupe_key == key and await outbox.claim(session, row.id or 0, clock.now())
        await session.commit()


async def test_a_dead_workers_row_is_sent_once_its_short_lease_ends(app: Linli, clock: FrozenClock) -> None:
    """Defect 10 (last point): the row stayed "sending" for 10 minutes; now for the lease (60 s) only."""
    await _queue(app, "a")
    await _claimed_by_a_dead_worker(app, clock)
    messenger = FakeMessenger()
    sender = OutboxSender(app.sessions, messenger, clock)
    clock.advance(LEASE - timedelta(seconds=1))
    assert await sender.drain_once() == 0  # another sender may still be sending it
    clock.advance(timedelta(seconds=2))
    assert await sender.drain_once() == 1
    assert timedelta(seconds=60) >= LEASE
    assert (await _row(app, "a")).attempts == 2


async def test_a_crash_between_send_and_mark_doubles_that_message_once(app: Linli, clock: FrozenClock) -> None:
    """The bound on duplicates: a sender that sent and died before marking causes exactly one repeat."""
    await _queue(app, "a", "b")
    dead = FakeMessenger()
    await _claimed_by_a_dead_worker(app, clock, "a")
    await dead.perform(SendText(42, "hello a"))  # it went out; then the process was killed (no mark)
    survivor = FakeMessenger()
    sender = OutboxSender(app.sessions, survivor, clock)
    assert await sender.drain_once() == 1  # b; a is still leased
    for _ in range(5):
        clock.advance(LEASE)
        await sender.drain_once()
    assert dead.texts + survivor.texts == ["hello a", "hello b", "hello a"]  # a twice, b once, nothing more


async def test_a_live_sender_keeps_its_claim(app: Linli, clock: FrozenClock) -> None:
    await _queue(app, "a")
    async with app.sessions() as session:
        row = (await outbox.due(session, clock.now()))[0]
        assert await outbox.claim(session, row.id or 0, clock.now())
        assert not await outbox.claim(session, row.id or 0, clock.now() + LEASE - timedelta(seconds=1))
        assert await outbox.claim(session, row.id or 0, clock.now() + LEASE + timedelta(seconds=1))


# ---- any action ------------------------------------------------------------------------------------

KEYBOARD = [[Button("👍 支持", data="tp:s:1"), Button("Site", url="https://example.org")]]
ACTIONS: list[OutboxAction] = [
    SendText(-100, "<b>议题 #1</b> &amp; more", KEYBOARD),
    EditText(7, 55, "edited", KEYBOARD),
    SendDocument(7, "codes.csv", "\ufeff楼栋,室号\n1,101\n".encode()),
    SendDocument(7, "by-id.pdf", "stored-document-file-id", caption="<i>caption</i>"),
    SendPhoto(7, b"\x89PNG\r\n\x1a\n\x00\xff", caption="a photo", buttons=KEYBOARD),
    SendPhoto(7, "stored-photo-file-id"),
    SendPoll(-100, "开会时间？", ("周六", "周日"), anonymous=False, multiple_answers=True, buttons=KEYBOARD),
    StopPoll(-100, 77),
]


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: type(a).__name__)
def test_codec_round_trips_every_action(action: OutboxAction) -> None:
    payload, blob = action_codec.encode(action)
    assert action_codec.decode(payload, blob) == action
    assert blob is None or blob.hex() not in payload  # bytes are kept apart, not inside the JSON


@pytest.mark.parametrize("payload", ['{"type": "send_sms", "chat_id": 1}', '{"type": "send_text", "chat_id": "1"}',
                                     '{"type": "send_photo", "chat_id": 1, "photo": {"upload": true}}', "[1]", "{"])
def test_codec_refuses_what_it_did_not_write(payload: str) -> None:
    with pytest.raises(action_codec.CorruptAction):
        action_codec.decode(payload)


async def test_every_action_survives_the_database(app: Linli) -> None:
    for number, action in enumerate(ACTIONS):
        assert await _put(app, action, f"k{number}")
    for number, action in enumerate(ACTIONS):
        row = await _row(app, f"k{number}")
        assert row.action == action and row.chat_id == action.chat_id


async def test_every_action_reaches_the_messenger_and_the_sent_id_is_kept(app: Linli) -> None:
    for number, action in enumerate(ACTIONS):
        await _put(app, action, f"k{number}")
    messenger = FakeMessenger()
    assert await OutboxSender(app.sessions, messenger, app.clock).drain_once() == len(ACTIONS)
    assert sorted(map(repr, messenger.sent)) == sorted(map(repr, ACTIONS))
    async with app.sessions() as session:
        assert await outbox.sent_message_id(session, "k0") is not None
        assert await outbox.sent_message_id(session, "never-queued") is None


async def test_a_poll_queued_then_stopped_by_its_sent_message_id(app: Linli) -> None:
    messenger = RecordingMessenger()
    messenger.reachable.add(-100)
    sender = OutboxSender(app.sessions, messenger, app.clock)
    await _put(app, SendPoll(-100, "开会时间？", ("周六", "周日")), "poll")
    assert await sender.drain_once() == 1
    async with app.sessions() as session:
        message_id = await outbox.sent_message_id(session, "poll")
    assert message_id is not None
    await _put(app, StopPoll(-100, message_id), "poll-stop")
    await _put(app, StopPoll(-100, message_id), "poll-stop-again")  # stopping twice is harmless
    assert await sender.drain_once() == 2
    poll = messenger.chats[-100][0]
    assert poll.text == "开会时间？" and poll.poll is not None and poll.poll.closed
    assert poll.poll.options == ["周六", "周日"]


async def test_an_edit_that_changes_nothing_counts_as_done(app: Linli) -> None:
    await _put(app, EditText(7, 5, "same"), "edit")
    messenger = FakeMessenger(fail_with=SendError("Bad Request: message is not modified: specified new message "
                                                  "content and reply markup are exactly the same"))
    assert await OutboxSender(app.sessions, messenger, app.clock).drain_once() == 1
    assert (await _row(app, "edit")).status == "sent"


async def test_an_unreadable_row_is_failed_and_the_rest_still_go(app: Linli) -> None:
    await _queue(app, "a")
    async with app.sessions() as session:
        await session.exec(sa.update(OutboxMessage).where(col(OutboxMessage.dedupe_key) == "a")
                           .values(action_json='{"type": "send_fax", "chat_id": 42}'))
        await session.commit()
    await _queue(app, "b")
    messenger = FakeMessenger()
    assert await OutboxSender(app.sessions, messenger, app.clock).drain_once() == 1
    assert messenger.texts == ["hello b"] and (await _row(app, "a")).status == "failed"


# ---- fair delivery ---------------------------------------------------------------------------------


class Timed:
    """The door's messenger as seen from outside: when (on the frozen clock) each action went out."""

    def __init__(self, clock: FrozenClock) -> None:
        self.clock = clock
        self.log: list[tuple[float, int | None, str]] = []

    async def perform(self, action: Action) -> Sent:
        text = action.text if isinstance(action, SendText) else ""
        self.log.append((self.clock.now().timestamp(), chat_of(action), text))
        return Sent(len(self.log))

    def times(self, chat_id: int) -> list[float]:
        return [t for t, chat, _ in self.log if chat == chat_id]


def _paced(clock: FrozenClock, inner: Timed) -> LimitedMessenger:
    async def sleep(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))

    return LimitedMessenger(inner, clock=lambda: clock.now().timestamp(), sleep=sleep)  # Telegram's limits


async def _drain_until_done(sender: OutboxSender, clock: FrozenClock, app: Linli) -> None:
    for _ in range(500):
        await sender.drain_once()
        async with app.sessions() as session:
            if await outbox.pending_count(session) == 0:
                return
        clock.advance(timedelta(seconds=sender.next_ready or 1))
    raise AssertionError("the outbox never emptied")


async def test_a_group_backlog_does_not_delay_a_private_notice(app: Linli, clock: FrozenClock) -> None:
    """27 overdue alerts to the committee group, then a resident's private notice: the notice goes at once,
    and the group gets ~1/s and at most 20 a minute."""
    await _queue(app, *[f"alert{i}" for i in range(27)], chat_id=-100500)
    inner = Timed(clock)
    sender = OutboxSender(app.sessions, _paced(clock, inner), clock)
    start = clock.now().timestamp()
    assert await sender.drain_once() == 3  # a burst of three to the group, then it is held back …
    assert sender.next_ready is not None and 0 < sender.next_ready <= 3.5  # … and the loop knows until when
    await _queue(app, "notice", chat_id=9)  # the resident's notice is queued after the backlog
    await sender.drain_once()
    assert inner.times(9) == [start]  # sent in the very next pass, no waiting behind the group
    await _drain_until_done(sender, clock, app)
    group = inner.times(-100500)
    assert len(group) == 27
    assert all(group[i + 3] - group[i] >= 3 for i in range(len(group) - 3))
    assert all(group[i + 20] - group[i] >= 60 for i in range(len(group) - 20))
    assert group[-1] - start < 90


async def test_a_notice_queued_while_the_group_waits_out_its_minute_goes_at_once(
        app: Linli, clock: FrozenClock) -> None:
    await _queue(app, *[f"alert{i}" for i in range(27)], chat_id=-100500)
    inner = Timed(clock)
    sender = OutboxSender(app.sessions, _paced(clock, inner), clock)
    while await sender.drain_once() >= 0 and len(inner.times(-100500)) < 20:
        clock.advance(timedelta(seconds=sender.next_ready or 1))
    assert sender.next_ready is not None and sender.next_ready > 30  # the group's minute is full
    queued_at = clock.now().timestamp()
    await _queue(app, "notice", chat_id=9)
    assert await sender.drain_once() == 1
    assert inner.times(9) == [queued_at]


async def test_each_chat_keeps_its_order(app: Linli, clock: FrozenClock) -> None:
    await _queue(app, *[f"g{i}" for i in range(8)], chat_id=-100500)
    await _queue(app, *[f"p{i}" for i in range(8)], chat_id=9)
    inner = Timed(clock)
    sender = OutboxSender(app.sessions, _paced(clock, inner), clock)
    await _drain_until_done(sender, clock, app)
    assert [text for _, chat, text in inner.log if chat == -100500] == [f"hello g{i}" for i in range(8)]
    assert [text for _, chat, text in inner.log if chat == 9] == [f"hello p{i}" for i in range(8)]
    assert [chat for _, chat, _ in inner.log][:2] == [-100500, 9]  # round-robin from the first pass


async def test_due_takes_a_few_of_every_chat_round_robin(app: Linli) -> None:
    await _queue(app, *[f"g{i}" for i in range(300)], chat_id=-1)
    await _queue(app, "p", chat_id=5)
    async with app.sessions() as session:
        rows = await outbox.due(session, app.clock.now(), limit=100, per_chat=5)
    assert [row.chat_id for row in rows] == [-1, 5, -1, -1, -1, -1]  # the newest chat is not starved


# ---- one driver; the migration -----------------------------------------------------------------------


async def test_only_the_sender_loop_drains_the_outbox(app: Linli) -> None:
    app.attach(FakeMessenger())
    assert [job.job_id for job in periodic_jobs(app) if "outbox" in job.job_id] == []


def _alembic(url: str, action: str, revision: str) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:  # alembic's env runs its own event loop
        pool.submit(getattr(command, action), alembic_config(url), revision).result()


async def test_migration_turns_queued_texts_into_actions_and_back(app: Linli, db_url: str) -> None:
    await app.engine.dispose()
    _alembic(db_url, "downgrade", "0002")
    async with app.engine.begin() as connection:
        await connection.execute(sa.text(
            "INSERT INTO outbox_message (chat_id, text, buttons_json, dedupe_key, status, attempts, not_before, "
            "created_at) VALUES (42, '旧的 <b>消息</b>', :buttons, 'old', 'pending', 0, :now, :now)"),
            {"buttons": json.dumps([[{"text": "打开", "data": "tp:c:1", "url": None}]]), "now": app.clock.now()})
    await app.engine.dispose()
    _alembic(db_url, "upgrade", "head")
    row = await _row(app, "old")
    assert row.action == SendText(42, "旧的 <b>消息</b>", [[Button("打开", data="tp:c:1")]])
    await app.engine.dispose()
    _alembic(db_url, "downgrade", "0002")
    async with app.engine.connect() as connection:
        text, buttons = (await connection.execute(sa.text(
            "SELECT text, buttons_json FROM outbox_message WHERE dedupe_key = 'old'"))).one()
    assert text == "旧的 <b>消息</b>" and json.loads(buttons) == [[{"text": "打开", "data": "tp:c:1"}]]
    await app.engine.dispose()
    _alembic(db_url, "upgrade", "head")


# ---- through both doors and the Bot API emulator ---------------------------------------------------


async def test_queued_poll_document_and_photo_reach_telegram_through_both_doors(e2e: EmulatorHarness) -> None:
    emulator, app = e2e.emu, e2e.app
    alice = e2e.user(1001, "Alice")
    e2e.group(-100500, "居委会", [alice])
    uploaded = emulator.user_sends_document(1001, b"minutes", "minutes.txt")
    await e2e.app.settle(emulator.last_update_id(), timeout=15)
    before = len(e2e.bot_messages(1001))
    await _put(app, SendDocument(1001, "codes.csv", "\ufeff楼栋,室号\n1,101\n".encode()), "doc-bytes")
    await _put(app, SendDocument(1001, "ignored", uploaded["document"]["file_id"], caption="<b>纪要</b>"), "doc-id")
    await _put(app, SendPhoto(1001, tiny_png(), caption="照片", buttons=[[Button("打开", data="x")]]), "photo")
    await _put(app, SendPoll(-100500, "开会时间 <b>投票</b>", ("周六", "周日"), anonymous=False,
                             buttons=[[Button("详情", data="poll:1")]]), "poll")
    assert app.outbox is not None
    app.outbox.wake()
    await emulator.wait_until(lambda: len(e2e.bot_messages(-100500)) == 1 and
                              len(e2e.bot_messages(1001)) == before + 3, timeout=15)
    documents = [m.document for m in e2e.bot_messages(1001)[before:before + 2]]
    assert documents == [("codes.csv", "\ufeff楼栋,室号\n1,101\n".encode()), ("minutes.txt", b"minutes")]
    photo = emulator.bot_messages(1001)[-1]
    assert "photo" in photo and photo["caption"] == "照片"
    poll = e2e.bot_messages(-100500)[0]
    assert poll.text == "开会时间 投票" and poll.poll is not None and poll.poll.options == ["周六", "周日"]
    assert poll.labels == ["详情"]

    async with app.sessions() as session:
        message_id = await outbox.sent_message_id(session, "poll")
    assert message_id == poll.message_id
    await _put(app, StopPoll(-100500, message_id), "poll-stop")
    app.outbox.wake()
    await asyncio.wait_for(app.outbox.idle(), 15)
    assert (stopped := e2e.bot_messages(-100500)[0].poll) is not None and stopped.closed
    async with app.sessions() as session:
        assert await outbox.pending_count(session) == 0
