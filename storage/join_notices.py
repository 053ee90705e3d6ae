"""Who hears about a request to join: the committee gets Approve / Reject; the person hears the verdict."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from core.notices import Label, Labels, Link, Notice, NoticeButton, Recipient
from storage.community import AnyCommunity
from storage.topic_notices import committee

if TYPE_CHECKING:  # registration builds these notices in its use cases
    from storage.registration import JoinRequest, JoinRequestView


def requested_key(request_id: int) -> str:
    return f"join:{request_id}"


def decided_key(request_id: int) -> str:
    return f"join-decided:{request_id}"


async def requested(session: AsyncSession, community: AnyCommunity, request: JoinRequest) -> Notice:
    request_id = request.id or 0
    return Notice(text="join.committee_card", key=requested_key(request_id),
                  recipients=await committee(session, community),
                  params={"name": request.display_name, "address": request.address or "—",
                          "adult": Label("common.yes" if request.is_adult else "common.no"),
                          "user_id": request.telegram_user_id},
                  buttons=((NoticeButton("join.approve", Link.APPROVE_JOIN, request_id),
                            NoticeButton("join.reject", Link.REJECT_JOIN, request_id)),))


def decided(community: AnyCommunity, request: JoinRequest | JoinRequestView, *, approved: bool,
            offers: tuple[str, ...]) -> Notice:
    """The person hears the verdict; an approval lists what taking part offers (one catalog line per feature)."""
    return Notice(text="join.you_are_approved" if approved else "join.you_are_rejected",
                  key=decided_key(request.id or 0),
                  recipients=(Recipient(request.telegram_user_id, request.language),),
                  params={"community": community.name, "offers": Labels(offers, separator_key=None)},
                  buttons=((NoticeButton("menu.open", Link.MENU),),))
