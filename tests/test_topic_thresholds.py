"""The legal 1/5 threshold: counted on the right base, recorded once, kept on the committee's queue until met.

Every test here runs on SQLite and PostgreSQL (the ``app`` fixture follows ``db_url``).
"""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import col, func, select

from bot.app import Linli
from core.topics import BadTransition, DemandOpen, LegalRule, TopicStatus
from handlers.topics import SupportTopic
from storage import audit, councils, topic_desk, topic_lists, topics
from storage.community import get_community
from storage.outbox import OutboxMessage
from storage.residents import by_telegram_id
from storage.topic_lists import Listing
from storage.topics import TopicEvent
from storage.unit import Unit
from tests.support.chat import PortHarness
from tests.support.seed import Seed
from tests.support.topics import open_desk_card, resident, roster, setup_committee

PROPOSER = 5000
SUPPORTERS = range(5001, 5051)  # fifty residents, one per household


async def _fifty_one_households(seed: Seed) -> None:
    await seed.roster(roster(60), codes_per_household=0)  # 1/5 of 60 households is 12
    await seed.configure(adult_population=100_000, agenda_threshold=10)
    await seed.committee(9001)
    await seed.resident(PROPOSER, "Proposer", household=("1", "1", "101"))
    for number, user_id in enumerate(SUPPORTERS, start=2):
        await seed.resident(user_id, f"R{number}", household=("1", "1", str(100 + number)))


async def _demand_counts(app: Linli, topic_id: int) -> tuple[int, int, int]:
    async with app.sessions() as session:
        demanded = (await session.exec(select(func.count()).select_from(TopicEvent).where(
            TopicEvent.topic_id == topic_id, TopicEvent.kind == TopicStatus.DEMANDED.value))).one()
        agenda = (await session.exec(select(func.count()).select_from(TopicEvent).where(
            TopicEvent.topic_id == topic_id, TopicEvent.kind == "agenda_reached"))).one()
        audited = len(await audit.entries(session, app.community_id or 0, "topic.meeting_demanded"))
    return int(demanded), int(agenda), audited


async def test_fifty_simultaneous_supports_record_the_demand_once(port: PortHarness, seed: Seed) -> None:
    """Defect 1 (threshold half): 50 taps at the same moment → one event, one audit row, one notice each."""
    app = port.app
    await _fifty_one_households(seed)
    topic_id = await seed.topic(PROPOSER, "加装电梯")
    data = app.codec.pack(SupportTopic(topic_id))
    users = [port.user(user_id, f"R{user_id}") for user_id in SUPPORTERS]
    await asyncio.gather(*(user.press_data(data, 1) for user in users))
    await port.outbox.drain_once()

    async with app.sessions() as session:
        counted = await topics.tally(session, app.community_id or 0, topic_id)
        topic = await topics.get_topic(session, app.community_id or 0, topic_id)
        notices = (await session.exec(select(OutboxMessage.chat_id, func.count()).where(
            col(OutboxMessage.dedupe_key).startswith(f"tp:{topic_id}:e")).group_by(OutboxMessage.chat_id))).all()
        alerts = (await session.exec(select(func.count()).select_from(OutboxMessage).where(
            col(OutboxMessage.dedupe_key).startswith(f"tp-demand:{topic_id}:")))).one()
    assert counted.residents == 51  # every support counted
    assert await _demand_counts(app, topic_id) == (1, 1, 1)
    assert topic.status == TopicStatus.DEMANDED.value and topic.meeting_demanded_rule == "households"
    per_person = dict(notices)
    assert per_person and set(per_person.values()) == {1}  # one notice per supporter, never two
    assert PROPOSER in per_person and len(per_person) >= 12  # everyone who supported by then was told
    assert int(alerts) == 1  # the committee is alerted once (one member, no group bound)


async def test_simultaneous_supports_through_storage_record_once(app: Linli, seed: Seed) -> None:
    """The same race with one session per tap, straight on the use case (no per-user lock in between)."""
    await _fifty_one_households(seed)
    topic_id = await seed.topic(PROPOSER, "加装电梯")

    async def tap(user_id: int) -> topics.SupportOutcome:
        async with app.sessions() as session:
            community = await get_community(session, app.community_id or 0)
            outcome = await topics.support(session, community=community, topic_id=topic_id,
                                           resident=await by_telegram_id(session, app.community_id or 0, user_id),
                                           now=app.clock.now())
            await session.commit()
            return outcome

    outcomes = await asyncio.gather(*(tap(user_id) for user_id in SUPPORTERS))
    assert sum(o.demand_event is not None for o in outcomes) == 1
    assert sum(o.agenda_reached for o in outcomes) == 1
    assert await _demand_counts(app, topic_id) == (1, 1, 1)


