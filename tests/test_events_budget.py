"""Query budget of an RSVP tap (the bench's tap), on both databases: the unit of work's own statements."""

from __future__ import annotations

from handlers.events import Rsvp
from tests.support.chat import PortHarness
from tests.support.events import households, make_event
from tests.support.queries import INBOX_STATEMENTS, count_queries
from tests.support.seed import Seed

INBOX = INBOX_STATEMENTS  # the record and the claim (tests/support/queries.py)
# context, the event under its row lock, the tally of the others going (one aggregate), the household's reply with
# the waitlist, the reply's INSERT: the card is drawn from what the rules decided, nothing is read twice; and the
# card's extras (the programme and the volunteers' slots, storage.event_card_extras: one SELECT)
RSVP_TAP = 6
RSVP_CHANGE = 6  # the same with an UPDATE of the reply


async def test_an_rsvp_tap_stays_within_its_budget(port: PortHarness, seed: Seed) -> None:
    ids = await households(port.app, seed, 3)
    event_id = await make_event(port.app, ids, capacity=10)
    alice = port.user(1001, "Alice")
    await alice.send("/events")
    for adults, budget in ((2, RSVP_TAP), (3, RSVP_CHANGE)):
        data = port.app.codec.pack(Rsvp(event_id, adults, 0))
        with count_queries(port.app.engine) as queries:  # the update alone (the outbox is the sender's)
            await port.app.handle(port._incoming(alice, alice.user_id, callback_data=data, callback_id=str(adults),
                                                 message_id=alice.last.message_id), port.messenger)
        assert f"您家已报名：{adults} 人" in alice.last.text
        assert len(queries.touching("inbox_update")) == INBOX, queries.report()
        assert len(queries.without("inbox_update")) <= budget, queries.report()
