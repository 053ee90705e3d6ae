"""A button only acts on the form (and step) that showed it; commands for another bot are not ours."""

from __future__ import annotations

from storage import topics
from tests.support.chat import PortHarness
from tests.support.seed import Seed
from tests.support.topics import open_desk_card, resident, setup_committee


async def test_an_old_confirm_button_cannot_act_on_a_later_form(port: PortHarness, seed: Seed) -> None:
    director = await setup_committee(port, seed)
    await resident(port, seed, 1001, "Alice", "101")
    first = await seed.topic(1001, "Lift")
    second = await seed.topic(1001, "Bins")
    await open_desk_card(director, first)
    await director.tap("topics.desk.answer")
    await director.send("Answer meant for the first topic")
    old_confirm = director.find_button_message(director.label("common.confirm"))
    await director.send("/cancel")
    await open_desk_card(director, second)
    await director.tap("topics.desk.decline")
    await director.send("A reason meant for the second topic")
    toast = await director.tap("common.confirm", message=old_confirm)
    assert toast.alert and toast.text == director.label("errors.stale_button")
    async with port.app.sessions() as session:
        one = await topics.get_topic(session, port.app.community_id or 0, first)
        two = await topics.get_topic(session, port.app.community_id or 0, second)
    assert one.answer_text is None and one.status == "submitted"
    assert two.status == "submitted" and two.decline_reason is None
    # the current form's own button still works
    await director.tap("common.confirm")
    async with port.app.sessions() as session:
        two = await topics.get_topic(session, port.app.community_id or 0, second)
    assert two.status == "declined"


async def test_a_restarted_form_of_the_same_kind_refuses_the_old_buttons(port: PortHarness, seed: Seed) -> None:
    await seed.roster([("1", "1", "101", 80.0, True)], codes_per_household=0)
    alice = port.user(1001, "Alice")
    await alice.send("/start")
    await alice.tap("start.ask_to_join")
    await alice.send("Alice")
    old_yes = alice.find_button_message(alice.label("common.yes"))
    await alice.send("/cancel")
    await alice.send("/start")
    await alice.tap("start.ask_to_join")
    await alice.send("Alice Again")
    toast = await alice.tap("common.yes", message=old_yes)
    assert toast.alert and toast.text == alice.label("errors.stale_button")


async def test_commands_for_another_bot_are_ignored(port: PortHarness, seed: Seed) -> None:
    port.app.bot_username = "linli_bot"
    alice = port.user(1001, "Alice")
    before = len(port.bot_messages(1001))
    await alice.send("/start@other_bot")
    assert len(port.bot_messages(1001)) == before
    await alice.send("/start@Linli_Bot")
    assert alice.last.text.startswith(alice.label("start.welcome", community="")[:4])



async def test_an_error_naming_typed_text_shows_it_literally(port: PortHarness) -> None:
    """Any domain error whose values a resident typed is escaped in the message (HTML), not only councils'."""
    from core.errors import InvalidInput

    async def refuse(ctx: object) -> None:
        raise InvalidInput("topics.council.name_taken", name="<b>x</b> & y")

    port.app.dispatcher.commands["start"] = type(port.app.dispatcher.commands["start"])(
        refuse, port.app.dispatcher.commands["start"].guard)
    alice = port.user(1001, "Alice")
    await alice.send("/start")
    assert "<b>x</b> & y" in alice.last.text  # shown as typed (the harness decodes entities like Telegram)
