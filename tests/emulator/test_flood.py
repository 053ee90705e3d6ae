"""Flood control: the sliding-window rule, deterministic with a fake clock, and the 429 on the wire."""

from __future__ import annotations

import pytest

from bot.emulator import BotApiEmulator
from bot.emulator.errors import ApiError
from bot.emulator.flood import FloodControl, FloodLimits, is_counted_method
from tests.emulator.support import ANN, BOB, RawApi


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def retry_after(flood: FloodControl, chat_id: int | None, *, is_group: bool = False) -> int | None:
    try:
        flood.admit(1, chat_id, is_group=is_group)
    except ApiError as error:
        assert error.description == f"Too Many Requests: retry after {error.retry_after}"
        return error.retry_after
    return None


def test_off_by_default() -> None:
    flood = FloodControl(FakeClock())
    assert all(retry_after(flood, ANN) is None for _ in range(1000))


def test_private_chat_bursts_three_then_one_per_second() -> None:
    clock = FakeClock()
    flood = FloodControl(clock)
    flood.configure(FloodLimits())
    assert [retry_after(flood, ANN) for _ in range(4)] == [None, None, None, 1]
    assert retry_after(flood, BOB) is None  # other chats are not affected
    clock.now += 0.5
    assert retry_after(flood, ANN) == 1  # still within retry_after: refused again
    clock.now += 2.6  # the burst left the 3 s window
    assert [retry_after(flood, ANN) for _ in range(4)] == [None, None, None, 1]
    clock.now += 1.0
    assert retry_after(flood, ANN) == 1  # the penalty is over, but the window is still full
    clock.now += 2.1
    spaced = []
    for _ in range(6):  # one call per second is sustainable
        spaced.append(retry_after(flood, ANN))
        clock.now += 1.0
    assert spaced == [None] * 6


def test_global_and_group_limits() -> None:
    clock = FakeClock()
    flood = FloodControl(clock)
    flood.configure(FloodLimits(per_chat_per_second=None, global_per_second=30, group_per_minute=20))
    assert [retry_after(flood, chat) for chat in range(1, 31)] == [None] * 30
    assert retry_after(flood, 31) == 1
    clock.now += 1.0
    flood.configure(FloodLimits(per_chat_per_second=None, global_per_second=None, group_per_minute=20,
                                retry_after=None))
    for _ in range(20):
        assert retry_after(flood, -5, is_group=True) is None
        clock.now += 1.0
    assert retry_after(flood, -5, is_group=True) == 40  # computed: until the oldest call leaves the minute


def test_which_methods_count() -> None:
    assert all(map(is_counted_method, ["sendMessage", "sendPhoto", "editMessageText", "copyMessage"]))
    assert not any(map(is_counted_method, ["sendChatAction", "getUpdates", "answerCallbackQuery"]))


async def test_429_on_the_wire(api: RawApi, emu: BotApiEmulator) -> None:
    emu.user_sends(ANN, "hi")
    emu.set_flood_limits(per_chat_per_second=1, burst_window=1.0, retry_after=3)
    await api.ok("sendMessage", chat_id=ANN, text="one")
    status, body = await api("sendMessage", chat_id=ANN, text="two")
    assert (status, body) == (429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 3",
                                    "parameters": {"retry_after": 3}})
    assert await api.ok("sendChatAction", chat_id=ANN, action="typing")  # not counted
    emu.disable_flood_limits()
    await api.ok("sendMessage", chat_id=ANN, text="three")


@pytest.mark.parametrize("method", ["editMessageText"])
async def test_edits_count_too(api: RawApi, emu: BotApiEmulator, method: str) -> None:
    emu.user_sends(ANN, "hi")
    sent = await api.ok("sendMessage", chat_id=ANN, text="v1")
    emu.set_flood_limits(per_chat_per_second=1, burst_window=1.0)
    await api.ok(method, chat_id=ANN, message_id=sent["message_id"], text="v2")
    status, _ = await api(method, chat_id=ANN, message_id=sent["message_id"], text="v3")
    assert status == 429
