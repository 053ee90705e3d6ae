"""A month to export (November 2026, Shanghai): meetings of every kind (a postponed one with a void round, a secret
election, an owners' decision), topics in every status, an event with a waitlist, a quick poll — all through the
use cases, the clock moved between steps."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.app import Linli
from core.events import EventDraft
from core.quick_polls import Draft as PollDraft
from core.topics import TopicStatus
from core.voting import ItemKind, MeetingKind, Mode
from handlers.port import SendPoll, Sent
from storage import community as homes
from storage import councils, electorate_admin, event_admin, events, meetings, quick_polls, topic_desk, topics, voting
from storage.electorate_files import parse_groups, parse_owners, parse_representatives
from storage.meetings import Draft, DraftItem
from storage.residents import Role, by_telegram_id
from storage.unit import Unit
from tests.support.seed import Seed

YES, NO, ABSTAIN = 1, 2, 4
DIRECTOR = 9001
ROSTER = [("1", "1", "101", 80.0, True), ("1", "1", "102", 95.5, True), ("2", "1", "201", 60.0, True),
          ("2", "1", "202", 70.25, True), ("3", "1", "301", 100.0, True), ("3", "1", "302", 88.8, True)]
PEOPLE = [(1, "Alice", "101", True), (2, "Bob", "101", True), (3, "Carol", "102", True), (4, "Dan", "201", True),
          (5, "Kid", "201", False), (6, "Eve", "202", True), (7, "Frank", "301", True), (8, "Grace", "302", True)]
BUILDING = {"101": "1", "102": "1", "201": "2", "202": "2", "301": "3", "302": "3"}
OWNERS = [["楼号", "单元", "房号", "业主", "面积", "证件号后四位", "开发商"],
          ["1", "1", "101", "Alice", "80.00", "", ""], ["1", "1", "102", "Carol", "95.50", "", ""],
          ["2", "1", "201", "Dan", "60.00", "", ""], ["2", "1", "202", "Eve", "70.25", "", ""],
          ["3", "1", "301", "Frank", "100.00", "", ""], ["3", "1", "302", "某某置业", "88.80", "", "是"]]
GROUPS = [["居民小组", "楼号"], ["第一小组", "1、2"], ["第二小组", "3"]]
REPRESENTATIVES = [["小组", "姓名", "楼号", "单元", "房号", "类型"], ["", "Alice", "", "", "", "居民代表"],
                   ["", "Frank", "", "", "", "居民代表"], ["", "Grace", "", "", "", "居民代表"]]
MONTH_START = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # 2026-11-01 00:00 in Shanghai


@dataclass
class Seeded:
    ids: dict[int, int] = field(default_factory=dict)  # Telegram id → resident id
    meetings: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)


async def _unit(app: Linli, use_case, *args, **kwargs):  # type: ignore[no-untyped-def]
    async with app.sessions() as session:
        result = await use_case(Unit(session), *args, **kwargs)
        await session.commit()
        return result


async def _session(app: Linli, use_case, *args, **kwargs):  # type: ignore[no-untyped-def]
    async with app.sessions() as session:
        result = await use_case(session, *args, **kwargs)
        await session.commit()
        return result


async def people(app: Linli, seed: Seed) -> dict[int, int]:
    await seed.roster(ROSTER, codes_per_household=0)
    ids = {}
    for user, name, room, adult in PEOPLE:
        resident = await seed.resident(user, name, household=(BUILDING[room], "1", room), adult=adult)
        ids[user] = resident.id or 0
    ids[DIRECTOR] = (await seed.resident(DIRECTOR, "Director", roles=(Role.COMMITTEE,))).id or 0
    now = app.clock.now()
    community = app.community_id or 0
    await _unit(app, electorate_admin.import_groups, community, parse_groups(GROUPS), actor=None, now=now)
    await _unit(app, electorate_admin.import_owners, community, parse_owners(OWNERS), actor=None, now=now)
    await _unit(app, electorate_admin.import_representatives, community, parse_representatives(REPRESENTATIVES),
                actor=None, now=now)
    return ids


async def meeting(app: Linli, title: str, *items: DraftItem, kind: MeetingKind = MeetingKind.RESIDENTS,
                  mode: Mode = Mode.ADULTS) -> int:
    now = app.clock.now()
    community = app.community_id or 0
    async with app.sessions() as session:
        view = await meetings.create(Unit(session), community_id=community, created_by=None,
                                     draft=Draft(kind, mode, title, items, None, now + timedelta(days=3)), now=now)
        await meetings.publish(Unit(session), community_id=community, meeting_id=view.id, actor=None, now=now)
        await session.commit()
    await _unit(app, meetings.open_voting, community_id=community, meeting_id=view.id, now=now)
    return view.id


async def cast(app: Linli, ids: dict[int, int], meeting_id: int, votes: dict[int, int], item: int = 0) -> None:
    community = app.community_id or 0
    view = await _unit(app, meetings.meeting, community, meeting_id)
    for user, marks in votes.items():
        app.clock.advance(timedelta(minutes=1))
        await _unit(app, voting.cast, community_id=community, meeting_id=meeting_id, item_id=view.items[item].id,
                    round_no=view.round, resident_id=ids[user], marks=marks, now=app.clock.now())


async def hall(app: Linli, ids: dict[int, int], meeting_id: int, line: str) -> None:
    """A paper ballot from the hall: entered by the director, confirmed by Frank as scrutineer."""
    from storage import paper

    community, now = app.community_id or 0, app.clock.now()
    await _unit(app, paper.name_scrutineer, community_id=community, meeting_id=meeting_id, who="Frank", actor=None,
                now=now)
    entry = await _unit(app, paper.enter_voter, community_id=community, meeting_id=meeting_id, text=line,
                        entered_by=ids[DIRECTOR], actor=None, now=now)
    await _unit(app, paper.decide, community_id=community, entry_id=entry.id, resident_id=ids[7], confirm=True,
                actor=None, now=now)


async def close(app: Linli, meeting_id: int) -> None:
    app.clock.advance(timedelta(hours=1))
    await _unit(app, meetings.close, community_id=app.community_id or 0, meeting_id=meeting_id,
                now=app.clock.now())


async def month(app: Linli, seed: Seed) -> Seeded:
    """Seed October's leftovers, November and a December meeting; leaves the clock on 2026-11-28."""
    clock = app.clock
    clock.set(datetime(2026, 10, 20, 2, tzinfo=UTC))  # type: ignore[attr-defined]
    done = Seeded(ids=await people(app, seed))
    ids = done.ids
    community = app.community_id or 0
    await seed.configure(adult_population=15, agenda_threshold=50)

    # Topics: two from October (one answered in November: in; one never answered: out), then November's.
    done.topics["october_answered"] = await seed.topic(3, "十月的停车问题", category="other")
    done.topics["october_silent"] = await seed.topic(4, "十月的旧议题", category="other")
    clock.set(datetime(2026, 11, 2, 1, tzinfo=UTC))
    director = True  # the director: looked up by _community_call
    await _topic_move(app, topic_desk.answer, topic_id=done.topics["october_answered"], actor=director,
                      text="已协调物业划线。")
    for name, user in (("submitted", 1), ("review", 2), ("resolved", 3), ("declined", 6), ("agenda", 7),
                       ("council", 8), ("merged", 4), ("demanded", 1)):
        done.topics[name] = await seed.topic(user, f"议题：{name}")
    await _topic_move(app, topic_desk.acknowledge, topic_id=done.topics["review"], actor=director)
    clock.advance(timedelta(days=2))
    await _topic_move(app, topic_desk.answer, topic_id=done.topics["resolved"], actor=director, text="马上处理。")
    await _topic_move(app, topic_desk.transition, topic_id=done.topics["resolved"], actor=director,
                      target=TopicStatus.RESOLVED, note="已经修好。")
    clock.advance(timedelta(days=3))  # past the three days: the next answers are late
    await _topic_move(app, topic_desk.transition, topic_id=done.topics["declined"], actor=director,
                      target=TopicStatus.DECLINED, note="不属于居委会职责。")
    await _topic_move(app, topic_desk.transition, topic_id=done.topics["agenda"], actor=director,
                      target=TopicStatus.AGENDA)
    council = await _community_call(app, councils.create, actor=director, name="议事厅")
    await _topic_move(app, councils.refer, topic_id=done.topics["council"], council_id=council.id, actor=director)
    await _community_call(app, topic_desk.merge, duplicate_id=done.topics["merged"],
                          target_id=done.topics["review"], actor=director)
    for user in (3, 4, 6, 7):  # four households of six: over 1/5 — a legal demand for a meeting
        await _community_call(app, _support, topic_id=done.topics["demanded"], user=user)

    # Meetings of every kind, closed in November.
    clock.set(datetime(2026, 11, 5, 2, tzinfo=UTC))
    motion = DraftItem(ItemKind.MOTION, "居民公约", "第一条：爱护公共环境。")
    done.meetings["residents"] = await meeting(app, "十一月居民会议", motion)
    await cast(app, ids, done.meetings["residents"], {1: YES, 2: YES, 3: NO, 4: ABSTAIN, 6: YES})
    await hall(app, ids, done.meetings["residents"], "Grace 1")  # a hybrid meeting: Grace votes yes on paper
    await close(app, done.meetings["residents"])

    choice = DraftItem(ItemKind.SINGLE, "垃圾房位置", "选一处。", ("东门", "西门", "北门"))
    done.meetings["households"] = await meeting(app, "按户表决", choice, mode=Mode.HOUSEHOLDS)
    await cast(app, ids, done.meetings["households"], {1: 1, 3: 2, 6: 1, 7: 4})
    await close(app, done.meetings["households"])

    plan = DraftItem(ItemKind.MOTION, "年度计划", "计划。")
    done.meetings["representatives"] = await meeting(app, "居民代表会议", plan, kind=MeetingKind.REPRESENTATIVES,
                                                     mode=Mode.REPRESENTATIVES)
    await cast(app, ids, done.meetings["representatives"], {1: YES, 7: NO, 8: YES})
    await close(app, done.meetings["representatives"])

    lift = DraftItem(ItemKind.MOTION, "加装电梯", "3号楼加装电梯。", matter=7)
    done.meetings["owners"] = await meeting(app, "业主共同决定", lift, kind=MeetingKind.OWNERS, mode=Mode.OWNERS)
    await cast(app, ids, done.meetings["owners"], {1: YES, 3: YES, 4: NO, 6: YES, 7: YES})
    await close(app, done.meetings["owners"])

    election = DraftItem(ItemKind.ELECTION, "居委会委员", "选两名", ("张三", "李四", "王五"), max_marks=2, secret=True)
    done.meetings["election"] = await meeting(app, "委员选举", election, kind=MeetingKind.ELECTION)
    await cast(app, ids, done.meetings["election"], {1: 0b011, 2: 0b011, 3: 0b101, 4: 0b001, 6: 0b110, 7: 0b010})
    await close(app, done.meetings["election"])

    advisory = DraftItem(ItemKind.MULTIPLE, "周末活动", "可多选。", ("电影", "义诊", "跳蚤市场"), max_marks=2)
    done.meetings["advisory"] = await meeting(app, "意见征询", advisory, kind=MeetingKind.ADVISORY, mode=Mode.VERIFIED)
    await cast(app, ids, done.meetings["advisory"], {1: 0b011, 8: 0b100, 9001: 0b001})
    await close(app, done.meetings["advisory"])

    postponed = await meeting(app, "居民公约修订", DraftItem(ItemKind.MOTION, "公约第二稿", "第二稿。"))
    done.meetings["postponed"] = postponed
    await cast(app, ids, postponed, {1: NO, 2: NO, 3: NO})
    clock.advance(timedelta(hours=2))
    await _unit(app, meetings.postpone, community_id=community, meeting_id=postponed, reason="三位代表提出修改意见",
                actor=None, now=clock.now())
    clock.advance(timedelta(days=1))
    await _unit(app, meetings.set_times, community_id=community, meeting_id=postponed, opens_at=None,
                closes_at=clock.now() + timedelta(days=2), now=clock.now())
    await _unit(app, meetings.open_voting, community_id=community, meeting_id=postponed, now=clock.now())
    await cast(app, ids, postponed, {1: YES, 3: YES, 4: YES, 7: YES, 8: NO})
    await close(app, postponed)

    # An event on the 9th with a waitlist (three seats), and one in December for the calendar.
    clock.set(datetime(2026, 11, 6, 2, tzinfo=UTC))
    done.events["ninth"] = await _event(app, ids, "相约九号", datetime(2026, 11, 9, 1, tzinfo=UTC), capacity=3)
    for user, adults, children in ((1, 1, 1), (3, 1, 0), (4, 1, 1), (6, 1, 0)):
        await _unit(app, events.rsvp, community, done.events["ninth"], ids[user], adults, children, clock.now())
    await _unit(app, events.decline, community, done.events["ninth"], ids[7], clock.now())
    done.events["december"] = await _event(app, ids, "新年联欢", datetime(2026, 12, 30, 11, tzinfo=UTC), capacity=None)

    # A quick poll, answered and closed in November.
    chat = -100123
    await seed.configure(committee_chat_id=chat)
    poll = await _unit(app, quick_polls.post, community_id=community, chat_id=chat,
                       draft=PollDraft("周日开放活动室吗？", ("开放", "不开放")),
                       closes_at=clock.now() + timedelta(hours=2),
                       created_by=ids[DIRECTOR], now=clock.now(),
                       action=lambda view: SendPoll(chat, view.question, view.options, anonymous=False))
    await _unit(app, quick_polls.record_sent, f"{quick_polls.SENT_PREFIX}:{poll.id}", Sent(77, "tgpoll-1"))
    for number, (user, option) in enumerate(((1, 0), (3, 0), (7, 1))):
        await _unit(app, quick_polls.record_answer, community_id=community, resident_id=ids[user],
                    telegram_poll_id="tgpoll-1", telegram_user_id=user, option_ids=(option,), update_id=500 + number,
                    now=clock.now())
    clock.advance(timedelta(hours=3))
    await _unit(app, quick_polls.close_due, clock.now())

    # A meeting closed in December: not November's.
    clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))  # 23:00 on the 30th in Shanghai
    done.meetings["december"] = await meeting(app, "十二月会议", DraftItem(ItemKind.MOTION, "下月事项", "下月。"))
    await cast(app, ids, done.meetings["december"], {1: YES})
    await close(app, done.meetings["december"])  # closes at 00:00+ on December 1st, Shanghai
    clock.set(datetime(2026, 11, 28, 2, tzinfo=UTC))
    return done


