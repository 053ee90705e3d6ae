"""The python-telegram-bot door: the same handlers, driven by PTB's Application and long polling."""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta
from typing import assert_never

from telegram import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputPollOption,
    LinkPreviewOptions,
    Message,
    PollAnswer,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, ApplicationBuilder, Defaults
from telegram.warnings import PTBUserWarning

from bot.app import Linli
from bot.doors.common import command_list, telegram_language_code
from bot.doors.polling import ALLOWED_UPDATES, Batch, FetchFailed, Poller, run_beside
from bot.limits import limited
from bot.logging_setup import install_redaction
from handlers.port import (
    Action,
    AnswerButton,
    Attachment,
    ChatKind,
    EditText,
    Incoming,
    Keyboard,
    RetryLater,
    SendDocument,
    Sender,
    SendError,
    SendPhoto,
    SendPoll,
    SendText,
    Sent,
    StopPoll,
)
from handlers.port import PollAnswer as PollAnswerIn
from locales.catalogs import LANGUAGES

log = logging.getLogger(__name__)
# sendPoll and the hot path's sends go through do_api_request on purpose (see PtbMessenger._perform); PTB suggests
# its own methods.
warnings.filterwarnings("ignore", category=PTBUserWarning,
                        message=r"Please use 'Bot\.(sendPoll|sendMessage|editMessageText|answerCallbackQuery)'")
# What Defaults(parse_mode=HTML, link_preview_options=disabled) adds to a text message, for the raw requests.
_TEXT_DEFAULTS: dict[str, object] = {"parse_mode": ParseMode.HTML, "link_preview_options": {"is_disabled": True}}


def _markup(buttons: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(b.text, callback_data=b.data) if b.data is not None
         else InlineKeyboardButton(b.text, url=b.url) for b in row] for row in buttons])


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class PtbMessenger:
    def __init__(self, application: Application) -> None:  # type: ignore[type-arg]
        self.bot = application.bot

    async def perform(self, action: Action) -> Sent:
        try:
            return await self._perform(action)
        except RetryAfter as exc:
            raise RetryLater(_seconds(exc.retry_after)) from exc
        except (TimedOut, NetworkError) as exc:
            if type(exc) in (TimedOut, NetworkError):
                raise SendError(str(exc), permanent=False) from exc
            raise SendError(exc.message) from exc
        except TelegramError as exc:
            raise SendError(exc.message) from exc

    async def download(self, file_id: str) -> bytes:
        try:
            file = await self.bot.get_file(file_id)
            return bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            raise SendError(exc.message) from exc

    async def _perform(self, action: Action) -> Sent:
        bot = self.bot
        match action:
            # The three actions of nearly every update go out as raw requests: the same parameters PTB's methods
            # send (with the door's defaults), without building PTB objects from the answer (~0.4 ms each).
            case SendText():
                message_parameters = {"chat_id": action.chat_id, "text": action.text, **_TEXT_DEFAULTS}
                if action.buttons:
                    message_parameters["reply_markup"] = _markup(action.buttons)
                sent = await bot.do_api_request("sendMessage", message_parameters)
                return Sent(int(sent["message_id"]))
            case EditText():
                edit_parameters = {"chat_id": action.chat_id, "message_id": action.message_id, "text": action.text,
                                   **_TEXT_DEFAULTS}
                if action.buttons:
                    edit_parameters["reply_markup"] = _markup(action.buttons)
                await bot.do_api_request("editMessageText", edit_parameters)
                return Sent(action.message_id)
            case AnswerButton():
                answer: dict[str, object] = {"callback_query_id": action.callback_id, "show_alert": action.alert}
                if action.text is not None:
                    answer["text"] = action.text
                await bot.do_api_request("answerCallbackQuery", answer)
                return Sent()
            case SendDocument():
                message = await bot.send_document(action.chat_id, _file(action.content, action.file_name),
                                                  caption=action.caption)
                return Sent(message.message_id)
            case SendPhoto():
                message = await bot.send_photo(action.chat_id, _file(action.photo, "photo.png"),
                                               caption=action.caption, reply_markup=_markup(action.buttons))
                return Sent(message.message_id)
            case SendPoll():
                # Not bot.send_poll: with Defaults(parse_mode=…) PTB adds a "parse_mode" that sendPoll does
                # not have, and gives every option the HTML parse mode (options are plain text here).
                parameters: dict[str, object] = {
                    "chat_id": action.chat_id, "question": action.question, "question_parse_mode": ParseMode.HTML,
                    "options": [InputPollOption(option) for option in action.options],
                    "is_anonymous": action.anonymous, "allows_multiple_answers": action.multiple_answers}
                if action.buttons:
                    parameters["reply_markup"] = _markup(action.buttons)
                message = await bot.do_api_request("sendPoll", parameters, return_type=Message)
                return Sent(message.message_id, message.poll.id if message.poll is not None else None)
            case StopPoll():
                await bot.stop_poll(action.chat_id, action.message_id, reply_markup=_markup(action.buttons))
                return Sent(action.message_id)
            case _:
                assert_never(action)


