"""Fixtures for meetings: one factory that builds a whole meeting, and an English client."""

from datetime import timedelta

import pytest

from app.community.models import MemberRole, OrganisationKind, Role
from app.extensions import db, utcnow
from app.meetings.kinds import MeetingKind
from app.meetings.models import AgendaItem, Attendee, Meeting, MeetingOrganisation

CODE = "246810"

# The organisation that convenes each kind of meeting in the factory.
CONVENERS = {
    MeetingKind.OWNERS_GENERAL: OrganisationKind.OWNERS_COMMITTEE,
    MeetingKind.COMMITTEE: OrganisationKind.OWNERS_COMMITTEE,
    MeetingKind.PARTY_BRANCH: OrganisationKind.PARTY_BRANCH,
    MeetingKind.RESIDENTS_COUNCIL: OrganisationKind.NEIGHBOURHOOD_COMMITTEE,
    MeetingKind.JOINT: OrganisationKind.NEIGHBOURHOOD_COMMITTEE,
}


@pytest.fixture
def make_meeting(make_community, make_org, make_user, add_member, give_role, make_proposal):
    """A meeting convened by an organisation whose chair chairs it and whose staff member
    records it. Invited: the organisation (chair, recorder and ``members`` plain members,
    all voting) and ``observers`` non-voting attendees (列席, residents of the community).
    The agenda holds ``proposals`` in order; by default one new proposal in deliberation.
    By default the meeting started ten minutes ago and lasts two hours.

    The meeting's ``attendees``, ``items``, ``chair``, ``recorder``, ``organisation`` and
    ``community`` are loaded; the plain members and observers are its attendees' users.
    """

    def make(*, community=None, kind: str = MeetingKind.COMMITTEE, organisation=None,
             proposals=None, members: int = 2, observers: int = 1,
             starts_in: timedelta = timedelta(minutes=-10),
             duration: timedelta = timedelta(hours=2), title: str = "业委会第三次会议",
             place: str = "社区活动室", cancelled: bool = False) -> Meeting:
        community = community or make_community()
        organisation = organisation or make_org(community, CONVENERS[kind])
        chair, recorder = make_user(name="会议主持人"), make_user(name="会议记录人")
        add_member(organisation, chair, MemberRole.CHAIR)
        add_member(organisation, recorder, MemberRole.STAFF)
        plain = [make_user(name=f"委员{n + 1}") for n in range(members)]
        for user in plain:
            add_member(organisation, user, MemberRole.MEMBER)
        watchers = [make_user(name=f"列席{n + 1}") for n in range(observers)]
        for user in watchers:
            give_role(user, Role.RESIDENT, community)
        if proposals is None:
            proposals = [make_proposal(community, chair, title="加装电梯")]
        starts_at = utcnow() + starts_in
        meeting = Meeting(
            community_id=community.id, kind=kind, title=title, starts_at=starts_at,
            ends_at=starts_at + duration, place=place, organisation_id=organisation.id,
            chair_id=chair.id, recorder_id=recorder.id, check_in_code=CODE,
            created_by_id=chair.id, cancelled_at=utcnow() if cancelled else None,
            cancel_reason="改期" if cancelled else "")
        db.session.add(meeting)
        db.session.flush()
        db.session.add(MeetingOrganisation(meeting_id=meeting.id,
                                           organisation_id=organisation.id))
        for user in [chair, recorder, *plain]:
            db.session.add(Attendee(meeting_id=meeting.id, user_id=user.id,
                                    organisation_id=organisation.id, voting=True))
        for user in watchers:
            db.session.add(Attendee(meeting_id=meeting.id, user_id=user.id, voting=False))
        for position, proposal in enumerate(proposals, start=1):
            db.session.add(AgendaItem(meeting_id=meeting.id, proposal_id=proposal.id,
                                      position=position))
        db.session.commit()
        return meeting

    return make


def invite_organisations(meeting: Meeting, make_org, make_user, count: int) -> None:
    """Invite ``count`` more organisations to a joint meeting, each sending one voting
    member of its own, so that the invitees belong to many organisations."""
    for n in range(count):
        guest = make_org(meeting.community, OrganisationKind.SOCIAL_ORGANISATION,
                         f"受邀组织{n + 1}")
        delegate = make_user(name=f"{guest.name}代表")
        db.session.add_all([
            MeetingOrganisation(meeting_id=meeting.id, organisation_id=guest.id),
            Attendee(meeting_id=meeting.id, user_id=delegate.id, organisation_id=guest.id,
                     voting=True)])
    db.session.commit()


@pytest.fixture
def meeting(make_meeting) -> Meeting:
    return make_meeting()


@pytest.fixture
def en(client):
    """A client that reads the site in English, for assertions on visible text."""
    client.set_cookie("lang", "en")
    return client
