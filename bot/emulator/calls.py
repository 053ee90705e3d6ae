"""One Bot API call as the method implementations see it, and the helpers they share."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.emulator.errors import bad_request
from bot.emulator.flood import FloodControl
from bot.emulator.formatting import FormattedText, format_text
from bot.emulator.keyboards import check_reply_markup
from bot.emulator.state import BotState, ChatRecord, EmulatorState


@dataclass
class Call:
    """A validated call: who (bot), what (method, coerced params) and the world it acts on."""

    state: EmulatorState
    bot: BotState
    method: str
    params: dict[str, Any]
    flood: FloodControl
    strict_html_entities: bool = True

    def get(self, name: str, default: Any = None) -> Any:
        """A parameter, or ``default`` when absent."""
        return self.params.get(name, default)

    def formatted(self, text_param: str, mode_param: str, entities_param: str, *, caption: bool) -> FormattedText:
        """Parse and check a text or caption parameter like Telegram."""
        return format_text(
            self.get(text_param, ""),
            self.get(mode_param),
            self.get(entities_param),
            caption=caption,
            strict_html_entities=self.strict_html_entities,
            find_user=self.state.find_user,
        )

    def admit(self, record: ChatRecord | None) -> None:
        """Count a message-sending call against flood limits (429 when exceeded)."""
        self.flood.admit(self.bot.id, record.id if record else None, is_group=bool(record and record.is_group))

    def reply_markup(self, *, inline_only: bool = False) -> dict[str, Any] | None:
        """The checked reply_markup parameter, or None."""
        markup = self.get("reply_markup")
        return None if markup is None else check_reply_markup(markup, inline_only=inline_only)

    def reply_to(self, record: ChatRecord) -> dict[str, Any]:
        """``{"reply_to_message": ...}`` per reply_parameters, or {}; 400 if the target is missing."""
        reply = self.get("reply_parameters")
        if not reply:
            return {}
        if not isinstance(reply.get("message_id"), int):
            raise bad_request("can't parse reply parameters JSON object")
        target = self.state.message(self.bot, record.id, reply["message_id"])
        if target is None:
            if reply.get("allow_sending_without_reply"):
                return {}
            raise bad_request("message to be replied not found")
        replied = copy.deepcopy(target)
        replied.pop("reply_to_message", None)
        return {"reply_to_message": replied}

    def post(self, record: ChatRecord, content: dict[str, Any], markup: dict[str, Any] | None) -> dict[str, Any]:
        """Store a new bot message (with its keyboard) and return a copy of it."""
        if markup is not None and "inline_keyboard" in markup:
            if markup["inline_keyboard"]:
                content["reply_markup"] = markup
        elif markup is not None:
            self.bot.reply_keyboards[record.id] = markup
        message = self.state.add_message(self.bot, record, self.bot.sender(), content)
        self.state.emit("sent", message)
        return copy.deepcopy(message)


Handler = Callable[[Call], Awaitable[Any]]
