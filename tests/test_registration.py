"""Registration: invite codes, names, the adult question, join requests, code-guessing limits."""

from __future__ import annotations

from datetime import timedelta

from storage import residents
from tests.support.chat import PortHarness
from tests.support.seed import Seed


async def test_register_with_code_from_deep_link(port: PortHarness, seed: Seed) -> None:
    codes = await seed.roster()
    code = codes[("1", "1", "101")][0]
    alice = port.user(1001, "Alice")
    await alice.send(f"/start {code}")
    assert "邀请码有效" in alice.last.text and "1-1-101" in alice.last.text
    await alice.send("王阿姨")
    await alice.tap("common.yes")
    assert "王阿姨" in alice.last.text and "1-1-101" in alice.last.text
    await alice.tap("common.confirm")
    assert any("注册成功" in text for text in alice.texts())
    assert alice.label("menu.topics") in alice.last.labels
    async with port.app.sessions() as session:
        resident = await residents.by_telegram_id(session, port.app.community_id or 0, 1001)
        assert resident is not None and resident.verified and resident.is_adult
        assert resident.display_name == "王阿姨"


async def test_used_code_is_refused_politely(port: PortHarness, seed: Seed) -> None:
    code = (await seed.roster())[("1", "1", "101")][0]
    first, second = port.user(1001, "A"), port.user(1002, "B")
    await first.send(f"/start {code}")
    await first.send("Anna")
    await first.tap("common.yes")
    await first.tap("common.confirm")
    await second.send(f"/start {code}")
    assert "已经被使用" in second.last.text


async def test_markup_in_name_is_shown_literally(port: PortHarness, seed: Seed) -> None:
    code = (await seed.roster())[("1", "1", "101")][0]
    bob = port.user(1003, "Bob", language="en")
    await bob.send(f"/start {code}")
    await bob.send("<b>Bob</b>")
    assert "<b>Bob</b>, are you aged 18" in bob.last.text


async def test_name_over_64_characters(port: PortHarness, seed: Seed) -> None:
    code = (await seed.roster())[("1", "1", "101")][0]
    user = port.user(1004, "Long", language="en")
    await user.send(f"/start {code}")
    await user.send("x" * 65)
    assert "at most 64" in user.last.text
    await user.send("Kim")
    assert "are you aged 18" in user.last.text


async def test_too_many_wrong_codes(port: PortHarness, seed: Seed, clock) -> None:
    await seed.roster()
    guesser = port.user(1005, "G", language="en")
    for _ in range(5):
        await guesser.send("/start WRONG123")
    assert "0 tries left" in guesser.last.text
    await guesser.send("/start WRONG999")
    assert "Too many wrong codes" in guesser.last.text
    clock.advance(timedelta(hours=1, minutes=1))
    await guesser.send("/start WRONG999")
    assert "not right" in guesser.last.text


async def test_double_tap_on_confirm_registers_once(port: PortHarness, seed: Seed) -> None:
    code = (await seed.roster())[("1", "1", "101")][0]
    alice = port.user(1001, "Alice")
    await alice.send(f"/start {code}")
    await alice.send("Alice")
    await alice.tap("common.yes")
    confirm = alice.find_button_message(alice.label("common.confirm"))
    data, message_id = confirm.data_of("✅ 确认"), confirm.message_id
    await alice.tap("common.confirm", message=confirm)
    toast = await alice.press_data(data, message_id)
    assert "已经注册" in (toast.text or "")
    assert sum("注册成功" in text for text in alice.texts()) == 1


async def test_forged_button_is_refused(port: PortHarness) -> None:
    user = port.user(1006, "F", language="en")
    await user.send("/start")
    toast = await user.press_data("jd:1:a~AAAAAAAA")
    assert toast.alert and "expired" in (toast.text or "")


async def test_join_request_approved_by_committee(port: PortHarness, seed: Seed) -> None:
    await seed.roster()
    await seed.committee(9001)
    director = port.user(9001, "Director")
    await director.send("/start")  # the committee member has talked to the bot
    newcomer = port.user(1007, "Newcomer", language="en")
    await newcomer.send("/start")
    await newcomer.tap("start.ask_to_join")
    await newcomer.send("Maria")
    await newcomer.tap("common.yes")
    await newcomer.send("1-1-102")
    await newcomer.tap("common.confirm")
    assert "Request sent" in newcomer.last.text
    card = director.find_button_message(director.label("join.approve"))
    assert "Maria" in card.text and "1-1-102" in card.text
    await director.tap("join.approve", message=card)
    assert "已由" in director.messages[-1].text or any("批准" in m.text for m in director.messages)
    assert "approved" in newcomer.last.text
    async with port.app.sessions() as session:
        resident = await residents.by_telegram_id(session, port.app.community_id or 0, 1007)
        assert resident is not None and resident.verified and resident.household_id is not None


async def test_stranger_cannot_use_committee_command(port: PortHarness) -> None:
    stranger = port.user(1008, "S", language="en")
    await stranger.send("/committee")
    assert "committee members only" in stranger.last.text


async def test_unknown_command_and_free_text(port: PortHarness) -> None:
    user = port.user(1009, "U", language="en")
    await user.send("/frobnicate")
    assert "don't know the command /frobnicate" in user.last.text
    await user.send("hello there")
    assert "didn't understand" in user.last.text


async def test_language_switch_is_remembered(port: PortHarness) -> None:
    user = port.user(1010, "L", language="zh-hans")
    await user.send("/lang")
    await user.tap("language.en")
    await user.send("/help")
    assert "Linli · Help" in user.last.text


async def test_two_simultaneous_taps_register_once(port: PortHarness, seed: Seed) -> None:
    import asyncio

    code = (await seed.roster())[("1", "1", "101")][0]
    alice = port.user(1001, "Alice", language="en")
    await alice.send(f"/start {code}")
    await alice.send("Alice")
    await alice.tap("common.yes")
    confirm = alice.find_button_message(alice.label("common.confirm"))
    data, message_id = confirm.data_of("✅ Confirm"), confirm.message_id
    toasts = await asyncio.gather(alice.press_data(data, message_id), alice.press_data(data, message_id))
    assert sorted(t.text or "" for t in toasts) == ["Registered", "You are already registered."]
    assert sum("You are registered" in text for text in alice.texts()) == 1
