"""Domain errors. Each names a catalog key; one place (the router) turns it into a polite reply."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule said no. ``key`` is a message-catalog key, ``params`` fill its placeholders."""

    key = "errors.generic"

    def __init__(self, key: str | None = None, **params: Any) -> None:
        self.key = key or type(self).key
        self.params = params
        super().__init__(self.key)


class NotRegistered(DomainError):
    key = "errors.not_registered"


class NotVerified(DomainError):
    key = "errors.not_verified"


class NotAllowed(DomainError):
    key = "errors.not_allowed"


class CommitteeOnly(DomainError):
    key = "errors.committee_only"


class StaleButton(DomainError):
    key = "errors.stale_button"


class InvalidInput(DomainError):
    key = "errors.invalid_input"


class TooLong(DomainError):
    key = "errors.too_long"


class NotFound(DomainError):
    key = "errors.not_found"


class RateLimited(DomainError):
    key = "errors.rate_limited"
