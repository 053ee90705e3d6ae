"""Conversation state: the half-filled form of one user in one chat, kept in the database."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.unit import Unit, snapshot


class ConversationState(SQLModel, table=True):
    __tablename__ = "conversation_state"
    __table_args__ = (UniqueConstraint("telegram_user_id", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    flow: str = Field(max_length=40)
    step: str = Field(max_length=40)
    data_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    # A new random id for every form started (never reused, unlike row ids), and a version bumped on every
    # step: form buttons carry both (``ref``), so a button can only act on the form and step that showed it.
    form_id: str = Field(default="", max_length=16)
    version: int = Field(default=1)
    updated_at: datetime

    @property
    def ref(self) -> str:
        return f"{self.form_id}.{self.version}"

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.data_json or "{}")


@dataclass(frozen=True, slots=True)
class Form:
    """A half-filled form as handlers see it (``ctx.state``): flow, step, data and the reference its buttons carry."""

    id: int
    flow: str
    step: str
    data_json: str
    form_id: str
    version: int
    updated_at: datetime

    @staticmethod
    def of(state: ConversationState) -> Form:
        return snapshot(Form, state)

    @property
    def ref(self) -> str:
        return f"{self.form_id}.{self.version}"

    @property
    def data(self) -> dict[str, Any]:
        """A fresh copy each time: changing it changes nothing until the form is saved."""
        return json.loads(self.data_json or "{}")


def new_form_id() -> str:
    return secrets.token_urlsafe(6)  # 8 characters, 48 bits


async def load(session: AsyncSession, user_id: int, chat_id: int) -> ConversationState | None:
    statement = select(ConversationState).where(
        ConversationState.telegram_user_id == user_id, ConversationState.chat_id == chat_id
    )
    return (await session.exec(statement)).first()


async def save(session: AsyncSession, user_id: int, chat_id: int, flow: str, step: str,
               data: dict[str, Any], now: datetime, *, current: ConversationState | None = None,
               loaded: bool = False) -> ConversationState:
    """Start or move a form on; the version goes up so older buttons become stale.

    ``current`` is the state already loaded in this unit of work, if any (saves a query); with
    ``loaded=True`` a ``current`` of None means "loaded, and there is none" (saves the query too).
    """
    state = current if current is not None or loaded else await load(session, user_id, chat_id)
    encoded = json.dumps(data, ensure_ascii=False, sort_keys=True)
    if state is None:
        state = ConversationState(telegram_user_id=user_id, chat_id=chat_id, flow=flow, step=step,
                                  data_json=encoded, updated_at=now, form_id=new_form_id())
    else:
        if state.flow != flow:  # another form starts: buttons of the old one must never fit it
            state.form_id = new_form_id()
        state.flow, state.step, state.data_json = flow, step, encoded
        state.version += 1
        state.updated_at = now
    session.add(state)
    await session.flush()
    return state


async def discard(session: AsyncSession, state: ConversationState) -> None:
    """End a form already loaded in this unit of work."""
    await session.delete(state)
    await session.flush()


# ---- use cases (the context's forms) ----------------------------------------------------------------


async def _row(session: AsyncSession, form: Form) -> ConversationState | None:
    """The row behind a form loaded with this update (in the session already: no statement)."""
    return await session.get(ConversationState, form.id)


async def save_form(unit: Unit, user_id: int, chat_id: int, flow: str, step: str, data: dict[str, Any],
                    now: datetime, *, current: Form | None = None, loaded: bool = False) -> Form:
    """Start or move on the form of ``user_id`` in ``chat_id`` (see :func:`save`)."""
    session = unit.session
    row = await _row(session, current) if current is not None else None
    return Form.of(await save(session, user_id, chat_id, flow, step, data, now, current=row,
                              loaded=loaded and row is None and current is None))


async def end_form(unit: Unit, form: Form) -> None:
    """End a form loaded with this update."""
    row = await _row(unit.session, form)
    if row is not None:
        await discard(unit.session, row)
