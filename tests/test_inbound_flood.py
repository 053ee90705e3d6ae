"""Inbound flood control: over the rate, one polite "slow down", then ignored for a cool-down; others unaffected."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.app import Linli
from bot.config import Settings
from core.clock import FrozenClock
from tests.support.chat import PortHarness
from tests.support.inbox import inbox_counts

SLOW_DOWN = "您发送得太快了"


@pytest.fixture
async def limited_port(settings: Settings, clock: FrozenClock) -> AsyncIterator[PortHarness]:
    """The real default: 20 updates a minute per user, one minute of cool-down."""
    real = settings.model_copy(update={"inbound_per_minute": Settings.model_fields["inbound_per_minute"].default,
                                       "inbound_cooldown_seconds": 60})
    assert real.inbound_per_minute == 20
    app = Linli(real, clock=clock)
    await app.prepare(migrate=False)
    yield PortHarness(app)
    await app.close()


async def test_a_flooding_user_is_told_once_and_then_ignored(limited_port: PortHarness, clock: FrozenClock) -> None:
    flooder, neighbour = limited_port.user(3001, "Flooder"), limited_port.user(3002, "Neighbour")
    for _ in range(20):
        await flooder.send("/help")
        clock.advance(timedelta(seconds=1))
    assert len(flooder.messages) == 20 and SLOW_DOWN not in flooder.last.text
    await flooder.send("/help")  # the 21st within a minute
    assert SLOW_DOWN in flooder.last.text
    for turn in range(30):
        await flooder.send("/help")
        if turn % 2:
            await neighbour.send("/help")  # under the rate, and not slowed by the flooder
    assert len(flooder.messages) == 21  # one notice, then nothing
    assert len(neighbour.messages) == 15 and all(SLOW_DOWN not in t for t in neighbour.texts())
    assert await inbox_counts(limited_port.app) == {"done": 35, "dropped": 31}

    clock.advance(timedelta(seconds=61))  # the cool-down is over
    await flooder.send("/help")
    assert len(flooder.messages) == 22 and SLOW_DOWN not in flooder.last.text


async def test_button_presses_count_too_and_the_notice_is_an_alert(limited_port: PortHarness) -> None:
    user = limited_port.user(3003, "Presser", language="en")
    await user.send("/help")
    toasts = [await user.press_data("x:forged", message_id=user.last.message_id) for _ in range(21)]
    # The 21st update of the minute (the 20th press) gets the notice as an alert; the next one nothing.
    assert toasts[19].alert and "slow down" in (toasts[19].text or "")
    assert all("slow down" not in (t.text or "") for t in toasts[:19]) and toasts[20].text is None
    assert await limited_port.app.resume(limited_port.messenger) == 0