async def test_the_database_refuses_a_second_demand_event(app: Linli, seed: Seed) -> None:
    """Backed by a constraint too: one "demanded" timeline event per topic."""
    from sqlalchemy.exc import IntegrityError

    await _fifty_one_households(seed)
    topic_id = await seed.topic(PROPOSER, "加装电梯")
    await seed.support(topic_id, *list(SUPPORTERS)[:12])
    assert (await _demand_counts(app, topic_id))[0] == 1
    async with app.sessions() as session:
        session.add(TopicEvent(topic_id=topic_id, kind=TopicStatus.DEMANDED.value, at=app.clock.now()))
        with pytest.raises(IntegrityError):
            await session.flush()


# ---- the base (defect 11) ------------------------------------------------------------------------


async def _small_community(seed: Seed, *, adults: int | None) -> None:
    await seed.roster(roster(50), codes_per_household=0)
    await seed.configure(adult_population=adults)
    await seed.committee(9)
    await seed.resident(1, "A", household=("1", "1", "101"))
    await seed.resident(2, "B", household=("1", "1", "102"))


async def test_without_a_register_the_adult_rule_is_not_counted(app: Linli, seed: Seed) -> None:
    """Two users in the bot: two supports are not "1/5 of adults" — the law's base is every adult resident."""
    await _small_community(seed, adults=None)
    topic_id = await seed.topic(1, "加装电梯")
    await seed.support(topic_id, 2)
    async with app.sessions() as session:
        topic = await topics.get_topic(session, app.community_id or 0, topic_id)
        bases = await topics.legal_bases(session, await get_community(session, app.community_id or 0))
    assert topic.meeting_demanded_at is None and topic.status == TopicStatus.SUBMITTED.value
    assert bases.adults is None and bases.households == 50


async def test_demand_records_its_base_and_setting_the_register_later_changes_nothing(app: Linli,
                                                                                     seed: Seed) -> None:
    await _small_community(seed, adults=10)
    topic_id = await seed.topic(1, "加装电梯")
    await seed.support(topic_id, 2)  # 2 of 10 adults: 1/5
    await seed.configure(adult_population=1200)  # the real register, set later
    other = await seed.topic(2, "停车")
    await seed.configure(adult_population=5)  # a smaller register does not create a demand by itself
    async with app.sessions() as session:
        topic = await topics.get_topic(session, app.community_id or 0, topic_id)
        untouched = await topics.get_topic(session, app.community_id or 0, other)
        queue, total = await topic_lists.browse(session, app.community_id or 0, Listing.DEMANDED, app.clock.now())
    assert topic.meeting_demanded_rule == LegalRule.ADULTS.value
    assert (topic.demand_adults, topic.demand_adult_base) == (2, 10)
    assert (topic.demand_households, topic.demand_household_base) == (2, 50)
    assert untouched.meeting_demanded_at is None
    assert [row.id for row in queue] == [topic_id] and total == 1


async def test_demand_stays_on_the_queue_until_met(app: Linli, seed: Seed) -> None:
    """Referring to a council keeps it queued; resolving needs the committee's record; a record settles it."""
    await _small_community(seed, adults=10)
    topic_id = await seed.topic(1, "加装电梯")
    await seed.support(topic_id, 2)
    community_id = app.community_id or 0

    async def queued() -> list[int]:
        async with app.sessions() as session:
            rows, _ = await topic_lists.browse(session, community_id, Listing.DEMANDED, app.clock.now())
            counts = await topic_lists.desk_counts(Unit(session), community_id, app.clock.now())
        assert counts.demanded == len(rows)
        return [row.id for row in rows]

    async with app.sessions() as session:
        community = await get_community(session, community_id)
        member = await by_telegram_id(session, app.community_id or 0, 9)
        council = await councils.create(Unit(session), community=community, actor=member, name="议事厅",
                                        now=app.clock.now())
        await councils.refer(Unit(session), community=community, topic_id=topic_id, council_id=council.id or 0,
                             actor=member, now=app.clock.now())
        await session.commit()
    assert await queued() == [topic_id]

    async with app.sessions() as session:
        community = await get_community(session, community_id)
        member = await by_telegram_id(session, app.community_id or 0, 9)
        for target in (TopicStatus.DECLINED, TopicStatus.RESOLVED):
            with pytest.raises(DemandOpen):
                await topic_desk.transition(Unit(session), community=community, topic_id=topic_id, actor=member,
                                            target=target, note="不办了", now=app.clock.now())
        await session.rollback()
    assert await queued() == [topic_id]

    async with app.sessions() as session:
        community = await get_community(session, community_id)
        member = await by_telegram_id(session, app.community_id or 0, 9)
        with pytest.raises(Exception) as caught:
            await topic_desk.record_demand(Unit(session), community=community, topic_id=topic_id, actor=member,
                                           text="   ", now=app.clock.now())
        assert caught.value.key == "errors.empty_text"  # type: ignore[attr-defined]
        change = await topic_desk.record_demand(Unit(session), community=community, topic_id=topic_id, actor=member,
                                                text="12月9日已在活动室召开居民会议，表决通过。", now=app.clock.now())
        await session.commit()
    assert change.event.kind == "demand_met" and change.topic.demand_note
    assert await queued() == []
    async with app.sessions() as session:
        community = await get_community(session, community_id)
        member = await by_telegram_id(session, app.community_id or 0, 9)
        done = await topic_desk.transition(Unit(session), community=community, topic_id=topic_id, actor=member,
                                           target=TopicStatus.RESOLVED, note="已按会议决定办理。", now=app.clock.now())
        await session.commit()
    assert done.topic.status == TopicStatus.RESOLVED.value
    assert await queued() == []


