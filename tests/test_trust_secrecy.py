"""A secret item cannot be joined to its voters from anything the committee can see or export (both doors and the
port, both databases).

The attacker is the committee, with the database administrator's help for who took part: it has the participation
rows (who voted on the secret item), every message it got in chat (the live turnout refreshed after every single
ballot), the bulletin (CSV, and JSON with the record's head), the whole ballot record (what ``linli verify`` reads),
the audit log, the outbox, the conversation state and the logs (at the level a deployment runs). It tries to link
each voter to a choice: by a voter's identity next to a receipt anywhere; by the order of the record's secret
events against the order people voted; and, on PostgreSQL, by the transaction id (``xmin``) of the content rows
against the participation rows'. Each fails.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from bot.logging_setup import SQL_DRIVERS, quiet_drivers
from core.voting import Status
from scheduler.meeting_jobs import run_meetings
from storage import ballot_chain, ballots, trust
from storage.unit import Unit
from tests.support.chat import Harness, UserChat
from tests.support.meetings import read, resident_id
from tests.support.seed import Seed

OPTIONS = ("甲方案", "乙方案", "丙方案")
VOTERS = 12  # more than one sealing batch (ballots.MIX_BATCH = 10)
RECEIPT = re.compile(r"\b([A-Z0-9]{4})-([A-Z0-9]{4})\b")


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture
def logs() -> Iterator[Capture]:
    """Every record a deployment logs (INFO; ``--verbose`` is a debugging aid whose framework DEBUG lines echo what
    is sent to the Bot API), with the drivers as the CLI configures them."""
    handler, root = Capture(), logging.getLogger()
    previous = root.level, {name: logging.getLogger(name).level for name in SQL_DRIVERS}
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    quiet_drivers()
    yield handler
    root.removeHandler(handler)
    root.setLevel(previous[0])
    for name, level in previous[1].items():
        logging.getLogger(name).setLevel(level)


async def _rows(chat: Harness, table: str) -> list[str]:
    async with chat.app.sessions() as session:
        rows = (await session.exec(text(f"SELECT * FROM {table}"))).all()  # type: ignore[call-overload]
    return [" ".join(str(value) for value in row) for row in rows]


async def test_a_secret_choice_cannot_be_joined_to_its_voter(chat: Harness, seed: Seed, logs: Capture) -> None:
    assert ballots.MIX_BATCH < VOTERS
    await seed.committee(9001)
    director = chat.user(9001, "Director")
    await director.send("/start")
    voters: list[UserChat] = []
    for n in range(VOTERS):
        await seed.resident(2000 + n, f"居民{n:02d}")
        voters.append(chat.user(2000 + n, f"居民{n:02d}"))
        await voters[-1].send("/start")
    await director.send("/meetings")
    await director.tap("voting.desk.new")
    await director.tap("voting.kind.advisory")
    await director.send("社区绿化")
    await director.tap("voting.item.single", k="k")
    await director.send("绿化方案")
    await director.send("选一个方案。")
    await director.send("\n".join(OPTIONS))
    await director.tap("voting.item.secret")
    await director.tap("voting.new.skip")
    await director.tap("voting.new.done_items")
    await director.send("2026-11-25 10:00 2026-11-27 18:00")
    await director.tap("voting.new.create")
    await director.tap("voting.act.publish")
    await director.tap("voting.act.open")

    cast_order: list[tuple[int, str, str]] = []  # (resident id, choice, receipt): the truth the attacker seeks
    for n, voter in enumerate(voters):
        choice = OPTIONS[(n * 7) % 3]
        await voter.tap("voting.btn.ballot")
        await voter.press("▫️ " + choice)
        await voter.tap("voting.btn.confirm_secret")
        receipt = RECEIPT.search(voter.last.text)
        assert receipt is not None, voter.last.text
        cast_order.append((await resident_id(chat.app, voter.user_id), choice, receipt.group(1) + receipt.group(2)))
        await director.tap("voting.act.refresh")  # the committee watches turnout after every single ballot
        if n == ballots.MIX_BATCH - 1:
            async with chat.app.sessions() as session:  # nothing of the content is sealed in a voter's transaction
                assert (await session.exec(text("SELECT count(*) FROM secret_ballot"))).scalar_one() == 0
            assert await run_meetings(chat.app.sessions, chat.app.notifier, chat.app.clock) == 0  # the job seals
            async with chat.app.sessions() as session:
                assert (await session.exec(text("SELECT count(*) FROM secret_ballot"))).scalar_one() == 10
    await director.tap("voting.act.close")
    meeting = await read(chat.app, 1)
    assert meeting.status is Status.PUBLISHED
    await director.send("/bulletin")
    bulletin_csv = director.last.document or next(m.document for m in reversed(director.messages) if m.document)
    assert bulletin_csv is not None
    async with chat.app.sessions() as session:
        unit = Unit(session)
        record = await ballot_chain.stored(session, meeting.id)
        bulletin_json = (await trust.bulletin(unit, chat.app.community_id or 0, meeting.id)).json().decode()
        participation = (await session.exec(text("SELECT elector_id FROM secret_participation"))).all()
    assert len(participation) == VOTERS

    # everything the committee can see or export
    seen: list[str] = [m.text for m in director.messages]
    seen += [bulletin_csv[1].decode("utf-8-sig"), bulletin_json]
    seen += [str(link.body) for link in record]
    for table in ("audit_entry", "outbox_message", "conversation_state"):
        seen += await _rows(chat, table)
    seen += logs.lines

    # 1. no voter's identity next to their receipt, anywhere
    for n, (rid, _, receipt) in enumerate(cast_order):
        identities = (f"居民{n:02d}", str(2000 + n), f"r:{rid}")
        for item in seen:
            if receipt in item or f"{receipt[:4]}-{receipt[4:]}" in item:
                assert not any(identity in item for identity in identities), item[:300]
    # the receipts reach the committee only in the bulletin and the record (never with a name or an id)
    carrying = [item for item in seen if any(r in item or f"{r[:4]}-{r[4:]}" in item for _, _, r in cast_order)]
    assert all(not re.search(r"居民\d\d", item) for item in carrying)

    # 2. the order of the record's secret events says nothing of the order people voted
    secret_events = [link for link in sorted(record, key=lambda e: e.seq) if link.body.get("kind") == "cast"]
    assert len(secret_events) == VOTERS
    receipts_in_chain = [event.body["receipt"] for event in secret_events]
    assert receipts_in_chain != [receipt for _, _, receipt in cast_order]  # not the voting order
    async with chat.app.sessions() as session:  # each sealed batch is on the record in its random keys' order
        keyed = dict((await session.exec(text("SELECT receipt, id FROM secret_ballot"))).all())
    first, rest = receipts_in_chain[:ballots.MIX_BATCH], receipts_in_chain[ballots.MIX_BATCH:]
    assert [keyed[r] for r in first] == sorted(keyed[r] for r in first)
    assert [keyed[r] for r in rest] == sorted(keyed[r] for r in rest)
    assert set(first) == {receipt for _, _, receipt in cast_order[:ballots.MIX_BATCH]}  # a batch: all of its time

    # 3. PostgreSQL: the content rows were written by sealing transactions, none of them a voter's
    if chat.app.settings.database_url.startswith("postgresql"):
        async with chat.app.sessions() as session:
            content = {row[0] for row in (await session.exec(text("SELECT xmin::text FROM secret_ballot"))).all()}
            took = {row[0] for row in (await session.exec(
                text("SELECT xmin::text FROM secret_participation"))).all()}
            events = {row[0] for row in (await session.exec(text(
                "SELECT xmin::text FROM ballot_event WHERE body LIKE '%\"kind\":\"cast\"%'"))).all()}
        assert len(content) == 2 and len(took) == VOTERS  # two sealing transactions; one per voter
        assert not content & took and events == content
