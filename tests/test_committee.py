"""The committee's menu: roles, invite codes as a document, binding a chat, forms that survive restarts."""

from __future__ import annotations

import csv
import io

from bot.app import Linli
from storage import residents
from storage.residents import Role
from tests.support.chat import Harness, PortHarness
from tests.support.seed import Seed


async def test_grant_and_revoke_roles(chat: Harness, seed: Seed) -> None:
    await seed.committee(9001, language="en")
    await seed.resident(1001, "Wang")
    director = chat.user(9001, "Director", language="en")
    await director.send("/grant 1001 building_leader")
    assert "Wang is now: building leader" in director.last.text
    await director.send("/grant 1001 building_leader")
    assert "already is" in director.last.text
    await director.send("/revoke 1001 building_leader")
    assert "no longer" in director.last.text
    await director.send("/grant 1001 emperor")
    assert "Usage" in director.last.text
    await director.send("/grant 555 owner")
    assert "No resident with Telegram id 555" in director.last.text


async def test_resident_cannot_grant(chat: Harness, seed: Seed) -> None:
    await seed.resident(1001, "Wang")
    wang = chat.user(1001, "Wang")
    await wang.send("/grant 1001 committee")
    assert wang.label("role.committee") in wang.last.text
    async with chat.app.sessions() as session:
        resident = await residents.by_telegram_id(session, chat.app.community_id or 0, 1001)
        assert resident is not None
        assert Role.COMMITTEE not in await residents.roles_of(session, resident.id or 0)


async def test_unused_codes_arrive_as_csv(chat: Harness, seed: Seed) -> None:
    codes = await seed.roster(codes_per_household=1)
    await seed.committee(9001)
    director = chat.user(9001, "Director")
    await director.send("/committee")
    assert "住户：3" in director.last.text
    await director.tap("committee.codes")
    document = director.last.document
    assert document is not None and document[0].endswith(".csv")
    rows = list(csv.reader(io.StringIO(document[1].decode("utf-8-sig"))))
    assert rows[0] == ["building", "unit", "room", "code"]
    assert sorted(row[3] for row in rows[1:]) == sorted(c for values in codes.values() for c in values)


async def test_half_filled_form_survives_a_restart(app: Linli, seed: Seed) -> None:
    code = (await seed.roster())[("1", "1", "101")][0]
    before = PortHarness(app)
    alice = before.user(1001, "Alice", language="en")
    await alice.send(f"/start {code}")
    # A new process: a new app object on the same database, nothing in memory carried over.
    restarted = Linli(app.settings, clock=app.clock)
    await restarted.prepare(migrate=False)
    try:
        after = PortHarness(restarted)
        alice_again = after.user(1001, "Alice", language="en")
        await alice_again.send("Alice")
        assert "are you aged 18" in alice_again.last.text
    finally:
        await restarted.close()


async def test_bind_only_in_groups(chat: Harness, seed: Seed) -> None:
    await seed.committee(9001, language="en")
    director = chat.user(9001, "Director", language="en")
    await director.send("/bind")
    assert "send /bind in the committee's group" in director.last.text


async def test_resident_deletes_their_data(chat: Harness, seed: Seed) -> None:
    await seed.roster()
    await seed.resident(1001, "Wang", household=("1", "1", "101"), language="en",
                        roles=(Role.RESIDENT, Role.BUILDING_LEADER))
    wang = chat.user(1001, "Wang", language="en")
    await wang.send("/menu")
    await wang.tap("menu.me")
    assert "Wang" in wang.last.text and "1-1-101" in wang.last.text
    assert "Roles: building leader, resident" in wang.last.text
    await wang.tap("me.forget")
    await wang.tap("me.forget_yes")
    assert "has been deleted" in wang.last.text
    async with chat.app.sessions() as session:
        assert await residents.by_telegram_id(session, chat.app.community_id or 0, 1001) is None
