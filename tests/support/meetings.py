"""Meetings for tests: create, publish, open and cast through the use cases, each in its own unit of work."""

from __future__ import annotations

from datetime import timedelta

from bot.app import Linli
from core.voting import ItemKind, MeetingKind, Mode
from storage import meetings, voting
from storage.meetings import Draft, DraftItem, MeetingView
from storage.residents import by_telegram_id
from storage.unit import Unit

MOTION = DraftItem(ItemKind.MOTION, "居民公约", "第一条：爱护公共环境。")


async def resident_id(app: Linli, user_id: int) -> int:
    async with app.sessions() as session:
        found = await by_telegram_id(session, app.community_id or 0, user_id)
        assert found is not None and found.id is not None
        return found.id


async def create(app: Linli, *items: DraftItem, kind: MeetingKind = MeetingKind.RESIDENTS, mode: Mode = Mode.ADULTS,
                 title: str = "居民会议", hours: int = 48, publish: bool = True, open_now: bool = False) -> MeetingView:
    now = app.clock.now()
    async with app.sessions() as session:
        view = await meetings.create(Unit(session), community_id=app.community_id or 0, created_by=None,
                                     draft=Draft(kind, mode, title, items or (MOTION,), None,
                                                 now + timedelta(hours=hours)), now=now)
        if publish:
            view = await meetings.publish(Unit(session), community_id=app.community_id or 0, meeting_id=view.id,
                                          actor=None, now=now)
        await session.commit()
    if open_now:
        await open_voting(app, view.id)
    return await read(app, view.id)


async def read(app: Linli, meeting_id: int) -> MeetingView:
    async with app.sessions() as session:
        return await meetings.meeting(Unit(session), app.community_id or 0, meeting_id)


async def open_voting(app: Linli, meeting_id: int) -> meetings.Moved:
    async with app.sessions() as session:
        moved = await meetings.open_voting(Unit(session), community_id=app.community_id or 0, meeting_id=meeting_id,
                                           now=app.clock.now())
        await session.commit()
        return moved


async def cast(app: Linli, user_id: int, meeting: MeetingView, marks: int, item: int = 0) -> voting.Cast:
    rid = await resident_id(app, user_id)
    async with app.sessions() as session:
        done = await voting.cast(Unit(session), community_id=app.community_id or 0, meeting_id=meeting.id,
                                 item_id=meeting.items[item].id, round_no=meeting.round, resident_id=rid,
                                 marks=marks, now=app.clock.now())
        await session.commit()
        return done


async def close(app: Linli, meeting_id: int) -> meetings.Counted:
    async with app.sessions() as session:
        counted = await meetings.close(Unit(session), community_id=app.community_id or 0, meeting_id=meeting_id,
                                       now=app.clock.now())
        await session.commit()
        return counted
YES_MARKS = 1  # a motion: 赞成 (the first option)
