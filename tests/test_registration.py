"""Registration: invite codes, names, the adult question, join requests, code-guessing limits.

Each conversation runs through the port and through both doors against the Bot API emulator (every database).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from core.clock import FrozenClock
from storage import residents
from tests.support.chat import EmulatorHarness, Harness
from tests.support.seed import Seed


async def _verified(harness: Harness, telegram_id: int) -> bool:
    async with harness.app.sessions() as session:
        resident = await residents.by_telegram_id(session, harness.app.community_id or 0, telegram_id)
        return resident is not None and resident.verified and resident.household_id is not None


async def test_register_with_code_from_deep_link_then_menu(chat: Harness, seed: Seed) -> None:
    codes = await seed.roster()
    code = codes[("1", "1", "101")][0]
    alice = chat.user(1001, "Alice")
    await alice.send(f"/start {code}")
    assert "邀请码有效" in alice.last.text and "1-1-101" in alice.last.text
    await alice.send("王阿姨")
    await alice.tap("common.yes")
    assert "王阿姨" in alice.last.text and "1-1-101" in alice.last.text
    await alice.tap("common.confirm")
    assert any("注册成功" in text for text in alice.texts())
    menu = {alice.label(key) for key in ("menu.topics", "menu.events", "menu.votes", "menu.me")}
    assert menu <= set(alice.last.labels)
    async with chat.app.sessions() as session:
        resident = await residents.by_telegram_id(session, chat.app.community_id or 0, 1001)
        assert resident is not None and resident.verified and resident.is_adult
        assert resident.display_name == "王阿姨"
    await alice.tap("menu.me")
    assert "王阿姨" in alice.last.text and alice.label("role.resident") in alice.last.text


async def test_used_code_is_refused_politely(chat: Harness, seed: Seed) -> None:
    code = (await seed.roster())[("1", "1", "101")][0]
    first, second = chat.user(1001, "A"), chat.user(1002, "B")
    await first.send(f"/start {code}")
    await first.send("Anna")
    await first.tap("common.yes")
    await first.tap("common.confirm")
    await second.send(f"/start {code}")
    assert "已经被使用" in second.last.text


async def test_markup_in_name_is_shown_literally(chat: Harness, seed: Seed) -> None:
    code = (await seed.roster())[("1", "1", "101")][0]
    bob = chat.user(1003, "Bob", language="en")
    await bob.send(f"/start {code}")
    await bob.send("<b>Bob</b>")
    assert "<b>Bob</b>, are you aged 18" in bob.last.text


async def test_name_over_64_characters(chat: Harness, seed: Seed) -> None:
    code = (await seed.roster())[("1", "1", "101")][0]
    user = chat.user(1004, "Long", language="en")
    await user.send(f"/start {code}")
    await user.send("x" * 65)
    assert "at most 64" in user.last.text
    await user.send("Kim")
    assert "are you aged 18" in user.last.text


async def test_wrong_codes_count_down_then_lock_for_an_hour(chat: Harness, seed: Seed, clock: FrozenClock) -> None:
    await seed.roster()
    guesser = chat.user(1005, "G", language="en")
    await guesser.send("/start NOPE2345")
    assert "not right" in guesser.last.text and "4 tries left" in guesser.last.text
    await guesser.send("ALSONOPE")  # a code typed without /start counts too
    assert "3 tries left" in guesser.last.text
    for _ in range(3):
        await guesser.send("/start WRONG123")
    assert "0 tries left" in guesser.last.text
    await guesser.send("/start WRONG999")
    assert "Too many wrong codes" in guesser.last.text
    clock.advance(timedelta(hours=1, minutes=1))
    await guesser.send("/start WRONG999")
    assert "not right" in guesser.last.text


async def test_double_tap_on_confirm_registers_once(chat: Harness, seed: Seed) -> None:
    code = (await seed.roster())[("1", "1", "101")][0]
    alice = chat.user(1001, "Alice")
    await alice.send(f"/start {code}")
    await alice.send("Alice")
    await alice.tap("common.yes")
    confirm = alice.find_button_message(alice.label("common.confirm"))
    data, message_id = confirm.data_of(alice.label("common.confirm")), confirm.message_id
    await alice.tap("common.confirm", message=confirm)
    toast = await alice.press_data(data, message_id)
    assert "已经注册" in (toast.text or "")
    assert sum("注册成功" in text for text in alice.texts()) == 1


async def test_two_simultaneous_taps_register_once(chat: Harness, seed: Seed) -> None:
    code = (await seed.roster())[("1", "1", "101")][0]
    alice = chat.user(1001, "Alice", language="en")
    await alice.send(f"/start {code}")
    await alice.send("Alice")
    await alice.tap("common.yes")
    confirm = alice.find_button_message(alice.label("common.confirm"))
    data, message_id = confirm.data_of(alice.label("common.confirm")), confirm.message_id
    toasts = await asyncio.gather(alice.press_data(data, message_id), alice.press_data(data, message_id))
    assert sorted(t.text or "" for t in toasts) == ["Registered", "You are already registered."]
    assert sum("You are registered" in text for text in alice.texts()) == 1


async def test_forged_and_stale_buttons(chat: Harness, seed: Seed) -> None:
    code = (await seed.roster())[("1", "1", "101")][0]
    user = chat.user(1007, "Forger", language="en")
    await user.send(f"/start {code}")
    await user.send("Eve")
    adult_question = user.find_button_message(user.label("common.yes"))
    stale = adult_question.data_of(user.label("common.yes"))
    await user.tap("common.yes")
    await user.tap("common.edit")  # back to the name step: the old "Yes" is now from an older form
    toast = await user.press_data(stale, adult_question.message_id)
    assert toast.alert and "expired" in (toast.text or "")
    toast = await user.press_data("jd:1:a~forged00", adult_question.message_id)
    assert toast.alert and "expired" in (toast.text or "")


async def test_join_request_approved_by_committee_in_private(chat: Harness, seed: Seed) -> None:
    await seed.roster()
    await seed.committee(9001)
    director = chat.user(9001, "Director")
    await director.send("/start")  # the committee member has talked to the bot
    newcomer = chat.user(1007, "Newcomer", language="en")
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
    assert await _verified(chat, 1007)


async def test_join_request_approved_in_committee_chat(chat: Harness, seed: Seed) -> None:
    await seed.roster()
    await seed.committee(9001)
    director = chat.user(9001, "Director")
    chat.group(-100500, "居委会", [director])
    await director.send("/bind", chat_id=-100500)
    assert "居委会群" in chat.bot_messages(-100500)[-1].text
    maria = chat.user(1005, "Maria", language="en")
    await maria.send("/start")
    await maria.tap("start.ask_to_join")
    await maria.send("<i>Maria</i>")
    await maria.tap("common.yes")
    await maria.send("2-1-201")
    await maria.tap("common.confirm")
    card = director.find_button_message(director.label("join.approve"), chat_id=-100500)
    assert "<i>Maria</i>" in card.text  # markup shown literally, not as italics
    await director.tap("join.approve", message=card, chat_id=-100500)
    assert "已由" in chat.bot_messages(-100500)[-1].text
    assert "approved" in maria.last.text
    assert await _verified(chat, 1005)


async def test_stranger_pressing_committee_button_in_group(chat: Harness, seed: Seed) -> None:
    await seed.committee(9001)
    director, stranger = chat.user(9001, "Director"), chat.user(1006, "Stranger")
    chat.group(-100501, "居委会", [director, stranger])
    await director.send("/bind", chat_id=-100501)
    await stranger.send("/start")
    await stranger.tap("start.ask_to_join")
    await stranger.send("Mallory")
    await stranger.tap("common.yes")
    await stranger.send("9-9-999")
    await stranger.tap("common.confirm")
    card = director.find_button_message(director.label("join.approve"), chat_id=-100501)
    toast = await stranger.tap("join.approve", message=card, chat_id=-100501)
    assert toast.alert and "居委会成员" in (toast.text or "")
    assert not await _verified(chat, 1006)


async def test_stranger_cannot_use_committee_command(chat: Harness) -> None:
    stranger = chat.user(1008, "S", language="en")
    await stranger.send("/committee")
    assert "committee members only" in stranger.last.text


async def test_unknown_command_and_free_text(chat: Harness) -> None:
    user = chat.user(1009, "U", language="en")
    await user.send("/frobnicate")
    assert "don't know the command /frobnicate" in user.last.text
    await user.send("hello there")
    assert "didn't understand" in user.last.text


async def test_language_switch_is_remembered(chat: Harness) -> None:
    user = chat.user(1010, "L", language="zh-hans")
    await user.send("/lang")
    toast = await user.tap("language.en")
    assert toast.text == "Language set to English."
    assert "browse public information" in user.last.text
    await user.send("/help")
    assert "Linli · Help" in user.last.text


async def test_english_speaker_gets_english_first(chat: Harness) -> None:
    visitor = chat.user(1003, "Visitor", language="de")
    await visitor.send("/start")
    assert "Welcome to Linli" in visitor.last.text


# ---- what only Telegram (the emulator) shows -------------------------------------------------------


async def test_command_list_in_both_languages(e2e: EmulatorHarness) -> None:
    user = e2e.user(1008, "U", language="en")
    await user.send("/help")
    assert "/topics" in user.last.text
    chinese = {c["command"]: c["description"] for c in e2e.emu.commands(language_code="zh")}
    english = {c["command"]: c["description"] for c in e2e.emu.commands(language_code="en")}
    assert set(chinese) == set(english) == {"start", "menu", "topics", "propose", "votes", "events", "programme",
                                                  "volunteer", "checkin", "receipt", "bulletin", "paper", "help",
                                                  "lang", "cancel", "household"}
    assert chinese["menu"] == "主菜单" and english["menu"] == "Main menu"
