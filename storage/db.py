"""Engines, sessions and migrations. SQLite (WAL) is the embedded default; PostgreSQL in production."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


# Execution option marking a unit of work that only reads: on SQLite it begins with a plain (deferred)
# BEGIN instead of taking the write lock. Such a unit must not write; SQLite would refuse the upgrade
# from a stale snapshot ("database is locked") instead of waiting.
READ_ONLY = "linli_read_only"
# Execution option of a unit of work of ONE statement (see ``single_statement_factory``): SQLite sends no BEGIN.
SINGLE_STATEMENT = "linli_single_statement"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite files get WAL, foreign keys, a busy timeout and write-locking transactions.

    pysqlite/aiosqlite begin a transaction lazily, just before the first write, so two "check then write"
    units read the same state and both write. Here SQLAlchemy's recipe takes control of BEGIN
    (the driver's own is switched off) and every unit of work starts with ``BEGIN IMMEDIATE``: it holds
    SQLite's single write lock from its first read, so units that write run one after another, like
    ``SELECT … FOR UPDATE`` on PostgreSQL but for the whole database. Units opened with the ``READ_ONLY``
    execution option begin with a plain BEGIN and read a consistent snapshot next to the writer (WAL).

    ``hide_parameters``: a failed statement's error (and so the log) never shows the values, which
    may be a resident's words or phone number.
    """
    kwargs.setdefault("hide_parameters", True)
    if is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            # The driver no longer emits BEGIN (nor COMMIT before DDL); _sqlite_begin below does.
            dbapi_connection.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(connection: Connection) -> None:
            options = connection.get_execution_options()
            if options.get(SINGLE_STATEMENT, False):
                return  # the statement is its own transaction (the driver is in autocommit mode)
            connection.exec_driver_sql("BEGIN" if options.get(READ_ONLY, False) else "BEGIN IMMEDIATE")

        return engine
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def session_factory(engine: AsyncEngine, *, read_only: bool = False) -> async_sessionmaker[AsyncSession]:
    """Sessions (units of work); ``read_only`` ones must not write (on SQLite they do not take the write lock)."""
    options = {READ_ONLY: True} if read_only else {}
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False, execution_options=options)


def single_statement_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for a unit of work of exactly one statement, which is atomic and durable on its own.

    No BEGIN and no COMMIT round trip: SQLite runs the statement in autocommit mode (it commits, with the same
    journal and fsync as any COMMIT, before the statement returns); PostgreSQL runs it with the AUTOCOMMIT
    isolation level. ``session.commit()`` is still called by the caller and costs nothing. Two statements in
    such a session would be two transactions: use :func:`session_factory` for anything else.
    """
    if is_sqlite(str(engine.url)):
        return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False,
                                  execution_options={SINGLE_STATEMENT: True})
    return async_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"), class_=AsyncSession,
                              expire_on_commit=False)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_sync(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (blocking; runs its own event loop)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database to the newest schema from inside a running event loop."""
    await asyncio.to_thread(upgrade_sync, url, revision)


def script_heads(versions: Path = MIGRATIONS_DIR / "versions") -> set[str]:
    """The head revision ids of the migration scripts, read without importing Alembic (~11 MB, ~0.2 s)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in versions.glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            else:
                continue
            if not isinstance(target, ast.Name) or target.id not in {"revision", "down_revision"}:
                continue
            found = ast.literal_eval(value)
            if target.id == "revision":
                revisions.add(found)
            elif found is not None:
                parents.update([found] if isinstance(found, str) else found)
    return revisions - parents


async def at_head(engine: AsyncEngine) -> bool:
    """Whether the database is already at the scripts' head (so a start need not load Alembic)."""
    try:
        async with engine.connect() as connection:
            stamped = set((await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars())
    except DBAPIError:  # no alembic_version table yet: an empty database
        return False
    return stamped == script_heads()


async def upgrade_if_behind(engine: AsyncEngine, url: str) -> None:
    """Migrate to head unless the database is there already (the usual restart: one cheap SELECT)."""
    if not await at_head(engine):
        await upgrade(url)
