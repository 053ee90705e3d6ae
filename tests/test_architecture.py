"""What may import what (see README's architecture): checked on the source, so a shortcut fails the suite."""

from __future__ import annotations

import ast
import importlib
from functools import cache
from pathlib import Path

import pytest
from sqlmodel import SQLModel

ROOT = Path(__file__).resolve().parents[1]
OURS = ("core", "storage", "handlers", "scheduler", "bot", "locales")
FRAMEWORKS = ("aiogram", "telegram")
SQL = ("sqlalchemy", "sqlmodel", "alembic", "aiosqlite", "asyncpg")


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
        found = sorted(i for i in _imports(path) if _top(i) in ("scheduler", "bot", *SQL))
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}


# ---- the closed port: no ORM rows and no session in handlers ----------------------------------------------------


def _is_table(value: object) -> bool:
    return isinstance(value, type) and issubclass(value, SQLModel) and hasattr(value, "__table__")


@cache
def _tables_of(module: str) -> frozenset[str]:
    """The names under which ``module`` (a storage module) offers an ORM table class."""
    try:
        found = importlib.import_module(module)
    except ImportError:
        return frozenset()
    return frozenset(name for name, value in vars(found).items() if _is_table(value))


def orm_uses(source: str) -> list[str]:
    """ORM table classes a handler source reaches: ``from storage.x import Table`` or ``x.Table`` on a storage module
    it imported (``from storage import x`` / ``import storage.x as x``)."""
    found: list[str] = []
    modules: dict[str, str] = {}  # local name → storage module
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and _top(node.module) == "storage":
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                if alias.name in _tables_of(node.module):
                    found.append(f"{node.module}.{alias.name}")
                elif _tables_of(submodule) or submodule.count(".") == 1:
                    modules[alias.asname or alias.name] = submodule
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _top(alias.name) == "storage" and alias.asname:
                    modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
                and node.attr in _tables_of(modules[node.value.id])):
            found.append(f"{modules[node.value.id]}.{node.attr}")
    return found


def session_uses(source: str) -> list[int]:
    """Lines where a handler source reaches for a session: ``x.session`` or ``getattr(x, "session")``."""
    def reaches(node: ast.AST) -> bool:
        if isinstance(node, ast.Attribute):
            return node.attr == "session"
        return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
                and any(isinstance(a, ast.Constant) and a.value == "session" for a in node.args))

    return [node.lineno for node in ast.walk(ast.parse(source)) if reaches(node)]


def test_the_checks_see_a_violation() -> None:
    """The two checks below catch what they are for (and do not flag the read models)."""
    assert orm_uses("from storage.topics import Topic, TopicView") == ["storage.topics.Topic"]
    assert orm_uses("from storage import topics\nx: topics.TopicEvent") == ["storage.topics.TopicEvent"]
    assert orm_uses("import storage.residents as people\nr = people.Resident") == ["storage.residents.Resident"]
    assert orm_uses("from storage.residents import Who\nfrom storage import topics\ntopics.read_topic") == []
    assert session_uses("async def h(ctx):\n    await ctx.session.flush()") == [2]
    assert session_uses("s = getattr(ctx.uow, 'session')") == [1]
    assert session_uses("await topics.read_topic(ctx.uow, 1, 2)") == []


def test_no_handler_uses_an_orm_table_class() -> None:
    """Handlers get read models (frozen dataclasses) from use cases, never ORM rows; so they never name a table."""
    offenders = {str(p.relative_to(ROOT)): orm_uses(p.read_text(encoding="utf-8")) for p in _modules("handlers")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_handler_touches_a_session() -> None:
    """Handlers pass ``ctx.uow`` (an opaque unit of work) to use cases; only storage opens it."""
    offenders = {str(p.relative_to(ROOT)): session_uses(p.read_text(encoding="utf-8")) for p in _modules("handlers")}
    assert {k: v for k, v in offenders.items() if v} == {}
