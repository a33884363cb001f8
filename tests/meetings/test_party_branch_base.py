"""A party branch counts only members with a vote (支部工作条例 Art. 11): probationary
members (预备党员) and members on approved leave are left out of the base of its meetings'
quorum and of its polls' roll."""

from datetime import timedelta

from app.community.models import MemberRole, OrganisationKind, PartyStatus
from app.extensions import db, local_zone
from app.meetings.kinds import MeetingKind
from app.meetings.quorum import attendance_quorum
from app.meetings.services import attendance, invite_organisation


def _branch_with_standing(make_org, make_user, add_member, community, day):
    """Five members: two full, one probationary, one on leave through ``day`` and one
    whose leave ended the day before."""
    branch = make_org(community, OrganisationKind.PARTY_BRANCH, "第一党支部")
    members = {name: add_member(branch, make_user(name=name), MemberRole.MEMBER)
               for name in ("党员甲", "党员乙", "预备党员丙", "请假党员丁", "销假党员戊")}
    members["预备党员丙"].party_status = PartyStatus.PROBATIONARY
    members["请假党员丁"].on_leave_until, members["请假党员丁"].leave_reason = day, "外出务工"
    members["销假党员戊"].on_leave_until = day - timedelta(days=1)
    db.session.commit()
    return branch


def test_the_branch_meetings_base_leaves_out_probationary_members_and_those_on_leave(
        make_meeting, make_org, make_user, add_member, make_community):
    community = make_community()
    meeting = make_meeting(community=community, kind=MeetingKind.PARTY_BRANCH, members=0,
                           observers=0)
    day = meeting.starts_at.astimezone(local_zone()).date()
    branch = _branch_with_standing(make_org, make_user, add_member, community, day)
    invite_organisation(meeting, branch, voting=True, notify_them=False)
    db.session.commit()
    by_name = {a.user.name: a for a in meeting.attendees}
    assert not by_name["预备党员丙"].voting and not by_name["请假党员丁"].voting
    assert by_name["党员甲"].voting and by_name["销假党员戊"].voting
    # chair and recorder of the convening organisation, plus three with a vote
    assert attendance(meeting).voting_invited == 5


def test_exactly_half_of_the_voting_members_is_a_quorum():
    assert attendance_quorum(MeetingKind.PARTY_BRANCH, 4, 2).holds
    assert not attendance_quorum(MeetingKind.PARTY_BRANCH, 4, 1).holds


def test_leave_and_standing_matter_only_in_a_party_branch(make_org, make_user, add_member,
                                                          make_community):
    community = make_community()
    committee = make_org(community, OrganisationKind.OWNERS_COMMITTEE)
    membership = add_member(committee, make_user(), MemberRole.MEMBER)
    membership.party_status = PartyStatus.PROBATIONARY
    today = membership.granted_at.date()
    membership.on_leave_until = today
    assert membership.has_vote(today)
    branch = make_org(community, OrganisationKind.PARTY_BRANCH)
    member = add_member(branch, make_user(), MemberRole.MEMBER)
    member.on_leave_until = today
    assert not member.has_vote(today) and member.has_vote(today + timedelta(days=1))
