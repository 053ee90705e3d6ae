"""The unit of work as handlers see it: an opaque handle they pass to use cases, never a session.

A use case is an ``async def`` in ``storage/`` whose first parameter is a :class:`Unit`; it reads and writes
through ``unit.session`` and returns a read model (a frozen dataclass, never an ORM row) and, where other
people must hear of it, :class:`core.notices.Notice` values. Handlers never touch ``.session``
(``tests/test_architecture.py`` checks it on the source).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Unit:
    """One transaction, opened and committed by the app around one update (or one scheduler tick)."""

    session: AsyncSession


_NAMES: dict[type, tuple[str, ...]] = {}


def snapshot(cls: type[T], row: Any) -> T:
    """The read model ``cls`` (a dataclass) of an ORM row: each of its fields copied from the same-named attribute."""
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    return cls(**{name: getattr(row, name) for name in names})
