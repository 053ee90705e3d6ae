"""Telegram's HTML parse_mode, following tdlib's ``parse_html`` rule by rule.

:func:`parse_html` returns the plain text and the MessageEntity list Telegram
would store, or raises :class:`EntityParseError` with a reason worded like
Telegram's (``Unsupported start tag "foo" at byte offset 3``). Byte offsets
count UTF-8 bytes of the source; entity offsets count UTF-16 code units.

One deliberate difference: Telegram keeps an ``&`` that does not start
``&lt;``/``&gt;``/``&amp;``/``&quot;``/``&#NN;``/``&#xHH;`` as a literal
character, although its documentation requires ``&amp;``. With
``strict_ampersand=True`` (the emulator's default) such an ``&`` is an error,
because it means the bot forgot to escape text that may also contain ``<``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.emulator.text_entities import EntityParseError, ParsedText, SourceBytes, TextBuilder, link_entity, utf16_length

__all__ = ["EntityParseError", "ParsedText", "parse_html", "utf16_length"]

ALLOWED_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji", "span", "pre", "code",
     "blockquote"}
)
_SIMPLE_ENTITY_TYPES = {
    "b": "bold", "strong": "bold",
    "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler",
}
_NAMED_ENTITIES = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}
_SPACES = frozenset(b" \t\r\n\0\v")
_LT, _GT, _SLASH, _AMP, _EQ = (ord(c) for c in "<>/&=")
_QUOTES = frozenset(b"'\"")
_NAME_TOKEN = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    byte_position: int
    expandable: bool = False


def parse_html(source: str, *, strict_ampersand: bool = True) -> ParsedText:
    """Parse Telegram HTML into plain text and entities, or raise EntityParseError."""
    return _HtmlParser(source, strict_ampersand).run()


class _HtmlParser:
    def __init__(self, source: str, strict_ampersand: bool) -> None:
        self.src = SourceBytes(source)
        self.strict_ampersand = strict_ampersand
        self.out = TextBuilder()
        self.open_tags: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def run(self) -> ParsedText:
        src, i = self.src, 0
        while i < len(src.data):
            c = src[i]
            if c == _AMP:
                i = self._text_entity(i)
            elif c != _LT:
                self.out.add_byte(c)
                i += 1
            elif src[i + 1] == _SLASH:
                i = self._end_tag(i)
            else:
                i = self._start_tag(i)
        if self.open_tags:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.open_tags[-1].name}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedText(self.out.text(), self.entities)

    # ---- text ---------------------------------------------------------------------------

    def _text_entity(self, i: int) -> int:
        decoded, end = decode_html_entity(self.src, i)
        if decoded is not None:
            self.out.add_code_point(decoded)
            return end
        if self.strict_ampersand:
            name_end = i + 1
            while chr(self.src[name_end]).isalnum() and self.src[name_end] < 128:
                name_end += 1
            if name_end > i + 1:
                shown = self.src.slice(i, name_end + (1 if self.src[name_end] == ord(";") else 0))
                raise EntityParseError(f'Unknown HTML entity "{shown}" (write "&amp;" for "&") at byte offset {i}')
            raise EntityParseError(f'Unescaped "&" (write "&amp;") at byte offset {i}')
        self.out.add_byte(_AMP)
        return i + 1

    # ---- tags ---------------------------------------------------------------------------

    def _start_tag(self, begin: int) -> int:
        src, i = self.src, begin + 1
        while src[i] not in _SPACES and src[i] != _GT:
            i += 1
        if i >= len(src.data):
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        tag_name = src.slice(begin + 1, i).lower()
        if tag_name not in ALLOWED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag_name}" at byte offset {begin}')
        tag = _OpenTag(tag_name, "", self.out.utf16, len(self.out))
        attribute_class = ""
        while src[i] != _GT:
            while i < len(src.data) and src[i] in _SPACES:
                i += 1
            if src[i] == _GT:
                break
            name_begin = i
            while src[i] not in _SPACES and src[i] != _EQ and src[i] != _GT:
                i += 1
            attribute_name = src.slice(name_begin, i).lower()
            if not attribute_name:
                raise EntityParseError(f'Empty attribute name in the tag "{tag_name}" at byte offset {begin}')
            while i < len(src.data) and src[i] in _SPACES:
                i += 1
            if src[i] != _EQ:
                if tag_name == "blockquote" and attribute_name == "expandable":
                    tag.expandable = True
                    continue
                raise EntityParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag_name}" '
                    f"at byte offset {begin}"
                )
            i += 1
            while i < len(src.data) and src[i] in _SPACES:
                i += 1
            if i >= len(src.data):
                raise EntityParseError(f'Unclosed start tag "{tag_name}" at byte offset {begin}')
            value, i = self._attribute_value(i)
            if i >= len(src.data):
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            if tag_name == "a" and attribute_name == "href":
                tag.argument = value
            elif tag_name == "code" and attribute_name == "class" and value.startswith("language-"):
                tag.argument = value[len("language-"):]
            elif tag_name == "span" and attribute_name == "class":
                attribute_class = value
            elif tag_name == "tg-emoji" and attribute_name == "emoji-id":
                tag.argument = value
        if tag_name == "span" and attribute_class != "tg-spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        self.open_tags.append(tag)
        return i + 1

    def _attribute_value(self, i: int) -> tuple[str, int]:
        src = self.src
        if src[i] not in _QUOTES:
            token_begin = i
            while src[i] in _NAME_TOKEN and i < len(src.data):
                i += 1
            if src[i] not in _SPACES and src[i] != _GT:
                raise EntityParseError(f"Unexpected end of name token at byte offset {token_begin}")
            return src.slice(token_begin, i).lower(), i
        quote = src[i]
        i += 1
        value = bytearray()
        while i < len(src.data) and src[i] != quote:
            if src[i] == _AMP:
                decoded, end = decode_html_entity(src, i)
                if decoded is not None:
                    value += chr(decoded).encode("utf-8")
                    i = end
                    continue
            value.append(src[i])
            i += 1
        if src[i] == quote:
            i += 1
        return value.decode("utf-8", errors="replace"), i

    def _end_tag(self, begin: int) -> int:
        src = self.src
        if not self.open_tags:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        i = begin + 2
        while src[i] not in _SPACES and src[i] != _GT:
            i += 1
        end_tag_name = src.slice(begin + 2, i).lower()
        while i < len(src.data) and src[i] in _SPACES:
            i += 1
        if src[i] != _GT:
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        tag = self.open_tags[-1]
        if end_tag_name and end_tag_name != tag.name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag.name}>", found "</{end_tag_name}>"'
            )
        if self.out.utf16 > tag.utf16_offset:
            self._close(tag)
        self.open_tags.pop()
        return i + 1

    def _close(self, tag: _OpenTag) -> None:
        offset, length = tag.utf16_offset, self.out.utf16 - tag.utf16_offset
        simple = _SIMPLE_ENTITY_TYPES.get(tag.name)
        if simple:
            self.entities.append({"type": simple, "offset": offset, "length": length})
        elif tag.name == "blockquote":
            kind = "expandable_blockquote" if tag.expandable else "blockquote"
            self.entities.append({"type": kind, "offset": offset, "length": length})
        elif tag.name == "tg-emoji":
            if not tag.argument.isdigit() or int(tag.argument) == 0:
                raise EntityParseError("Invalid custom emoji identifier specified")
            self.entities.append({"type": "custom_emoji", "offset": offset, "length": length,
                                  "custom_emoji_id": tag.argument})
        elif tag.name == "a":
            url = tag.argument or self.out.text(tag.byte_position)
            entity = link_entity(url, offset, length)
            if entity:
                self.entities.append(entity)
        elif tag.name in ("pre", "code"):
            self._close_code(tag, offset, length)

    def _close_code(self, tag: _OpenTag, offset: int, length: int) -> None:
        last = self.entities[-1] if self.entities else None
        same_range = last is not None and last["offset"] == offset and last["length"] == length
        if tag.name == "pre" and same_range and last is not None and last["type"] == "code":
            language = last.pop("_language", "")
            last["type"] = "pre"
            if language:
                last["language"] = language
        elif tag.name == "code" and same_range and last is not None and last["type"] == "pre":
            if tag.argument:
                last["language"] = tag.argument
        elif tag.name == "pre":
            self.entities.append({"type": "pre", "offset": offset, "length": length})
        else:
            entity: dict[str, Any] = {"type": "code", "offset": offset, "length": length}
            if tag.argument:
                entity["_language"] = tag.argument
            self.entities.append(entity)


def decode_html_entity(src: SourceBytes, pos: int) -> tuple[int | None, int]:
    """Decode ``&lt;``-style or numeric entity at ``pos``: (code point or None, end position)."""
    end = pos + 1
    result = 0
    if src[end] == ord("#"):
        end += 1
        if src[end] == ord("x"):
            end += 1
            while chr(src[end]) in "0123456789abcdefABCDEF" and src[end]:
                result = result * 16 + int(chr(src[end]), 16)
                end += 1
                if result >= 0x10FFFF:
                    return None, pos
        else:
            while chr(src[end]).isdigit() and src[end] < 128:
                result = result * 10 + src[end] - ord("0")
                end += 1
                if result >= 0x10FFFF:
                    return None, pos
        if result == 0 or 0xD800 <= result <= 0xDFFF:
            return None, pos
    else:
        while src[end] < 128 and chr(src[end]).isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(src.data[pos + 1:end])
        if named is None:
            return None, pos
        result = named
    if src[end] == ord(";"):
        end += 1
    return result, end
