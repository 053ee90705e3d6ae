"""Test databases: a migrated SQLite file per test, and a PostgreSQL database per test run.

``LINLI_TEST_POSTGRES=required`` (set by .ci/run) turns a missing PostgreSQL server into a failure
instead of a skip.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest

from storage.db import upgrade_sync

T = TypeVar("T")

PG_HOST = os.environ.get("LINLI_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("LINLI_TEST_PG_PORT", "5432"))
PG_ADMIN_DB = os.environ.get("LINLI_TEST_PG_DB", "test")
PG_USER = os.environ.get("LINLI_TEST_PG_USER") or None


def postgres_required() -> bool:
    return os.environ.get("LINLI_TEST_POSTGRES", "").lower() in {"required", "1", "yes", "true"}


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(host=PG_HOST, port=PG_PORT, database=PG_ADMIN_DB, user=PG_USER, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _in_thread(function: Callable[[], T]) -> T:
    """Run blocking set-up (which may start its own event loop) away from any running loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function).result()


def pg_url(database: str) -> str:
    user = f"{PG_USER}@" if PG_USER else ""
    return f"postgresql+asyncpg://{user}{PG_HOST}:{PG_PORT}/{database}"


def create_postgres_database() -> str | None:
    """A fresh, migrated database; None (or a failure, when required) if there is no server."""
    name = f"linli_test_{uuid.uuid4().hex[:10]}"
    try:
        _in_thread(lambda: asyncio.run(_admin(f'CREATE DATABASE "{name}"')))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        if postgres_required():
            pytest.fail(f"PostgreSQL is required (LINLI_TEST_POSTGRES) but not reachable: {exc}")
        return None
    _in_thread(lambda: upgrade_sync(pg_url(name)))
    return name


def drop_postgres_database(name: str) -> None:
    _in_thread(lambda: asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')))


async def truncate_all(url: str) -> None:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"), timeout=5)
    try:
        tables = [row["tablename"] for row in await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'")]
        if tables:
            await connection.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


class SqliteTemplate:
    """Migrate once, copy the file for every test: a clean, fully migrated database in microseconds."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "template.db"
        _in_thread(lambda: upgrade_sync(f"sqlite+aiosqlite:///{self.path}"))

    def fresh(self, directory: Path) -> str:
        target = directory / "linli.db"
        shutil.copyfile(self.path, target)
        return f"sqlite+aiosqlite:///{target}"


def iter_backends() -> Iterator[str]:
    yield "sqlite"
    yield "postgres"
