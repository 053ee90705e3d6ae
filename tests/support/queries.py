"""Count the SQL statements a piece of work runs (Zulip-style query budgets).

    with count_queries(app.engine) as queries:
        await alice.tap("topics.btn.support", count=1)
    assert len(queries) <= 8, queries.report()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass
class Queries:
    """The statements seen, in order (SQL text with its first line only, parameters left out)."""

    statements: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.statements)

    def touching(self, table: str) -> list[str]:
        """The statements that read or write ``table``."""
        return [s for s in self.statements if f" {table} " in f" {s} " or f" {table}." in s]

    def without(self, table: str) -> list[str]:
        mine = set(self.touching(table))
        return [s for s in self.statements if s not in mine]

    def report(self) -> str:
        return f"{len(self)} statements:\n" + "\n".join(f"  {i + 1}. {s}" for i, s in enumerate(self.statements))


@contextmanager
def count_queries(engine: AsyncEngine) -> Iterator[Queries]:
    """Every statement the engine's connections execute inside the ``with`` block."""
    queries = Queries()

    def before_cursor_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # SQLite's BEGIN IMMEDIATE is sent as a statement; PostgreSQL's BEGIN is the driver's: count neither
        if not statement.lstrip().upper().startswith("BEGIN"):
            queries.statements.append(" ".join(statement.split())[:200])

    target = engine.sync_engine
    event.listen(target, "before_cursor_execute", before_cursor_execute)
    try:
        yield queries
    finally:
        event.remove(target, "before_cursor_execute", before_cursor_execute)

# What the inbox adds to every update on the hot path (issue 6): the INSERT committed before Telegram is told it
# arrived, and the claim (marked done) inside the unit of work, only as the user's oldest pending update. Budget
# tests assert it apart from the unit of work's own statements.
INBOX_STATEMENTS = 2
