"""getUpdates long polling and the webhook settings that exclude it.

* ``offset`` > 0 confirms (forgets) every update with a smaller id; a
  negative offset keeps only the last ``-offset`` updates.
* ``timeout`` seconds of waiting end as soon as an update is queued.
* ``allowed_updates`` replaces the bot's filter; it applies to updates
  pushed afterwards (earlier ones stay queued, as on Telegram).
* A second getUpdates while one is waiting ends the first with 409
  "Conflict: terminated by other getUpdates request ...".
* While a webhook is set, getUpdates answers 409 like Telegram.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from bot.emulator.calls import Call, Handler
from bot.emulator.errors import bad_request, conflict
from bot.emulator.state import DEFAULT_UPDATE_TYPES, UPDATE_TYPES, BotState

SUPERSEDED = "terminated by other getUpdates request; make sure that only one bot instance is running"
WEBHOOK_ACTIVE = "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
_SUPERSEDED_GRACE = 0.05  # lets a cancelled client's disconnect arrive before we answer 409


def confirm_offset(bot: BotState, offset: int) -> None:
    """Apply getUpdates' offset: forget confirmed updates."""
    if offset > 0:
        bot.updates = [u for u in bot.updates if u["update_id"] >= offset]
        bot.confirmed_update_id = max(bot.confirmed_update_id, min(offset - 1, bot.next_update_id - 1))
    elif offset < 0 and len(bot.updates) > -offset:
        dropped, bot.updates = bot.updates[:offset], bot.updates[offset:]
        bot.confirmed_update_id = max(bot.confirmed_update_id, dropped[-1]["update_id"])


def _allowed(types: list[str]) -> frozenset[str]:
    chosen = frozenset(types) & frozenset(UPDATE_TYPES)
    return chosen or DEFAULT_UPDATE_TYPES


async def get_updates(call: Call) -> list[dict[str, Any]]:
    """getUpdates with long polling."""
    bot, state = call.bot, call.state
    if bot.webhook.get("url"):
        raise conflict(WEBHOOK_ACTIVE)
    bot.poll_generation += 1
    generation = bot.poll_generation
    state.notify()
    offset = call.get("offset")
    if offset:
        confirm_offset(bot, offset)
    if call.get("allowed_updates") is not None:
        bot.allowed_updates = _allowed(call.params["allowed_updates"])
    limit = min(max(call.get("limit", 100), 1), 100)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max(call.get("timeout", 0), 0)
    while True:
        if bot.poll_generation != generation:
            await asyncio.sleep(_SUPERSEDED_GRACE)
            raise conflict(SUPERSEDED)
        batch = bot.updates[:limit]
        remaining = deadline - loop.time()
        if batch or state.stopping or remaining <= 0:
            break
        await state.wait_changed(remaining)
    if batch:
        bot.delivered_update_ids.update(u["update_id"] for u in batch)
        state.notify()
    return copy.deepcopy(batch)


async def set_webhook(call: Call) -> bool:
    """setWebhook: stored only (updates are not pushed to it); HTTPS required like Telegram."""
    url = call.params["url"]
    if url and not url.lower().startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if call.get("drop_pending_updates"):
        _drop_pending(call.bot)
    if not url:
        call.bot.webhook = {}
    else:
        call.bot.webhook = {"url": url, "max_connections": call.get("max_connections", 40)}
        if call.get("allowed_updates") is not None:
            call.bot.webhook["allowed_updates"] = call.params["allowed_updates"]
            call.bot.allowed_updates = _allowed(call.params["allowed_updates"])
        if call.get("secret_token") is not None:
            call.bot.webhook["secret_token"] = call.params["secret_token"]
    call.state.notify()
    return True


async def delete_webhook(call: Call) -> bool:
    """deleteWebhook (optionally dropping pending updates)."""
    if call.get("drop_pending_updates"):
        _drop_pending(call.bot)
    call.bot.webhook = {}
    call.state.notify()
    return True


async def get_webhook_info(call: Call) -> dict[str, Any]:
    """getWebhookInfo: url ("" when polling) and the pending update count."""
    info: dict[str, Any] = {"url": call.bot.webhook.get("url", ""), "has_custom_certificate": False,
                            "pending_update_count": len(call.bot.updates)}
    for key in ("max_connections", "allowed_updates"):
        if key in call.bot.webhook:
            info[key] = call.bot.webhook[key]
    return info


def _drop_pending(bot: BotState) -> None:
    if bot.updates:
        bot.confirmed_update_id = max(bot.confirmed_update_id, bot.updates[-1]["update_id"])
    bot.updates = []


HANDLERS: dict[str, Handler] = {
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}