def _file(content: bytes | str, file_name: str) -> InputFile | str:
    """An upload for bytes; a file id as is."""
    return InputFile(content, filename=file_name) if isinstance(content, bytes) else content


def _kind(chat_type: str) -> ChatKind:
    return ChatKind.PRIVATE if chat_type == "private" else ChatKind.GROUP


def message_to_incoming(update_id: int, message: Message) -> Incoming | None:
    user = message.from_user
    if user is None or user.is_bot:
        return None
    attachment = None
    if message.photo:
        attachment = Attachment("photo", message.photo[-1].file_id, size=message.photo[-1].file_size)
    elif message.document is not None:
        doc = message.document
        attachment = Attachment("document", doc.file_id, doc.file_name, doc.mime_type, doc.file_size)
    return Incoming(update_id=update_id,
                    sender=Sender(user.id, user.full_name, user.language_code, user.username),
                    chat_id=message.chat.id, chat_kind=_kind(message.chat.type),
                    text=message.text or message.caption, message_id=message.message_id, attachment=attachment)


def callback_to_incoming(update_id: int, query: CallbackQuery) -> Incoming:
    user, message = query.from_user, query.message
    return Incoming(update_id=update_id,
                    sender=Sender(user.id, user.full_name, user.language_code, user.username),
                    chat_id=message.chat.id if message is not None else user.id,
                    chat_kind=_kind(message.chat.type) if message is not None else ChatKind.PRIVATE,
                    callback_data=query.data or "", callback_id=query.id,
                    message_id=message.message_id if message is not None else None)


def poll_answer_to_incoming(update_id: int, answer: PollAnswer) -> Incoming | None:
    """A user's answer in our poll; None for one cast on behalf of a chat (an anonymous group admin)."""
    user = answer.user
    if user is None or user.is_bot:
        return None
    return Incoming(update_id=update_id, sender=Sender(user.id, user.full_name, user.language_code, user.username),
                    chat_id=user.id, chat_kind=ChatKind.PRIVATE,
                    poll_answer=PollAnswerIn(answer.poll_id, tuple(answer.option_ids)))


def update_to_incoming(update: Update) -> Incoming | None:
    if update.poll_answer is not None:
        return poll_answer_to_incoming(update.update_id, update.poll_answer)
    if update.callback_query is not None:
        return callback_to_incoming(update.update_id, update.callback_query)
    if update.message is not None:
        return message_to_incoming(update.update_id, update.message)
    return None


class PtbDoor:
    def __init__(self, app: Linli, token: str, api_url: str | None = None) -> None:
        self.app = app
        self.token = token
        builder = (ApplicationBuilder().token(token).updater(None).job_queue(None)
                   .defaults(Defaults(parse_mode=ParseMode.HTML,
                                      link_preview_options=LinkPreviewOptions(is_disabled=True))))
        if api_url:
            base = api_url.rstrip("/")
            builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
        self.application = builder.build()
        self.messenger = limited(PtbMessenger(self.application), app.settings)
        self.poller = Poller(app, self.messenger, self._fetch)

    async def _fetch(self, offset: int | None, timeout: int) -> Batch:
        try:
            updates = await self.application.bot.get_updates(offset=offset, timeout=timeout,
                                                             allowed_updates=ALLOWED_UPDATES,
                                                             read_timeout=timeout + 10)
        except InvalidToken as exc:
            raise FetchFailed("the bot token was refused", permanent=True) from exc
        except TelegramError as exc:
            raise FetchFailed(type(exc).__name__) from exc
        return [(update.update_id, update_to_incoming(update)) for update in updates]

    async def set_commands(self) -> None:
        bot = self.application.bot
        for language in LANGUAGES:
            await bot.set_my_commands([BotCommand(c, d) for c, d in command_list(self.app.translator, language)],
                                      language_code=telegram_language_code(language))
        await bot.set_my_commands([BotCommand(c, d) for c, d in
                                   command_list(self.app.translator, self.app.settings.default_language)])

    async def run(self) -> None:
        install_redaction(self.token)
        self.app.attach(self.messenger)
        application = self.application
        await application.initialize()
        self.app.bot_username = application.bot.username
        try:
            try:
                await application.bot.delete_webhook()  # getUpdates is refused while a webhook is set
            except TelegramError as exc:
                log.warning("could not delete the webhook: %s", type(exc).__name__)
            await run_beside(self.poller.run(), self._set_commands_quietly())
        finally:
            await application.shutdown()

    async def _set_commands_quietly(self) -> None:
        try:
            await self.set_commands()
        except TelegramError as exc:
            log.warning("could not set the command list: %s", type(exc).__name__)

    async def stop(self) -> None:
        self.poller.stop()
