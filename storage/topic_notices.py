"""Who must hear about what happened to a topic, as notices (rendered by the notifier, never here).

The proposer and supporters hear about their topic's timeline; the committee (its bound chat, or each member
before one is bound) hears about new topics, thresholds, recommendations and overdue answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from core.notices import Bilingual, Label, Labels, Link, Notice, NoticeButton, Param, Recipient, When
from core.topics import LegalRule, TopicStatus, local_date
from storage.community import AnyCommunity
from storage.residents import AnyResident, committee_members
from storage.topic_lists import overdue
from storage.topics import Change, SupportOutcome, Topic
from storage.topics import Recipient as Person

# what the proposer and supporters are told, by timeline event
NOTICE_KEYS: dict[str, str] = {
    "review": "topics.note.review", "answered": "topics.note.answered", "agenda": "topics.note.agenda",
    "council": "topics.note.council", "merged": "topics.note.merged", "declined": "topics.note.declined",
    "resolved": "topics.note.resolved", "recommended": "topics.note.recommended", "hidden": "topics.note.hidden",
    "unhidden": "topics.note.unhidden", "demanded": "topics.note.demanded", "demand_met": "topics.note.demand_met",
}
RULE_KEYS: dict[str, str] = {LegalRule.ADULTS.value: "topics.rule.adults",
                             LegalRule.HOUSEHOLDS.value: "topics.rule.households"}


def rules_label(label: str | None) -> Labels:
    """``"adults+households"`` → the rules' names, joined, in each recipient's language."""
    return Labels(tuple(RULE_KEYS[part] for part in (label or "").split("+") if part in RULE_KEYS))


def demand_counts(adults: int | None, adult_base: int | None, households: int | None,
                  household_base: int | None) -> Label:
    """``成年居民 2/1000，住户 2/10``: the counts a demand was reached under (the adult rule only with a register)."""
    adult_part: Param = (f"{adults or 0}/{adult_base}" if adult_base is not None
                         else Label("topics.demand.adults_uncounted"))
    return Label("topics.demand.counts", (("adults", adult_part), ("households", households or 0),
                                          ("household_base", household_base or 0)))


def people(persons: Sequence[Person]) -> tuple[Recipient, ...]:
    return tuple(Recipient(p.telegram_user_id, p.language) for p in persons)


async def committee(session: AsyncSession, community: AnyCommunity) -> tuple[Recipient, ...]:
    """The committee's bound chat (in the community's default language), or each member in their own."""
    if community.committee_chat_id is not None:
        return (Recipient(community.committee_chat_id),)
    members = await committee_members(session, community.id or 0)
    return tuple(Recipient(m.telegram_user_id, m.language) for m in members)


def _topic_params(topic: Topic) -> dict[str, Param]:
    return {"id": topic.id or 0, "title": topic.title}


def to_people(persons: Sequence[Person], topic: Topic, template: str, key: str, /, *, open_id: int | None = None,
              **params: Param) -> Notice:
    """A notice to residents about ``topic`` (catalog key ``template``) with a button to its card."""
    return Notice(text=template, key=key, recipients=people(persons), params=_topic_params(topic) | params,
                  buttons=((NoticeButton("topics.btn.open", Link.TOPIC, open_id or topic.id or 0),),))


async def to_committee(session: AsyncSession, community: AnyCommunity, topic: Topic, template: str, key: str, /,
                       **params: Param) -> Notice:
    """An alert to the committee about ``topic`` (catalog key ``template``) with a button to its card on the desk."""
    return Notice(text=template, key=key, recipients=await committee(session, community),
                  params=_topic_params(topic) | params,
                  buttons=((NoticeButton("topics.btn.handle", Link.DESK_TOPIC, topic.id or 0),),))


def change(change: Change, **params: Param) -> Notice:
    """Tell the proposer and supporters about a timeline event (its kind names the text)."""
    event, topic = change.event, change.topic
    key = f"tp:{topic.id}:e{event.id}"
    if event.kind == TopicStatus.DEMANDED.value:
        return to_people(change.audience, topic, NOTICE_KEYS[event.kind], key, rule=rules_label(event.note))
    # a merged topic's notice opens the topic it went into
    open_id = topic.merged_into_id if event.kind == TopicStatus.MERGED.value else None
    return to_people(change.audience, topic, NOTICE_KEYS[event.kind], key, open_id=open_id,
                     text=event.note or "", **params)


async def thresholds(session: AsyncSession, community: AnyCommunity, outcome: SupportOutcome) -> list[Notice]:
    """After supports were added: the thresholds reached just now (the committee, and supporters for 1/5)."""
    topic, counted = outcome.topic, outcome.tally
    found: list[Notice] = []
    if outcome.agenda_reached:
        found.append(await to_committee(session, community, topic, "topics.alert.agenda", f"tp-agenda:{topic.id}",
                                        count=counted.residents, threshold=community.agenda_threshold))
    event = outcome.demand_event
    if event is None or outcome.bases is None:
        return found
    bases = outcome.bases
    found.append(await to_committee(
        session, community, topic, "topics.alert.demanded", f"tp-demand:{topic.id}", rule=rules_label(event.note),
        counts=demand_counts(counted.adults, bases.adults, counted.adult_households, bases.households)))
    found.append(change(Change(topic=topic, event=event, audience=outcome.demand_audience)))
    return found


async def proposed(session: AsyncSession, community: AnyCommunity, topic: Topic, category: Bilingual) -> Notice:
    return await to_committee(session, community, topic, "topics.alert.new", f"tp-new:{topic.id}",
                              category=category, due=When(topic.answer_due_at, "%m-%d %H:%M"))


async def overdue_alerts(session: AsyncSession, community: AnyCommunity, now: datetime) -> list[Notice]:
    """Once per topic per community day: the committee still owes an answer."""
    day = local_date(now, community.timezone).isoformat()
    targets = await committee(session, community)
    return [Notice(text="topics.alert.overdue", key=f"topic-overdue:{topic.id}:{day}", recipients=targets,
                   params=_topic_params(topic) | {"due": When(topic.answer_due_at)},
                   buttons=((NoticeButton("topics.btn.handle", Link.DESK_TOPIC, topic.id or 0),),))
            for topic in await overdue(session, community.id or 0, now)]



def joined_council(council_id: int, council_name: str, member: AnyResident, now: datetime) -> Notice:
    """A resident was made a member of a council (told again if removed and added again later)."""
    return Notice(text="topics.council.you_joined", key=f"council-join:{council_id}:{member.id}:{int(now.timestamp())}",
                  recipients=(Recipient(member.telegram_user_id, member.language),), params={"council": council_name},
                  buttons=((NoticeButton("topics.home.council", Link.COUNCIL_TOPICS),),))
