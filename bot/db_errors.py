"""Telling "the database is away" apart from a bug: the first is retried, the second is not."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout


class DatabaseUnavailable(Exception):
    """The database could not be reached; the update stays in the inbox (or unacknowledged)."""


def database_unavailable(exc: BaseException) -> bool:
    """True for lost or refused connections, timeouts, a locked or read-only SQLite file."""
    if isinstance(exc, DatabaseUnavailable | OperationalError | InterfaceError | PoolTimeout):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OSError | TimeoutError | ConnectionError):
        return True
    # asyncpg raises some connection failures unwrapped (e.g. while connecting).
    module = type(exc).__module__
    return module.startswith("asyncpg") and "Connection" in type(exc).__name__
