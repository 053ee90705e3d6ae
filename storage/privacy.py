"""Deleting a person's data on request (PIPL): everything that names, reaches or locates them goes.

What is erased: their name, Telegram id, home (the link to a household, the invite code's link, the address they
typed in a join request), language, adult flag, verification time, roles, council seats, join requests, code
tries, half-filled forms, the household vote they held, their seats as representatives, the link
from an owner's record to them, and every outbox message to them or about them (the committee's join card).
What stays, anonymous: the resident row (so their public topics and comments, supports and timeline entries
still resolve, without a name), recorded results (a threshold reached, a meeting demand with its counts), and
the audit log, where their Telegram id is replaced by a random pseudonym kept nowhere else: their actions still
belong together for whoever checks the log, but cannot be traced back to them.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.notices import outbox_prefix
from storage import audit, electorate_admin, inbox, quick_polls
from storage.audit import AuditEntry
from storage.conversations import ConversationState
from storage.councils import CouncilMember
from storage.join_notices import decided_key, requested_key
from storage.outbox import OutboxMessage
from storage.registration import CodeAttempt, InviteCode, JoinRequest
from storage.residents import Resident, RoleGrant, by_telegram_id
from storage.unit import Unit

FORGOTTEN_LANGUAGE = "zh-Hans"  # the same for everyone forgotten: their choice is not kept
LINKING_DETAIL = ("household_id",)  # audit details that would tie an anonymous row to a home


@dataclass(frozen=True, slots=True)
class Forgotten:
    resident_id: int | None  # the anonymous row that remains, if there was one
    join_requests: int
    outbox_messages: int
    audit_entries: int  # rows now under the pseudonym


def new_pseudonym() -> str:
    """Random, so it cannot be recomputed from the Telegram id (a keyed hash could, by whoever has the key)."""
    return "anon-" + secrets.token_hex(8)


async def _execute(session: AsyncSession, statement: object) -> int:
    result = await session.exec(statement)  # type: ignore[call-overload]
    return int(result.rowcount or 0)


async def forget(unit: Unit, *, community_id: int, telegram_user_id: int, now: datetime) -> Forgotten:
    """Erase or pseudonymise everything personal about the Telegram user ``telegram_user_id``. One transaction."""
    session = unit.session
    resident = await by_telegram_id(session, community_id, telegram_user_id)
    pseudonym = new_pseudonym()

    # Join requests: name, address, Telegram id; and the committee's cards about them in the outbox.
    request_ids = list((await session.exec(select(JoinRequest.id).where(
        col(JoinRequest.community_id) == community_id, col(JoinRequest.telegram_user_id) == telegram_user_id))).all())
    about_them = [col(OutboxMessage.dedupe_key).startswith(outbox_prefix(key(request_id or 0)))
                  for request_id in request_ids for key in (requested_key, decided_key)]
    messages = await _execute(session, delete(OutboxMessage).where(
        or_(col(OutboxMessage.chat_id) == telegram_user_id, *about_them)))
    await _execute(session, delete(JoinRequest).where(col(JoinRequest.telegram_user_id) == telegram_user_id))

    # Where they acted for others (a committee member), their id goes too.
    await _execute(session, update(JoinRequest).where(col(JoinRequest.decided_by) == telegram_user_id)
                   .values(decided_by=None))
    await _execute(session, update(RoleGrant).where(col(RoleGrant.granted_by) == telegram_user_id)
                   .values(granted_by=None))
    audited = await _execute(session, update(AuditEntry).where(col(AuditEntry.actor_telegram_id) == telegram_user_id)
                             .values(actor_telegram_id=None, actor_pseudonym=pseudonym))

    await _execute(session, delete(CodeAttempt).where(col(CodeAttempt.telegram_user_id) == telegram_user_id))
    await inbox.forget_user(session, telegram_user_id)  # handled updates, this one included
    await quick_polls.forget_user(session, telegram_user_id)  # their poll answers count on, naming nobody
    await _execute(session, delete(ConversationState).where(or_(
        col(ConversationState.telegram_user_id) == telegram_user_id,
        col(ConversationState.chat_id) == telegram_user_id)))

    if resident is not None and resident.id is not None:
        await _forget_resident(session, resident, now)
        await audit.record(session, community_id=resident.community_id, actor=None, action="resident:forgotten",
                           subject=f"resident:{resident.id}", now=now)
    await session.flush()
    return Forgotten(resident_id=resident.id if resident else None, join_requests=len(request_ids),
                     outbox_messages=messages, audit_entries=audited)


async def _forget_resident(session: AsyncSession, resident: Resident, now: datetime) -> None:
    resident_id = resident.id or 0
    await _execute(session, delete(RoleGrant).where(col(RoleGrant.resident_id) == resident_id))
    await _execute(session, delete(CouncilMember).where(col(CouncilMember.resident_id) == resident_id))
    await electorate_admin.forget_resident(session, resident_id)  # household vote, representatives, owner link
    await _execute(session, update(InviteCode).where(col(InviteCode.used_by_resident_id) == resident_id)
                   .values(used_by_resident_id=None))
    for entry in (await session.exec(select(AuditEntry).where(col(AuditEntry.subject) == f"resident:{resident_id}"))):
        detail = json.loads(entry.detail_json or "{}")
        if any(key in detail for key in LINKING_DETAIL):
            entry.detail_json = json.dumps({k: v for k, v in detail.items() if k not in LINKING_DETAIL},
                                           ensure_ascii=False)
            session.add(entry)
    resident.display_name = ""
    resident.telegram_user_id = -resident_id  # frees the Telegram id; nobody can be reached through this row
    resident.household_id = None
    resident.language = FORGOTTEN_LANGUAGE
    resident.is_adult = False
    resident.verified = False
    resident.verified_at = None
    resident.forgotten_at = now
    session.add(resident)
