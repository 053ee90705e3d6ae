"""Who must hear what about a vote, as notices (rendered per recipient by the notifier, never here).

Voting open, postponed, "closes in 24 hours" and the results go to the round's register (a household's vote: its
holder once someone holds it, else its adults); results also to the committee (its chat, or each member), and to
the supporters of a topic linked to an item. Amendment decisions go to their author.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from core.bulletin import key as bulletin_key
from core.notices import Chart, ChartBar, Label, Lines, Link, Notice, NoticeButton, Param, Recipient, When
from core.thresholds import Threshold
from core.voting import ItemKind, ItemResult, MeetingKind, Turnout, decode_threshold
from core.voting import key as vkey
from storage import ballots, topics
from storage.community import AnyCommunity
from storage.meetings import AmendmentView, Counted, ItemView, MeetingView, Moved
from storage.residents import Resident
from storage.topic_notices import committee, to_people
from storage.unit import Unit

KIND_KEYS = {kind: vkey("kind", kind.value) for kind in MeetingKind}


async def people(unit: Unit, resident_ids: Sequence[int]) -> tuple[Recipient, ...]:
    if not resident_ids:
        return ()
    found = (await unit.session.exec(select(Resident.telegram_user_id, Resident.language).where(
        col(Resident.id).in_(list(resident_ids)), col(Resident.forgotten_at).is_(None))
        .order_by(col(Resident.id)))).all()
    return tuple(Recipient(chat, language) for chat, language in found)


def _meeting_params(meeting: MeetingView) -> dict[str, Param]:
    return {"id": meeting.id, "title": meeting.title, "kind": Label(KIND_KEYS[meeting.kind])}


def _ballot_button(meeting: MeetingView) -> tuple[tuple[NoticeButton, ...], ...]:
    return ((NoticeButton("voting.btn.ballot", Link.BALLOT, meeting.id),),)


async def opened(unit: Unit, moved: Moved) -> Notice:
    meeting = moved.meeting
    closes = When(meeting.closes_at) if meeting.closes_at else "—"
    return Notice(text="voting.note.opened", key=f"mt-open:{meeting.id}:{meeting.round}",
                  recipients=await people(unit, moved.told),
                  params=_meeting_params(meeting) | {"closes": closes, "items": len(meeting.items)},
                  buttons=_ballot_button(meeting))


async def postponed(unit: Unit, moved: Moved) -> Notice:
    meeting = moved.meeting
    return Notice(text="voting.note.postponed", key=f"mt-postponed:{meeting.id}:{moved.void_round}",
                  recipients=await people(unit, moved.told),
                  params=_meeting_params(meeting) | {"reason": moved.reason or ""},
                  buttons=((NoticeButton("voting.btn.meeting", Link.MEETING, meeting.id),),))


async def closing_soon(unit: Unit, moved: Moved) -> Notice:
    meeting = moved.meeting
    return Notice(text="voting.note.closing", key=f"mt-closing:{meeting.id}:{meeting.round}",
                  recipients=await people(unit, moved.told),
                  params=_meeting_params(meeting) | {"closes": When(meeting.closes_at) if meeting.closes_at else "—"},
                  buttons=_ballot_button(meeting))


async def amendment_submitted(unit: Unit, community: AnyCommunity, meeting: MeetingView,
                              amendment: AmendmentView) -> Notice:
    return Notice(text="voting.alert.amendment", key=f"mt-amend-new:{amendment.id}",
                  recipients=await committee(unit.session, community),
                  params=_meeting_params(meeting) | {"text": amendment.text},
                  buttons=((NoticeButton("voting.btn.desk", Link.MEETING_DESK, meeting.id),),))


async def amendment_decided(unit: Unit, meeting: MeetingView, amendment: AmendmentView) -> Notice:
    return Notice(text=vkey("note", f"amendment_{amendment.status}"), key=f"mt-amend:{amendment.id}",
                  recipients=await people(unit, [amendment.author_id] if amendment.author_id else []),
                  params=_meeting_params(meeting) | {"reason": amendment.reason or "",
                                                     "version": amendment.version or 0},
                  buttons=((NoticeButton("voting.btn.meeting", Link.MEETING, meeting.id),),))


# ---- results -----------------------------------------------------------------------------------------


def threshold_label(text: str | None) -> Param:
    if text is None:
        return Label("voting.rule.no_quorum")
    t: Threshold = decode_threshold(text)
    return Label(t.key, (("n", t.numerator), ("d", t.denominator)))


def option_label(item: ItemView, position: int) -> Param:
    option = item.options[position]
    return Label(vkey("choice", option.code)) if option.code else option.label


def outcome(item: ItemView, result: ItemResult) -> Param:
    if not result.quorate:
        return Label("voting.outcome.no_quorum" if item.kind is not ItemKind.ELECTION else "voting.outcome.invalid")
    if result.passed is not None:
        return Label("voting.outcome.passed" if result.passed else "voting.outcome.failed")
    if item.kind is ItemKind.ELECTION:
        elected = Lines(tuple(option_label(item, p) for p in result.winners), "、") if result.winners else "—"
        return Label("voting.outcome.elected", (("names", elected), ("unfilled", result.unfilled)))
    chosen = Lines(tuple(option_label(item, p) for p in result.winners), "、") if result.winners else "—"
    return Label("voting.outcome.chosen", (("names", chosen),))


def result_lines(item: ItemView, result: ItemResult) -> Label:
    owners = result.quorate_by_area is not None
    counts = Lines(tuple(
        Label("voting.result.option_area" if owners else "voting.result.option",
              (("name", option_label(item, o.position)), ("votes", o.heads), ("area", _m2(o.area))))
        for o in result.options))
    rule = Label("voting.result.rule", (("rule", Label(result.rule_key)), ("quorum", threshold_label(result.quorum)),
                                        ("passing", threshold_label(result.passing))))
    extra: Param = ""
    if owners:
        extra = Label("voting.result.area", (("took_area", _m2(result.took_part_area)),
                                             ("area", _m2(result.eligible_area))))
    if result.unfilled and result.quorate:
        extra = Label("voting.result.further", (("seats", result.unfilled),
                                                ("rule", threshold_label(result.further))))
    if result.tied:
        extra = Lines((extra, Label("voting.result.tied", (
            ("names", Lines(tuple(option_label(item, p) for p in result.tied), "、")),))))
    if result.drawn:
        extra = Lines((extra, Label("voting_rules.result.drawn", (
            ("names", Lines(tuple(option_label(item, p) for p in result.drawn), "、")),))))
    if any(channel != "online" for channel, _ in result.by_channel):  # a hybrid meeting: each channel's share
        extra = Lines((extra, channel_lines(result)))
    return Label("voting.result.item", (
        ("position", item.position + 1), ("title", item.title), ("outcome", outcome(item, result)),
        ("took", result.took_part), ("eligible", result.eligible), ("counts", counts), ("rule", rule),
        ("invalid", result.invalid), ("extra", extra)))


def channel_lines(result: ItemResult) -> Label:
    """``线上 30（54.5%）· 纸质 24（43.6%）· 委托 1（1.8%）``: ballots per channel, invalid ones included."""
    total = sum(n for _, n in result.by_channel) or 1
    parts = tuple(Label("trust.result.channel", (("channel", Label(bulletin_key("channel", channel))), ("n", n),
                                                 ("share", f"{n * 1000 // total // 10}.{n * 1000 // total % 10}%")))
                  for channel, n in result.by_channel)
    return Label("trust.result.channels", (("parts", Lines(parts, " · ")),))


def record_lines(head: str | None) -> Param:
    """The record's head as published, and how anyone recomputes the result from the bulletin."""
    if not head:
        return ""
    return Label("trust.result.record", (("head", head),))


