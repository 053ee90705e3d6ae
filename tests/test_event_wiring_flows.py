"""An event's card joined with its extras, through the port and both doors (every database): the programme's
summary and the buttons on the resident's card, the committee's card leading to the extras' desks, a proposer's
notice leading back to the event, check-in prefilled from the RSVP, no-shows after the event; and a full
programme that still fits the card."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from core.text import parsed_length
from handlers.budget import TEXT_BUDGET
from handlers.events_committee import ManageEvent
from storage import event_programme
from storage.event_programme import ItemInput
from storage.events import Event
from tests.support.chat import Harness, PortHarness, UserChat
from tests.support.event_extras import Units, make_event, many_residents
from tests.support.seed import Seed
from tests.support.topics import resident

ROSTER = [("1", "1", "101", 80.0, True), ("1", "1", "102", 80.0, True)]
WORST = ("<b>&amp;😀" + "邻里<i>x</i>&lt;" + "🎉" * 3) * 40


async def _setup(chat: Harness, seed: Seed) -> tuple[UserChat, UserChat, UserChat]:
    await seed.roster(ROSTER, codes_per_household=0)
    await seed.committee(9001)
    director = chat.user(9001, "Director")
    await director.send("/start")
    alice = await resident(chat, seed, 1001, "Alice", "101", language="en")
    bob = await resident(chat, seed, 1002, "Bob", "102")
    return director, alice, bob


async def _card(user: UserChat, title: str = "相约九号") -> None:
    await user.send("/events")
    await user.press(next(label for label in user.last.labels if title in label))


async def test_the_card_and_the_extras_lead_to_each_other(chat: Harness, seed: Seed) -> None:
    director, alice, bob = await _setup(chat, seed)
    event_id = await make_event(chat.app, starts_in=timedelta(minutes=50), code="桂花27")

    await _card(alice)
    assert "Programme" in alice.last.text and "The programme is still empty." in alice.last.text
    assert {alice.label("eventcard.btn.programme"), alice.label("eventcard.btn.volunteer")} <= set(alice.last.labels)
    assert alice.label("eventcard.btn.im_here") not in alice.last.labels  # check-in opens 30 minutes before
    await alice.tap("eventcard.btn.programme")
    assert "Programme · 相约九号" in alice.last.text
    await alice.tap("extras.programme.propose")
    for answer in ("Tai chi fan", "Building 3 team", "8"):
        await alice.send(answer)
    await alice.tap("extras.form.no_needs")
    await alice.tap("extras.form.submit")

    # the committee's card: the programme's proposals, the volunteers' roles, the code, the attendance
    await director.press_data(chat.app.codec.pack(ManageEvent(event_id)))
    for key in ("eventcard.btn.queue", "eventcard.btn.roles", "eventcard.btn.code", "eventcard.btn.attendance"):
        assert director.label(key) in director.last.labels
    await director.tap("eventcard.btn.queue")
    await director.press(next(label for label in director.last.labels if label.startswith("#")))
    await director.tap("extras.item.accept_at", place=1)
    await director.press_data(chat.app.codec.pack(ManageEvent(event_id)))
    await director.tap("eventcard.btn.roles")
    await director.tap("extras.desk.add_usual")
    await director.press_data(chat.app.codec.pack(ManageEvent(event_id)))
    await director.tap("eventcard.btn.code")
    assert "桂花27" in director.last.text

    # the proposer hears, and the notice's button opens the event's card with the programme on it
    told = alice.find_button_message(alice.label("events.btn.open"))
    assert "Tai chi fan" in told.text
    await alice.tap("events.btn.open", message=told)
    text = alice.last.text
    assert "1 items, 8 minutes; 1 of them planned by residents." in text
    assert "1. Tai chi fan — Building 3 team" in text
    assert text.index("1 items, 8 minutes") < text.index("1. Tai chi fan")  # totals first
    assert "Volunteers: 0 signed up, 8 places in all." in text
    await alice.tap("eventcard.btn.volunteer")
    assert "Volunteers · 相约九号" in alice.last.text and alice.label("extras.volunteer.sign_up", name="摄影", taken=0,
                                                                       slots=2) in alice.last.labels

    # RSVP, then check-in offers the party the household said
    await _card(alice)
    await alice.tap("events.btn.going")
    await alice.press("2")
    await alice.press("1")
    await _card(bob)
    await bob.tap("events.btn.going")
    await bob.press("1")
    await bob.press("0")
    chat.app.clock.advance(timedelta(minutes=25))  # type: ignore[attr-defined]
    await _card(alice)
    await alice.tap("eventcard.btn.im_here")
    await alice.tap("extras.checkin.im_here")
    await alice.send("桂花27")
    party = alice.label("extras.checkin.party", adults=2, children=1)
    assert alice.label("eventcard.checkin.rsvp", party=party) in alice.last.text
    assert "1" in alice.last.labels  # the number buttons are the alternative
    await alice.tap("eventcard.btn.rsvp_party", party=party)
    assert "Welcome! Checked in: 2 adults, 1 children." in alice.last.text

    # after the event, the committee's attendance screen counts who said they'd come and did not
    chat.app.clock.advance(timedelta(hours=3))  # type: ignore[attr-defined]
    await director.press_data(chat.app.codec.pack(ManageEvent(event_id)))
    await director.tap("eventcard.btn.attendance")
    assert director.label("eventcard.no_shows", parties=1, people=1, going=2) in director.last.text


async def test_a_full_programme_never_pushes_the_card_over_telegrams_limit(port: PortHarness, seed: Seed) -> None:
    app, community = port.app, port.app.community_id or 0
    await seed.roster(ROSTER, codes_per_household=0)
    alice = await resident(port, seed, 1001, "Alice", "101", language="en")
    event_id = await make_event(app, title=WORST[:80])
    async with app.sessions() as session:
        await session.exec(update(Event).values(  # type: ignore[call-overload]
            venue=WORST[:80], rain_venue=WORST[1:81], description=WORST[:1000]))
        await session.commit()
    (committee_id,) = await many_residents(app, 1)
    for n in range(40):
        entry = ItemInput(WORST[n:n + 40], WORST[:80], 60, WORST[:200])
        await Units(app).run(event_programme.add, community, event_id, committee_id, entry, app.clock.now())
    await _card(alice, WORST[:10])
    text = alice.last.text
    assert parsed_length(text) <= TEXT_BUDGET
    assert "40 items, 2400 minutes" in text and "more not shown" in text  # the totals stay, the tail is cut
    assert port.messenger.refused == []


async def test_the_committee_at_the_door_confirms_the_rsvp_party_in_one_tap(chat: Harness, seed: Seed) -> None:
    director, _, bob = await _setup(chat, seed)
    await make_event(chat.app, starts_in=timedelta(minutes=10), code="桂花27")
    await _card(bob)
    await bob.tap("events.btn.going")
    await bob.press("2")
    await bob.press("1")
    await director.send("/checkin")
    await director.tap("extras.checkin.door")
    await director.send("bob")
    await director.press("Bob (1-1-102)")
    party = director.label("extras.checkin.party", adults=2, children=1)
    assert director.label("eventcard.checkin.rsvp", party=party) in director.last.text
    await director.tap("eventcard.btn.rsvp_party", party=party)
    assert "已为 Bob (1-1-102) 签到：2 位成人，1 位儿童。" in director.last.text
