"""A database that goes away on command: PostgreSQL behind a TCP proxy we control, or a SQLite file moved away.

Both are real failures for the app: refused and cut connections for PostgreSQL; "unable to open
database file" for SQLite (the app gets an engine without a pool, so every unit of work opens the file).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from storage.db import create_engine, is_sqlite


class Switchable(Protocol):
    url: str

    async def start(self) -> None: ...

    async def down(self) -> None: ...

    async def up(self) -> None: ...

    def engine(self) -> AsyncEngine: ...


class PostgresProxy:
    """Forwards 127.0.0.1:<port> to the real server; ``down`` cuts every connection and refuses new ones."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.target = (parsed.host or "127.0.0.1", parsed.port or 5432)
        self._parsed = parsed
        self.port = 0
        self.url = url
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]
        self.url = self._parsed.set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update({writer, upstream_writer})
        await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while chunk := await reader.read(65536):
                writer.write(chunk)
                await writer.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            writer.transport.abort()

    async def down(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        await asyncio.sleep(0)  # let the aborts reach both ends

    async def up(self) -> None:
        await self.start()

    def engine(self) -> AsyncEngine:
        return create_engine(self.url)


class SqliteAway:
    """Moves the database file aside and leaves a directory in its place (as when a volume goes away)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = Path(make_url(url).database or "")

    async def start(self) -> None:
        pass

    async def down(self) -> None:
        os.rename(self.path, self.path.with_suffix(".away"))
        os.mkdir(self.path)

    async def up(self) -> None:
        os.rmdir(self.path)
        os.rename(self.path.with_suffix(".away"), self.path)

    def engine(self) -> AsyncEngine:
        return create_engine(self.url, poolclass=NullPool)


def switchable(url: str) -> Switchable:
    return SqliteAway(url) if is_sqlite(url) else PostgresProxy(url)


@contextlib.asynccontextmanager
async def outage(database: Switchable):  # type: ignore[no-untyped-def]
    await database.down()
    try:
        yield
    finally:
        await database.up()
