"""A tamper-evident record: ballot events chained by SHA-256 over canonical JSON (issue 9).

Each event is ``{"seq": n, "prev": <hash of event n-1>, ...its fields}``; its hash covers all of that, so changing,
removing, inserting or reordering any event changes every hash after it. The head (the last hash) is published
with the result and posted outside the database; :func:`verify` recomputes the chain and names each event that
does not fit. Canonical JSON: keys sorted, no spaces, UTF-8, integers only (areas in hundredths, never floats).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

GENESIS = "0" * 64


def canonical(value: Mapping[str, Any]) -> bytes:
    """The one byte string for ``value``: sorted keys, no whitespace, UTF-8; floats are refused."""
    _no_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def _no_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("the record holds integers only (areas in hundredths), never floats")
    if isinstance(value, Mapping):
        for item in value.values():
            _no_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _no_floats(item)


@dataclass(frozen=True, slots=True)
class Link:
    seq: int
    prev: str
    body: Mapping[str, Any]  # the event's own fields (kind, receipt, choice, …)
    hash: str


def digest(seq: int, prev: str, body: Mapping[str, Any]) -> str:
    if {"seq", "prev"} & set(body):
        raise ValueError("'seq' and 'prev' belong to the chain, not to the event")
    return hashlib.sha256(canonical({**body, "seq": seq, "prev": prev})).hexdigest()


def append(chain: Sequence[Link], body: Mapping[str, Any]) -> Link:
    """The next link after ``chain``'s last (or the first, after the genesis hash)."""
    seq, prev = (chain[-1].seq + 1, chain[-1].hash) if chain else (1, GENESIS)
    return Link(seq=seq, prev=prev, body=dict(body), hash=digest(seq, prev, body))


def build(bodies: Iterable[Mapping[str, Any]]) -> list[Link]:
    chain: list[Link] = []
    for body in bodies:
        chain.append(append(chain, body))
    return chain


class Problem(StrEnum):
    EDITED = "edited"  # its content does not give its stored hash
    DELETED = "deleted"  # a sequence number is missing before it
    INSERTED = "inserted"  # a sequence number seen twice, or a link that does not follow its predecessor
    REORDERED = "reordered"  # stored out of sequence order
    HEAD = "head"  # the last hash is not the published head


@dataclass(frozen=True, slots=True)
class Finding:
    problem: Problem
    seq: int


def verify(stored: Sequence[Link], head: str | None = None) -> list[Finding]:
    """Every event that does not fit, in storage order; [] for an untouched chain (and matching ``head``)."""
    findings: list[Finding] = []
    seen: set[int] = set()
    last_seq = 0
    for position, link in enumerate(stored):
        if link.seq in seen:
            findings.append(Finding(Problem.INSERTED, link.seq))
            continue
        seen.add(link.seq)
        if link.seq < last_seq:
            findings.append(Finding(Problem.REORDERED, link.seq))
        elif link.seq > last_seq + 1:
            findings += [Finding(Problem.DELETED, missing) for missing in range(last_seq + 1, link.seq)]
        last_seq = max(last_seq, link.seq)
        if digest(link.seq, link.prev, link.body) != link.hash:
            findings.append(Finding(Problem.EDITED, link.seq))
        before = stored[position - 1] if position else None
        if link.prev != (before.hash if before else GENESIS) and (before is None or link.seq == before.seq + 1):
            # the link before it was rewritten with a fresh hash (or the first link is not the first)
            blamed = before.seq if before else link.seq
            if Finding(Problem.EDITED, blamed) not in findings:
                findings.append(Finding(Problem.EDITED, blamed))
    if head is not None and (stored[-1].hash if stored else GENESIS) != head:
        findings.append(Finding(Problem.HEAD, last_seq))
    return findings
