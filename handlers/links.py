"""Buttons that lead from one feature (or a notice) into another: the screens other places link to.

They are part of the port: the notifier (``scheduler/``) puts them under notices, handlers under screens.
Each is routed by exactly one handler (see the feature named in its comment).
"""

from __future__ import annotations

from handlers.buttons import Tap


class OpenMenu(Tap, prefix="m"):
    """The main menu (handlers.menu)."""


class LanguagePicker(Tap, prefix="lg"):
    """Choose 中文 / English (handlers.language)."""


class CommitteeHome(Tap, prefix="cm"):
    """The committee's menu (handlers.committee)."""


class ElectoratesHome(Tap, prefix="ea"):
    """The committee's electorates screen: counts, files, representatives (handlers.electorates)."""


class TopicsHome(Tap, prefix="tp"):
    """Topics for residents (handlers.topics)."""


class OpenTopic(Tap, prefix="tc"):
    """A topic's card as residents see it (handlers.topics)."""

    topic_id: int


class CouncilTopics(Tap, prefix="tk"):
    """Topics referred to the councils the resident sits on (handlers.topics)."""


class DeskHome(Tap, prefix="q"):
    """The committee's topic desk (handlers.topics_committee)."""


class DeskTopic(Tap, prefix="qc"):
    """A topic's card on the committee's desk (handlers.topics_committee)."""

    topic_id: int


class DecideJoin(Tap, prefix="jd"):
    """Approve or reject a request to join (handlers.committee); sent to the committee with each request."""

    request_id: int
    approve: bool


class VotesHome(Tap, prefix="va"):
    """The resident's votes (handlers.voting)."""


class OpenBallot(Tap, prefix="vb"):
    """The ballot of a meeting: its first item not voted on yet (handlers.voting)."""

    meeting_id: int


class OpenMeeting(Tap, prefix="vm"):
    """A meeting as residents see it: items, texts, amendments, results (handlers.voting)."""

    meeting_id: int


class MeetingsDesk(Tap, prefix="vc"):
    """The committee's meetings (handlers.voting_committee)."""


class MeetingDesk(Tap, prefix="vd"):
    """A meeting on the committee's side (handlers.voting_committee)."""

    meeting_id: int


class EventsHome(Tap, prefix="wl"):
    """Upcoming events for residents (handlers.events); the committee's tools are on it for members."""


class OpenEvent(Tap, prefix="wo"):
    """An event's card as residents see it (handlers.events); programme, volunteers and check-in link here too."""

    event_id: int


class PaperDesk(Tap, prefix="bd"):
    """A meeting's paper ballots, scrutineers and proxies on the committee's side (handlers.paper)."""

    meeting_id: int


class ExportsHome(Tap, prefix="za"):
    """The committee's monthly export: choose a month (handlers.exports)."""


class VotingRules(Tap, prefix="oa"):
    """The community's voting rules per kind of meeting (handlers.voting_rules)."""


class MeetingRules(Tap, prefix="ob"):
    """One meeting's own rule and write-ins, before voting opens (handlers.voting_rules)."""

    meeting_id: int


class FurtherRound(Tap, prefix="oc"):
    """Start an election's further round for its unfilled seats (handlers.voting_rules)."""

    meeting_id: int


class WriteIn(Tap, prefix="od"):
    """On an election's ballot: write in another eligible person (handlers.voting_write_in)."""

    meeting_id: int
    item_id: int
    round: int


class OwnersByFlat(Tap, prefix="ol"):
    """The committee edits owners flat by flat: asks for a flat's address (handlers.electorate_owners)."""