async def test_a_linked_meeting_takes_it_off_the_queue_and_demanded_cannot_be_declined(app: Linli,
                                                                                       seed: Seed) -> None:
    await _small_community(seed, adults=10)
    topic_id = await seed.topic(1, "加装电梯")
    await seed.support(topic_id, 2)
    async with app.sessions() as session:
        community = await get_community(session, app.community_id or 0)
        with pytest.raises(BadTransition):  # still DEMANDED: the committee must convene, not decline
            await topic_desk.transition(Unit(session), community=community, topic_id=topic_id,
                                        actor=await by_telegram_id(session, app.community_id or 0, 9),
                                        target=TopicStatus.DECLINED,
                                        note="不行", now=app.clock.now())
        topic = await topics.get_topic(session, app.community_id or 0, topic_id)
        topic.meeting_item_id = 77  # what linking a residents' meeting will do
        session.add(topic)
        await session.commit()
        rows, total = await topic_lists.browse(session, app.community_id or 0, Listing.DEMANDED, app.clock.now())
    assert rows == [] and total == 0


# ---- through the port: the card says what counts, the desk keeps and settles the demand ------------


async def test_card_says_the_adult_rule_waits_for_the_register(port: PortHarness, seed: Seed) -> None:
    await setup_committee(port, seed, households=50)
    await seed.configure(adult_population=None)
    await resident(port, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "加装电梯")
    alice = await resident(port, seed, 1001, "Alice", "101")
    await alice.send("/topics")
    await alice.tap("topics.home.new")
    await alice.press(f"#{topic_id} 加装电梯 · 👍1")
    await alice.tap("topics.btn.support", count=1)
    card = alice.find_button_message(alice.label("topics.btn.withdraw")).text
    assert "居委会登记成年居民人数后才计算" in card
    assert "住户：2/10（共 50 户的五分之一）" in card
    assert "要求召开居民会议" not in card.split("⚖️ 法定门槛")[0]
    assert not any("已达到法定门槛" in text for text in alice.texts())


async def test_desk_keeps_the_demand_until_the_committee_records_it(port: PortHarness, seed: Seed) -> None:
    director = await setup_committee(port, seed, adults=10, households=50)
    await resident(port, seed, 1002, "Bob", "102")
    topic_id = await seed.topic(1002, "加装电梯")
    await resident(port, seed, 1001, "Alice", "101")
    await seed.support(topic_id, 1001)
    await open_desk_card(director, topic_id)
    card = director.last
    assert "成年居民 2/10" in card.text and "住户 2/50" in card.text  # the base it was reached under
    # settling needs the demand recorded first: neither "decline" nor "resolve" is offered yet
    assert director.label("topics.desk.decline") not in card.labels
    assert director.label("topics.desk.resolve") not in card.labels
    await director.tap("topics.desk.demand_record")
    await director.send("已定于12月9日召开居民会议。")
    await director.tap("common.confirm")
    card = director.last
    assert "📝 会议要求的处理" in card.text and "已定于12月9日召开居民会议。" in card.text
    assert director.label("topics.desk.resolve") in card.labels
    assert director.label("topics.desk.demand_record") not in card.labels
    assert any("居委会记录了召开居民会议要求的处理情况" in text for text in port.user(1002, "Bob").texts())
    await director.send("/committee")
    await director.tap("committee.topics")
    await director.press(director.label("topics.desk.queue_d") + " (0)")
