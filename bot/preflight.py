"""Checks ``linli run`` makes before starting: a token that looks like one, and a Bot API that accepts it.

Each failure is one clear line for the operator (never the token itself), so a misspelled variable or a
revoked token stops the service with a non-zero exit instead of a traceback or a healthy-looking sandbox.
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.error
import urllib.request

TELEGRAM_API = "https://api.telegram.org"
# What @BotFather hands out: the bot's numeric id, a colon, then (today) 35 letters, digits, '-' or '_'.
TOKEN_SHAPE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{30,80}$")


class PreflightError(Exception):
    """Why the bot cannot start, as one line fit to print."""


def check_token(token: str | None) -> str:
    """The token, or :class:`PreflightError` saying what is wrong with it (without repeating it)."""
    if token is None or not token.strip():
        raise PreflightError(
            "LINLI_BOT_TOKEN is not set: get a token from @BotFather and set LINLI_BOT_TOKEN (or put it in .env). "
            "To try the bot without Telegram, run `linli sandbox --demo`.")
    if TOKEN_SHAPE.match(token):
        return token
    if token != token.strip() or token.strip("\"' ") != token:
        hint = "it has spaces or quotes around it"
    elif token.lower().startswith("bot"):
        hint = "leave out the 'bot' prefix"
    elif ":" not in token:
        hint = "the ':' between the bot id and the secret is missing"
    else:
        hint = f"{len(token)} characters that do not fit"
    raise PreflightError(f"LINLI_BOT_TOKEN is malformed ({hint}): expected '<bot id>:<secret>' "
                         "exactly as @BotFather shows it.")


def _redacted(text: str, token: str) -> str:
    return text.replace(token, "<token>")


async def check_api(token: str, api_url: str | None, timeout: float = 10.0) -> str:
    """Ask the Bot API ``getMe``; the bot's username, or :class:`PreflightError` with one line."""
    base = (api_url or TELEGRAM_API).rstrip("/")
    try:  # the standard library, in a thread: no HTTP client of a framework the configured door does not use
        status, body = await asyncio.to_thread(_get_me, f"{base}/bot{token}/getMe", timeout)
    except (TimeoutError, OSError, ValueError) as exc:
        reason = _redacted(str(exc), token) or type(exc).__name__
        raise PreflightError(f"cannot reach the Bot API at {base} ({reason}): check the network "
                             "or LINLI_BOT_API_URL.") from None
    if status in (401, 404):
        raise PreflightError(f"the Bot API at {base} refused the token ({status}): it was revoked or mistyped; "
                             "copy the current one from @BotFather into LINLI_BOT_TOKEN.")
    if status != 200 or not isinstance(body, dict) or not body.get("ok"):
        raise PreflightError(f"the Bot API at {base} answered getMe with HTTP {status}: is LINLI_BOT_API_URL "
                             "a Bot API server?")
    return str(body.get("result", {}).get("username", ""))


def _get_me(url: str, timeout: float) -> tuple[int, object]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as refused:
        return refused.code, None
