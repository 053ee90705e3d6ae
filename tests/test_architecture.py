"""What may import what (see README's architecture): checked on the source, so a shortcut fails the suite."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("core", "storage", "handlers", "scheduler", "bot", "locales")
FRAMEWORKS = ("aiogram", "telegram")
SQL = ("sqlalchemy", "sqlmodel", "alembic", "aiosqlite", "asyncpg")
# The port is not closed yet: the context still carries the unit of work's session (issue 7, item 4).
SQL_IN_HANDLERS_STILL = {"handlers/context.py"}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _modules(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def _top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("package", ["core", "storage", "handlers", "scheduler"])
def test_no_framework_outside_the_doors(package: str) -> None:
    offenders = {str(p.relative_to(ROOT)): sorted(i for i in _imports(p) if _top(i) in FRAMEWORKS)
                 for p in _modules(package)}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_core_imports_nothing_of_ours_but_core() -> None:
    offenders = {str(p.relative_to(ROOT)): sorted(i for i in _imports(p) if _top(i) in OURS and _top(i) != "core")
                 for p in _modules("core")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_storage_imports_from_handlers_only_the_port() -> None:
    """The outbox stores the port's actions (pure data); nothing else of handlers, scheduler or bot."""
    offenders = {str(p.relative_to(ROOT)): sorted(i for i in _imports(p) if _top(i) in ("scheduler", "bot")
                                                  or (_top(i) == "handlers" and i != "handlers.port"))
                 for p in _modules("storage")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_scheduler_imports_nothing_from_handlers_but_the_port() -> None:
    offenders = {str(p.relative_to(ROOT)): sorted(i for i in _imports(p)
                                                  if _top(i) == "handlers" and i != "handlers.port")
                 for p in _modules("scheduler")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_handlers_import_no_sql_scheduler_or_bot() -> None:
    offenders = {}
    for path in _modules("handlers"):
        name = str(path.relative_to(ROOT))
        banned = ("scheduler", "bot") + (() if name in SQL_IN_HANDLERS_STILL else SQL)
        found = sorted(i for i in _imports(path) if _top(i) in banned)
        if found:
            offenders[name] = found
    assert offenders == {}
