"""Telegram's MarkdownV2 and legacy Markdown parse modes, after tdlib's parsers.

MarkdownV2 follows ``parse_markdown_v2`` closely: every reserved character
``_*[]()~`>#+-=|{}.!`` outside an entity must be escaped with ``\\``, inside
code only ``` ` ``` and ``\\``. Block quotes are simplified: ``>`` at the start
of a line opens or continues a quote that ends with the last such line.
Legacy Markdown follows ``parse_markdown``: ``*bold*``, ``_italic_``,
``` `code` ```, ```` ```pre``` ```` and ``[text](url)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.emulator.text_entities import EntityParseError, ParsedText, SourceBytes, TextBuilder, link_entity

_RESERVED = frozenset(b"_*[]()~`>#+-=|{}.!")
_CODE_RESERVED = frozenset(b"`")
_SPACES = frozenset(b" \t\r\n\0\v")
_SIMPLE_TYPES = {"Bold": "bold", "Italic": "italic", "Underline": "underline", "Strikethrough": "strikethrough",
                 "Spoiler": "spoiler", "Code": "code"}


def _reserved_error(c: int) -> EntityParseError:
    return EntityParseError(f"Character '{chr(c)}' is reserved and must be escaped with the preceding '\\'")


@dataclass
class _Open:
    kind: str  # tdlib's type name: Bold, Italic, Underline, Strikethrough, Spoiler, Code, Pre, TextUrl
    utf16_offset: int
    byte_offset: int
    text_position: int
    language: str = ""


def parse_markdown_v2(source: str) -> ParsedText:
    """Parse MarkdownV2 into plain text and entities, or raise EntityParseError."""
    return _MarkdownV2Parser(source).run()


class _MarkdownV2Parser:
    def __init__(self, source: str) -> None:
        self.src = SourceBytes(source)
        self.out = TextBuilder()
        self.open: list[_Open] = []
        self.entities: list[dict[str, Any]] = []
        self.quote_start: int | None = None

    def run(self) -> ParsedText:
        src, i = self.src, 0
        size = len(src.data)
        while i < size:
            c = src[i]
            if c == ord("\\") and 0 < src[i + 1] <= 126:
                self.out.add_byte(src[i + 1])
                i += 2
                continue
            in_code = bool(self.open) and self.open[-1].kind in ("Code", "Pre")
            if c == ord(">") and not in_code and (i == 0 or src[i - 1] == ord("\n")):
                if self.quote_start is None:
                    self.quote_start = self.out.utf16
                i += 1
                continue
            if c == ord("\n") and self.quote_start is not None and src[i + 1] != ord(">"):
                self._close_quote()
            reserved = _CODE_RESERVED if in_code else _RESERVED
            if c not in reserved:
                self.out.add_byte(c)
                i += 1
                continue
            i = self._close(i) if self.open and self._is_end(self.open[-1], i) else self._begin(i)
        if self.open:
            top = self.open[-1]
            raise EntityParseError(f"Can't find end of {top.kind} entity at byte offset {top.byte_offset}")
        self._close_quote()
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedText(self.out.text(), self.entities)

    def _close_quote(self) -> None:
        if self.quote_start is not None and self.out.utf16 > self.quote_start:
            self.entities.append(
                {"type": "blockquote", "offset": self.quote_start, "length": self.out.utf16 - self.quote_start}
            )
        self.quote_start = None

    def _is_end(self, top: _Open, i: int) -> bool:
        src, c = self.src, self.src[i]
        ends = {
            "Bold": c == ord("*"),
            "Italic": c == ord("_") and src[i + 1] != ord("_"),
            "Code": c == ord("`"),
            "Pre": c == ord("`") and src[i + 1] == ord("`") and src[i + 2] == ord("`"),
            "TextUrl": c == ord("]"),
            "Underline": c == ord("_") and src[i + 1] == ord("_"),
            "Strikethrough": c == ord("~"),
            "Spoiler": c == ord("|") and src[i + 1] == ord("|"),
        }
        return ends[top.kind]

    def _begin(self, i: int) -> int:
        src, c = self.src, self.src[i]
        begin = i
        language = ""
        if c == ord("_"):
            kind = "Underline" if src[i + 1] == ord("_") else "Italic"
            i += 2 if kind == "Underline" else 1
        elif c in (ord("*"), ord("~"), ord("[")):
            kind = {ord("*"): "Bold", ord("~"): "Strikethrough", ord("["): "TextUrl"}[c]
            i += 1
        elif c == ord("|") and src[i + 1] == ord("|"):
            kind = "Spoiler"
            i += 2
        elif c == ord("`") and src[i + 1] == ord("`") and src[i + 2] == ord("`"):
            kind = "Pre"
            i += 3
            language_end = i
            while src[language_end] not in _SPACES and src[language_end] != ord("`"):
                language_end += 1
            if i != language_end and language_end < len(src.data) and src[language_end] != ord("`"):
                language = src.slice(i, language_end)
                i = language_end
            if src[i] in (ord("\n"), ord("\r")):
                i += 2 if src[i + 1] in (ord("\n"), ord("\r")) and src[i] != src[i + 1] else 1
        elif c == ord("`"):
            kind = "Code"
            i += 1
        else:
            raise _reserved_error(c)
        self.open.append(_Open(kind, self.out.utf16, begin, len(self.out), language))
        return i

    def _close(self, i: int) -> int:
        top = self.open.pop()
        offset, length = top.utf16_offset, self.out.utf16 - top.utf16_offset
        entity: dict[str, Any] | None = None
        if top.kind in _SIMPLE_TYPES:
            entity = {"type": _SIMPLE_TYPES[top.kind], "offset": offset, "length": length}
            i += 2 if top.kind in ("Underline", "Spoiler") else 1
        elif top.kind == "Pre":
            entity = {"type": "pre", "offset": offset, "length": length}
            if top.language:
                entity["language"] = top.language
            i += 3
        else:
            url, i = self._link_target(top, i)
            entity = link_entity(url, offset, length)
        if entity is not None and length > 0:
            self.entities.append(entity)
        return i

    def _link_target(self, top: _Open, i: int) -> tuple[str, int]:
        src = self.src
        if src[i + 1] != ord("("):
            return self.out.text(top.text_position), i + 1
        i += 2
        url_begin = i
        url = bytearray()
        while i < len(src.data) and src[i] != ord(")"):
            if src[i] == ord("\\") and 0 < src[i + 1] <= 126:
                url.append(src[i + 1])
                i += 2
                continue
            url.append(src[i])
            i += 1
        if src[i] != ord(")"):
            raise EntityParseError(f"Can't find end of a URL at byte offset {url_begin}")
        return url.decode("utf-8", errors="replace"), i + 1


def parse_markdown(source: str) -> ParsedText:
    """Parse legacy Markdown into plain text and entities, or raise EntityParseError."""
    src, out = SourceBytes(source), TextBuilder()
    entities: list[dict[str, Any]] = []
    size, i = len(src.data), 0
    while i < size:
        c = src[i]
        if c == ord("\\") and src[i + 1] in b"_*`[":
            out.add_byte(src[i + 1])
            i += 2
            continue
        if c not in b"_*`[":
            out.add_byte(c)
            i += 1
            continue
        begin, end_char, is_pre, language = i, c, False, ""
        if c == ord("["):
            end_char = ord("]")
        i += 1
        if c == ord("`") and src[i] == ord("`") and src[i + 1] == ord("`"):
            i += 2
            is_pre = True
            language_end = i
            while src[language_end] not in _SPACES and src[language_end] != ord("`"):
                language_end += 1
            if i != language_end and language_end < size and src[language_end] != ord("`"):
                language = src.slice(i, language_end)
                i = language_end + 1
        offset = out.utf16
        text_position = len(out)
        while i < size and (src[i] != end_char or (is_pre and not (src[i + 1] == end_char == src[i + 2]))):
            out.add_byte(src[i])
            i += 1
        if i >= size:
            raise EntityParseError(f"Can't find end of the entity starting at byte offset {begin}")
        length = out.utf16 - offset
        entity: dict[str, Any] | None = None
        if c == ord("_"):
            entity = {"type": "italic", "offset": offset, "length": length}
        elif c == ord("*"):
            entity = {"type": "bold", "offset": offset, "length": length}
        elif c == ord("`") and is_pre:
            entity = {"type": "pre", "offset": offset, "length": length}
            if language:
                entity["language"] = language
            i += 2
        elif c == ord("`"):
            entity = {"type": "code", "offset": offset, "length": length}
        else:
            url = out.text(text_position)
            if src[i + 1] == ord("("):
                url_end = i + 2
                while url_end < size and src[url_end] != ord(")"):
                    url_end += 1
                if url_end < size:
                    url = src.slice(i + 2, url_end)
                    i = url_end
            entity = link_entity(url, offset, length)
        i += 1
        if entity is not None and length > 0:
            entities.append(entity)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText(out.text(), entities)
