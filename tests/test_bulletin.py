"""The bulletin: replaying the chain gives the ballots that count; the tally is recomputed from the bulletin alone,
from CSV or JSON; a bulletin that differs from the record is caught receipt by receipt."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.bulletin import (
    BadBulletin,
    Channel,
    Entry,
    compare,
    from_csv,
    from_json,
    ordered,
    replay,
    tally,
    to_csv,
    to_json,
)
from core.chain import build, verify


def cast(receipt: str, *choice: str, item: int = 1, round_no: int = 1, kind: str = "cast",
         channel: str = "online") -> dict[str, object]:
    return {"kind": kind, "item": item, "round": round_no, "receipt": receipt, "choice": list(choice),
            "channel": channel}


def test_the_last_word_of_each_receipt_counts_and_a_voided_round_counts_for_nothing() -> None:
    events = [cast("AAAA", "yes"), cast("CCCC", "no"), {"kind": "voided", "round": 1, "reason": "rain"},
              cast("DDDD", "no", round_no=2), cast("EEEE", "yes", round_no=2),
              cast("DDDD", "yes", round_no=2, kind="changed"),
              {"kind": "invalid", "item": 1, "round": 2, "receipt": "FFFF", "channel": "paper"},
              {"kind": "closed", "round": 2}, cast("GGGG", "no", round_no=2)]  # after closing: not counted
    counted = replay(events)
    assert [(e.receipt, e.choice) for e in counted] == [("DDDD", ("yes",)), ("EEEE", ("yes",)), ("FFFF", ())]
    result = tally(counted)[1]
    assert (result.cast, result.invalid, result.votes) == (3, 1, {"yes": 2})
    assert result.by_channel == {"online": 2, "paper": 1}


def test_multiple_choice_marks_count_per_option() -> None:
    counted = replay([cast("AAAA", "a", "b"), cast("CCCC", "b"), cast("DDDD", "c", item=2)])
    result = tally(counted)
    assert result[1].votes == {"a": 1, "b": 2} and result[1].cast == 2 and result[2].votes == {"c": 1}


def test_json_and_csv_round_trip_to_the_same_tally() -> None:
    chain = build([cast("TXKM", "赞成"), cast("ACDE", "反对", channel="paper"), cast("HJKM", "弃权"),
                   {"kind": "invalid", "item": 1, "round": 1, "receipt": "NPRT", "channel": "paper"},
                   {"kind": "closed", "round": 1}])
    counted = replay(link.body for link in chain)
    as_json = from_json(to_json(7, chain[-1].hash, counted))
    as_csv = from_csv(to_csv(counted))
    assert as_json.meeting == 7 and as_json.head == chain[-1].hash
    assert as_json.entries == as_csv.entries == ordered(counted)
    assert tally(as_csv.entries) == tally(counted)
    assert to_csv(counted).startswith("\ufeff".encode())  # Excel and WPS open Chinese correctly


def test_a_bulletin_that_differs_from_the_record_is_named_by_receipt() -> None:
    recorded = replay([cast("AAAA", "yes"), cast("CCCC", "no"), cast("DDDD", "yes")])
    published = [Entry(1, "AAAA", ("yes",)), Entry(1, "CCCC", ("yes",)), Entry(1, "EEEE", ("no",))]
    found = {(m.receipt, m.recorded is None, m.published is None) for m in compare(recorded, published)}
    assert found == {("CCCC", False, False), ("DDDD", False, True), ("EEEE", True, False)}
    assert compare(recorded, list(recorded)) == []


def test_files_that_are_not_bulletins_are_refused() -> None:
    with pytest.raises(BadBulletin):
        from_json(b'{"bulletin_version": 99}')
    with pytest.raises(BadBulletin):
        from_json(b"not json")
    with pytest.raises(BadBulletin):
        from_csv("\ufeffa,b\r\n1,2\r\n".encode())


def test_the_chain_of_the_events_verifies_and_the_bulletin_follows_it() -> None:
    events = [cast("AAAA", "yes"), cast("CCCC", "no"), {"kind": "closed", "round": 1}]
    chain = build(events)
    assert verify(chain, head=chain[-1].hash) == []
    assert [e.receipt for e in replay(link.body for link in chain)] == ["AAAA", "CCCC"]


receipts = st.text(alphabet="ACDEFGHJK", min_size=4, max_size=4)


@given(st.lists(st.tuples(receipts, st.sampled_from(["yes", "no", "abstain"]), st.booleans()), max_size=40))
def test_the_tally_equals_each_receipts_last_choice(moves: list[tuple[str, str, bool]]) -> None:
    events = [cast(receipt, choice, kind="changed" if change else "cast", channel=Channel.ONLINE)
              for receipt, choice, change in moves]
    last: dict[str, str] = {}
    for receipt, choice, _ in moves:
        last[receipt] = choice
    result = tally(replay(events))
    expected: dict[str, int] = {}
    for choice in last.values():
        expected[choice] = expected.get(choice, 0) + 1
    assert (result[1].votes if result else {}) == dict(sorted(expected.items()))
    assert list(ordered(replay(events))) == sorted(replay(events), key=lambda e: e.receipt)
