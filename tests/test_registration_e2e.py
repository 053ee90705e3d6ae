"""The foundation's stories end to end: a real door (aiogram and PTB) against the Bot API emulator."""

from __future__ import annotations

from storage import residents
from tests.support.chat import EmulatorHarness
from tests.support.seed import Seed


async def test_register_with_code_then_menu(e2e: EmulatorHarness, seed: Seed) -> None:
    code = (await seed.roster())[("1", "1", "101")][0]
    alice = e2e.user(1001, "Alice")
    await alice.send(f"/start {code}")
    assert "1-1-101" in alice.last.text
    await alice.send("王阿姨")
    await alice.tap("common.yes")
    await alice.tap("common.confirm")
    assert any("注册成功" in text for text in alice.texts())
    assert {"💬 议题", "📅 活动", "🗳 投票", "👤 我的"} <= set(alice.last.labels)
    await alice.tap("menu.me")
    assert "王阿姨" in alice.last.text and alice.label("role.resident") in alice.last.text


async def test_language_switch(e2e: EmulatorHarness) -> None:
    guest = e2e.user(1002, "Guest", language="zh-hans")
    await guest.send("/lang")
    toast = await guest.tap("language.en")
    assert toast.text == "Language set to English."
    assert "browse public information" in guest.last.text
    await guest.send("/help")
    assert "Linli · Help" in guest.last.text


async def test_english_speaker_gets_english_first(e2e: EmulatorHarness) -> None:
    visitor = e2e.user(1003, "Visitor", language="de")
    await visitor.send("/start")
    assert "Welcome to Linli" in visitor.last.text


async def test_bad_code(e2e: EmulatorHarness, seed: Seed) -> None:
    await seed.roster()
    user = e2e.user(1004, "U", language="en")
    await user.send("/start NOPE2345")
    assert "not right" in user.last.text and "4 tries left" in user.last.text
    await user.send("ALSONOPE")
    assert "3 tries left" in user.last.text


async def test_join_request_approved_in_committee_chat(e2e: EmulatorHarness, seed: Seed) -> None:
    await seed.roster()
    await seed.committee(9001)
    director = e2e.user(9001, "Director")
    e2e.group(-100500, "居委会", [director])
    await director.send("/bind", chat_id=-100500)
    assert "居委会群" in e2e.bot_messages(-100500)[-1].text
    maria = e2e.user(1005, "Maria", language="en")
    await maria.send("/start")
    await maria.tap("start.ask_to_join")
    await maria.send("<i>Maria</i>")
    await maria.tap("common.yes")
    await maria.send("2-1-201")
    await maria.tap("common.confirm")
    card = director.find_button_message(director.label("join.approve"), chat_id=-100500)
    assert "<i>Maria</i>" in card.text  # markup shown literally, not as italics
    await director.tap("join.approve", message=card, chat_id=-100500)
    assert "已由" in e2e.bot_messages(-100500)[-1].text
    assert "approved" in maria.last.text
    async with e2e.app.sessions() as session:
        resident = await residents.by_telegram_id(session, e2e.app.community_id or 0, 1005)
        assert resident is not None and resident.verified and resident.household_id is not None


async def test_stranger_pressing_committee_button_in_group(e2e: EmulatorHarness, seed: Seed) -> None:
    await seed.committee(9001)
    director, stranger = e2e.user(9001, "Director"), e2e.user(1006, "Stranger")
    e2e.group(-100501, "居委会", [director, stranger])
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
    async with e2e.app.sessions() as session:
        resident = await residents.by_telegram_id(session, e2e.app.community_id or 0, 1006)
        assert resident is None or not resident.verified


async def test_forged_and_stale_buttons(e2e: EmulatorHarness, seed: Seed) -> None:
    code = (await seed.roster())[("1", "1", "101")][0]
    user = e2e.user(1007, "Forger", language="en")
    await user.send(f"/start {code}")
    await user.send("Eve")
    adult_question = user.find_button_message(user.label("common.yes"))
    stale = adult_question.data_of("Yes")
    await user.tap("common.yes")
    await user.tap("common.edit")  # back to the name step: the old "Yes" is now from an older form
    toast = await user.press_data(stale, adult_question.message_id)
    assert toast.alert and "expired" in (toast.text or "")
    toast = await user.press_data("jd:1:a~forged00", adult_question.message_id)
    assert toast.alert and "expired" in (toast.text or "")


async def test_command_list_in_both_languages(e2e: EmulatorHarness) -> None:
    user = e2e.user(1008, "U", language="en")
    await user.send("/help")
    assert "/topics" in user.last.text
    chinese = {c["command"]: c["description"] for c in e2e.emu.commands(language_code="zh")}
    english = {c["command"]: c["description"] for c in e2e.emu.commands(language_code="en")}
    assert set(chinese) == set(english) == {"start", "menu", "topics", "propose", "help", "lang", "cancel"}
    assert chinese["menu"] == "主菜单" and english["menu"] == "Main menu"
