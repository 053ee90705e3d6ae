"""Query budgets: how many SQL statements one update may run, on both databases (Zulip-style).

A budget that grows means the hot path re-reads something; look at ``queries.report()``.

Every update also pays the inbox's three (issue 6: nothing lost, nothing doubled): the insert committed before
Telegram is told it arrived, the read of the user's pending updates in order, and marking it done inside the unit
of work. The budgets below are the unit of work's own statements; the inbox's are asserted apart.
"""

from __future__ import annotations

from handlers.port import ChatKind, Incoming, Sender
from storage.residents import Role
from tests.support.chat import PortHarness, UserChat
from tests.support.queries import count_queries
from tests.support.seed import Seed
from tests.support.topics import resident, setup_committee

INBOX = 3
START_WITH_CODE = 8  # 7 now: context 1, code check 3 (tries, code, attempt), address 2, form 1
# Issue 7 asks for 6 and 8. What is left is the card: storage/topic_cards.card() reads 10 statements (topic, category,
# comment count, comments, proposer, tally, households, events, recommendations, "supported by me"), and after a
# support the handler redraws the card by re-reading what the use case had just computed. Rendering the card from
# the use case's outcome (the closed-port refactor) and folding the card's reads is what takes these to 6 and 8.
OPEN_CARD = 11  # target 6: context 1 + card 10
SUPPORT_TAP = 18  # target 8: context 1 + use case 7 (topic lock, supported?, savepoint, insert, release, tally,
#                   households) + the card re-read 10


async def test_start_with_a_code(port: PortHarness, seed: Seed) -> None:
    codes = await seed.roster()
    alice = port.user(1001, "Alice")
    with count_queries(port.app.engine) as queries:
        await port.app.handle(port._incoming(alice, alice.user_id, text=f"/start {codes[('1', '1', '101')][0]}",
                                             message_id=1), port.messenger)
    assert "邀请码有效" in alice.last.text
    print(queries.report())
    assert len(queries.touching("inbox_update")) == INBOX, queries.report()
    assert len(queries.without("inbox_update")) <= START_WITH_CODE, queries.report()


async def _card_in_view(port: PortHarness, seed: Seed) -> tuple[UserChat, int]:
    await setup_committee(port, seed)
    await resident(port, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "加装电梯")
    alice = await resident(port, seed, 1001, "Alice", "101")
    await alice.send("/topics")
    await alice.press("🆕 最新")
    return alice, topic_id


async def test_open_a_topic_card(port: PortHarness, seed: Seed) -> None:
    alice, topic_id = await _card_in_view(port, seed)
    listing = alice.find_button_message(f"#{topic_id} 加装电梯 · 👍1")
    with count_queries(port.app.engine) as queries:
        await port.app.handle(port._incoming(alice, alice.user_id,
                                             callback_data=listing.data_of(f"#{topic_id} 加装电梯 · 👍1"),
                                             callback_id="c1", message_id=listing.message_id), port.messenger)
    assert "👍 联署支持（1）" in alice.last.labels
    print(queries.report())
    assert len(queries.touching("inbox_update")) == INBOX, queries.report()
    assert len(queries.without("inbox_update")) <= OPEN_CARD, queries.report()


async def test_support_tap(port: PortHarness, seed: Seed) -> None:
    alice, topic_id = await _card_in_view(port, seed)
    await alice.press(f"#{topic_id} 加装电梯 · 👍1")
    card = alice.find_button_message("👍 联署支持（1）")
    with count_queries(port.app.engine) as queries:
        await port.app.handle(port._incoming(alice, alice.user_id,
                                             callback_data=card.data_of("👍 联署支持（1）"),
                                             callback_id="s1", message_id=card.message_id), port.messenger)
    assert "↩️ 撤回联署" in alice.last.labels
    print(queries.report())
    assert len(queries.touching("inbox_update")) == INBOX, queries.report()
    assert len(queries.without("inbox_update")) <= SUPPORT_TAP, queries.report()


async def test_the_context_is_one_select(port: PortHarness, seed: Seed) -> None:
    """Community, resident with roles, and the form in this chat: one statement, whoever writes."""
    await seed.roster()
    await seed.resident(1001, "Alice", roles=(Role.COMMITTEE, Role.OWNER), household=("1", "1", "101"))
    alice = port.user(1001, "Alice")
    await alice.send("/propose")  # opens a form in her private chat
    app = port.app

    def incoming(user_id: int, chat_id: int) -> Incoming:
        return Incoming(update_id=1, sender=Sender(user_id, "X", "en"), chat_id=chat_id,
                        chat_kind=ChatKind.PRIVATE if chat_id > 0 else ChatKind.GROUP, text="hi")

    async with app.sessions() as session:
        with count_queries(app.engine) as queries:
            ctx = await app._context(session, incoming(1001, 1001))
        assert len(queries) == 1, queries.report()
        assert ctx.resident is not None and ctx.resident.display_name == "Alice" and ctx.committee
        assert ctx.state is not None and ctx.state.flow and ctx.community.id == app.community_id
        assert ctx.lang == "zh-Hans"
        with count_queries(app.engine) as queries:
            elsewhere = await app._context(session, incoming(1001, -100))  # her form lives in the private chat
            stranger = await app._context(session, incoming(4242, 4242))
        assert len(queries) == 2, queries.report()
        assert elsewhere.state is None and elsewhere.committee
        assert stranger.resident is None and stranger.state is None and not stranger.committee
        assert stranger.lang == "en" and stranger.community.id == app.community_id
