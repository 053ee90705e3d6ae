"""Helpers for inbox, crash and outage tests: raw updates, comment effects, inbox counts."""

from __future__ import annotations

from itertools import count

from sqlalchemy import func
from sqlmodel import col, select

from bot.app import Linli
from handlers.port import ChatKind, Incoming, Sender
from handlers.topic_comments import WriteComment
from storage import inbox
from storage.topic_comments import TopicComment
from tests.support.seed import Seed

_ids = count(1)


def text_update(update_id: int, user_id: int, text: str, language: str = "zh-hans") -> Incoming:
    return Incoming(update_id=update_id, sender=Sender(user_id, f"User {user_id}", language), chat_id=user_id,
                    chat_kind=ChatKind.PRIVATE, text=text, message_id=10_000 + update_id)


def press_update(update_id: int, user_id: int, data: str, message_id: int = 1) -> Incoming:
    return Incoming(update_id=update_id, sender=Sender(user_id, f"User {user_id}", "zh-hans"), chat_id=user_id,
                    chat_kind=ChatKind.PRIVATE, callback_data=data, callback_id=f"cb{next(_ids)}",
                    message_id=message_id)


async def topic_with_residents(seed: Seed, user_ids: list[int]) -> int:
    """Verified residents and one open topic they may comment on; returns the topic id."""
    for user_id in user_ids:
        await seed.resident(user_id, f"Resident {user_id}")
    return await seed.topic(user_ids[0], "电梯维修")


def write_comment(app: Linli, topic_id: int) -> str:
    """The signed payload of the "write a comment" button."""
    return app.codec.pack(WriteComment(topic_id))


async def comment_texts(app: Linli) -> list[str]:
    async with app.sessions() as session:
        return list((await session.exec(select(TopicComment.text).order_by(col(TopicComment.id)))).all())


async def inbox_counts(app: Linli) -> dict[str, int]:
    async with app.sessions() as session:
        return await inbox.counts(session)


async def inbox_rows(app: Linli) -> int:
    async with app.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(inbox.InboxUpdate))).one())
