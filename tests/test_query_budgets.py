"""Query budgets: how many SQL statements one update may run, on both databases (Zulip-style).

A budget that grows means the hot path re-reads something; look at ``queries.report()``.
"""

from __future__ import annotations

from tests.support.chat import PortHarness
from tests.support.queries import count_queries
from tests.support.seed import Seed
from tests.support.topics import resident, setup_committee

START_WITH_CODE = 8
OPEN_CARD = 6
SUPPORT_TAP = 8


async def test_start_with_a_code(port: PortHarness, seed: Seed) -> None:
    codes = await seed.roster()
    alice = port.user(1001, "Alice")
    with count_queries(port.app.engine) as queries:
        await port.app.handle(port._incoming(alice, alice.user_id, text=f"/start {codes[('1', '1', '101')][0]}",
                                             message_id=1), port.messenger)
    assert "邀请码有效" in alice.last.text
    print(queries.report())
    assert len(queries) <= START_WITH_CODE, queries.report()


async def _card_in_view(port: PortHarness, seed: Seed) -> tuple[object, int]:
    await setup_committee(port, seed)
    await resident(port, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "加装电梯")
    alice = await resident(port, seed, 1001, "Alice", "101")
    await alice.send("/topics")
    await alice.press("🆕 最新")
    return alice, topic_id


async def test_open_a_topic_card(port: PortHarness, seed: Seed) -> None:
    alice, topic_id = await _card_in_view(port, seed)
    listing = alice.find_button_message(f"#{topic_id} 加装电梯 · 👍1")  # type: ignore[attr-defined]
    with count_queries(port.app.engine) as queries:
        await port.app.handle(port._incoming(alice, alice.user_id,  # type: ignore[attr-defined]
                                             callback_data=listing.data_of(f"#{topic_id} 加装电梯 · 👍1"),
                                             callback_id="c1", message_id=listing.message_id), port.messenger)
    assert "👍 联署支持（1）" in alice.last.labels  # type: ignore[attr-defined]
    print(queries.report())
    assert len(queries) <= OPEN_CARD, queries.report()


async def test_support_tap(port: PortHarness, seed: Seed) -> None:
    alice, topic_id = await _card_in_view(port, seed)
    await alice.press(f"#{topic_id} 加装电梯 · 👍1")  # type: ignore[attr-defined]
    card = alice.find_button_message("👍 联署支持（1）")  # type: ignore[attr-defined]
    with count_queries(port.app.engine) as queries:
        await port.app.handle(port._incoming(alice, alice.user_id,  # type: ignore[attr-defined]
                                             callback_data=card.data_of("👍 联署支持（1）"),
                                             callback_id="s1", message_id=card.message_id), port.messenger)
    assert "↩️ 撤回联署" in alice.last.labels  # type: ignore[attr-defined]
    print(queries.report())
    assert len(queries) <= SUPPORT_TAP, queries.report()
