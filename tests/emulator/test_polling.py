"""getUpdates: long polling, offsets, allowed_updates, conflicts."""

from __future__ import annotations

import asyncio
import time

from bot.emulator import BotApiEmulator
from tests.emulator.support import ANN, BOB, RawApi


async def test_long_poll_wakes_as_soon_as_an_update_is_pushed(api: RawApi, emu: BotApiEmulator) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(api("getUpdates", timeout=5))
    await emu.wait_until(emu.is_polling, timeout=5, description="the long poll is open")
    emu.user_sends(ANN, "hello")
    status, body = await poll
    assert time.monotonic() - started < 0.5
    assert status == 200 and [u["message"]["text"] for u in body["result"]] == ["hello"]


async def test_long_poll_returns_nothing_after_its_timeout(api: RawApi) -> None:
    started = time.monotonic()
    assert await api.ok("getUpdates", timeout=1) == []
    assert 0.9 < time.monotonic() - started < 1.5


async def test_offset_confirms_and_drops_earlier_updates(api: RawApi, emu: BotApiEmulator) -> None:
    for text in ("one", "two", "three"):
        emu.user_sends(ANN, text)
    first = await api.ok("getUpdates", limit=2)
    assert [u["message"]["text"] for u in first] == ["one", "two"]
    assert emu.delivered_update_ids == {1, 2} and emu.pending_updates() == 3
    rest = await api.ok("getUpdates", offset=first[-1]["update_id"] + 1)
    assert [u["message"]["text"] for u in rest] == ["three"]
    assert emu.confirmed_update_id == 2 and emu.pending_updates() == 1
    assert await api.ok("getUpdates", offset=rest[-1]["update_id"] + 1) == []
    assert emu.pending_updates() == 0 and emu.last_update_id() == 3


async def test_negative_offset_keeps_only_the_last_updates(api: RawApi, emu: BotApiEmulator) -> None:
    for text in ("one", "two", "three"):
        emu.user_sends(ANN, text)
    assert [u["message"]["text"] for u in await api.ok("getUpdates", offset=-1)] == ["three"]
    assert emu.pending_updates() == 1


async def test_allowed_updates_filters_later_updates(api: RawApi, emu: BotApiEmulator) -> None:
    await api.ok("getUpdates", allowed_updates=["callback_query"])
    emu.user_sends(BOB, "not wanted")
    assert await api.ok("getUpdates") == []
    assert emu.state.bot().dropped_updates[0]["message"]["text"] == "not wanted"
    await api.ok("getUpdates", allowed_updates=[])  # back to the default set
    emu.user_sends(BOB, "wanted")
    assert [u["message"]["text"] for u in await api.ok("getUpdates")] == ["wanted"]


async def test_second_poller_terminates_the_first_with_409(api: RawApi, emu: BotApiEmulator) -> None:
    first = asyncio.create_task(api("getUpdates", timeout=5))
    await emu.wait_until(emu.is_polling, timeout=5, description="the first long poll is open")
    assert await api.ok("getUpdates", timeout=0) == []
    status, body = await first
    assert status == 409
    assert body["description"] == (
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
    )


async def test_webhook_excludes_get_updates(api: RawApi) -> None:
    await api.fails("setWebhook", 400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
                    url="http://example.org/hook")
    assert await api.ok("setWebhook", url="https://example.org/hook") is True
    assert (await api.ok("getWebhookInfo"))["url"] == "https://example.org/hook"
    await api.fails("getUpdates", 409, "Conflict: can't use getUpdates method while webhook is active; use "
                    "deleteWebhook to delete the webhook first")
    assert await api.ok("deleteWebhook", drop_pending_updates=True) is True
    assert await api.ok("getUpdates") == []


async def test_stop_ends_a_waiting_long_poll(api: RawApi, emu: BotApiEmulator) -> None:
    poll = asyncio.create_task(api("getUpdates", timeout=30))
    await emu.wait_until(emu.is_polling, timeout=5, description="the long poll is open")
    started = time.monotonic()
    await emu.stop()
    assert (await poll)[1]["result"] == []
    assert time.monotonic() - started < 0.5
    await emu.start()  # the fixture stops it again


async def test_wait_until_explains_a_timeout(emu: BotApiEmulator) -> None:
    try:
        await emu.wait_until(lambda: bool(emu.bot_messages(ANN)), timeout=0.2, description="a reply to Ann")
    except TimeoutError as error:
        assert "a reply to Ann did not happen within 0.2 s" in str(error)
    else:
        raise AssertionError("expected a timeout")


async def test_commands_get_a_bot_command_entity(api: RawApi, emu: BotApiEmulator) -> None:
    emu.user_sends(ANN, "/vote@linli_bot 3")
    emu.user_sends(ANN, "/start")
    emu.user_sends(ANN, "no /command here")
    messages = [u["message"] for u in await api.ok("getUpdates")]
    assert messages[0]["entities"] == [{"type": "bot_command", "offset": 0, "length": 15}]
    assert messages[1]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert "entities" not in messages[2]
