"""Notices: what happened and who must hear it, as data. Use cases make them; one notifier renders them.

A notice names a catalog key, its recipients (each in their own language), parameters and buttons. It holds no
text: the notifier renders it per recipient, so a committee chat and a resident each read it in their language,
user-supplied values are escaped in one place, and a scheduler job and a button press produce the same message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Recipient:
    """A chat to tell; ``language`` None means the community's default (a group chat has no language)."""

    chat_id: int
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Label:
    """A catalog text rendered in each recipient's language (a status, a rule name, "yes"), with its own params."""

    key: str
    params: tuple[tuple[str, Param], ...] = ()


@dataclass(frozen=True, slots=True)
class Labels:
    """Several catalog texts joined by the catalog's list separator."""

    keys: tuple[str, ...]
    separator_key: str | None = "topics.rule.joiner"  # None: one per line


@dataclass(frozen=True, slots=True)
class When:
    """A moment, shown in the community's time zone."""

    moment: datetime
    format: str = "%Y-%m-%d %H:%M"


@dataclass(frozen=True, slots=True)
class Clipped:
    """User text shown at most ``limit`` characters long (then escaped like any user text)."""

    text: str
    limit: int


@dataclass(frozen=True, slots=True)
class Bilingual:
    """A name kept in both languages (a category): the recipient's one is shown, escaped like user text."""

    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Lines:
    """Several parameters rendered one after another (each in the recipient's language), joined by ``joiner``."""

    items: tuple[Param, ...]
    joiner: str = "\n"


# int and float are shown as they are; str is user text (escaped); the rest render per recipient.
Param = int | float | str | Label | Labels | When | Clipped | Bilingual | Lines


@dataclass(frozen=True, slots=True)
class ChartBar:
    label: Param
    value: int
    highlight: bool = False


@dataclass(frozen=True, slots=True)
class Chart:
    """A bar chart sent as a photo under the notice's text (the text becomes its caption: keep it short), drawn
    once per language by the notifier."""

    title: Param
    subtitle: Param
    bars: tuple[ChartBar, ...]
    unit: Param = ""


class Link(StrEnum):
    """Where a notice's button leads; the notifier turns each into the screen's typed button."""

    MENU = "menu"
    TOPIC = "topic"  # a topic's card as residents see it (id: the topic)
    DESK_TOPIC = "desk_topic"  # a topic's card on the committee's desk (id: the topic)
    COUNCIL_TOPICS = "council_topics"  # the topics referred to my councils
    APPROVE_JOIN = "approve_join"  # id: the join request
    REJECT_JOIN = "reject_join"  # id: the join request
    BALLOT = "ballot"  # the ballot of a meeting (id: the meeting)
    MEETING = "meeting"  # a meeting as residents see it (id: the meeting)
    MEETING_DESK = "meeting_desk"  # a meeting on the committee's side (id: the meeting)
    EVENT = "event"  # an event's card as residents see it (id: the event)
    EVENTS = "events"  # the upcoming events


@dataclass(frozen=True, slots=True)
class NoticeButton:
    label: str  # catalog key
    link: Link
    target: int = 0


def outbox_key(key: str, chat_id: int) -> str:
    """The outbox row of one notice for one chat: queued once, whoever queues it again."""
    return f"{key}:{chat_id}"


def outbox_prefix(key: str) -> str:
    """What the outbox rows of a notice, for any chat, start with."""
    return f"{key}:"


@dataclass(frozen=True, slots=True)
class Notice:
    """Tell ``recipients`` the catalog text ``text`` with ``params``; ``key`` makes it once per recipient."""

    text: str
    key: str
    recipients: tuple[Recipient, ...]
    params: Mapping[str, Param] = field(default_factory=dict)
    buttons: tuple[tuple[NoticeButton, ...], ...] = ()
    not_before: datetime | None = None
    chart: Chart | None = None  # sent as a photo with the text as its caption
    urgent: bool = False  # sent before anything not urgent (a change to an event about to start)
