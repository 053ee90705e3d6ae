"""Typed, signed button payloads.

A payload is ``prefix:field:field~sig`` where ``sig`` is a short HMAC, so a forged or tampered
button is refused before any handler sees it. Keep payloads well under Telegram's 64 bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from core.errors import StaleButton

MAX_BYTES = 64
SIG_CHARS = 8


@dataclass(frozen=True, slots=True)
class Payload:
    prefix: str
    fields: tuple[str, ...]

    def int(self, index: int) -> int:
        try:
            return int(self.fields[index])
        except (IndexError, ValueError) as exc:
            raise StaleButton() from exc

    def str(self, index: int) -> str:
        try:
            return self.fields[index]
        except IndexError as exc:
            raise StaleButton() from exc


class ButtonCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sig(self, body: str) -> str:
        digest = hmac.new(self._secret, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:6]).decode()[:SIG_CHARS]

    def pack(self, prefix: str, *fields: object) -> str:
        body = ":".join([prefix, *(str(f) for f in fields)])
        if "~" in body:
            raise ValueError("'~' is reserved in button payloads")
        data = f"{body}~{self._sig(body)}"
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"button payload over {MAX_BYTES} bytes: {data!r}")
        return data

    def unpack(self, data: str) -> Payload:
        """The payload, or StaleButton for anything unknown, tampered or malformed."""
        body, sep, sig = data.rpartition("~")
        if not sep or not hmac.compare_digest(sig, self._sig(body)):
            raise StaleButton()
        prefix, *fields = body.split(":")
        return Payload(prefix=prefix, fields=tuple(fields))


def codec_for_token(token: str) -> ButtonCodec:
    """A codec whose key is derived from the bot token: stable across restarts and workers."""
    return ButtonCodec(hashlib.sha256(b"linli-buttons:" + token.encode()).digest())
