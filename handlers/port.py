"""The transport-neutral port: what comes in from a door and what goes back out.

Doors (aiogram, python-telegram-bot, the sandbox) turn their framework's updates into
:class:`Incoming` and carry out the :data:`Action` values handlers produce. Nothing here
imports a framework.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable

# Buttons are part of the port: the typed, signed payloads and the screens other places link to.
from handlers.buttons import ButtonCodec as ButtonCodec
from handlers.buttons import Tap as Tap
from handlers.links import CommitteeHome as CommitteeHome
from handlers.links import CouncilTopics as CouncilTopics
from handlers.links import DecideJoin as DecideJoin
from handlers.links import DeskHome as DeskHome
from handlers.links import DeskTopic as DeskTopic
from handlers.links import EventsHome as EventsHome
from handlers.links import LanguagePicker as LanguagePicker
from handlers.links import MeetingDesk as MeetingDesk
from handlers.links import MeetingsDesk as MeetingsDesk
from handlers.links import OpenBallot as OpenBallot
from handlers.links import OpenEvent as OpenEvent
from handlers.links import OpenMeeting as OpenMeeting
from handlers.links import OpenMenu as OpenMenu
from handlers.links import OpenTopic as OpenTopic
from handlers.links import TopicsHome as TopicsHome
from handlers.links import VotesHome as VotesHome


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


@dataclass(frozen=True, slots=True)
class Sender:
    """Who acted: a Telegram user."""

    user_id: int
    display_name: str
    language_code: str | None = None
    username: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A photo or document the user sent, by the platform's file reference."""

    kind: str  # "photo" | "document"
    file_id: str
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class PollAnswer:
    """A user's answer in one of the bot's public polls: the options chosen now (empty: the vote was retracted).

    Telegram names the poll by its own id (``Sent.poll_id`` of the :class:`SendPoll` that posted it); the
    update has no chat, so an :class:`Incoming` carrying one has the user's own id as ``chat_id``.
    """

    poll_id: str
    option_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Incoming:
    """One update from a user: a message (text, command, attachment), a button press or a poll answer."""

    update_id: int
    sender: Sender
    chat_id: int
    chat_kind: ChatKind
    text: str | None = None
    callback_data: str | None = None
    callback_id: str | None = None
    message_id: int | None = None  # the message the button was on, or the user's own message
    attachment: Attachment | None = None
    poll_answer: PollAnswer | None = None

    @property
    def is_button(self) -> bool:
        return self.callback_data is not None

    @property
    def command(self) -> str | None:
        """``"start"`` for ``/start ABC`` (also ``/start@linli_bot``); ``None`` for plain text."""
        if not self.text or not self.text.startswith("/"):
            return None
        head = self.text.split(maxsplit=1)[0][1:]
        return head.split("@", 1)[0].lower() or None

    @property
    def mention(self) -> str | None:
        """``"other_bot"`` for ``/start@other_bot``: the bot a command is addressed to, if it names one."""
        if self.command is None or self.text is None:
            return None
        head = self.text.split(maxsplit=1)[0]
        return head.split("@", 1)[1] or None if "@" in head else None

    @property
    def args(self) -> str:
        """What follows the command: ``"ABC"`` for ``/start ABC``."""
        if self.command is None or self.text is None:
            return ""
        parts = self.text.split(maxsplit=1)
        return parts[1].strip() if len(parts) > 1 else ""


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: either a callback payload (≤ 64 bytes) or a URL."""

    text: str
    data: str | None = None
    url: str | None = None


Keyboard = list[list[Button]]


@dataclass(frozen=True, slots=True)
class SendText:
    chat_id: int
    text: str  # HTML; every user-supplied part must be escaped with handlers.text.esc
    buttons: Keyboard | None = None


@dataclass(frozen=True, slots=True)
class EditText:
    chat_id: int
    message_id: int
    text: str
    buttons: Keyboard | None = None


@dataclass(frozen=True, slots=True)
class AnswerButton:
    """Answer a button press: a toast (or an alert box), or nothing but stopping the spinner."""

    callback_id: str
    text: str | None = None
    alert: bool = False


@dataclass(frozen=True, slots=True)
class SendDocument:
    """A document by bytes (an upload, named ``file_name``) or by a file id the platform already has."""

    chat_id: int
    file_name: str
    content: bytes | str
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class SendPhoto:
    """A photo by bytes (an upload) or by a file id the platform already has."""

    chat_id: int
    photo: bytes | str
    caption: str | None = None
    buttons: Keyboard | None = None


@dataclass(frozen=True, slots=True)
class SendPoll:
    """A native poll. ``question`` is HTML (escape user text); ``options`` are plain text (1-12, ≤ 100 chars).

    Telegram closes a poll by itself only within 10 minutes: longer polls are closed by :class:`StopPoll`.
    """

    chat_id: int
    question: str
    options: tuple[str, ...]
    anonymous: bool = True
    multiple_answers: bool = False
    buttons: Keyboard | None = None


@dataclass(frozen=True, slots=True)
class StopPoll:
    """Close the bot's poll in message ``message_id``."""

    chat_id: int
    message_id: int
    buttons: Keyboard | None = None


Action = SendText | EditText | AnswerButton | SendDocument | SendPhoto | SendPoll | StopPoll
OutboxAction = SendText | EditText | SendDocument | SendPhoto | SendPoll | StopPoll
"""What the outbox can carry: every action but answering a button press (that answer is due within seconds)."""


@dataclass(slots=True)
class Reply:
    """What a handler wants done, in order. Filled by handlers, carried out by the door."""

    actions: list[Action] = field(default_factory=list)

    def add(self, action: Action) -> None:
        self.actions.append(action)


@dataclass(frozen=True, slots=True)
class Sent:
    """What the door reports back after carrying out an action (``poll_id``: Telegram's id of a sent poll)."""

    message_id: int | None = None
    poll_id: str | None = None


class SendError(Exception):
    """The platform refused an action for good (chat not found, bot blocked, bad request)."""

    def __init__(self, description: str, *, permanent: bool = True) -> None:
        super().__init__(description)
        self.description = description
        self.permanent = permanent


class RetryLater(Exception):
    """The platform asked us to slow down (HTTP 429)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class Messenger(Protocol):
    """Implemented by each door: carries out one action against the platform.

    Raises :class:`RetryLater` on flood limits and :class:`SendError` on refusals.
    """

    async def perform(self, action: Action) -> Sent: ...


@runtime_checkable
class FileSource(Protocol):
    """Implemented by each door's messenger: the bytes of a file a user sent (an uploaded list, say).

    Raises :class:`SendError` when the platform refuses (a file too big for bots to download, an expired id).
    """

    async def download(self, file_id: str) -> bytes: ...


@runtime_checkable
class PacedMessenger(Messenger, Protocol):
    """A messenger that knows the flood limits: the outbox asks it which chats may be sent to now.

    ``delay`` is how many seconds until a message to ``chat_id`` would go out without waiting;
    ``perform_once`` sends without waiting or retrying (a 429 or a full window raises :class:`RetryLater`).
    """

    def delay(self, chat_id: int) -> float: ...

    async def perform_once(self, action: Action) -> Sent: ...
