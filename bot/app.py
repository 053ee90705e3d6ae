"""The application: one update in → one unit of work → reply actions out, for any door."""

from __future__ import annotations

import asyncio
import html
import logging
import weakref
from collections import deque
from dataclasses import dataclass, field
from typing import assert_never

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.features import features
from core.clock import Clock, SystemClock
from core.errors import DomainError
from handlers import build_dispatcher
from handlers.buttons import ButtonCodec, codec_for_token
from handlers.context import Context, Options
from handlers.feature import screens
from handlers.port import (
    Action,
    AnswerButton,
    EditText,
    Incoming,
    Messenger,
    Reply,
    SendDocument,
    SendError,
    SendPhoto,
    SendPoll,
    SendText,
    StopPoll,
)
from handlers.router import Dispatcher
from locales.catalogs import Translator, pick_language
from scheduler.notifier import Notifier
from scheduler.outbox_sender import OutboxSender
from storage import residents
from storage.community import ensure_community
from storage.db import create_engine, is_sqlite, session_factory, upgrade_if_behind

log = logging.getLogger(__name__)


@dataclass
class UpdateTracker:
    """Which recent updates have been fully handled (tests and the sandbox wait on it).

    Only the newest ``keep`` ids are remembered, so a bot that runs for months does not grow.
    """

    keep: int = 10_000
    done: set[int] = field(default_factory=set)
    order: deque[int] = field(default_factory=deque)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def mark(self, update_id: int) -> None:
        async with self.changed:
            self.done.add(update_id)
            self.order.append(update_id)
            while len(self.order) > self.keep:
                self.done.discard(self.order.popleft())
            self.changed.notify_all()

    async def wait(self, update_id: int, timeout: float = 10.0) -> None:
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(lambda: update_id in self.done), timeout)


