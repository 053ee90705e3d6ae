"""Who must hear that a household's vote changed hands: the household's other verified adults (rendered by the
notifier in each one's language, never here)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.notices import Label, Link, Notice, NoticeButton, Recipient
from storage.residents import Resident


async def household_vote_moved(session: AsyncSession, household_id: int, holder_id: int, *,
                               actor_resident_id: int | None, by_committee: bool, now: datetime) -> tuple[Notice, ...]:
    """"The household's vote is now cast by X" to its verified adults but the one who made the change."""
    statement = select(col(Resident.id), col(Resident.telegram_user_id), col(Resident.language),
                       col(Resident.display_name)).where(
        col(Resident.household_id) == household_id, col(Resident.verified).is_(True),
        col(Resident.is_adult).is_(True), col(Resident.forgotten_at).is_(None))
    adults = (await session.exec(statement)).all()
    holder = next((name for rid, _, _, name in adults if rid == holder_id), "")
    recipients = tuple(Recipient(telegram_id, language) for rid, telegram_id, language, _ in adults
                       if rid != actor_resident_id)
    if not recipients:
        return ()
    by = Label("electorates.notice.by_committee" if by_committee else "electorates.notice.by_household")
    return (Notice(text="electorates.notice.vote_moved",
                   key=f"electorates.vote_moved:{household_id}:{holder_id}:{now.isoformat()}",
                   recipients=recipients, params={"holder": holder, "by": by},
                   buttons=((NoticeButton("menu.open", Link.MENU),),)),)
