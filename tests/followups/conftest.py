"""Fixtures for follow-up actions: the world's community, a passed proposal on the agenda of a
committee meeting chaired by the owners' committee chair and recorded by its staff member."""

from datetime import timedelta

import pytest

from app.extensions import beijing_today, db, utcnow
from app.followups.services import add_action
from app.meetings.kinds import MeetingKind
from app.meetings.models import AgendaItem, Meeting
from app.proposals.states import Status


class Setting:
    """``w`` (the world), ``meeting``, ``item`` (its one agenda item), ``proposal`` (passed),
    ``recorder`` and ``chair`` of the meeting."""


@pytest.fixture
def setting(world, make_proposal) -> Setting:
    s = Setting()
    s.w = world
    s.chair, s.recorder = world.users["oc_chair"], world.users["oc_staff"]
    s.proposal = make_proposal(world.community, world.users["resident"], status=Status.PASSED,
                               title="修复小区路灯")
    now = utcnow()
    s.meeting = Meeting(
        community_id=world.community.id, kind=MeetingKind.COMMITTEE, title="业委会第三次会议",
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1),
        organisation_id=world.owners_committee.id, chair_id=s.chair.id,
        recorder_id=s.recorder.id, check_in_code="246810", created_by_id=s.chair.id)
    db.session.add(s.meeting)
    db.session.flush()
    s.item = AgendaItem(meeting_id=s.meeting.id, proposal_id=s.proposal.id, position=1)
    db.session.add(s.item)
    db.session.commit()
    return s


@pytest.fixture
def give_action(setting):
    """An action for the property company, due in ``days`` (negative: overdue)."""

    def give(description="更换 3 号路灯灯泡", days=7, organisation=None, on=None):
        item = None if on is not None else setting.item
        action = add_action(on if on is not None else item.proposal,
                            agenda_item_id=item.id if item is not None else None,
                            organisation=organisation or setting.w.property_company,
                            description=description,
                            due_on=beijing_today() + timedelta(days=days),
                            actor=setting.recorder)
        db.session.commit()
        return action

    return give


@pytest.fixture
def en(client):
    client.set_cookie("lang", "en")
    return client
