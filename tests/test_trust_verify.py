"""The ballot record and ``linli verify`` (SQLite and PostgreSQL): an untouched meeting verifies clean, from storage
and from its exported bulletin alone; an event edited, deleted and inserted directly in the database is named by
verify, each; a ballot row changed behind the record and a forged bulletin are named by receipt. Receipts: unique
per meeting (drawn again on a clash), kept when an open ballot changes, looked up (another meeting's: not found)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from bot.app import Linli
from bot.cli import app as cli
from core import bulletin as bulletins
from core import chain
from core.voting import ItemKind
from storage import ballot_chain, ballots, meetings, trust
from storage.meetings import DraftItem, MeetingView
from storage.unit import Unit
from tests.support.meetings import MOTION, cast, close, create
from tests.support.seed import Seed

YES, NO, ABSTAIN = 1, 2, 4
PLAN = SECRET = DraftItem(ItemKind.SINGLE, "绿化方案", "选一个", ("甲", "乙"), secret=True)
VOTES = {1: (YES, 1), 2: (NO, 2), 3: (YES, 1), 4: (ABSTAIN, 2), 5: (YES, 2), 6: (YES, 1)}  # user → (motion, plan)


async def _voted_meeting(app: Linli, seed: Seed) -> MeetingView:
    for user_id in VOTES:
        await seed.resident(user_id, f"V{user_id}")
    meeting = await create(app, MOTION, PLAN, open_now=True)
    await cast(app, 1, meeting, NO)  # changed below: the record keeps both events, the last counts
    for user_id, (motion, plan) in VOTES.items():
        await cast(app, user_id, meeting, motion)
        await cast(app, user_id, meeting, plan, item=1)
    await close(app, meeting.id)
    return meeting


def _cli(db_url: str, *args: str, cwd: Path) -> tuple[int, str]:
    runner = CliRunner()
    result = runner.invoke(cli, list(args), env={"LINLI_DATABASE_URL": db_url, "LINLI_BOT_TOKEN": ""},
                           catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no .env of the repository
    return tmp_path


async def test_an_untouched_meeting_verifies_clean_also_from_its_bulletin_alone(
        app: Linli, seed: Seed, db_url: str, here: Path) -> None:
    meeting = await _voted_meeting(app, seed)
    async with app.sessions() as session:
        report = await trust.verify(Unit(session), meeting.id)
        found = await trust.bulletin(Unit(session), app.community_id or 0, meeting.id)
        published = await meetings.results(Unit(session), app.community_id or 0, meeting.id)
    assert report.clean and report.events == 1 + 12 + 1 and report.head == report.published_head == published.head
    # the bulletin alone gives the result: count its rows per option
    counted = bulletins.tally(bulletins.from_csv(found.csv()).entries)
    (_, motion), (_, plan) = published.results
    assert counted[1].cast == motion.took_part == 6 and counted[1].votes == {"yes": 4, "no": 1, "abstain": 1}
    assert [o.heads for o in motion.options] == [4, 1, 1]
    assert counted[2].votes == {"甲": 3, "乙": 3} == {"甲": plan.options[0].heads, "乙": plan.options[1].heads}
    assert [e.receipt for e in found.entries if e.item == 1] == sorted(e.receipt for e in found.entries if e.item == 1)

    code, out = await asyncio.to_thread(_cli, db_url, "verify", str(meeting.id), cwd=here)
    assert code == 0 and out.strip().endswith("clean"), out
    for flag, name in (([], "b.csv"), (["--json"], "b.json")):
        code, out = await asyncio.to_thread(_cli, db_url, "bulletin", str(meeting.id), "--out", name, *flag, cwd=here)
        assert code == 0, out
        code, out = await asyncio.to_thread(_cli, db_url, "verify", str(meeting.id), "--bulletin", name, cwd=here)
        assert code == 0 and out.strip().endswith("clean"), out
    exported = json.loads((here / "b.json").read_text(encoding="utf-8"))
    assert exported["chain_head"] == report.published_head and len(exported["ballots"]) == 12


async def test_verify_names_an_edited_a_deleted_and_an_inserted_event(
        app: Linli, seed: Seed, db_url: str, here: Path) -> None:
    meeting = await _voted_meeting(app, seed)
    async with app.sessions() as session:
        events = {link.seq: link for link in await ballot_chain.stored(session, meeting.id)}
        edited = events[3]
        assert edited.body["kind"] == "cast" and edited.body["item"] == 1
        forged_choice = ["no"] if edited.body["choice"] != ["no"] else ["yes"]
        body = chain.canonical({**edited.body, "choice": forged_choice}).decode()
        await session.exec(text("UPDATE ballot_event SET body = :body WHERE meeting_id = :m AND seq = 3"),
                           params={"body": body, "m": meeting.id})
        await session.exec(text("DELETE FROM ballot_event WHERE meeting_id = :m AND seq = 6"),
                           params={"m": meeting.id})
        forged = chain.append([events[s] for s in range(1, 8)], {"kind": "cast", "item": 1, "round": 1,
                                                                     "receipt": "ACDEFGHJ", "choice": ["yes"],
                                                                     "channel": "online"})
        await session.exec(text("INSERT INTO ballot_event (meeting_id, seq, prev, body, hash) "
                                "VALUES (:m, :seq, :prev, :body, :hash)"),
                           params={"m": meeting.id, "seq": 8, "prev": forged.prev,
                                   "body": chain.canonical(forged.body).decode(), "hash": forged.hash})
        await session.commit()
        report = await trust.verify(Unit(session), meeting.id)
    problems = {(f.problem, f.seq) for f in report.chain}
    assert {(chain.Problem.EDITED, 3), (chain.Problem.DELETED, 6), (chain.Problem.INSERTED, 8)} <= problems
    assert not report.clean
    code, out = await asyncio.to_thread(_cli, db_url, "verify", str(meeting.id), cwd=here)
    assert code == 1 and "MISMATCH" in out
    assert "event 3: edited" in out and "event 6: deleted" in out and "event 8: inserted" in out, out


async def test_a_ballot_changed_behind_the_record_and_a_forged_bulletin_are_named_by_receipt(
        app: Linli, seed: Seed, db_url: str, here: Path) -> None:
    meeting = await _voted_meeting(app, seed)
    async with app.sessions() as session:
        found = await trust.bulletin(Unit(session), app.community_id or 0, meeting.id)
        victim = next(e for e in found.entries if e.item == 1 and e.choice == ("yes",))
        await session.exec(text("UPDATE open_ballot SET marks = 2 WHERE meeting_id = :m AND receipt = :r"),
                           params={"m": meeting.id, "r": victim.receipt})
        await session.commit()
    forged = [bulletins.Entry(e.item, e.receipt, ("no",) if e == victim else e.choice, e.channel)
              for e in found.entries]
    (here / "forged.csv").write_bytes(bulletins.to_csv(forged))
    code, out = await asyncio.to_thread(_cli, db_url, "verify", str(meeting.id), "--bulletin", "forged.csv",
                                        cwd=here)
    shown = f"{victim.receipt[:4]}-{victim.receipt[4:]}"
    assert code == 1, out
    assert f"receipt {shown} (item 1): record yes, ballot tables no" in out, out
    assert f"receipt {shown} (item 1): record yes, bulletin no" in out, out
    assert "item 1 yes: bulletin counts 3, the stored result 4" in out, out


async def test_receipts_are_unique_per_meeting_kept_on_change_and_looked_up(
        app: Linli, seed: Seed, monkeypatch: pytest.MonkeyPatch) -> None:
    for user_id in (1, 2, 3):
        await seed.resident(user_id, f"V{user_id}")
    meeting = await create(app, MOTION, SECRET, open_now=True)
    other = await create(app, DraftItem(ItemKind.MOTION, "另一件事", "另一件事"), open_now=True)
    draws = iter(["ACDEFGHJ", "ACDEFGHJ", "ACDEFGHJ", "KMNPRTUV", "ACDEFGHJ", "WXY34799"])
    monkeypatch.setattr(ballots, "DRAW", lambda: next(draws))
    first = await cast(app, 1, meeting, YES)
    second = await cast(app, 2, meeting, NO)  # ACDEFGHJ is taken in this meeting: drawn again
    elsewhere = await cast(app, 1, other, YES)  # another meeting may hold the same receipt
    secret = await cast(app, 3, meeting, 1, item=1)  # ACDEFGHJ again: taken → WXY34799
    assert (first.receipt, second.receipt, elsewhere.receipt, secret.receipt) == (
        "ACDEFGHJ", "KMNPRTUV", "ACDEFGHJ", "WXY34799")
    monkeypatch.undo()
    changed = await cast(app, 1, meeting, NO)
    assert not changed.new and changed.receipt is None  # shown once; the ballot keeps ACDEFGHJ
    await close(app, meeting.id)
    async with app.sessions() as session:
        unit, community = Unit(session), app.community_id or 0
        mine = await trust.lookup(unit, community, meeting.id, "acde-fghj")
        box = await trust.lookup(unit, community, meeting.id, " WXY3 4799 ")
        assert mine is not None and mine.item.position == 0 and mine.positions == (1,)  # 反对, as changed
        assert box is not None and box.item.secret and box.positions == (0,)
        assert await trust.lookup(unit, community, meeting.id, "ACDE-FGH0") is None  # not a receipt at all
        assert await trust.lookup(unit, community, meeting.id, "KMNP-RTUA") is None  # unknown
        with pytest.raises(Exception) as not_yet:  # the other meeting is still open: nothing to look up yet
            await trust.lookup(unit, community, other.id, "ACDE-FGHJ")
        assert getattr(not_yet.value, "key", "") == "trust.err.not_published"
    await close(app, other.id)
    async with app.sessions() as session:
        unit = Unit(session)
        assert await trust.lookup(unit, community, other.id, "KMNP-RTUV") is None  # the first meeting's receipt
        found = await trust.lookup(unit, community, other.id, "ACDE-FGHJ")
        assert found is not None and found.item.title == "另一件事"
