"""Nothing crosses between communities: a second community row with its own homes, code, committee member,
join request and topic, next to the app's community (A). Everything is tried through the app as A serves it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import func, select

from bot.app import Linli
from handlers.links import DecideJoin, OpenTopic
from handlers.topics import SupportTopic, TopicFullText, TopicTimeline
from storage import topics
from storage.community import Building, Community, Household
from storage.registration import CodeAttempt, InviteCode, JoinRequest, JoinStatus
from storage.residents import Resident, Role, RoleGrant
from storage.topics import TopicSupport
from tests.support.chat import PortHarness
from tests.support.seed import Seed

B_CODE = "BBBB2345"
B_MEMBER, B_APPLICANT, A_DIRECTOR, A_RESIDENT = 7001, 7002, 9001, 1001


@dataclass(frozen=True)
class Other:
    community_id: int
    request_id: int
    topic_id: int


async def _community_b(app: Linli) -> Other:
    """Community B, written straight to the database: a home, an unused code, a committee member with a topic,
    and a pending join request."""
    now = app.clock.now()
    async with app.sessions() as session:
        community = Community(name="B 小区", created_at=now, agenda_threshold=1)
        session.add(community)
        await session.flush()
        b = community.id or 0
        building = Building(community_id=b, name="9")
        session.add(building)
        await session.flush()
        home = Household(community_id=b, building_id=building.id or 0, unit="1", room="901", floor_area=90.0)
        session.add(home)
        await session.flush()
        session.add(InviteCode(community_id=b, household_id=home.id or 0, code=B_CODE, created_at=now))
        member = Resident(community_id=b, telegram_user_id=B_MEMBER, display_name="B 主任", verified=True,
                          household_id=home.id, created_at=now, verified_at=now)
        session.add(member)
        await session.flush()
        session.add(RoleGrant(community_id=b, resident_id=member.id or 0, role=Role.COMMITTEE.value, granted_at=now))
        request = JoinRequest(community_id=b, telegram_user_id=B_APPLICANT, display_name="B 申请人",
                              address="9-1-901", created_at=now)
        session.add(request)
        await session.flush()
        category = (await topics.categories(session, b))[0]
        outcome = await topics.propose(session, community=community, proposer=member, title="B 小区的议题",
                                       description="只属于 B。", category_id=category.id or 0, photo_file_id=None,
                                       now=now)
        await session.commit()
        return Other(community_id=b, request_id=request.id or 0, topic_id=outcome.topic.id or 0)


async def test_another_communitys_code_is_a_wrong_code(port: PortHarness, seed: Seed) -> None:
    await seed.roster()
    await _community_b(port.app)
    newcomer = port.user(1101, "Newcomer")
    await newcomer.send(f"/start {B_CODE}")
    assert "这个邀请码不正确" in newcomer.last.text
    async with port.app.sessions() as session:
        invite = (await session.exec(select(InviteCode).where(InviteCode.code == B_CODE))).one()
        assert invite.used_at is None and invite.used_by_resident_id is None
        attempt = (await session.exec(select(CodeAttempt).where(CodeAttempt.telegram_user_id == 1101))).one()
        assert not attempt.succeeded  # counted as a wrong try
        assert (await session.exec(select(Resident).where(Resident.telegram_user_id == 1101))).first() is None


async def test_committee_cannot_decide_another_communitys_request(port: PortHarness, seed: Seed) -> None:
    await seed.roster()
    other = await _community_b(port.app)
    await seed.committee(A_DIRECTOR)
    director = port.user(A_DIRECTOR, "Director")
    await director.send("/start")
    forged = port.app.codec.pack(DecideJoin(other.request_id, True))  # correctly signed: only the id is foreign
    toast = await director.press_data(forged)
    assert toast.alert and "没有找到" in (toast.text or "")
    async with port.app.sessions() as session:
        request = (await session.exec(select(JoinRequest).where(JoinRequest.id == other.request_id))).one()
        assert request.status == JoinStatus.PENDING.value and request.decided_by is None
        assert (await session.exec(select(Resident).where(Resident.telegram_user_id == B_APPLICANT))).first() is None


async def test_other_communitys_committee_member_is_a_stranger_here(port: PortHarness, seed: Seed) -> None:
    await seed.roster()
    await _community_b(port.app)
    member = port.user(B_MEMBER, "B 主任")
    await member.send("/committee")
    assert "这是居委会成员的功能" in member.last.text
    await member.send("/start")
    assert "请用居委会发给您家的邀请码注册" in member.last.text  # A greets them as a newcomer


async def test_other_communitys_resident_cannot_support_a_topic_here(port: PortHarness, seed: Seed) -> None:
    await seed.roster()
    await _community_b(port.app)
    await seed.resident(A_RESIDENT, "Alice", household=("1", "1", "101"))
    topic_id = await seed.topic(A_RESIDENT, "A 小区的议题")
    member = port.user(B_MEMBER, "B 主任")
    await member.send("/start")
    toast = await member.press_data(port.app.codec.pack(SupportTopic(topic_id)))
    assert toast.alert and toast.text == member.label("errors.not_registered")  # not a resident here
    async with port.app.sessions() as session:
        supports = (await session.exec(select(func.count()).select_from(TopicSupport).where(
            TopicSupport.topic_id == topic_id))).one()
        assert supports == 1  # the proposer only


async def test_topics_of_another_community_are_invisible(port: PortHarness, seed: Seed) -> None:
    await seed.roster()
    other = await _community_b(port.app)
    await seed.resident(A_RESIDENT, "Alice", household=("1", "1", "101"))
    alice = port.user(A_RESIDENT, "Alice")
    await alice.send("/topics")
    await alice.tap("topics.home.new")
    assert "B 小区的议题" not in alice.last.text
    for action in (OpenTopic, SupportTopic, TopicTimeline, TopicFullText):
        toast = await alice.press_data(port.app.codec.pack(action(other.topic_id)))
        assert toast.alert and "没有找到" in (toast.text or ""), action
    assert all("B 小区的议题" not in text for text in alice.texts())
    async with port.app.sessions() as session:
        supports = (await session.exec(select(func.count()).select_from(TopicSupport).where(
            TopicSupport.topic_id == other.topic_id))).one()
        assert supports == 1  # B's member, who proposed it


async def test_tally_counts_only_the_communitys_own_residents(app: Linli, seed: Seed) -> None:
    await seed.roster()
    other = await _community_b(app)
    await seed.resident(A_RESIDENT, "Alice", household=("1", "1", "101"))
    topic_id = await seed.topic(A_RESIDENT, "A 小区的议题")
    async with app.sessions() as session:
        b_member = (await session.exec(select(Resident).where(Resident.telegram_user_id == B_MEMBER))).one()
        session.add(TopicSupport(topic_id=topic_id, resident_id=b_member.id or 0, created_at=app.clock.now()))
        await session.commit()
        assert (await topics.tally(session, app.community_id or 0, topic_id)).residents == 1
        assert (await topics.tally(session, app.community_id or 0, other.topic_id)).residents == 0
        assert (await topics.tally(session, other.community_id, other.topic_id)).residents == 1
