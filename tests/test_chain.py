"""The ballot record's hash chain: an untouched chain verifies; an edit, a deletion, an insertion or a reordering
is named by its event; rewriting everything after an edit still differs from the published head."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.chain import GENESIS, Finding, Problem, append, build, canonical, digest, verify

EVENTS = [{"kind": "cast", "receipt": f"R{n:03d}", "choice": "yes" if n % 3 else "no", "area": 8_650 + n}
          for n in range(1, 9)]


def test_canonical_json_is_one_byte_string_and_refuses_floats() -> None:
    assert canonical({"b": 1, "a": "中"}) == canonical({"a": "中", "b": 1}) == '{"a":"中","b":1}'.encode()
    with pytest.raises(TypeError):
        canonical({"area": 86.5})


def test_an_untouched_chain_verifies_against_its_head() -> None:
    chain = build(EVENTS)
    assert chain[0].prev == GENESIS and [link.seq for link in chain] == list(range(1, 9))
    assert verify(chain, head=chain[-1].hash) == []


def test_an_edited_event_is_named() -> None:
    chain = build(EVENTS)
    chain[3] = replace(chain[3], body={**chain[3].body, "choice": "no"})
    assert verify(chain) == [Finding(Problem.EDITED, 4)]


def test_an_edit_with_a_fresh_hash_is_still_named() -> None:
    chain = build(EVENTS)
    body = {**chain[3].body, "choice": "no"}
    chain[3] = replace(chain[3], body=body, hash=digest(4, chain[3].prev, body))
    assert verify(chain) == [Finding(Problem.EDITED, 4)]


def test_a_deleted_event_is_named() -> None:
    chain = build(EVENTS)
    del chain[5]
    assert Finding(Problem.DELETED, 6) in verify(chain)


def test_an_inserted_event_is_named() -> None:
    chain = build(EVENTS)
    forged = append(chain[:4], {"kind": "cast", "receipt": "FAKE", "choice": "yes", "area": 1})
    chain.insert(4, replace(forged, seq=5))  # a second event 5
    assert Finding(Problem.INSERTED, 5) in verify(chain)


def test_reordered_events_are_named() -> None:
    chain = build(EVENTS)
    chain[2], chain[3] = chain[3], chain[2]
    assert Finding(Problem.REORDERED, 3) in verify(chain)


def test_rewriting_the_whole_rest_is_caught_by_the_published_head() -> None:
    chain = build(EVENTS)
    head = chain[-1].hash
    rewritten = build([*EVENTS[:3], {**EVENTS[3], "choice": "no"}, *EVENTS[4:]])
    assert verify(rewritten) == [] and verify(rewritten, head=head) == [Finding(Problem.HEAD, 8)]
    assert verify(chain[:-1], head=head) == [Finding(Problem.HEAD, 7)]  # the last event dropped


def test_the_chain_fields_cannot_be_smuggled_into_an_event() -> None:
    with pytest.raises(ValueError):
        digest(1, GENESIS, {"seq": 2})


def test_receipts_avoid_look_alikes_and_read_back_however_typed() -> None:
    from core.receipts import ALPHABET, LENGTH, new_receipt, parse, shown

    assert not set("0O1IL2Z5S8BQ") & set(ALPHABET) and len(set(ALPHABET)) == len(ALPHABET)
    receipts = {new_receipt() for _ in range(2000)}
    assert len(receipts) == 2000 and all(len(r) == LENGTH and set(r) <= set(ALPHABET) for r in receipts)
    receipt = next(iter(receipts))
    assert parse(shown(receipt)) == receipt == parse(" " + shown(receipt).lower() + " ")
    assert parse("ACDE-FHJ0") is None and parse("ACDE") is None and parse("") is None
