"""Deleting one's data (``storage.privacy.forget``), the features' part: events and their extras, votes, quick polls
and the committee's acts. Each kind of row is either deleted or keeps its place in the counts without the person:

* event replies: to come — handed to another member of the household, else withdrawn (the waitlist moves up and
  those promoted are told); of the past — kept without the person, so going, attended and no-shows stay the same
  (``storage.events.forget_resident``);
* waitlist places: as replies (a place is a reply that waits);
* volunteer sign-ups: for an event not over — deleted, the slot freed; of the past — deleted, the role's count of
  volunteers (``taken``) kept;
* programme proposals: kept (accepted items stay on the programme, still counted as resident-planned), without the
  proposer; who decided them (a committee member) goes too;
* check-in: the code tries are deleted; attendance is kept without the person (the party's counts stay);
* meetings: the register entries they could cast are deleted, the register entry's name for them (``r:<id>``)
  becomes ``x:<entry id>``, a household's vote they held is held by nobody this round; open ballots stay counted,
  without who cast them — on a closed meeting as on an open one, so no count ever changes; secret ballots never
  named anyone; amendments and the meetings they created stay, without them; a candidate's option keeps its label
  (an election's result is public), without the link to them;
* paper ballots and proxies: a scrutineer's appointment is deleted; a paper entry keeps who entered it as the
  anonymous resident row (the record of the hall; it names nobody) and loses who confirmed it; a proxy stays part of
  the meeting's record between the anonymous rows (so no count changes), without who registered it and without
  the photo of the signed form;
* quick polls: their answers stay counted, without their Telegram id (``storage.quick_polls.forget_user``) but
  still the anonymous resident row's (that is what counts an answer as a resident's), polls they created or closed
  stay, without them;
* the committee's acts elsewhere (a council created, a topic answered or its demand noted, a comment hidden, a
  household representative set): kept, without who did it.

Deliberately kept: the anonymous resident row's public contributions to topics (see ``storage.privacy``) and its
quick poll answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.notices import Notice
from storage import events
from storage.ballots import MeetingCaster, MeetingElector, OpenBallot
from storage.councils import Council
from storage.electorates import HouseholdRepresentative
from storage.event_checkin import Attendance, CheckInAttempt
from storage.event_programme import ProgrammeItem
from storage.event_volunteers import Volunteer, VolunteerRole
from storage.events import Event
from storage.meetings import Amendment, Meeting, MeetingOption
from storage.paper import PaperEntry, Scrutineer
from storage.proxies import MeetingProxy
from storage.quick_polls import QuickPoll, QuickPollAnswerChange
from storage.residents import Resident
from storage.topic_comments import TopicComment
from storage.topics import Topic


async def _execute(session: AsyncSession, statement: Any) -> int:
    result = await session.exec(statement)
    return int(result.rowcount or 0)


async def _unlink(session: AsyncSession, column: Any, resident_id: int) -> None:
    """``column`` (a nullable link to a resident) no longer names ``resident_id``."""
    await _execute(session, update(column.class_).where(column == resident_id)
                   .values({column.key: None}).execution_options(synchronize_session=False))


async def forget_resident(session: AsyncSession, community_id: int, resident: Resident,
                          now: datetime) -> tuple[Notice, ...]:
    """Everything of the features' that names ``resident`` (still as they were: verified, in their household);
    returns who must hear of it (households promoted from a waitlist)."""
    resident_id = resident.id or 0
    told = await events.forget_resident(session, community_id, resident, now)

    # volunteers: an event not over gets the slot back; the past keeps its count
    statement = (select(Volunteer, Event).join(Event, col(Event.id) == Volunteer.event_id)
                 .where(col(Volunteer.resident_id) == resident_id))
    for volunteer, event in (await session.exec(statement)).all():
        await _execute(session, delete(Volunteer).where(col(Volunteer.id) == volunteer.id))
        if event.ends_at >= now:
            await _execute(session, update(VolunteerRole).where(col(VolunteerRole.id) == volunteer.role_id,
                                                                col(VolunteerRole.taken) > 0)
                           .values(taken=VolunteerRole.taken - 1).execution_options(synchronize_session=False))

    # check-in and the programme
    await _execute(session, delete(CheckInAttempt).where(col(CheckInAttempt.resident_id) == resident_id))
    for column in (Attendance.resident_id, Attendance.recorded_by, ProgrammeItem.proposer_id,
                   ProgrammeItem.decided_by):
        await _unlink(session, col(column), resident_id)

    # meetings: the register and the ballots
    await _execute(session, delete(MeetingCaster).where(col(MeetingCaster.resident_id) == resident_id))
    named = (await session.exec(select(MeetingElector.id).where(col(MeetingElector.key) == f"r:{resident_id}"))).all()
    for elector_id in named:
        await _execute(session, update(MeetingElector).where(col(MeetingElector.id) == elector_id)
                       .values(key=f"x:{elector_id}").execution_options(synchronize_session=False))
    for column in (MeetingElector.holder_id, OpenBallot.cast_by, Amendment.author_id, Amendment.decided_by,
                   MeetingOption.candidate_id, Meeting.created_by):
        await _unlink(session, col(column), resident_id)

    # paper ballots and proxies
    await _execute(session, delete(Scrutineer).where(col(Scrutineer.resident_id) == resident_id))
    for column in (PaperEntry.confirmed_by, MeetingProxy.registered_by):
        await _unlink(session, col(column), resident_id)
    # the photo of a signed proxy form shows names and signatures: it goes, the proxy's place in the record stays
    await _execute(session, update(MeetingProxy).where(or_(col(MeetingProxy.grantor_id) == resident_id,
                                                         col(MeetingProxy.proxy_id) == resident_id))
                   .values(form_file_id="").execution_options(synchronize_session=False))

    # quick polls (the answers' Telegram ids: storage.quick_polls.forget_user); an answer keeps its link to the
    # anonymous resident row: that link is what makes it count as a resident's
    for column in (QuickPoll.created_by, QuickPoll.closed_by, QuickPollAnswerChange.resident_id):
        await _unlink(session, col(column), resident_id)

    # the committee's acts
    for column in (Council.created_by, Topic.answered_by, Topic.demand_noted_by, TopicComment.hidden_by,
                   HouseholdRepresentative.set_by):
        await _unlink(session, col(column), resident_id)
    return told
