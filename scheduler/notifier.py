"""The notifier: turns notices into outbox rows, each rendered in its recipient's language.

The one place where messages to other people are written: handlers (through the app, after a use case) and
scheduler jobs both hand their notices here, inside the same unit of work as the change they report.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from core.notices import (
    Bilingual,
    Chart,
    Clipped,
    Label,
    Labels,
    Lines,
    Link,
    Notice,
    NoticeButton,
    Param,
    When,
    outbox_key,
)
from core.text import TEXT_LIMIT, clip, parsed_length
from handlers.port import (
    Button,
    ButtonCodec,
    CouncilTopics,
    DecideJoin,
    DeskTopic,
    EventsHome,
    MeetingDesk,
    OpenBallot,
    OpenEvent,
    OpenMeeting,
    OpenMenu,
    OpenTopic,
    SendPhoto,
    SendText,
    Tap,
)
from locales.catalogs import Translator
from storage import outbox
from storage.community import AnyCommunity
from storage.outbox import NORMAL, URGENT

LINKS: dict[Link, Callable[[int], Tap]] = {
    Link.MENU: lambda _: OpenMenu(),
    Link.TOPIC: OpenTopic,
    Link.DESK_TOPIC: DeskTopic,
    Link.COUNCIL_TOPICS: lambda _: CouncilTopics(),
    Link.APPROVE_JOIN: lambda request: DecideJoin(request, True),
    Link.REJECT_JOIN: lambda request: DecideJoin(request, False),
    Link.BALLOT: OpenBallot,
    Link.MEETING: OpenMeeting,
    Link.MEETING_DESK: MeetingDesk,
    Link.EVENT: OpenEvent,
    Link.EVENTS: lambda _: EventsHome(),
}
CAPTION_LIMIT = 1024
TAG = re.compile(r"<[^>]+>")


class Notifier:
    def __init__(self, translator: Translator, codec: ButtonCodec, default_language: str) -> None:
        self.translator = translator
        self.codec = codec
        self.default_language = default_language

    def render(self, notice: Notice, language: str, timezone: str) -> str:
        """The notice in ``language``; if what people typed makes it too long, the longest such text is clipped."""
        values = {name: self._value(value, language, timezone) for name, value in notice.params.items()}
        text = self.translator(language, notice.text, **values)
        over = parsed_length(text) - TEXT_LIMIT
        typed = {name: value.text if isinstance(value, Clipped) else value for name, value in notice.params.items()
                 if isinstance(value, str | Clipped)}
        if over > 0 and typed:
            name = max(typed, key=lambda n: len(typed[n]))
            values[name] = html.escape(clip(typed[name], max(len(typed[name]) - over - 1, 1)), quote=False)
            text = self.translator(language, notice.text, **values)
        return text

    def _value(self, value: Param, language: str, timezone: str) -> str | int | float:
        match value:
            case bool() | int() | float():
                return value
            case str():
                return html.escape(value, quote=False)
            case Clipped(text=text, limit=limit):
                return html.escape(clip(text, limit), quote=False)
            case Bilingual(zh=zh, en=en):
                return html.escape(zh if language.startswith("zh") else en, quote=False)
            case Label(key=key, params=params):
                return self.translator(language, key, **{name: self._value(value, language, timezone)
                                                         for name, value in params})
            case Labels(keys=keys, separator_key=separator):
                joiner = "\n" if separator is None else self.translator(language, separator)
                return joiner.join(self.translator(language, k) for k in keys)
            case When(moment=moment, format=fmt):
                return moment.astimezone(ZoneInfo(timezone)).strftime(fmt)
            case Lines(items=items, joiner=joiner):
                return joiner.join(str(self._value(item, language, timezone)) for item in items)
        raise TypeError(f"unknown notice parameter {value!r}")  # pragma: no cover - Param is closed

    def plain(self, value: Param, language: str, timezone: str) -> str:
        """A parameter as plain text (a chart's labels): rendered, then tags and entities undone."""
        return html.unescape(TAG.sub("", str(self._value(value, language, timezone))))

    def chart(self, chart: Chart, language: str, timezone: str) -> bytes:
        """The chart as PNG; characters the chart fonts lack (an emoji in a catalog line or a typed name) are left
        out of the picture rather than drawn as empty boxes — the caption carries the text in full."""
        from storage.charts import Bar, ChartSpec, bar_chart, renderable

        def text(value: Param) -> str:
            return "\n".join(renderable(line) for line in self.plain(value, language, timezone).splitlines())

        return bar_chart(ChartSpec(
            title=text(chart.title), subtitle=text(chart.subtitle),
            bars=tuple(Bar(text(b.label), b.value, b.highlight) for b in chart.bars), unit=text(chart.unit)))

    def button(self, spec: NoticeButton, language: str) -> Button:
        return Button(text=self.translator(language, spec.label), data=self.codec.pack(LINKS[spec.link](spec.target)))

    async def queue(self, session: AsyncSession, community: AnyCommunity, notices: Iterable[Notice],
                    now: datetime) -> int:
        """Write one outbox row per notice and recipient (unless already queued); returns how many were new."""
        queued = 0
        for notice in notices:
            drawn: dict[str, bytes] = {}  # a chart is drawn once per language, not once per recipient
            for recipient in notice.recipients:
                language = recipient.language or self.default_language
                keyboard = [[self.button(spec, language) for spec in row] for row in notice.buttons]
                text = self.render(notice, language, community.timezone)
                message: SendText | SendPhoto = SendText(recipient.chat_id, text, keyboard or None)
                if notice.chart is not None:
                    if language not in drawn:
                        drawn[language] = self.chart(notice.chart, language, community.timezone)
                    if parsed_length(text) > CAPTION_LIMIT:
                        text = html.escape(clip(html.unescape(TAG.sub("", text)), CAPTION_LIMIT - 1), quote=False)
                    message = SendPhoto(recipient.chat_id, drawn[language], text, keyboard or None)
                if await outbox.enqueue(session, message, outbox_key(notice.key, recipient.chat_id), now,
                                        community_id=community.id, not_before=notice.not_before,
                                        priority=URGENT if notice.urgent else NORMAL):
                    queued += 1
        return queued
