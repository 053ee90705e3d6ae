"""The aiogram door: long polling, updates → Incoming, actions → Bot API calls (set LINLI_TRANSPORT=aiogram)."""

from __future__ import annotations

import logging
from typing import assert_never

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramRetryAfter, TelegramUnauthorizedError
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    PollAnswer,
    Update,
)

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


def _markup(buttons: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=b.text, callback_data=b.data) if b.data is not None
         else InlineKeyboardButton(text=b.text, url=b.url) for b in row] for row in buttons])


class AiogramMessenger:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def perform(self, action: Action) -> Sent:
        try:
            return await self._perform(action)
        except TelegramRetryAfter as exc:
            raise RetryLater(float(exc.retry_after)) from exc
        except TelegramNetworkError as exc:
            raise SendError(str(exc), permanent=False) from exc
        except TelegramAPIError as exc:
            raise SendError(exc.message) from exc

    async def download(self, file_id: str) -> bytes:
        try:
            file = await self.bot.get_file(file_id)
            if file.file_path is None:
                raise SendError("the file cannot be downloaded")
            data = await self.bot.download_file(file.file_path)
        except TelegramAPIError as exc:
            raise SendError(exc.message) from exc
        if data is None:
            raise SendError("the file cannot be downloaded")
        return data.read()

    async def _perform(self, action: Action) -> Sent:
        bot = self.bot
        match action:
            case SendText():
                message = await bot.send_message(action.chat_id, action.text, reply_markup=_markup(action.buttons))
                return Sent(message.message_id)
            case EditText():
                await bot.edit_message_text(text=action.text, chat_id=action.chat_id, message_id=action.message_id,
                                            reply_markup=_markup(action.buttons))
                return Sent(action.message_id)
            case AnswerButton():
                await bot.answer_callback_query(action.callback_id, text=action.text, show_alert=action.alert)
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
                message = await bot.send_poll(action.chat_id, action.question, options=list(action.options),
                                              question_parse_mode=ParseMode.HTML, is_anonymous=action.anonymous,
                                              allows_multiple_answers=action.multiple_answers,
                                              reply_markup=_markup(action.buttons))
                return Sent(message.message_id, message.poll.id if message.poll is not None else None)
            case StopPoll():
                await bot.stop_poll(action.chat_id, action.message_id, reply_markup=_markup(action.buttons))
                return Sent(action.message_id)
            case _:
                assert_never(action)


def _file(content: bytes | str, file_name: str) -> BufferedInputFile | str:
    """An upload for bytes; a file id as is."""
    return BufferedInputFile(content, filename=file_name) if isinstance(content, bytes) else content


def _sender(user: object) -> Sender:
    return Sender(user_id=user.id, display_name=user.full_name, language_code=user.language_code,  # type: ignore[attr-defined]
                  username=user.username)  # type: ignore[attr-defined]


def _kind(chat_type: str) -> ChatKind:
    return ChatKind.PRIVATE if chat_type == "private" else ChatKind.GROUP


def message_to_incoming(update_id: int, message: Message) -> Incoming | None:
    if message.from_user is None or message.from_user.is_bot:
        return None
    attachment = None
    if message.photo:
        attachment = Attachment("photo", message.photo[-1].file_id, size=message.photo[-1].file_size)
    elif message.document is not None:
        doc = message.document
        attachment = Attachment("document", doc.file_id, doc.file_name, doc.mime_type, doc.file_size)
    return Incoming(update_id=update_id, sender=_sender(message.from_user), chat_id=message.chat.id,
                    chat_kind=_kind(message.chat.type), text=message.text or message.caption,
                    message_id=message.message_id, attachment=attachment)


def callback_to_incoming(update_id: int, query: CallbackQuery) -> Incoming:
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    chat_type = message.chat.type if message is not None else "private"
    return Incoming(update_id=update_id, sender=_sender(query.from_user), chat_id=chat_id,
                    chat_kind=_kind(chat_type), callback_data=query.data or "", callback_id=query.id,
                    message_id=message.message_id if message is not None else None)


def poll_answer_to_incoming(update_id: int, answer: PollAnswer) -> Incoming | None:
    """A user's answer in our poll; None for one cast on behalf of a chat (an anonymous group admin)."""
    if answer.user is None or answer.user.is_bot:
        return None
    return Incoming(update_id=update_id, sender=_sender(answer.user), chat_id=answer.user.id,
                    chat_kind=ChatKind.PRIVATE, poll_answer=PollAnswerIn(answer.poll_id, tuple(answer.option_ids)))


def update_to_incoming(update: Update) -> Incoming | None:
    if update.poll_answer is not None:
        return poll_answer_to_incoming(update.update_id, update.poll_answer)
    if update.callback_query is not None:
        return callback_to_incoming(update.update_id, update.callback_query)
    if update.message is not None:
        return message_to_incoming(update.update_id, update.message)
    return None


class AiogramDoor:
    def __init__(self, app: Linli, token: str, api_url: str | None = None) -> None:
        self.app = app
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url)) if api_url else AiohttpSession()
        self.bot = Bot(token, session=session, default=DefaultBotProperties(
            parse_mode=ParseMode.HTML, link_preview=LinkPreviewOptions(is_disabled=True)))
        self.messenger = limited(AiogramMessenger(self.bot), app.settings)
        self.poller = Poller(app, self.messenger, self._fetch)

    async def _fetch(self, offset: int | None, timeout: int) -> Batch:
        try:
            updates = await self.bot.get_updates(offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES,
                                                 request_timeout=int(self.bot.session.timeout + timeout))
        except TelegramUnauthorizedError as exc:
            raise FetchFailed("the bot token was refused", permanent=True) from exc
        except TelegramAPIError as exc:
            raise FetchFailed(type(exc).__name__) from exc
        return [(update.update_id, update_to_incoming(update)) for update in updates]

    async def set_commands(self) -> None:
        for language in LANGUAGES:
            commands = [BotCommand(command=c, description=d) for c, d in command_list(self.app.translator, language)]
            await self.bot.set_my_commands(commands, language_code=telegram_language_code(language))
        default = [BotCommand(command=c, description=d)
                   for c, d in command_list(self.app.translator, self.app.settings.default_language)]
        await self.bot.set_my_commands(default)

    async def run(self) -> None:
        install_redaction(self.bot.token)
        self.app.attach(self.messenger)
        try:
            try:
                self.app.bot_username = (await self.bot.me()).username
            except TelegramAPIError as exc:
                log.warning("could not ask for the bot's name: %s", type(exc).__name__)
            await run_beside(self.poller.run(), self._set_commands_quietly())
        finally:
            await self.bot.session.close()

    async def _set_commands_quietly(self) -> None:
        try:
            await self.set_commands()
        except TelegramAPIError as exc:
            log.warning("could not set the command list: %s", type(exc).__name__)

    async def stop(self) -> None:
        self.poller.stop()