def _m2(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def turnout_lines(turnout: Turnout) -> Param:
    rows: list[Param] = [Label("voting.result.turnout", (("took", turnout.took_part), ("eligible", turnout.eligible)))]
    for name, (took, base) in turnout.by_building.items():
        rows.append(Label("voting.result.building", (("name", name or "—"), ("took", took), ("eligible", base))))
    groups = {k: v for k, v in turnout.by_group.items() if k}
    for name, (took, base) in groups.items():
        rows.append(Label("voting.result.group", (("name", name), ("took", took), ("eligible", base))))
    return Lines(tuple(rows))


def chart(item: ItemView, result: ItemResult) -> Chart:
    by_area = result.quorate_by_area is not None
    return Chart(title=item.title, subtitle=Lines((outcome(item, result), Label(result.rule_key)), " · "),
                 bars=tuple(ChartBar(option_label(item, o.position), o.area // 100 if by_area else o.heads,
                                     o.position in result.winners) for o in result.options),
                 unit=Label("voting.chart.area" if by_area else "voting.chart.votes"))


async def results(unit: Unit, community: AnyCommunity, counted: Counted) -> list[Notice]:
    """The results (text, then a chart per item) to the register and the committee; linked topics' supporters."""
    meeting = counted.meeting
    told = await people(unit, await ballots.casters(unit.session, meeting.id, meeting.round))
    recipients = tuple(dict.fromkeys(told + await committee(unit.session, community)))
    key = f"mt-result:{meeting.id}:{meeting.round}"
    found = [Notice(text="voting.note.results", key=key, recipients=recipients,
                    params=_meeting_params(meeting) | {
                        "items": Lines(tuple(result_lines(item, result) for item, result in counted.results), "\n\n"),
                        "turnout": Lines((turnout_lines(counted.turnout), record_lines(counted.head)), "\n\n")},
                    buttons=((NoticeButton("voting.btn.meeting", Link.MEETING, meeting.id),),))]
    if counted.head:  # a copy of the head outside the database, at each close
        found.append(Notice(text="trust.note.head", key=f"{key}:head",
                            recipients=await committee(unit.session, community),
                            params=_meeting_params(meeting) | {"round": meeting.round, "head": counted.head}))
    for item, result in counted.results:
        found.append(Notice(text="voting.note.chart", key=f"{key}:chart{item.id}", recipients=recipients,
                            params={"title": item.title, "outcome": outcome(item, result)}, chart=chart(item, result)))
    found += await _topics(unit, community, counted)
    return found


async def _topics(unit: Unit, community: AnyCommunity, counted: Counted) -> list[Notice]:
    """A topic linked to an item: the result goes on its timeline (its card shows it), its supporters are told."""
    found = []
    for item, result in counted.results:
        if item.topic_id is None:
            continue
        topic = await topics.get_topic(unit.session, community.id or 0, item.topic_id)
        kind = "vote_done" if result.passed is None else ("vote_passed" if result.passed else "vote_failed")
        event = await topics.add_event(unit.session, topic, kind, counted.closed_at, ref_id=counted.meeting.id)
        audience = await topics.audience(unit.session, topic)
        found.append(to_people(audience, topic, "voting.note.topic_result", f"tp:{topic.id}:e{event.id}",
                               meeting=counted.meeting.title, outcome=outcome(item, result)))
    return found
