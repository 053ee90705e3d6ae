"""Typed, signed buttons: each action is a small class declared once, with a short prefix and typed fields.

    class SupportTopic(Tap, prefix="ts"):
        topic_id: int

    ctx.button(label, SupportTopic(topic.id))            # packs to "ts:42~Ab3dE9xQ" (≤ 64 bytes, checked)

    @router.button(SupportTopic, verified=True)
    async def support(ctx: Context, tap: SupportTopic) -> None: ...

A payload is ``prefix:field:field~sig``; ``sig`` is a short HMAC, so a forged or tampered button is refused
before any handler sees it. Unpacking never raises anything but :class:`StaleButton`: an unknown prefix, a
wrong number of fields, a field of the wrong type, a bad or non-ASCII signature are all "stale".
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
from enum import Enum
from typing import Any, ClassVar, dataclass_transform, get_type_hints

from core.errors import StaleButton

MAX_BYTES = 64
SIG_CHARS = 8
SEPARATOR, SIGN = ":", "~"

_REGISTRY: dict[str, type[Tap]] = {}


@dataclass_transform(frozen_default=True, eq_default=True)
class Tap:
    """Base of every button payload. Subclasses name a unique ``prefix`` and declare typed fields.

    Field types: ``int``, ``str`` (no ``:`` or ``~``), ``bool`` and ``Enum`` subclasses with string values.
    """

    prefix: ClassVar[str]
    _fields: ClassVar[tuple[tuple[str, Any], ...]]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix or SEPARATOR in prefix or SIGN in prefix or not prefix.isascii():
            raise ValueError(f"bad button prefix {prefix!r}")
        if prefix in _REGISTRY and _REGISTRY[prefix].__qualname__ != cls.__qualname__:
            raise ValueError(f"button prefix {prefix!r} of {cls.__qualname__} is taken by "
                             f"{_REGISTRY[prefix].__qualname__}")
        cls.prefix = prefix
        dataclasses.dataclass(frozen=True)(cls)
        _REGISTRY[prefix] = cls

    @classmethod
    def field_types(cls) -> tuple[tuple[str, Any], ...]:
        cached = cls.__dict__.get("_fields")
        if cached is None:
            hints = get_type_hints(cls)
            cached = tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))  # type: ignore[arg-type]
            for name, kind in cached:
                if kind not in (int, str, bool) and not (isinstance(kind, type) and issubclass(kind, Enum)):
                    raise TypeError(f"{cls.__qualname__}.{name}: buttons carry int, str, bool or Enum, not {kind}")
            cls._fields = cached
        return cached


def registered(prefix: str) -> type[Tap] | None:
    return _REGISTRY.get(prefix)


def _encode(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def _decode(kind: Any, text: str) -> object:
    if kind is bool:
        if text not in ("0", "1"):
            raise ValueError(text)
        return text == "1"
    if kind is int:
        if not text or not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 20:
            raise ValueError(text)
        return int(text)
    if kind is str:
        return text
    return kind(text)  # an Enum: ValueError for an unknown member


class ButtonCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sig(self, body: str) -> str:
        digest = hmac.new(self._secret, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:6]).decode()[:SIG_CHARS]

    def pack(self, tap: Tap) -> str:
        values = [_encode(getattr(tap, name)) for name, _ in type(tap).field_types()]
        for value in values:
            if SEPARATOR in value or SIGN in value:
                raise ValueError(f"{type(tap).__qualname__}: {value!r} may not contain ':' or '~'")
        body = SEPARATOR.join([tap.prefix, *values])
        data = f"{body}{SIGN}{self._sig(body)}"
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"button payload over {MAX_BYTES} bytes: {data!r}")
        return data

    def unpack(self, data: str) -> Tap:
        """The button, or StaleButton for anything unknown, tampered or malformed."""
        body, sep, sig = data.rpartition(SIGN)
        if not sep or not sig.isascii() or not hmac.compare_digest(sig.encode(), self._sig(body).encode()):
            raise StaleButton()
        prefix, *fields = body.split(SEPARATOR)
        kind = _REGISTRY.get(prefix)
        if kind is None:
            raise StaleButton()
        types = kind.field_types()
        if len(fields) != len(types):
            raise StaleButton()
        try:
            values = {name: _decode(field_type, text) for (name, field_type), text in zip(types, fields, strict=True)}
            return kind(**values)
        except (ValueError, TypeError) as exc:
            raise StaleButton() from exc


def codec_for_token(token: str) -> ButtonCodec:
    """A codec whose key is derived from the bot token: stable across restarts and workers."""
    return ButtonCodec(hashlib.sha256(b"linli-buttons:" + token.encode()).digest())
