"""Overdue topics: once a day per topic, remind the committee that an answer is still owed.

Idempotent: the outbox key names the topic, the community's calendar day and the chat, so running the job
every few minutes (or on two workers) queues one alert per topic per day per chat. It re-reads what is
overdue each time, so a topic answered in the meantime is dropped.
"""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from core.topics import local_date
from handlers.i18n import DEFAULT_LANGUAGE, Translator
from handlers.port import SendText
from storage import outbox
from storage.community import Community
from storage.topic_lists import overdue
from storage.topics import committee_targets


def _local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


async def alert_overdue_topics(sessions: async_sessionmaker[AsyncSession], translator: Translator,
                               clock: Clock, *, default_language: str = DEFAULT_LANGUAGE) -> int:
    """Queue the day's overdue alerts; returns how many were newly queued."""
    now = clock.now()
    queued = 0
    async with sessions() as session:
        for community in (await session.exec(select(Community))).all():
            day = local_date(now, community.timezone).isoformat()
            targets = await committee_targets(session, community, default_language)
            for topic in await overdue(session, community.id or 0, now):
                for chat_id, language in targets:
                    text = translator(language, "topics.alert.overdue", id=topic.id, title=html.escape(topic.title,
                                                                                                  quote=False),
                                      due=_local(topic.answer_due_at, community.timezone))
                    if await outbox.enqueue(session, SendText(chat_id, text), now=now,
                                            dedupe_key=f"topic-overdue:{topic.id}:{day}:{chat_id}",
                                            community_id=community.id):
                        queued += 1
        await session.commit()
    return queued
