"""Community events and the monthly 相约九号: the event table (shared by RSVP, programme, volunteers, check-in).

Times are stored as UTC-aware datetimes; the community's time zone is applied when shown.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Event(SQLModel, table=True):
    """One event. ``template_id``/``month`` tie a 相约九号 occurrence to its template: one event per month."""

    __table_args__ = (UniqueConstraint("template_id", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    title: str = Field(max_length=80)
    description: str = Field(default="", max_length=1000)
    starts_at: datetime
    ends_at: datetime
    venue: str = Field(max_length=80)
    rain_venue: str | None = Field(default=None, max_length=80)
    rain_plan: bool = Field(default=False)  # the rain venue is in use
    capacity: int | None = Field(default=None)  # people; None = no limit
    reserved: int = Field(default=0)  # seats kept by the committee (performers, elderly guests)
    rsvp_deadline: datetime | None = None
    families: bool = Field(default=True)  # adults and children counted separately
    household_max: int = Field(default=6)  # most people one household may bring
    check_in_code: str = Field(default="", max_length=16)  # the short code word shown at the venue
    status: str = Field(default=EventStatus.SCHEDULED, max_length=12)
    sequence: int = Field(default=0)  # iCalendar SEQUENCE: raised on every change residents must hear of
    template_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    month: str | None = Field(default=None, max_length=7)  # "2026-12" for a monthly occurrence
    created_at: datetime
    updated_at: datetime
