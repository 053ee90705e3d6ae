"""Helpers for the emulator tests: a raw HTTP client that checks every result against the spec,
and tiny real images."""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any

import aiohttp

from bot.emulator import BotApiEmulator

TOKEN = "4242:emulator-test-token"
ANN, BOB, CAROL = 1001, 1002, 1003


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A valid RGB PNG of the given size."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + b"\x80\x40\x20" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


class RawApi:
    """Plain aiohttp calls to the emulator. Every ok result is checked against the spec's return type."""

    def __init__(self, emu: BotApiEmulator, session: aiohttp.ClientSession, token: str = TOKEN) -> None:
        self.emu, self.session, self.token = emu, session, token

    def url(self, method: str) -> str:
        return f"{self.emu.base_url}/bot{self.token}/{method}"

    async def __call__(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        """POST form-encoded, nested values as JSON strings (what aiogram and PTB do)."""
        form = {k: json.dumps(v) if isinstance(v, (dict, list)) else str(v) for k, v in params.items()}
        async with self.session.post(self.url(method), data=form) as response:
            return self._checked(method, response.status, await response.json())

    async def json(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        async with self.session.post(self.url(method), json=params) as response:
            return self._checked(method, response.status, await response.json())

    async def get(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        async with self.session.get(self.url(method), params={k: str(v) for k, v in params.items()}) as response:
            return self._checked(method, response.status, await response.json())

    async def upload(self, method: str, field: str, data: bytes, filename: str, content_type: str,
                     **params: Any) -> tuple[int, dict[str, Any]]:
        form = aiohttp.FormData()
        for key, value in params.items():
            form.add_field(key, json.dumps(value) if isinstance(value, (dict, list)) else str(value))
        form.add_field(field, data, filename=filename, content_type=content_type)
        async with self.session.post(self.url(method), data=form) as response:
            return self._checked(method, response.status, await response.json())

    async def ok(self, method: str, **params: Any) -> Any:
        """Call and insist on success; return the result."""
        status, body = await self(method, **params)
        assert status == 200 and body["ok"], body
        return body["result"]

    async def fails(self, method: str, status: int, description: str, **params: Any) -> dict[str, Any]:
        """Call and insist on this exact error."""
        got_status, body = await self(method, **params)
        assert (got_status, body) == (status, {"ok": False, "error_code": status, "description": description}), body
        return body

    def _checked(self, method: str, status: int, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if body.get("ok"):
            spec = self.emu.spec.method(method)
            assert spec is not None
            self.emu.spec.assert_conforms(spec.returns, body["result"])
        else:
            assert set(body) <= {"ok", "error_code", "description", "parameters"}, body
            assert body["error_code"] == status
        return status, body
