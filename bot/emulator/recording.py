"""What the emulator remembers about each HTTP call."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RecordedRequest:
    """One Bot API call as received and answered.

    ``params`` are the coerced parameters (raw ones if coercion failed),
    ``files`` lists uploads as {"field", "filename", "size"}, ``unknown_params``
    names parameters the method does not have (Telegram ignores them
    silently), ``cancelled`` is True when the client went away before the
    answer (e.g. a long poll of a stopping bot); ``expected`` is free for tests
    to mark errors they provoked on purpose.
    """

    method: str
    token: str
    params: dict[str, Any] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)
    unknown_params: list[str] = field(default_factory=list)
    response: dict[str, Any] = field(default_factory=dict)
    status: int = 0
    time: float = 0.0
    duration: float = 0.0
    cancelled: bool = False
    expected: bool = False  # tests may mark an error as intended

    @property
    def ok(self) -> bool:
        """True when Telegram would have answered ok."""
        return bool(self.response.get("ok"))

    @property
    def description(self) -> str:
        """The error description ("" for successful calls)."""
        return str(self.response.get("description", ""))

    def __str__(self) -> str:
        outcome = "ok" if self.ok else f"{self.status} {self.description}"
        return f"{self.method}({self.params}) -> {outcome}"
