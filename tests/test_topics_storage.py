"""Topic use cases on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import Linli
from core.errors import CommitteeOnly, NotVerified
from core.topics import BadTransition, LegalRule, SupportTally, TooManyProposals, TopicStatus
from scheduler.topic_jobs import alert_overdue_topics
from storage import audit, councils, outbox, topic_comments, topic_desk, topic_lists, topics
from storage.community import Community, get_community
from storage.residents import Resident, by_telegram_id
from storage.topic_lists import Listing
from storage.unit import Unit
from tests.support.seed import Seed

ROSTER = [("1", "1", str(100 + i), 80.0, True) for i in range(1, 11)]  # ten households: 1/5 is two


async def _community(app: Linli, session) -> Community:
    return await get_community(session, app.community_id or 0)


async def _who(app: Linli, session, telegram_user_id: int) -> Resident | None:
    return await by_telegram_id(session, app.community_id or 0, telegram_user_id)


async def _tally(app: Linli, session, topic_id: int) -> SupportTally:
    return await topics.tally(session, app.community_id or 0, topic_id)


async def _people(seed: Seed) -> None:
    await seed.roster(ROSTER, codes_per_household=0)
    await seed.resident(1, "A", household=("1", "1", "101"))
    await seed.resident(2, "B", household=("1", "1", "102"))
    await seed.resident(3, "A's child", adult=False, household=("1", "1", "101"))
    await seed.resident(4, "C", household=("1", "1", "101"))
    await seed.resident(5, "Guest", verified=False, household=("1", "1", "103"))
    await seed.committee(9)


async def test_categories_are_seeded_once(app: Linli) -> None:
    async with app.sessions() as session:
        first = await topics.categories(session, app.community_id or 0)
        second = await topics.categories(session, app.community_id or 0)
        await session.commit()
    assert [c.code for c in first] == [c.code for c in second] == [code for code, _, _ in topics.DEFAULT_CATEGORIES]
    assert first[1].name("zh-Hans") == "停车" and first[1].name("en") == "Parking"


async def test_proposer_is_first_supporter_and_deadline_is_set(app: Linli, seed: Seed) -> None:
    await _people(seed)
    await seed.configure(adult_population=1000)
    topic_id = await seed.topic(1, "加装电梯")
    async with app.sessions() as session:
        topic = await topics.get_topic(session, app.community_id or 0, topic_id)
        counted = await _tally(app, session, topic_id)
    assert counted.residents == 1 and topic.status == TopicStatus.SUBMITTED.value
    assert topic.answer_due_at - topic.created_at == timedelta(days=3)


async def test_tally_counts_only_verified_and_adults_for_the_law(app: Linli, seed: Seed) -> None:
    await _people(seed)
    await seed.configure(adult_population=1000)
    topic_id = await seed.topic(1, "加装电梯")
    await seed.support(topic_id, 3, 4)  # a child and another adult of household 101
    async with app.sessions() as session:
        community = await _community(app, session)
        with pytest.raises(NotVerified):
            await topics.support(session, community=community, topic_id=topic_id,
                                 resident=await _who(app, session, 5), now=app.clock.now())
        counted = await _tally(app, session, topic_id)
    assert (counted.residents, counted.households, counted.adults, counted.adult_households) == (3, 1, 2, 1)


async def test_support_twice_counts_once(app: Linli, seed: Seed) -> None:
    await _people(seed)
    await seed.configure(adult_population=1000)
    topic_id = await seed.topic(1, "加装电梯")
    async with app.sessions() as session:
        community = await _community(app, session)
        resident = await _who(app, session, 2)
        first = await topics.support(session, community=community, topic_id=topic_id, resident=resident,
                                     now=app.clock.now())
        second = await topics.support(session, community=community, topic_id=topic_id, resident=resident,
                                      now=app.clock.now())
        await session.commit()
    assert first.changed and not second.changed and second.tally.residents == 2


async def test_households_rule_reached_but_not_adults(app: Linli, seed: Seed) -> None:
    await _people(seed)
    await seed.configure(adult_population=1000)
    topic_id = await seed.topic(1, "加装电梯")
    async with app.sessions() as session:
        community = await _community(app, session)
        outcome = await topics.support(session, community=community, topic_id=topic_id,
                                       resident=await _who(app, session, 2), now=app.clock.now())
        await session.commit()
    assert outcome.demanded == (LegalRule.HOUSEHOLDS,)
    assert outcome.topic.status == TopicStatus.DEMANDED.value
    assert outcome.topic.meeting_demanded_at == app.clock.now()
    assert outcome.topic.meeting_demanded_rule == "households"
    assert {r.telegram_user_id for r in outcome.demand_audience} == {1, 2}


async def test_adults_rule_reached_but_not_households(app: Linli, seed: Seed) -> None:
    await _people(seed)
    await seed.configure(adult_population=10)
    topic_id = await seed.topic(1, "加装电梯")
    await seed.support(topic_id, 3)  # the child does not count
    async with app.sessions() as session:
        assert (await topics.get_topic(session, app.community_id or 0, topic_id)).meeting_demanded_at is None
        community = await _community(app, session)
        outcome = await topics.support(session, community=community, topic_id=topic_id,
                                       resident=await _who(app, session, 4), now=app.clock.now())
        await session.commit()
    assert outcome.demanded == (LegalRule.ADULTS,) and outcome.tally.adult_households == 1


async def test_withdraw_after_demand_keeps_the_record(app: Linli, seed: Seed) -> None:
    await _people(seed)
    await seed.configure(adult_population=1000)
    topic_id = await seed.topic(1, "加装电梯")
    await seed.support(topic_id, 2)
    async with app.sessions() as session:
        community = await _community(app, session)
        outcome = await topics.withdraw(session, community=community, topic_id=topic_id,
                                        resident=await _who(app, session, 2), now=app.clock.now())
        again = await topics.withdraw(session, community=community, topic_id=topic_id,
                                      resident=await _who(app, session, 2), now=app.clock.now())
        await session.commit()
    assert outcome.changed and not again.changed and outcome.tally.residents == 1
    assert outcome.topic.status == TopicStatus.DEMANDED.value and outcome.topic.meeting_demanded_at is not None


async def test_daily_limit_uses_the_local_day(app: Linli, seed: Seed) -> None:
    await _people(seed)
    await seed.configure(adult_population=1000)
    for n in range(3):
        await seed.topic(1, f"议题 {n}")
    with pytest.raises(TooManyProposals):
        await seed.topic(1, "第四个")
    app.clock.advance(timedelta(hours=14))  # 00:00 the next day in Shanghai
    await seed.topic(1, "第二天的议题")


async def test_answer_in_time_and_late(app: Linli, seed: Seed) -> None:
    await _people(seed)
    await seed.configure(adult_population=1000)
    early, late = await seed.topic(1, "早"), await seed.topic(2, "晚")
    async with app.sessions() as session:
        community = await _community(app, session)
        member = await _who(app, session, 9)
        change = await topic_desk.answer(Unit(session), community=community, topic_id=early, actor=member,
                                         text="好的", now=app.clock.now())
        await session.commit()
    assert change.topic.first_answered_at == app.clock.now() and not change.topic.answered_late
    assert {r.telegram_user_id for r in change.audience} == {1}
    app.clock.advance(timedelta(days=3, minutes=1))
    async with app.sessions() as session:
        overdue = await topic_lists.overdue(session, app.community_id or 0, app.clock.now())
        assert [t.id for t in overdue] == [late]
        community = await _community(app, session)
        member = await _who(app, session, 9)
        change = await topic_desk.answer(Unit(session), community=community, topic_id=late, actor=member,
                                         text="抱歉晚了", now=app.clock.now())
        await session.commit()
        assert change.topic.answered_late
        assert not await topic_lists.overdue(session, app.community_id or 0, app.clock.now())


async def test_committee_actions_need_the_committee(app: Linli, seed: Seed) -> None:
    await _people(seed)
    topic_id = await seed.topic(1, "加装电梯")
    async with app.sessions() as session:
        community = await _community(app, session)
        with pytest.raises(CommitteeOnly):
            await topic_desk.answer(Unit(session), community=community, topic_id=topic_id,
                                    actor=await _who(app, session, 2), text="x", now=app.clock.now())


async def test_declined_topic_refuses_support_and_transitions(app: Linli, seed: Seed) -> None:
    await _people(seed)
    await seed.configure(adult_population=1000)
    topic_id = await seed.topic(1, "加装电梯")
    async with app.sessions() as session:
        community = await _community(app, session)
        member = await _who(app, session, 9)
        change = await topic_desk.transition(Unit(session), community=community, topic_id=topic_id, actor=member,
                                             target=TopicStatus.DECLINED, note="不属于居委会职责", now=app.clock.now())
        await session.commit()
        assert change.topic.closed_at is not None and change.topic.first_answered_at is not None
        with pytest.raises(Exception) as caught:
            await topics.support(session, community=community, topic_id=topic_id,
                                 resident=await _who(app, session, 2), now=app.clock.now())
        assert caught.value.key == "topics.err.closed"  # type: ignore[attr-defined]
        with pytest.raises(Exception) as caught:
            await topic_desk.transition(Unit(session), community=community, topic_id=topic_id, actor=member,
                                        target=TopicStatus.AGENDA, now=app.clock.now())
        assert caught.value.key == "topics.err.closed"  # type: ignore[attr-defined]


async def test_demanded_topic_cannot_be_declined(app: Linli, seed: Seed) -> None:
    await _people(seed)
    await seed.configure(adult_population=1000)
    topic_id = await seed.topic(1, "加装电梯")
    await seed.support(topic_id, 2)
    async with app.sessions() as session:
        community = await _community(app, session)
        with pytest.raises(BadTransition):
            await topic_desk.transition(Unit(session), community=community, topic_id=topic_id,
                                        actor=await _who(app, session, 9), target=TopicStatus.DECLINED,
                                        note="不行", now=app.clock.now())


async def test_merge_moves_supports_without_double_counting(app: Linli, seed: Seed) -> None:
    await _people(seed)
    await seed.configure(adult_population=1000, agenda_threshold=100)
    duplicate, target = await seed.topic(1, "电梯"), await seed.topic(4, "加装电梯")
    await seed.support(duplicate, 2, 3)
    await seed.support(target, 2)
    async with app.sessions() as session:
        community = await _community(app, session)
        outcome = await topic_desk.merge(Unit(session), community=community, duplicate_id=duplicate, target_id=target,
                                         actor=await _who(app, session, 9), now=app.clock.now())
        await session.commit()
        assert (outcome.moved, outcome.already) == (2, 1)
        assert {r.telegram_user_id for r in outcome.duplicate.audience} == {1, 2, 3}
        assert (await _tally(app, session, target)).residents == 4  # 4, 2, and from the duplicate 1 and 3
        assert (await _tally(app, session, duplicate)).residents == 0
        merged = await topics.get_topic(session, app.community_id or 0, duplicate)
        assert merged.status == TopicStatus.MERGED.value and merged.merged_into_id == target
        with pytest.raises(Exception) as caught:
            await topics.support(session, community=community, topic_id=duplicate,
                                 resident=await _who(app, session, 4), now=app.clock.now())
        assert caught.value.key == "topics.err.merged"  # type: ignore[attr-defined]


async def test_browse_search_and_paging(app: Linli, seed: Seed) -> None:
    await _people(seed)
    await seed.configure(adult_population=1000)
    ids = [await seed.topic(user, title) for user, title in
           ((1, "停车位不够"), (2, "Parking 100% full"), (4, "垃圾分类"))]
    await seed.support(ids[2], 1, 2)
    async with app.sessions() as session:
        now, community_id = app.clock.now(), app.community_id or 0
        hot, total = await topic_lists.browse(session, community_id, Listing.HOT, now)
        assert total == 3 and hot[0].id == ids[2] and hot[0].supports == 3
        found, _ = await topic_lists.browse(session, community_id, Listing.SEARCH, now, text="PARKING")
        assert [r.id for r in found] == [ids[1]]
        found, _ = await topic_lists.browse(session, community_id, Listing.SEARCH, now, text="%")
        assert [r.id for r in found] == [ids[1]]  # the % is a literal, not a wildcard
        mine, _ = await topic_lists.browse(session, community_id, Listing.SUPPORTED, now, resident_id=(
            await _who(app, session, 2)).id)
        assert {r.id for r in mine} == {ids[1], ids[2]}
        page, total = await topic_lists.browse(session, community_id, Listing.NEW, now, offset=2, limit=2)
        assert total == 3 and [r.id for r in page] == [ids[0]]


async def test_comments_reports_and_hiding_keep_the_text(app: Linli, seed: Seed) -> None:
    await _people(seed)
    topic_id = await seed.topic(1, "加装电梯")
    async with app.sessions() as session:
        community = await _community(app, session)
        comment = await topic_comments.add(Unit(session), community=community, topic_id=topic_id,
                                           resident=await _who(app, session, 2), text="<b>不礼貌</b>",
                                           now=app.clock.now())
        assert await topic_comments.report(Unit(session), community=community, comment_id=comment.id or 0,
                                           resident=await _who(app, session, 1), now=app.clock.now())
        assert not await topic_comments.report(Unit(session), community=community, comment_id=comment.id or 0,
                                               resident=await _who(app, session, 1), now=app.clock.now())
        flagged, total = await topic_comments.reported(session, app.community_id or 0)
        assert total == 1 and flagged[0][2] == 1
        await topic_comments.hide(Unit(session), community=community, comment_id=comment.id or 0,
                                  actor=await _who(app, session, 9), reason="人身攻击", now=app.clock.now())
        await session.commit()
        shown, _ = await topic_comments.page(session, topic_id)
        assert shown[0][0].hidden and shown[0][0].text == "<b>不礼貌</b>"
        logged = await audit.entries(session, app.community_id or 0, "topic_comment.hidden")
        assert "不礼貌" in logged[0].detail_json and "人身攻击" in logged[0].detail_json
        assert (await topic_comments.reported(session, app.community_id or 0))[1] == 0


async def test_council_referral_and_recommendation(app: Linli, seed: Seed) -> None:
    await _people(seed)
    topic_id = await seed.topic(1, "加装电梯")
    async with app.sessions() as session:
        community = await _community(app, session)
        member = await _who(app, session, 9)
        council = await councils.create(Unit(session), community=community, actor=member, name="睦邻议事厅",
                                        now=app.clock.now())
        found = await councils.find_residents(Unit(session), app.community_id or 0, "B")
        assert [r.telegram_user_id for r in found] == [2]
        assert await councils.add_member(Unit(session), community=community, council_id=council.id or 0,
                                         resident_id=found[0].id or 0, actor=member, now=app.clock.now())
        referral = await councils.refer(Unit(session), community=community, topic_id=topic_id,
                                        council_id=council.id or 0, actor=member, now=app.clock.now())
        assert [r.telegram_user_id for r in referral.members] == [2]
        with pytest.raises(councils.NotCouncilMember):
            await councils.recommend(Unit(session), community=community, topic_id=topic_id,
                                     resident=await _who(app, session, 4), text="x", now=app.clock.now())
        done = await councils.recommend(Unit(session), community=community, topic_id=topic_id,
                                        resident=found[0], text="建议先做问卷", now=app.clock.now())
        await session.commit()
        assert done.change.event.kind == "recommended"
        assert [(r.text, name) for r, name in await councils.recommendations(session, topic_id)] == [
            ("建议先做问卷", "睦邻议事厅")]


async def test_export_rows(app: Linli, seed: Seed) -> None:
    await _people(seed)
    await seed.configure(adult_population=1000)
    topic_id = await seed.topic(1, "=SUM(A1)")
    await seed.support(topic_id, 3)
    app.clock.advance(timedelta(days=4))
    async with app.sessions() as session:
        rows = await topic_lists.export_rows(Unit(session), app.community_id or 0, app.clock.now())
    row = rows[0]
    assert (row.supports_residents, row.supports_households, row.supports_adults) == (2, 1, 1)
    assert row.overdue and row.first_answered_at is None and row.status == "submitted"
    text = topic_lists.export_csv(rows)
    assert text.splitlines()[0].startswith("id,title,category,status") and "'=SUM(A1)" in text


async def test_overdue_alert_once_per_day(app: Linli, seed: Seed) -> None:
    await _people(seed)
    await seed.configure(adult_population=1000)
    await seed.topic(1, "加装电梯")
    assert await alert_overdue_topics(app.sessions, app.notifier, app.clock) == 0
    app.clock.advance(timedelta(days=3, hours=1))
    assert await alert_overdue_topics(app.sessions, app.notifier, app.clock) == 1  # one committee member
    assert await alert_overdue_topics(app.sessions, app.notifier, app.clock) == 0
    app.clock.advance(timedelta(days=1))
    await seed.configure(committee_chat_id=-100500)
    assert await alert_overdue_topics(app.sessions, app.notifier, app.clock) == 1
    async with app.sessions() as session:
        rows = await outbox.due(session, app.clock.now())
    assert [row.chat_id for row in rows] == [9, -100500] and "超过答复期限" in rows[-1].text