async def _community_call(app: Linli, use_case, **kwargs):  # type: ignore[no-untyped-def]
    """A committee use case with the community and the director; given the session or a unit of work, whichever its
    first parameter asks for (the desk's use cases take a Unit once the port is closed)."""
    async with app.sessions() as session:
        community = await homes.get_community(session, app.community_id or 0)
        if "actor" in kwargs:
            kwargs["actor"] = await by_telegram_id(session, app.community_id or 0, DIRECTOR)
        first = next(iter(inspect.signature(use_case).parameters))
        result = await use_case(Unit(session) if first == "unit" else session, community=community,
                                now=app.clock.now(), **kwargs)
        await session.commit()
        return result


async def _topic_move(app: Linli, use_case, **kwargs):  # type: ignore[no-untyped-def]
    return await _community_call(app, use_case, **kwargs)


async def _support(session, *, community, topic_id: int, user: int, now: datetime):  # type: ignore[no-untyped-def]
    session = getattr(session, "session", session)
    resident = await by_telegram_id(session, community.id or 0, user)
    return await topics.support(session, community=community, topic_id=topic_id, resident=resident, now=now)


async def _event(app: Linli, ids: dict[int, int], title: str, starts_at: datetime, capacity: int | None) -> int:
    draft = EventDraft(title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), venue="中心花园",
                       description="邻里相聚。", rain_venue="活动室", capacity=capacity, families=True, household_max=6)
    change = await _unit(app, event_admin.create_event, app.community_id or 0, draft, ids[DIRECTOR], app.clock.now())
    return int(change.event.id)
