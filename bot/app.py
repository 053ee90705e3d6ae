"""The application: one update in → one unit of work → reply actions out, for any door."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import weakref
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, assert_never

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import incoming_json
from bot.config import Settings
from bot.db_errors import DatabaseUnavailable, database_unavailable
from bot.features import features, sent_hooks
from bot.inbound_flood import InboundFlood, Verdict
from bot.recent import Recent
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
    FileSource,
    Incoming,
    Messenger,
    Reply,
    RetryLater,
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
from storage import inbox, residents
from storage.community import ensure_community
from storage.db import create_engine, is_sqlite, session_factory, single_statement_factory, upgrade_if_behind
from storage.unit import Unit

log = logging.getLogger(__name__)


@dataclass
class UpdateTracker:
    """Which recent updates have been fully handled (tests and the sandbox wait on it).

    Only the newest ``keep`` ids are remembered, so a bot that runs for months does not grow.
    """

    keep: int = 10_000
    done: Recent[int, bool] = field(init=False)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    def __post_init__(self) -> None:
        self.done = Recent(self.keep)

    async def mark(self, update_id: int) -> None:
        async with self.changed:
            self.done.put(update_id, True)
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
        self._single = single_statement_factory(self.engine)  # the inbox's record: one INSERT, no BEGIN/COMMIT
        token = settings.bot_token.get_secret_value() if settings.bot_token else "sandbox"
        self.codec: ButtonCodec = codec_for_token(token)
        self.dispatcher: Dispatcher = build_dispatcher(features())
        self.screens = screens(features())
        self.notifier = Notifier(self.translator, self.codec, settings.default_language)
        self.sent_hooks = sent_hooks()  # what features record of what the outbox sent (a poll's id)
        self.tracker = UpdateTracker()
        self.outbox: OutboxSender | None = None
        # One lock per user while they have updates in flight; it goes away with its last holder.
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self.community_id: int | None = None
        self.attached = asyncio.Event()  # set once a door is sending
        self.polling = asyncio.Event()  # set once the door has asked for its first updates
        self.bot_username: str | None = None  # commands addressed to another bot (/start@other_bot) are not ours
        self.options = Options(default_language=settings.default_language,
                               code_tries_per_hour=settings.code_tries_per_hour)
        self.flood = InboundFlood(settings.inbound_per_minute, timedelta(seconds=settings.inbound_cooldown_seconds))
        self._tasks: set[asyncio.Task[None]] = set()
        self._draining: dict[int, int] = {}  # user id → drains queued or running
        self._sweeper: asyncio.Task[None] | None = None
        self._told: Recent[int, bool] = Recent()  # updates whose sender got the outage notice
        self._verdicts: Recent[int, Verdict] = Recent()  # inbound flood verdicts of recent updates
        # Updates this process has just stored as pending: handled from memory (see ``_drain``).
        self._fresh: Recent[int, bool] = Recent()

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
        """Start sending the outbox through a door's messenger, and retrying what waits in the inbox;
        ``username`` is the bot's own (from getMe)."""
        self.bot_username = username or self.bot_username
        self.outbox = OutboxSender(self.sessions, messenger, self.clock, on_sent=self.sent_hooks)
        self.outbox.start()
        if self._sweeper is None:
            self._sweeper = asyncio.create_task(self._sweep_forever(messenger), name="linli-inbox")
        self.attached.set()

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        await self.quiesce()
        if self.outbox is not None:
            await self.outbox.stop()
        await self.engine.dispose()

    async def settle(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until ``update_id`` was handled and the outbox has nothing due."""
        await self.tracker.wait(update_id, timeout)
        if self.outbox is not None:
            await asyncio.wait_for(self.outbox.idle(), timeout)

    async def quiesce(self, timeout: float = 30.0) -> None:
        """Wait for the updates being handled now (at shutdown)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    # ---- updates in: inbox first ----------------------------------------------------
    async def accept(self, incomings: list[Incoming], messenger: Messenger, *, wait: bool = False) -> bool:
        """Store updates in the inbox and commit. Only after True may the door acknowledge them to Telegram.

        False when the database cannot be reached: each sender is told (once per update) and the door
        leaves the offset where it was, so Telegram delivers the updates again. Notices (outage, "slow
        down") go out in the background, so a full per-chat send window never holds up polling; ``wait``
        waits for them (the port harness).
        """
        now = self.clock.now()
        verdicts = {i.update_id: self._judge(i, now) for i in incomings}
        rows = [inbox.NewUpdate(i.update_id, i.sender.user_id, incoming_json.dumps(i),
                                inbox.InboxStatus.PENDING if verdicts[i.update_id] is Verdict.ALLOW
                                else inbox.InboxStatus.DROPPED) for i in incomings]
        try:
            async with self._single() as session:  # one statement: committed when it returns
                new = await inbox.record(session, rows, now)
                await session.commit()
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            log.warning("inbox unavailable (%s): %d update(s) left unacknowledged", type(exc).__name__, len(rows))
            await self._maybe_wait(self._spawn(self.tell_unavailable(incomings, messenger)), wait)
            return False
        for incoming in incomings:
            verdict = verdicts[incoming.update_id]
            if verdict is Verdict.ALLOW:
                if incoming.update_id in new:
                    self._fresh.put(incoming.update_id, True)
                continue
            if verdict is Verdict.WARN and incoming.update_id in new:
                log.info("user over the inbound rate: dropping their updates for a while")
                text = self.translator(pick_language(incoming.sender.language_code, self.settings.default_language),
                                       "errors.rate_limited")
                await self._maybe_wait(self._spawn(self._notice(incoming, text, messenger)), wait)
            await self.tracker.mark(incoming.update_id)
        return True

    @staticmethod
    async def _maybe_wait(task: asyncio.Task[None], wait: bool) -> None:
        if wait:
            await task

    def _judge(self, incoming: Incoming, now: datetime) -> Verdict:
        """The flood verdict, once per update: one Telegram delivers again (after an outage) is not counted twice."""
        verdict = self._verdicts.get(incoming.update_id)
        if verdict is None:
            verdict = self.flood.check(incoming.sender.user_id, now)
            self._verdicts.put(incoming.update_id, verdict)
        return verdict

    def schedule(self, incomings: list[Incoming], messenger: Messenger) -> None:
        """Handle accepted updates in the background: users in parallel, each user's in update order."""
        by_user: dict[int, list[Incoming]] = {}
        for incoming in incomings:
            by_user.setdefault(incoming.sender.user_id, []).append(incoming)
        for user_id, mine in by_user.items():
            self._spawn(self._drain(user_id, messenger, mine))

    async def handle(self, incoming: Incoming, messenger: Messenger) -> None:
        """Accept one update and handle it now (the port harness and simple callers)."""
        if await self.accept([incoming], messenger, wait=True):
            await self._drain(incoming.sender.user_id, messenger, [incoming])

    async def resume(self, messenger: Messenger) -> int:
        """Handle every update left in the inbox (at start, and after an outage); returns how many users had some."""
        async with self.sessions() as session:
            users = await inbox.pending_users(session)
        waiting = [self._spawn(self._drain(user_id, messenger, [])) for user_id in users
                   if user_id not in self._draining]
        if waiting:
            await asyncio.wait(waiting)
        return len(users)

    async def _sweep_forever(self, messenger: Messenger) -> None:
        pruned_at = None
        while True:
            try:
                await self.resume(messenger)
                now = self.clock.now()
                if pruned_at is None or now - pruned_at >= timedelta(hours=1):
                    async with self.sessions() as session:
                        await inbox.prune(session, now)
                        await session.commit()
                    pruned_at = now
            except Exception as exc:  # keep sweeping; the rows stay in the database
                if database_unavailable(exc):
                    log.warning("inbox sweep: database unavailable (%s)", type(exc).__name__)
                else:
                    log.exception("inbox sweep failed")
            await asyncio.sleep(self.settings.inbox_retry_seconds)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _drain(self, user_id: int, messenger: Messenger, triggers: list[Incoming]) -> None:
        """Handle the user's pending updates in order, up to the newest of ``triggers`` (all, if none).

        The hot path: updates this process has just stored (``accept``) are handled from memory, each claimed
        only if no older update of the user is pending (one conditional UPDATE, in its unit of work). When a claim
        fails (an older update waits, e.g. after an outage, or it is a duplicate), the user's pending updates are
        read from the inbox and handled in order, as at start-up.
        """
        lock = self._locks.get(user_id)
        if lock is None:
            lock = self._locks[user_id] = asyncio.Lock()
        triggers = sorted(triggers, key=lambda i: i.update_id)
        up_to = triggers[-1].update_id if triggers else None
        self._draining[user_id] = self._draining.get(user_id, 0) + 1
        handled: set[int] = set()
        try:
            async with lock:
                try:
                    for incoming in triggers:
                        if incoming.update_id not in self._fresh or not await self._handle(incoming, messenger,
                                                                                            alone=True):
                            break
                        handled.add(incoming.update_id)
                    if not triggers or len(handled) < len(triggers):
                        async with self.sessions() as session:
                            rows = await inbox.pending_for_user(session, user_id, up_to)
                        for row in rows:
                            await self._handle_row(row, messenger)
                            handled.add(row.update_id)
                except Exception as exc:
                    if not database_unavailable(exc):
                        raise
                    log.warning("database unavailable (%s): the user's updates wait in the inbox",
                                type(exc).__name__)
                    await self.tell_unavailable([i for i in triggers if i.update_id not in handled], messenger)
                    return
            for incoming in triggers:  # duplicates, dropped ones and those another worker took
                if incoming.update_id not in handled:
                    await self.tracker.mark(incoming.update_id)
        finally:
            self._draining[user_id] -= 1
            if not self._draining[user_id]:
                del self._draining[user_id]

    async def _handle_row(self, row: inbox.InboxUpdate, messenger: Messenger) -> None:
        try:
            incoming = incoming_json.loads(row.payload or "")
        except Exception:
            await self._failed(row.update_id)
            return
        await self._handle(incoming, messenger)

    async def _handle(self, incoming: Incoming, messenger: Messenger, *, alone: bool = False) -> bool:
        """Handle one stored update and deliver its reply. With ``alone``, False (and nothing done) when it could
        not be claimed as the user's oldest pending update."""
        try:
            outcome = await self._run(incoming, messenger, alone=alone)
        except Exception as exc:
            if database_unavailable(exc):
                raise
            await self._failed(incoming.update_id)
            return True
        if outcome is None and alone:
            return False
        if outcome is not None:
            reply, queued = outcome
            if queued and self.outbox is not None:
                self.outbox.wake()
            if incoming.update_id in self._told:  # the press was answered with the outage notice already
                reply = Reply([a for a in reply.actions if not isinstance(a, AnswerButton)])
            await self._deliver(reply, messenger)
        await self.tracker.mark(incoming.update_id)
        return True

    async def _failed(self, update_id: int) -> None:
        """A bug outside the unit of work (e.g. a payload that no longer parses): never retry it forever."""
        log.exception("update %s could not be handled", update_id)
        async with self.sessions() as session:
            await inbox.finish(session, update_id, self.clock.now(), inbox.InboxStatus.FAILED)
            await session.commit()
        await self.tracker.mark(update_id)

    async def _run(self, incoming: Incoming, messenger: Messenger | None = None, *, alone: bool = False
                   ) -> tuple[Reply, bool] | None:
        """Handle one stored update in one unit of work; None if it was handled before (or, ``alone``, if an older
        update of the user is pending)."""
        try:
            return await self._unit_of_work(incoming, messenger, alone=alone)
        except DatabaseUnavailable:
            raise
        except Exception as exc:
            if database_unavailable(exc):
                raise DatabaseUnavailable(type(exc).__name__) from exc
            raise

    async def _unit_of_work(self, incoming: Incoming, messenger: Messenger | None = None, *, alone: bool = False
                            ) -> tuple[Reply, bool] | None:
        """Route the update; its inbox row is marked done in the same transaction as its effects."""
        async with self.sessions() as session:
            if not await inbox.finish(session, incoming.update_id, self.clock.now(),
                                      first_of_user=incoming.sender.user_id if alone else None):
                await session.rollback()
                return None  # a duplicate, or another worker handled it
            ctx = await self._context(session, incoming)
            ctx.files = messenger if isinstance(messenger, FileSource) else None
            committed = False
            try:
                await self.dispatcher.dispatch(ctx)
                if ctx.notices:
                    queued = await self.notifier.queue(session, ctx.community, ctx.notices, ctx.now())
                    ctx.queued = ctx.queued or queued > 0
                await session.commit()
                committed = True
            except DomainError as error:  # a rule said no: nothing of this update is kept but its "done"
                await session.rollback()
                if not await self._finish_alone(session, incoming, inbox.InboxStatus.DONE):
                    return None
                ctx.reply, ctx.notices = Reply(), []
                ctx.answered = False
                self._explain(ctx, error)
            except Exception as exc:
                if database_unavailable(exc):
                    raise
                log.exception("update %s failed", incoming.update_id)
                await session.rollback()
                if not await self._finish_alone(session, incoming, inbox.InboxStatus.FAILED):
                    return None
                ctx.reply, ctx.notices = Reply(), []
                ctx.answered = False
                self._explain(ctx, DomainError("errors.internal"))
            if incoming.callback_id is not None and not ctx.answered:
                ctx.toast()
            return ctx.reply, ctx.queued and committed

    async def _finish_alone(self, session: AsyncSession, incoming: Incoming, status: inbox.InboxStatus) -> bool:
        """After a rollback: mark the update handled on its own (it is not retried)."""
        done = await inbox.finish(session, incoming.update_id, self.clock.now(), status)
        await session.commit()
        return done

    # ---- telling the user without the database ----------------------------------------
    async def tell_unavailable(self, incomings: list[Incoming], messenger: Messenger) -> None:
        """The outage notice, in the sender's Telegram language, once per update."""
        for incoming in incomings:
            if incoming.update_id in self._told:
                continue
            self._told.put(incoming.update_id, True)
            language = pick_language(incoming.sender.language_code, self.settings.default_language)
            await self._notice(incoming, self.translator(language, "errors.unavailable"), messenger)

    async def _notice(self, incoming: Incoming, text: str, messenger: Messenger) -> None:
        action: Action = (AnswerButton(incoming.callback_id, text, alert=True) if incoming.callback_id is not None
                          else SendText(incoming.chat_id, text))
        try:
            await messenger.perform(action)
        except (SendError, RetryLater) as exc:
            log.warning("could not deliver a notice: %s", type(exc).__name__)

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
        return Context(incoming=incoming, uow=Unit(session), clock=self.clock, translator=self.translator,
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
