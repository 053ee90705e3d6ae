"""BotApiEmulator: a local HTTP server that answers like api.telegram.org.

Real clients (aiogram, python-telegram-bot) talk to it over HTTP; tests act
as the users (``user_sends``, ``user_presses`` ...) and observe what the bot
did (``bot_messages``, ``requests``, ``errors``). Every request is validated
against the Bot API 10.1 spec and Telegram's rules (see the method modules),
and every successful result is checked against the spec's types before it
is sent (``self_check``), so a wrong emulator shows up as a 500.

Call everything from the event loop the server runs on.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import json
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.emulator import methods_bot, methods_media, methods_messages, polling, user_actions
from bot.emulator.calls import Call, Handler
from bot.emulator.errors import ApiError, bad_request, not_found, unauthorized
from bot.emulator.flood import FloodControl, FloodLimits
from bot.emulator.recording import RecordedRequest
from bot.emulator.request_parsing import read_parameters
from bot.emulator.spec import BotApiSpec, packaged_spec
from bot.emulator.state import BotState, ChatRecord, EmulatorState, Observer, expire_poll
from bot.emulator.uploads import Upload

log = logging.getLogger(__name__)

HANDLERS: dict[str, Handler] = {
    **methods_bot.HANDLERS, **methods_messages.HANDLERS, **methods_media.HANDLERS, **polling.HANDLERS,
}
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")
_USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_dumps = functools.partial(json.dumps, ensure_ascii=False)


class BotApiEmulator:
    """A Bot-API-compatible server on 127.0.0.1 plus the users and chats around the bot."""

    def __init__(
        self,
        spec_path: str | Path | None = None,
        *,
        clock: Callable[[], float] | None = None,
        self_check: bool = True,
        strict_html_entities: bool = True,
    ) -> None:
        """``clock`` (monotonic seconds) drives flood control; ``self_check`` validates every
        result against the spec; ``strict_html_entities`` rejects a stray "&" in HTML."""
        self.spec = packaged_spec() if spec_path is None else BotApiSpec.load(spec_path)
        self.state = EmulatorState()
        self.flood = FloodControl(clock or time.monotonic)
        self.self_check = self_check
        self.strict_html_entities = strict_html_entities
        self.requests: list[RecordedRequest] = []
        self.spec_violations: list[str] = []
        self._runner: web.AppRunner | None = None
        self._base_url = ""
        self._in_flight = 0
        self._last_activity = 0.0
        self._waiting_polls: dict[str, int] = {}

    # ---- lifecycle ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` once started."""
        if not self._base_url:
            raise RuntimeError("the emulator is not started")
        return self._base_url

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on host:port (0 picks a free port); return base_url."""
        self.state.reset_wakeup()
        self.state.stopping = False
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown_url)
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_port = self._runner.addresses[0][1]
        self._base_url = f"http://{host}:{bound_port}"
        self._last_activity = asyncio.get_running_loop().time()
        return self._base_url

    async def stop(self) -> None:
        """End waiting long polls (they answer []) and shut the server down."""
        self.state.stopping = True
        self.state.notify()
        if self._runner is not None:
            await asyncio.sleep(0)
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ---- the world ----------------------------------------------------------------------------

    def add_bot(self, token: str, username: str = "linli_bot", first_name: str = "Linli") -> dict[str, Any]:
        """Register a bot token; return the bot's User (id = the number before ":")."""
        if not _TOKEN_RE.match(token):
            raise ValueError(f"ill-formed bot token {token!r}: expected '<digits>:<secret>'")
        if not _USERNAME_RE.match(username) or not username.lower().endswith("bot"):
            raise ValueError(f"bot username {username!r} must be 5-32 characters and end with 'bot'")
        user = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": first_name, "username": username,
                "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False,
                "can_connect_to_business": False, "has_main_web_app": False}
        self.state.bots[token] = BotState(token=token, user=user)
        self.state.notify()
        return dict(user)

    def add_user(
        self, user_id: int, first_name: str, *, last_name: str | None = None, username: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> dict[str, Any]:
        """Register a person and their private chat with the bot (chat id == user id)."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        for key, value in (("last_name", last_name), ("username", username)):
            if value is not None:
                user[key] = chat[key] = value
        if language_code is not None:
            user["language_code"] = language_code
        self.state.users[user_id] = user
        self.state.chats[user_id] = ChatRecord(chat, {user_id})
        self.state.notify()
        return dict(user)

    def add_group(
        self, chat_id: int, title: str, member_ids: list[int], *, supergroup: bool = False,
        username: str | None = None, bot_is_admin: bool = True,
    ) -> dict[str, Any]:
        """Register a group (negative id) with these members; the bot is a member (and admin by default)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        for user_id in member_ids:
            self.state.user(user_id)
        chat: dict[str, Any] = {"id": chat_id, "type": "supergroup" if supergroup else "group", "title": title}
        if username is not None:
            chat["username"] = username
        self.state.chats[chat_id] = ChatRecord(chat, set(member_ids), bot_is_admin)
        self.state.notify()
        return dict(chat)

    def set_flood_limits(
        self, per_chat_per_second: float | None = 1, global_per_second: float | None = 30,
        group_per_minute: int | None = 20, retry_after: int | None = 1, burst_window: float = 3.0,
    ) -> None:
        """Turn flood control on (see bot.emulator.flood for the exact rule)."""
        self.flood.configure(FloodLimits(per_chat_per_second, global_per_second, group_per_minute, retry_after,
                                         burst_window))

    def disable_flood_limits(self) -> None:
        """Turn flood control off (the default)."""
        self.flood.configure(None)

    # ---- the users' side ----------------------------------------------------------------------

    def user_sends(
        self, user_id: int, text: str, *, chat_id: int | None = None, bot_token: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """The user sends text (private chat by default); returns the Message."""
        bot = self.state.bot(bot_token)
        return user_actions.user_sends(self.state, bot, user_id, text, chat_id=chat_id, reply_to=reply_to)

    def user_presses(
        self, user_id: int, message_id: int, callback_data: str, *, chat_id: int | None = None,
        bot_token: str | None = None, forged: bool = False,
    ) -> str:
        """The user taps an inline button of a message; returns the callback query id."""
        bot = self.state.bot(bot_token)
        return user_actions.user_presses(self.state, bot, user_id, message_id, callback_data, chat_id=chat_id,
                                         forged=forged)

    def user_sends_photo(
        self, user_id: int, data: bytes, *, caption: str | None = None, chat_id: int | None = None,
        bot_token: str | None = None,
    ) -> dict[str, Any]:
        """The user sends a photo (real image bytes); getFile and download work for it."""
        bot = self.state.bot(bot_token)
        return user_actions.user_sends_photo(self.state, bot, user_id, data, caption=caption, chat_id=chat_id)

    def user_sends_document(
        self, user_id: int, data: bytes, file_name: str, mime_type: str = "application/octet-stream", *,
        chat_id: int | None = None, bot_token: str | None = None,
    ) -> dict[str, Any]:
        """The user sends a file as a document."""
        bot = self.state.bot(bot_token)
        return user_actions.user_sends_document(self.state, bot, user_id, data, file_name, mime_type,
                                                chat_id=chat_id)

    def user_answers_poll(
        self, user_id: int, message_id: int, option_ids: list[int], *, chat_id: int | None = None,
        bot_token: str | None = None,
    ) -> int | None:
        """The user votes in the bot's native poll, changes the vote, or with [] retracts it. Returns the update id
        of the ``poll_answer`` (None for an anonymous poll, or one the bot's allowed_updates filter out)."""
        bot = self.state.bot(bot_token)
        return user_actions.user_answers_poll(self.state, bot, user_id, message_id, option_ids, chat_id=chat_id)

    def time_passes(self, now: float, *, bot_token: str | None = None) -> list[str]:
        """Telegram's clock reaches ``now`` (Unix time): polls whose open_period / close_date passed close by
        themselves (each with a ``poll`` update). Returns the ids of the polls closed."""
        bot = self.state.bot(bot_token)
        return [poll_id for poll_id in list(bot.polls) if expire_poll(self.state, bot, poll_id, now)]

    def user_blocks_bot(self, user_id: int, *, bot_token: str | None = None) -> None:
        """The user blocks the bot: sends to them answer 403 "bot was blocked by the user"."""
        user_actions.user_blocks_bot(self.state, self.state.bot(bot_token), user_id)

    def user_unblocks_bot(self, user_id: int, *, bot_token: str | None = None) -> None:
        """The user restarts the bot after blocking it."""
        user_actions.user_unblocks_bot(self.state, self.state.bot(bot_token), user_id)

    # ---- observation --------------------------------------------------------------------------

    @property
    def errors(self) -> list[RecordedRequest]:
        """Answered requests that were not ok (client-cancelled long polls excluded)."""
        return [r for r in self.requests if not r.cancelled and not r.ok]

    def calls(self, method: str | None = None, *, ok: bool | None = None) -> list[RecordedRequest]:
        """Recorded requests, optionally of one method (case-insensitive) and outcome."""
        return [
            r for r in self.requests
            if not r.cancelled and (method is None or r.method.lower() == method.lower())
            and (ok is None or r.ok == ok)
        ]

    def clear_requests(self) -> None:
        """Forget recorded requests (e.g. after the setup phase of a test)."""
        self.requests.clear()

    def chat_messages(self, chat_id: int, *, bot_token: str | None = None) -> list[dict[str, Any]]:
        """Every message in the chat (users' and the bot's), current state after edits, in order."""
        bot = self.state.bot(bot_token)
        return copy.deepcopy(list(bot.messages.get(chat_id, {}).values()))

    def bot_messages(self, chat_id: int, *, bot_token: str | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent to the chat, current state after edits (service messages such as
        "pinned a message" are left out; they are in chat_messages)."""
        bot = self.state.bot(bot_token)
        return [m for m in self.chat_messages(chat_id, bot_token=bot_token)
                if m["from"]["id"] == bot.id and "pinned_message" not in m]

    def message(self, chat_id: int, message_id: int, *, bot_token: str | None = None) -> dict[str, Any]:
        """One message as it is now (KeyError if missing or deleted)."""
        found = self.state.message(self.state.bot(bot_token), chat_id, message_id)
        if found is None:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        return copy.deepcopy(found)

    @property
    def callback_answers(self) -> dict[str, dict[str, Any]]:
        """query id -> {"text", "show_alert", "url", "cache_time"} for answered queries (the only bot)."""
        return self.state.bot().callback_answers

    def unanswered_callback_queries(self, *, bot_token: str | None = None) -> list[str]:
        """Ids of button presses the bot never answered (Telegram shows a spinner until it does)."""
        return [q.query_id for q in self.state.bot(bot_token).callbacks.values() if not q.answered]

    @property
    def delivered_update_ids(self) -> set[int]:
        """Update ids returned by getUpdates at least once (the only bot)."""
        return self.state.bot().delivered_update_ids

    @property
    def confirmed_update_id(self) -> int:
        """Highest update id confirmed by a later offset (the only bot)."""
        return self.state.bot().confirmed_update_id

    def last_update_id(self, bot_token: str | None = None) -> int:
        """The update_id of the most recently pushed update (0 if none yet)."""
        return self.state.bot(bot_token).next_update_id - 1

    def is_polling(self, bot_token: str | None = None) -> bool:
        """True while a getUpdates call of the bot is open (the bot is listening)."""
        return self._waiting_polls.get(self.state.bot(bot_token).token, 0) > 0

    def pending_updates(self, bot_token: str | None = None) -> int:
        """Updates not yet confirmed by an offset."""
        return len(self.state.bot(bot_token).updates)

    def chat_actions(self, chat_id: int | None = None, *, bot_token: str | None = None) -> list[dict[str, Any]]:
        """sendChatAction calls: {"chat_id", "action", "time"}."""
        actions = self.state.bot(bot_token).chat_actions
        return [dict(a) for a in actions if chat_id is None or a["chat_id"] == chat_id]

    def reply_keyboard(self, chat_id: int, *, bot_token: str | None = None) -> dict[str, Any] | None:
        """The last non-inline reply_markup (ReplyKeyboardMarkup/Remove/ForceReply) sent to the chat."""
        return copy.deepcopy(self.state.bot(bot_token).reply_keyboards.get(chat_id))

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = "", *, bot_token: str | None = None
    ) -> list[dict[str, Any]]:
        """Commands set by setMyCommands for exactly this scope and language."""
        key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language_code)
        return copy.deepcopy(self.state.bot(bot_token).commands.get(key, []))

    def file_bytes(self, file_id: str) -> bytes:
        """The bytes behind a file_id (KeyError if unknown)."""
        stored = self.state.files.get(file_id)
        if stored is None:
            raise KeyError(file_id)
        return stored.data

    def subscribe(self, observer: Observer) -> None:
        """Call ``observer(event, data)`` on every bot action: sent, edited, deleted, answered,
        chat_action, pinned, unpinned, poll_stopped."""
        self.state.observers.append(observer)

    def unsubscribe(self, observer: Observer) -> None:
        """Stop calling an observer added with subscribe."""
        self.state.observers.remove(observer)

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float = 5.0, *, description: str | None = None
    ) -> None:
        """Wait until ``predicate()`` holds; re-checked on every state change (and every 0.1 s)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                what = description or getattr(predicate, "__name__", repr(predicate))
                raise TimeoutError(f"{what} did not happen within {timeout} s\n{self.describe()}")
            await self.state.wait_changed(min(remaining, 0.1))

    async def settle(self, *, quiet: float = 0.05, timeout: float = 5.0) -> None:
        """Wait until every bot fetched all its updates, no API call (except getUpdates) is running,
        and none happened for ``quiet`` seconds. Raise TimeoutError otherwise."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            now = loop.time()
            waiting = any(u["update_id"] not in b.delivered_update_ids for b in self.state.bots.values()
                          for u in b.updates)
            idle_for = now - self._last_activity
            if not waiting and self._in_flight == 0 and idle_for >= quiet:
                return
            if now >= deadline:
                raise TimeoutError(f"the bot did not settle within {timeout} s\n{self.describe()}")
            pause = deadline - now if waiting or self._in_flight else quiet - idle_for
            await self.state.wait_changed(min(max(pause, 0.005), deadline - now))

    def describe(self, last: int = 12) -> str:
        """A short report for failure messages: queues, recent requests, errors."""
        lines = []
        for bot in self.state.bots.values():
            undelivered = sum(1 for u in bot.updates if u["update_id"] not in bot.delivered_update_ids)
            lines.append(f"bot {bot.user['username']}: {len(bot.updates)} unconfirmed updates "
                         f"({undelivered} never fetched), {len(bot.dropped_updates)} filtered out by allowed_updates")
        lines.append(f"last {last} requests:")
        lines += [f"  {r}" for r in self.requests[-last:]]
        if self.errors:
            lines.append("errors:")
            lines += [f"  {r}" for r in self.errors[-last:]]
        return "\n".join(lines)

    # ---- HTTP ---------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        token, name = request.match_info["token"], request.match_info["method"]
        record = RecordedRequest(method=name, token=token, time=time.time())
        loop = asyncio.get_running_loop()
        started = loop.time()
        busy = name.lower() != "getupdates"
        self._in_flight += busy
        if not busy:
            self._waiting_polls[token] = self._waiting_polls.get(token, 0) + 1
            self.state.notify()
        try:
            status, payload = await self._answer(request, token, name, record)
        except asyncio.CancelledError:
            record.cancelled = True
            raise
        finally:
            self._in_flight -= busy
            if not busy:
                self._waiting_polls[token] -= 1
            record.duration = loop.time() - started
            if busy or record.response.get("result"):
                self._last_activity = loop.time()
            self.requests.append(record)
            self.state.notify()
        return web.json_response(payload, status=status, dumps=_dumps)

    async def _answer(self, request: web.Request, token: str, name: str,
                      record: RecordedRequest) -> tuple[int, dict[str, Any]]:
        try:
            raw, uploads = await read_parameters(request)
            record.params = dict(raw)
            record.files = [{"field": u.name, "filename": u.filename, "size": u.size} for u in uploads.values()]
            bot = self.state.bots.get(token)
            if bot is None or not _TOKEN_RE.match(token):
                raise unauthorized()
            method = self.spec.method(name)
            if method is None:
                raise not_found()
            record.method = method.name
            handler = HANDLERS.get(method.name)
            if handler is None:
                raise bad_request("method not supported by the emulator")
            parsed = self.spec.parse_params(method, raw, uploads)
            record.params, record.unknown_params = parsed.values, parsed.unknown
            result = await handler(Call(self.state, bot, method.name, parsed.values, self.flood,
                                        self.strict_html_entities))
            payload = self._checked_result(method.name, result)
            status = int(payload.get("error_code", 200))
        except ApiError as error:
            status, payload = error.status, error.payload()
        except Exception as error:  # an emulator bug: answer 500 and keep the details
            log.exception("emulator failed on %s", name)
            status = 500
            payload = {"ok": False, "error_code": 500, "description": f"Internal Server Error: {error!r}"}
            self.spec_violations.append(f"{name}: {error!r}")
        record.status, record.response = status, payload
        return status, payload

    def _checked_result(self, method_name: str, result: Any) -> dict[str, Any]:
        method = self.spec.method(method_name)
        problems = self.spec.result_problems(method, result) if self.self_check and method else []
        if problems:
            detail = f"{method_name} result does not match the spec: " + "; ".join(problems[:5])
            self.spec_violations.append(detail)
            return {"ok": False, "error_code": 500, "description": f"Internal Server Error: {detail}"}
        return {"ok": True, "result": result}

    async def _handle_file(self, request: web.Request) -> web.Response:
        token, path = request.match_info["token"], request.match_info["path"]
        record = RecordedRequest(method="<file download>", token=token, params={"file_path": path}, time=time.time())
        stored = self.state.files.by_path(path)
        if token not in self.state.bots:
            error: ApiError | None = unauthorized()
        elif stored is None:
            error = not_found()
        else:
            error = None
        self.requests.append(record)
        self.state.notify()
        if error is not None or stored is None:
            error = error or not_found()
            record.status, record.response = error.status, error.payload()
            return web.json_response(record.response, status=error.status)
        record.status, record.response = 200, {"ok": True, "size": stored.size}
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")

    async def _handle_unknown_url(self, request: web.Request) -> web.Response:
        return web.json_response(not_found().payload(), status=404)


__all__ = ["BotApiEmulator", "RecordedRequest", "Upload"]
