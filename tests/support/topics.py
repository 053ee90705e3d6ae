"""Scenario steps the topics tests share, for either harness (port or emulator)."""

from __future__ import annotations

from tests.support.chat import Harness, UserChat
from tests.support.seed import Seed


def roster(households: int) -> list[tuple[str, str, str, float, bool]]:
    """``households`` flats in building 1, unit 1, rooms 101, 102, …"""
    return [("1", "1", str(100 + i), 80.0, True) for i in range(1, households + 1)]


async def setup_committee(harness: Harness, seed: Seed, *, adults: int = 1000, households: int = 50) -> UserChat:
    """A roster, an adult register of ``adults``, a director who has opened the bot; returns the director."""
    await seed.roster(roster(households), codes_per_household=0)
    await seed.configure(adult_population=adults)
    await seed.committee(9001)
    director = harness.user(9001, "Director")
    await director.send("/start")
    return director


async def resident(harness: Harness, seed: Seed, user_id: int, name: str, room: str, *, adult: bool = True,
                   language: str = "zh-Hans") -> UserChat:
    """A verified resident of room ``room`` who has opened the bot."""
    await seed.resident(user_id, name, adult=adult, household=("1", "1", room), language=language)
    user = harness.user(user_id, name, language="en" if language == "en" else "zh-hans")
    await user.send("/start")
    return user


def _count_suffix(user: UserChat, prefix: str, chat_id: int | None) -> str:
    for message in reversed(user.harness.bot_messages(user.user_id if chat_id is None else chat_id)):
        for label in message.labels:
            if label.startswith(prefix):
                return label[len(prefix):]
    raise AssertionError(prefix)


async def open_desk_card(director: UserChat, topic_id: int, *, label: str | None = None,
                         chat_id: int | None = None) -> None:
    """Committee menu → topics desk → open topics → the topic's card.

    With ``label`` the exact list button is pressed (so its title and support count are checked too).
    """
    await director.send("/committee", chat_id=chat_id)
    await director.tap("committee.topics", chat_id=chat_id)
    open_queue = director.label("topics.desk.queue_a")
    await director.press(open_queue + _count_suffix(director, open_queue, chat_id), chat_id=chat_id)
    if label is None:
        label = next(text for text in director.find_button_message(director.label("topics.desk.back"), chat_id).labels
                     if text.startswith(f"#{topic_id} "))
    await director.press(label, chat_id=chat_id)
