"""A support is one INSERT … ON CONFLICT DO NOTHING, and the card after it is drawn from what the use case counted."""

from __future__ import annotations

import asyncio

from bot.app import Linli
from storage import topic_cards, topics
from storage.community import get_community
from storage.residents import by_telegram_id
from storage.unit import Unit
from tests.support.seed import Seed

PROPOSER, SUPPORTER = 1001, 1002


async def _topic(seed: Seed) -> int:
    await seed.roster()
    await seed.resident(PROPOSER, "Alice", household=("1", "1", "101"))
    await seed.resident(SUPPORTER, "Bob", household=("1", "1", "102"))
    return await seed.topic(PROPOSER, "加装电梯")


async def test_one_resident_tapping_twice_at_once_supports_once(app: Linli, seed: Seed) -> None:
    """Two sessions, no per-user lock in between: one support is recorded, the other tap changes nothing."""
    topic_id = await _topic(seed)

    async def tap() -> topic_cards.SupportCard:
        async with app.sessions() as session:
            community = await get_community(session, app.community_id or 0)
            done = await topic_cards.support(Unit(session), community=community, topic_id=topic_id,
                                             resident=await by_telegram_id(session, app.community_id or 0, SUPPORTER),
                                             now=app.clock.now())
            await session.commit()
            return done

    first, second = await asyncio.gather(tap(), tap())
    assert sorted([first.changed, second.changed]) == [False, True]
    drawn = first.card or second.card
    assert drawn is not None and drawn.supported and drawn.tally.residents == 2
    assert (first.card is None) != (second.card is None)  # the tap that changed nothing draws nothing
    async with app.sessions() as session:
        assert (await topics.tally(session, app.community_id or 0, topic_id)).residents == 2


async def test_the_card_a_support_draws_is_the_card_read_afresh(app: Linli, seed: Seed) -> None:
    topic_id = await _topic(seed)
    async with app.sessions() as session:
        community = await get_community(session, app.community_id or 0)
        bob = await by_telegram_id(session, app.community_id or 0, SUPPORTER)
        done = await topic_cards.support(Unit(session), community=community, topic_id=topic_id, resident=bob,
                                         now=app.clock.now())
        await session.commit()
    async with app.sessions() as session:
        community = await get_community(session, app.community_id or 0)
        bob = await by_telegram_id(session, app.community_id or 0, SUPPORTER)
        fresh = await topic_cards.card(Unit(session), community, topic_id, bob)
        again = await topic_cards.withdraw(Unit(session), community=community, topic_id=topic_id, resident=bob,
                                           now=app.clock.now())
        await session.commit()
    assert done.card is not None and again.card is not None
    assert (done.card.tally, done.card.bases, done.card.supported) == (fresh.tally, fresh.bases, True)
    assert [e.kind for e, _ in done.card.events] == [e.kind for e, _ in fresh.events]
    assert again.card.tally.residents == 1 and not again.card.supported and again.changed
