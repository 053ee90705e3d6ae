"""The bulletin: every counted ballot of a meeting as receipt + choice, from which anyone can recompute the tally.

A bulletin is derived from the meeting's hash chain (:mod:`core.chain`) by replaying its ballot events; it lists,
per item, the ballots that count (the last word of each receipt in the last round that was not voided), sorted by
receipt so its order reveals nothing about when anyone voted. Written as CSV (UTF-8 with BOM, for Excel and WPS)
or JSON, and read back from either, so ``linli verify`` can recompute a result from an exported file alone.

Ballot events in the chain (their ``kind``), all integers and strings:
- ``cast``: ``{item, round, receipt, choice: [option, …], channel}`` — a new ballot (online, paper or proxy);
- ``changed``: the same fields — an open ballot changed before closing (the last one counts);
- ``invalid``: ``{item, round, receipt, channel}`` — a spoiled paper ballot (作废票): cast, but for no option;
- ``voided``: ``{round, reason}`` — the round was postponed: none of its ballots count (they stay in the record);
- ``closed``: ``{round}`` — voting ended; nothing after it changes the count.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

BULLETIN_VERSION = 1
CSV_COLUMNS = ("item", "receipt", "choice", "channel", "household")
CHOICE_SEPARATOR = "|"


class Channel(StrEnum):
    ONLINE = "online"
    PAPER = "paper"
    PROXY = "proxy"


def key(group: str, value: object) -> str:
    """A trust catalog key built from a value: ``key("channel", "paper")`` → ``trust.channel.paper``."""
    return f"trust.{group}.{value}"


@dataclass(frozen=True, slots=True, order=True)
class Entry:
    """One counted ballot. ``choice`` is empty for an invalid ballot (cast, for no option)."""

    item: int
    receipt: str
    choice: tuple[str, ...]
    channel: str = Channel.ONLINE
    household: str | None = None  # only for open items, when the committee publishes it

    @property
    def invalid(self) -> bool:
        return not self.choice


def ordered(entries: Iterable[Entry]) -> list[Entry]:
    """By item, then receipt: receipts are random, so the order says nothing about who voted when."""
    return sorted(entries, key=lambda entry: (entry.item, entry.receipt))


def replay(bodies: Iterable[Mapping[str, Any]]) -> list[Entry]:
    """The ballots that count, from the chain's event bodies in sequence order."""
    current: dict[int, dict[tuple[int, str], Entry]] = {}  # round → (item, receipt) → entry
    voided: set[int] = set()
    closed = False
    for body in bodies:
        kind = body.get("kind")
        if kind == "closed":
            closed = True
            continue
        if kind == "voided":
            voided.add(int(body["round"]))
            continue
        if kind not in ("cast", "changed", "invalid") or closed:
            continue
        round_no, item, receipt = int(body["round"]), int(body["item"]), str(body["receipt"])
        choice = () if kind == "invalid" else tuple(str(option) for option in body.get("choice", ()))
        current.setdefault(round_no, {})[(item, receipt)] = Entry(
            item=item, receipt=receipt, choice=choice, channel=str(body.get("channel", Channel.ONLINE)),
            household=body.get("household"))
    live = [number for number in current if number not in voided]
    if not live:
        return []
    return ordered(current[max(live)].values())


@dataclass(frozen=True, slots=True)
class ItemTally:
    item: int
    cast: int  # every ballot, invalid ones included
    invalid: int
    votes: dict[str, int]  # option → ballots marking it
    by_channel: dict[str, int]


def tally(entries: Iterable[Entry]) -> dict[int, ItemTally]:
    """Per item: ballots cast, invalid, votes per option (a multiple-choice ballot marks several), per channel."""
    cast: Counter[int] = Counter()
    invalid: Counter[int] = Counter()
    votes: dict[int, Counter[str]] = {}
    channels: dict[int, Counter[str]] = {}
    for entry in entries:
        cast[entry.item] += 1
        channels.setdefault(entry.item, Counter())[entry.channel] += 1
        marks = votes.setdefault(entry.item, Counter())
        if entry.invalid:
            invalid[entry.item] += 1
        for option in entry.choice:
            marks[option] += 1
    return {item: ItemTally(item, cast[item], invalid[item], dict(sorted(votes[item].items())),
                            dict(sorted(channels[item].items())))
            for item in sorted(cast)}


@dataclass(frozen=True, slots=True)
class Mismatch:
    """An entry that the stored record and the bulletin disagree on (``None``: absent on that side)."""

    item: int
    receipt: str
    recorded: Entry | None
    published: Entry | None


def compare(recorded: Sequence[Entry], published: Sequence[Entry]) -> list[Mismatch]:
    """Every receipt whose ballot differs between the record (the replayed chain) and a bulletin."""
    left = {(entry.item, entry.receipt): entry for entry in recorded}
    right = {(entry.item, entry.receipt): entry for entry in published}
    return [Mismatch(item, receipt, left.get((item, receipt)), right.get((item, receipt)))
            for item, receipt in sorted(left.keys() | right.keys())
            if _content(left.get((item, receipt))) != _content(right.get((item, receipt)))]


def _content(entry: Entry | None) -> tuple[object, ...] | None:
    return None if entry is None else (entry.choice, entry.channel)


# ---- files -------------------------------------------------------------------------------------------------------


def to_json(meeting: int, head: str, entries: Iterable[Entry]) -> bytes:
    document = {"bulletin_version": BULLETIN_VERSION, "meeting": meeting, "chain_head": head,
                "ballots": [{"item": e.item, "receipt": e.receipt, "choice": list(e.choice), "channel": e.channel,
                             **({"household": e.household} if e.household is not None else {})}
                            for e in ordered(entries)]}
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


@dataclass(frozen=True, slots=True)
class Published:
    meeting: int | None
    head: str | None
    entries: list[Entry]


class BadBulletin(ValueError):
    """The file is not a bulletin this version can read."""


def from_json(data: bytes) -> Published:
    try:
        document = json.loads(data.decode("utf-8-sig"))
        if document.get("bulletin_version") != BULLETIN_VERSION:
            raise BadBulletin(f"bulletin_version {document.get('bulletin_version')!r}")
        entries = [Entry(item=int(row["item"]), receipt=str(row["receipt"]),
                         choice=tuple(str(option) for option in row["choice"]),
                         channel=str(row.get("channel", Channel.ONLINE)), household=row.get("household"))
                   for row in document["ballots"]]
        return Published(int(document["meeting"]), str(document["chain_head"]), entries)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, BadBulletin):
            raise
        raise BadBulletin(str(exc)) from exc


def to_csv(entries: Iterable[Entry]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in ordered(entries):
        writer.writerow((entry.item, entry.receipt, CHOICE_SEPARATOR.join(entry.choice), entry.channel,
                         entry.household or ""))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def from_csv(data: bytes) -> Published:
    try:
        reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
        if tuple(reader.fieldnames or ()) != CSV_COLUMNS:
            raise BadBulletin(f"columns {reader.fieldnames!r}")
        entries = [Entry(item=int(row["item"]), receipt=row["receipt"],
                         choice=tuple(part for part in row["choice"].split(CHOICE_SEPARATOR) if part),
                         channel=row["channel"] or Channel.ONLINE, household=row["household"] or None)
                   for row in reader]
    except (KeyError, ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, BadBulletin):
            raise
        raise BadBulletin(str(exc)) from exc
    return Published(None, None, entries)
