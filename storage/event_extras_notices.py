"""Who hears what about an event's extras, as notices (rendered by the notifier, never here).

The committee hears of a resident's programme proposal; the proposer hears whether it was accepted (and at
which place), declined (and why) or later taken off the programme.
"""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.notices import Link, Notice, NoticeButton, Recipient, When
from storage.community import Community
from storage.residents import Resident, committee_members


async def committee(session: AsyncSession, community_id: int) -> tuple[Recipient, ...]:
    """The committee's bound chat (in the community's default language), or each member in their own."""
    community = await session.get(Community, community_id)
    if community is not None and community.committee_chat_id is not None:
        return (Recipient(community.committee_chat_id),)
    return tuple(Recipient(m.telegram_user_id, m.language) for m in await committee_members(session, community_id))


async def person(session: AsyncSession, resident_id: int | None) -> tuple[Recipient, ...]:
    """A verified resident who has not asked to be forgotten, or no one."""
    if resident_id is None:
        return ()
    statement = select(Resident).where(col(Resident.id) == resident_id, col(Resident.verified),
                                       col(Resident.forgotten_at).is_(None))
    found = (await session.exec(statement)).first()
    return (Recipient(found.telegram_user_id, found.language),) if found is not None else ()


MENU = ((NoticeButton("menu.open", Link.MENU),),)
OUTCOMES = {"accepted": "extras.note.accepted", "declined": "extras.note.declined", "removed": "extras.note.removed"}


async def item_proposed(session: AsyncSession, community_id: int, *, item_id: int, title: str, performers: str,
                        minutes: int, event_title: str, starts_at: When) -> Notice:
    return Notice(text="extras.alert.proposed", key=f"xp-new:{item_id}",
                  recipients=await committee(session, community_id),
                  params={"id": item_id, "title": title, "performers": performers, "minutes": minutes,
                          "event": event_title, "when": starts_at})


def to_event(event_id: int) -> tuple[tuple[NoticeButton, ...], ...]:
    """A button to the event's card (where the programme is shown), and the menu."""
    return ((NoticeButton("events.btn.open", Link.EVENT, event_id),), *MENU)


async def item_decided(session: AsyncSession, proposer_id: int | None, *, item_id: int, title: str, event_title: str,
                       outcome: str, event_id: int = 0, place: int = 0, reason: str = "") -> Notice | None:
    """``outcome``: accepted, declined or removed (see ``OUTCOMES``); the button leads to the event's card."""
    recipients = await person(session, proposer_id)
    if not recipients:
        return None
    return Notice(text=OUTCOMES[outcome], key=f"xp-{outcome}:{item_id}", recipients=recipients,
                  params={"title": title, "event": event_title, "place": place, "reason": reason},
                  buttons=to_event(event_id) if event_id else MENU)