class Linli:
    """Holds what every update needs; created once at start by the CLI, the sandbox or a test."""

    def __init__(self, settings: Settings, *, clock: Clock | None = None, translator: Translator | None = None,
                 engine: AsyncEngine | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.translator = translator or Translator()
        self.engine = engine or create_engine(settings.database_url)
        self.sessions: async_sessionmaker[AsyncSession] = session_factory(self.engine)
        token = settings.bot_token.get_secret_value() if settings.bot_token else "sandbox"
        self.codec: ButtonCodec = codec_for_token(token)
        self.dispatcher: Dispatcher = build_dispatcher(features())
        self.screens = screens(features())
        self.notifier = Notifier(self.translator, self.codec, settings.default_language)
        self.tracker = UpdateTracker()
        self.outbox: OutboxSender | None = None
        # One lock per user while they have updates in flight; it goes away with its last holder.
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self.community_id: int | None = None
        self.attached = asyncio.Event()  # set once a door is sending
        self.bot_username: str | None = None  # commands addressed to another bot (/start@other_bot) are not ours
        self.options = Options(default_language=settings.default_language,
                               code_tries_per_hour=settings.code_tries_per_hour)

    # ---- life cycle ------------------------------------------------------------------
    async def prepare(self, *, migrate: bool | None = None) -> None:
        """Migrate (by default only an embedded SQLite file) and make sure the community exists."""
        if migrate if migrate is not None else is_sqlite(self.settings.database_url):
            await upgrade_if_behind(self.engine, self.settings.database_url)
        async with self.sessions() as session:
            community = await ensure_community(
                session, self.settings.community_name, self.settings.timezone, self.clock.now(),
                answer_days=self.settings.topic_answer_days, agenda_threshold=self.settings.agenda_threshold)
            await session.commit()
            self.community_id = community.id

    def attach(self, messenger: Messenger, username: str | None = None) -> None:
        """Start sending the outbox through a door's messenger; ``username`` is the bot's own (from getMe)."""
        self.bot_username = username or self.bot_username
        self.outbox = OutboxSender(self.sessions, messenger, self.clock)
        self.outbox.start()
        self.attached.set()

    async def close(self) -> None:
        if self.outbox is not None:
            await self.outbox.stop()
        await self.engine.dispose()

    async def settle(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until ``update_id`` was handled and the outbox has nothing due."""
        await self.tracker.wait(update_id, timeout)
        if self.outbox is not None:
            await asyncio.wait_for(self.outbox.idle(), timeout)

    # ---- one update ------------------------------------------------------------------
    async def handle(self, incoming: Incoming, messenger: Messenger) -> None:
        lock = self._locks.get(incoming.sender.user_id)
        if lock is None:
            lock = self._locks[incoming.sender.user_id] = asyncio.Lock()
        try:
            async with lock:
                reply, queued = await self._run(incoming)
                if queued and self.outbox is not None:
                    self.outbox.wake()
                await self._deliver(reply, messenger)
        finally:
            await self.tracker.mark(incoming.update_id)

    async def _run(self, incoming: Incoming) -> tuple[Reply, bool]:
        """Route the update in one unit of work; returns the reply and whether the outbox got rows."""
        async with self.sessions() as session:
            ctx = await self._context(session, incoming)
            committed = False
            try:
                await self.dispatcher.dispatch(ctx)
                if ctx.notices:
                    queued = await self.notifier.queue(session, ctx.community, ctx.notices, ctx.now())
                    ctx.queued = ctx.queued or queued > 0
                await session.commit()
                committed = True
            except DomainError as error:  # a rule said no: nothing of this update is kept
                await session.rollback()
                ctx.reply, ctx.notices = Reply(), []
                ctx.answered = False
                self._explain(ctx, error)
            except Exception:
                log.exception("update %s failed", incoming.update_id)
                await session.rollback()
                ctx.reply, ctx.notices = Reply(), []
                ctx.answered = False
                self._explain(ctx, DomainError("errors.internal"))
            if incoming.callback_id is not None and not ctx.answered:
                ctx.toast()
            return ctx.reply, ctx.queued and committed

    async def _context(self, session: AsyncSession, incoming: Incoming) -> Context:
        """The unit of work's starting point in one SELECT (community, resident with roles, form)."""
        user_id = incoming.sender.user_id
        found = await residents.arrival(session, self.community_id, user_id, incoming.chat_id) \
            if self.community_id else None
        if found is None:  # first update ever, or the community row went away: create it, then load
            community = await ensure_community(session, self.settings.community_name, self.settings.timezone,
                                               self.clock.now())
            self.community_id = community.id
            found = await residents.arrival(session, community.id or 0, user_id, incoming.chat_id)
            assert found is not None
        resident = found.resident
        lang = resident.language if resident else pick_language(incoming.sender.language_code,
                                                                self.settings.default_language)
        return Context(incoming=incoming, session=session, clock=self.clock, translator=self.translator,
                       codec=self.codec, community=found.community, resident=resident, lang=lang,
                       state=found.state, committee=found.committee, options=self.options,
                       bot_username=self.bot_username, screens=self.screens)

    @staticmethod
    def _explain(ctx: Context, error: DomainError) -> None:
        if ctx.incoming.is_button:  # a toast is plain text: values as they are
            ctx.toast(ctx.t(error.key, **error.params), alert=True)
        else:  # a message is HTML: a value a resident typed is shown literally
            ctx.say(ctx.t(error.key, **{name: html.escape(value, quote=False) if isinstance(value, str) else value
                                        for name, value in error.params.items()}))

    async def _deliver(self, reply: Reply, messenger: Messenger) -> None:
        for action in reply.actions:
            try:
                await messenger.perform(action)
            except SendError as exc:
                await self._fall_back(messenger, action, exc)

    async def _fall_back(self, messenger: Messenger, action: Action, exc: SendError) -> None:
        """What to do when the platform refused one action of a reply."""
        match action:
            case EditText():
                if "not modified" in exc.description:
                    return
                # The message is gone or too old to edit: say it anew instead.
                await self._try(messenger, SendText(action.chat_id, action.text, action.buttons))
            case AnswerButton():
                return  # the press is too old to answer; nothing to tell the user
            case SendText() | SendDocument() | SendPhoto() | SendPoll() | StopPoll():
                log.warning("could not deliver %s: %s", type(action).__name__, exc.description)
            case _:
                assert_never(action)

    @staticmethod
    async def _try(messenger: Messenger, action: SendText) -> None:
        try:
            await messenger.perform(action)
        except SendError as exc:
            log.warning("could not deliver fallback message: %s", exc.description)
