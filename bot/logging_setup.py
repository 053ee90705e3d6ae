"""Logging without secrets: the bot token is cut out of every record, whoever logs it.

aiogram, PTB, httpx and aiohttp put the request URL (``…/bot<TOKEN>/getUpdates``) into messages and
exception texts. :func:`install_redaction` wraps the log record factory, so every record, from any
logger and for any handler added before or after, carries ``[token]`` instead, in its message,
its arguments, its exception text and its stack text.
"""

from __future__ import annotations

import logging
import threading
import traceback
from typing import Any

REPLACEMENT = "[token]"

_lock = threading.Lock()
_secrets: list[str] = []
_installed = False


def _variants(token: str) -> list[str]:
    """The token as it may appear: whole, URL-encoded, and its secret part alone."""
    found = [token, token.replace(":", "%3A"), token.replace(":", "%3a")]
    secret = token.split(":", 1)[1] if ":" in token else ""
    if len(secret) >= 8:
        found.append(secret)
    return found


def redact(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REPLACEMENT)
    return text


class TokenRedactor(logging.Filter):
    """Rewrites a record so that no registered secret remains in it (also usable as a handler filter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what there is
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_redactor = TokenRedactor()


def install_redaction(token: str | None) -> None:
    """Cut ``token`` out of every log record from now on (idempotent; several tokens may be added)."""
    global _installed
    if not token:
        return
    with _lock:
        for variant in _variants(token):
            if variant not in _secrets:
                _secrets.append(variant)
        _secrets.sort(key=len, reverse=True)  # whole token before its secret part
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _redactor.filter(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True


def configure(verbose: bool = False, token: str | None = None) -> None:
    """The CLI's logging: INFO (DEBUG with ``verbose``), chatty libraries quieter, the token redacted."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not verbose:
        for noisy in ("aiogram.event", "httpx", "httpcore", "apscheduler.executors.default"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    quiet_drivers()
    install_redaction(token)


SQL_DRIVERS = ("aiosqlite",)


def quiet_drivers() -> None:
    """Database drivers log every statement with its parameters at DEBUG (aiosqlite does): what residents typed
    and how they voted. They stay at INFO even with ``--verbose``."""
    for driver in SQL_DRIVERS:
        logging.getLogger(driver).setLevel(logging.INFO)
