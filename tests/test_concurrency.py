"""Check-then-write rules hold when people act at the same moment, on SQLite exactly as on PostgreSQL.

Each scenario runs every user's last step concurrently (``asyncio.gather`` through the app): the app gives
each update its own unit of work, so the database alone must keep the rule.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func
from sqlmodel import col, select

from storage import audit
from storage.registration import InviteCode, JoinRequest, JoinStatus
from storage.residents import Resident, RoleGrant
from tests.support.chat import PortHarness, UserChat
from tests.support.databases import SqliteTemplate
from tests.support.seed import Seed

USED = "已经被使用"


async def _ready_to_confirm(user: UserChat, code: str) -> None:
    await user.send(f"/start {code}")
    await user.send(f"住户{user.user_id}")
    await user.tap("common.yes")
    user.find_button_message(user.label("common.confirm"))


async def test_six_users_confirm_one_code_at_once_one_is_registered(port: PortHarness, seed: Seed) -> None:
    codes = await seed.roster([("1", "1", "101", 80.0, True)], codes_per_household=1)
    code = codes[("1", "1", "101")][0]
    users = [port.user(2001 + i, f"U{i}") for i in range(6)]
    for user in users:
        await _ready_to_confirm(user, code)  # each is shown the code as valid: nobody has used it yet

    toasts = await asyncio.gather(*(user.tap("common.confirm") for user in users))

    registered = [user for user in users if any("注册成功" in text for text in user.texts())]
    assert len(registered) == 1
    refused = [toast for toast in toasts if toast.alert]
    assert len(refused) == 5 and all(USED in (toast.text or "") for toast in refused)
    assert all("还可以再试 5 次" in (toast.text or "") for toast in refused)  # losing the race is no wrong try
    async with port.app.sessions() as session:
        verified = (await session.exec(select(Resident).where(col(Resident.verified)))).all()
        assert [r.telegram_user_id for r in verified] == [registered[0].user_id]
        invite = (await session.exec(select(InviteCode).where(InviteCode.code == code))).one()
        assert invite.used_by_resident_id == verified[0].id
        grants = (await session.exec(select(func.count()).select_from(RoleGrant))).one()
        assert grants == 1
        joined = await audit.entries(session, port.app.community_id or 0, "resident:joined_with_code")
        assert len(joined) == 1


async def test_two_committee_members_approve_one_request_at_once(port: PortHarness, seed: Seed) -> None:
    await seed.roster()
    members = [port.user(9001, "Director"), port.user(9002, "Deputy")]
    for member in members:
        await seed.committee(member.user_id, member.name)
        await member.send("/start")
    newcomer = port.user(1007, "Newcomer")
    await newcomer.send("/start")
    await newcomer.tap("start.ask_to_join")
    await newcomer.send("Maria")
    await newcomer.tap("common.yes")
    await newcomer.send("1-1-102")
    await newcomer.tap("common.confirm")

    toasts = await asyncio.gather(*(member.tap("join.approve") for member in members))

    assert sorted(toast.text or "" for toast in toasts) == ["已处理", "这个申请已经处理过了。"]
    async with port.app.sessions() as session:
        request = (await session.exec(select(JoinRequest))).one()
        assert request.status == JoinStatus.APPROVED.value
        approvals = await audit.entries(session, port.app.community_id or 0, "join:approved")
        assert len(approvals) == 1 and approvals[0].actor_telegram_id == request.decided_by
        resident = (await session.exec(select(Resident).where(Resident.telegram_user_id == 1007))).one()
        assert resident.verified
        grants = (await session.exec(select(func.count()).select_from(RoleGrant).where(
            RoleGrant.resident_id == resident.id))).one()
        assert grants == 1
    assert sum("approved" in text or "批准" in text for text in newcomer.texts()) == 1


async def test_approve_and_reject_at_once_decide_once(port: PortHarness, seed: Seed) -> None:
    await seed.roster()
    members = [port.user(9001, "Director"), port.user(9002, "Deputy")]
    for member in members:
        await seed.committee(member.user_id, member.name)
        await member.send("/start")
    newcomer = port.user(1008, "Newcomer")
    await newcomer.send("/start")
    await newcomer.tap("start.ask_to_join")
    await newcomer.send("Lee")
    await newcomer.tap("common.no")
    await newcomer.send("2-1-201")
    await newcomer.tap("common.confirm")

    await asyncio.gather(members[0].tap("join.approve"), members[1].tap("join.reject"))

    async with port.app.sessions() as session:
        request = (await session.exec(select(JoinRequest))).one()
        decisions = [e.action for e in await audit.entries(session, port.app.community_id or 0)
                     if e.action in ("join:approved", "join:rejected")]
        assert decisions == ["join:" + request.status]
        resident = (await session.exec(select(Resident).where(Resident.telegram_user_id == 1008))).first()
        assert (resident is not None and resident.verified) == (request.status == JoinStatus.APPROVED.value)


async def test_sqlite_unit_of_work_holds_the_write_lock_from_its_first_read(sqlite_template: SqliteTemplate,
                                                                           tmp_path: Path) -> None:
    """The lock is taken at BEGIN (not at the first write), so a unit's reads cannot go stale before it writes;
    a unit opened read-only does not take it and reads next to the writer."""
    import sqlite3

    from storage.db import create_engine, session_factory

    url = sqlite_template.fresh(tmp_path)
    path = url.split("///", 1)[1]
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as unit:
            await unit.exec(select(InviteCode.id))  # only a read so far
            other = sqlite3.connect(path, timeout=0)
            try:
                with_lock_taken = False
                try:
                    other.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as exc:
                    with_lock_taken = "locked" in str(exc)
                assert with_lock_taken
                async with session_factory(engine, read_only=True)() as reader:
                    assert (await reader.exec(select(func.count()).select_from(InviteCode))).one() == 0
                    await reader.commit()
            finally:
                other.close()
            await unit.commit()
        lock_free = sqlite3.connect(path, timeout=0)
        lock_free.execute("BEGIN IMMEDIATE")  # released at commit
        lock_free.rollback()
        lock_free.close()
    finally:
        await engine.dispose()


async def test_one_person_asking_to_join_twice_at_once_leaves_one_pending_request(port: PortHarness) -> None:
    """Two workers taking the same person's two confirmations: the partial unique index keeps one request."""
    from core.errors import DomainError
    from storage.registration import RequestPending, request_to_join

    app = port.app
    barrier = asyncio.Barrier(2)

    async def ask(name: str) -> str:
        async with app.sessions() as session:
            try:
                await barrier.wait()
                await request_to_join(session, community_id=app.community_id or 0, telegram_user_id=4242, name=name,
                                      is_adult=True, address="1-1-101", language="zh-Hans", now=app.clock.now())
                await session.commit()
                return "asked"
            except RequestPending:
                await session.rollback()
                return "pending"
            except DomainError as error:  # pragma: no cover - shows what went wrong
                return error.key

    outcomes = sorted(await asyncio.gather(ask("A"), ask("B")))
    assert outcomes == ["asked", "pending"]
    async with app.sessions() as session:
        pending = (await session.exec(select(JoinRequest).where(JoinRequest.telegram_user_id == 4242))).all()
    assert len(pending) == 1 and pending[0].status == JoinStatus.PENDING.value
