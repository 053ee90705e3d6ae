"""What a handler gets: the incoming event, who and where (read models), one unit of work, and helpers to reply.

Handlers read typed input, call a use case from ``storage`` with ``ctx.uow`` (an opaque handle: no session, no
ORM rows cross the port), and render catalog text here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.clock import Clock
from core.errors import InvalidInput, StaleButton
from core.notices import Notice
from handlers.buttons import ButtonCodec, Tap
from handlers.feature import Screens
from handlers.port import (
    AnswerButton,
    Attachment,
    Button,
    ChatKind,
    EditText,
    FileSource,
    Incoming,
    Keyboard,
    Reply,
    SendError,
    SendText,
)
from locales.catalogs import Translator
from storage import conversations
from storage.community import Home
from storage.conversations import Form
from storage.residents import Who
from storage.unit import Unit


@dataclass(frozen=True, slots=True)
class Options:
    """The few settings handlers need, passed in (handlers never read the environment)."""

    default_language: str = "zh-Hans"
    code_tries_per_hour: int = 5


@dataclass(slots=True)
class Context:
    incoming: Incoming
    uow: Unit  # the unit of work to hand to a use case
    clock: Clock
    translator: Translator
    codec: ButtonCodec
    community: Home
    resident: Who | None  # None: a stranger (a guest who never chose anything has no row)
    lang: str
    state: Form | None  # the user's half-filled form in this chat
    committee: bool = False
    options: Options = field(default_factory=Options)
    bot_username: str | None = None
    screens: Screens = field(default_factory=Screens)  # what features put on the menu and in /help
    reply: Reply = field(default_factory=Reply)
    notices: list[Notice] = field(default_factory=list)  # who else must hear about this update (see tell)
    answered: bool = False
    queued: bool = False  # something went into the outbox: wake the sender after commit
    files: FileSource | None = None  # the door's, to read a file the user sent

    # ---- who and where -------------------------------------------------------------
    @property
    def user_id(self) -> int:
        return self.incoming.sender.user_id

    @property
    def chat_id(self) -> int:
        return self.incoming.chat_id

    @property
    def in_private(self) -> bool:
        return self.incoming.chat_kind is ChatKind.PRIVATE

    @property
    def addressed_to_us(self) -> bool:
        """False for ``/start@other_bot``: a command meant for another bot in the same group."""
        mention = self.incoming.mention
        return mention is None or self.bot_username is None or mention.lower() == self.bot_username.lower()

    @property
    def verified(self) -> bool:
        return self.resident is not None and self.resident.verified

    def now(self):
        return self.clock.now()

    # ---- text and buttons ----------------------------------------------------------
    def t(self, key: str, /, **params: Any) -> str:
        return self.translator(self.lang, key, **params)

    def t_in(self, lang: str, key: str, /, **params: Any) -> str:
        return self.translator(lang, key, **params)

    def button(self, label: str, tap: Tap) -> Button:
        return Button(text=label, data=self.codec.pack(tap))

    def say(self, text: str, buttons: Keyboard | None = None, chat_id: int | None = None) -> None:
        self.reply.add(SendText(chat_id=self.chat_id if chat_id is None else chat_id, text=text, buttons=buttons))

    def show(self, text: str, buttons: Keyboard | None = None, *, new: bool = False) -> None:
        """Edit the message the pressed button sits on; send a new one for typed input (or when ``new``)."""
        if not new and self.incoming.is_button and self.incoming.message_id is not None:
            self.reply.add(EditText(chat_id=self.chat_id, message_id=self.incoming.message_id, text=text,
                                    buttons=buttons))
        else:
            self.say(text, buttons)

    def toast(self, text: str | None = None, alert: bool = False) -> None:
        if self.incoming.callback_id is not None and not self.answered:
            self.reply.add(AnswerButton(callback_id=self.incoming.callback_id, text=text, alert=alert))
            self.answered = True

    async def read_file(self, attachment: Attachment, max_bytes: int) -> bytes:
        """The bytes of a document the user sent, at most ``max_bytes`` (else ``errors.file_too_big``); a file the
        platform will not give is ``errors.file_unavailable``. Used for small uploads (the committee's lists)."""
        if attachment.size is not None and attachment.size > max_bytes:
            raise InvalidInput("errors.file_too_big", max_kb=max_bytes // 1024)
        if self.files is None:
            raise InvalidInput("errors.file_unavailable")
        try:
            data = await self.files.download(attachment.file_id)
        except SendError:
            raise InvalidInput("errors.file_unavailable") from None
        if len(data) > max_bytes:
            raise InvalidInput("errors.file_too_big", max_kb=max_bytes // 1024)
        return data

    # ---- forms (conversation state lives in the database) --------------------------
    async def set_form(self, flow: str, step: str, data: dict[str, Any] | None = None) -> Form:
        self.state = await conversations.save_form(self.uow, self.user_id, self.chat_id, flow, step, data or {},
                                                   self.now(), current=self.state, loaded=True)
        return self.state

    async def clear_form(self) -> None:
        # The state was loaded with this update; None means there is no form to end.
        if self.state is not None:
            await conversations.end_form(self.uow, self.state)
            self.state = None

    def form_data(self) -> dict[str, Any]:
        return self.state.data if self.state else {}

    @property
    def form_ref(self) -> str:
        """What a button of the current form step carries (see :meth:`require_form`)."""
        assert self.state is not None
        return self.state.ref

    def require_form(self, flow: str, ref: str | None = None) -> Form:
        """The user's current form of ``flow``; a button from an older step or another form is stale."""
        if self.state is None or self.state.flow != flow:
            raise StaleButton()
        if ref is not None and self.state.ref != ref:
            raise StaleButton()
        return self.state

    # ---- telling other people (through the outbox, in this same transaction) -------
    def tell(self, *notices: Notice) -> None:
        """Other people must hear about this: the notifier renders each notice in its recipients' languages and
        queues it in the same unit of work (nothing is sent if the update is rolled back)."""
        self.notices.extend(notices)
