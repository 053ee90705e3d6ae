"""Who hears what of a quick poll: its chat hears the count when it closes (rendered by the notifier, never here).

The count is per option among verified residents, in whole percent of those who answered; answers of people who
are not residents are shown apart, uncounted. Every result says it is advisory, not a decision under the law.
"""

from __future__ import annotations

from core.notices import Clipped, Label, Notice, Recipient
from core.quick_polls import QUESTION_LIMIT, Tally
from storage.quick_polls import ClosedPoll

RESULT_KEY = "quickpoll-result"


def _lines(options: tuple[str, ...], counts: tuple[int, ...], tally: Tally | None) -> str:
    """``1. 周六上午 — 3 (60%)`` per option (the share only for residents' counts). Plain text: escaped later."""
    lines = []
    for number, (option, votes) in enumerate(zip(options, counts, strict=True), 1):
        share = f" ({tally.share(number - 1)}%)" if tally is not None and tally.voters else ""
        lines.append(f"{number}. {option} — {votes}{share}")
    return "\n".join(lines)


def result(closed: ClosedPoll) -> Notice:
    """The count, posted to the poll's chat (in the community's default language: a group has none)."""
    poll, tally = closed.poll, closed.tally
    outsiders = (Label("quick_polls.result.outsiders", (("count", tally.outsiders),
                                                        ("lines", _lines(poll.options, tally.outsider_counts, None))))
                 if tally.outsiders else Label("quick_polls.result.no_outsiders"))
    how = Label("quick_polls.result.by_committee" if closed.closed_by is not None else "quick_polls.result.by_time")
    return Notice("quick_polls.result", f"{RESULT_KEY}:{poll.id}", (Recipient(poll.chat_id),),
                  {"question": Clipped(poll.question, QUESTION_LIMIT),
                   "lines": _lines(poll.options, tally.counts, tally), "voters": tally.voters,
                   "outsiders": outsiders, "how": how})
