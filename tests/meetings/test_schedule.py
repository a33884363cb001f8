"""Scheduling, editing and cancelling a meeting, inviting people and ordering the agenda."""

from datetime import timedelta

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.community.models import MemberRole, OrganisationKind, Role
from app.extensions import db
from app.meetings.kinds import MeetingKind
from app.meetings.models import AgendaItem, Attendee, Meeting, MeetingOrganisation
from app.notices.models import Notification, NotificationKind
from app.proposals.states import Status


def _setup(make_community, make_org, make_user, add_member, give_role, make_proposal):
    community = make_community()
    committee = make_org(community, OrganisationKind.OWNERS_COMMITTEE, "业委会")
    branch = make_org(community, OrganisationKind.PARTY_BRANCH, "党支部")
    chair, staff, member = make_user(name="主任"), make_user(name="干事"), make_user(name="委员")
    add_member(committee, chair, MemberRole.CHAIR)
    add_member(committee, staff, MemberRole.STAFF)
    add_member(committee, member, MemberRole.MEMBER)
    secretary = make_user(name="书记")
    add_member(branch, secretary, MemberRole.CHAIR)
    public = make_proposal(community, member, title="更换门禁")
    draft = make_proposal(community, member, status=Status.DRAFT, title="草稿议题")
    return community, committee, branch, chair, staff, member, secretary, public, draft


def _form(committee, chair, staff, **changes):
    data = {"kind": "committee", "title": "十一月业委会会议", "starts_at": "2030-11-05T19:00",
            "ends_at": "2030-11-05T21:00", "place": "社区活动室", "online_link": "",
            "organisation": str(committee.id), "chair": str(chair.id),
            "recorder": str(staff.id), "organisations": [str(committee.id)]}
    data.update(changes)
    return data


def test_staff_schedule_a_meeting_and_invitees_are_notified(
        make_community, make_org, make_user, add_member, give_role, make_proposal, login, en):
    (community, committee, branch, chair, staff, member, secretary, public,
     draft) = _setup(make_community, make_org, make_user, add_member, give_role, make_proposal)
    login(staff, en)
    page = en.get(f"/c/{community.id}/meetings/new").get_data(as_text=True)
    assert "更换门禁" in page and "草稿议题" not in page
    # Staff of the committee convene for the committee only, not for the branch.
    conveners = page.split('name="organisation"')[1].split("</select>")[0]
    assert "业委会" in conveners and "党支部" not in conveners
    data = _form(committee, chair, staff, observers=[str(branch.id)], proposals=[str(public.id)])
    response = en.post(f"/c/{community.id}/meetings/new", data=data)
    meeting = db.session.execute(select(Meeting)).scalar_one()
    assert response.location.endswith(f"/meetings/{meeting.id}")
    assert meeting.starts_at.hour == 11  # 19:00 in Beijing is 11:00 UTC
    assert len(meeting.check_in_code) == 6 and meeting.check_in_code.isdigit()
    voting = {a.user.name: a.voting for a in meeting.attendees}
    assert voting == {"主任": True, "干事": True, "委员": True, "书记": False}
    assert {o.name for o in meeting.invited_organisations} == {"业委会", "党支部"}
    assert [item.proposal_id for item in meeting.items] == [public.id]
    notified = db.session.execute(select(Notification)).scalars().all()
    assert {n.user_id for n in notified} == {chair.id, member.id, secretary.id}
    assert all(n.kind == NotificationKind.MEETING_INVITATION and n.meeting_id == meeting.id
               and n.details["title"] == "十一月业委会会议"
               and n.details["starts_at"].startswith("2030-11-05T11:00") for n in notified)
    assert db.session.execute(select(AuditEvent.action)).scalars().all()[-1] == \
        "meeting.schedule"
    page = en.get(response.location).get_data(as_text=True)
    assert "十一月业委会会议" in page and "更换门禁" in page and "社区活动室" in page


def test_a_bad_form_says_why_and_keeps_what_was_typed(
        make_community, make_org, make_user, add_member, give_role, make_proposal, login, en):
    community, committee, _b, chair, staff, *_rest = _setup(
        make_community, make_org, make_user, add_member, give_role, make_proposal)
    login(staff, en)
    data = _form(committee, chair, staff, ends_at="2030-11-05T18:00", place="",
                 title="保留的标题")
    page = en.post(f"/c/{community.id}/meetings/new", data=data).get_data(as_text=True)
    assert "The meeting must end after it starts." in page
    assert "Give a place or an online link." in page
    assert 'value="保留的标题"' in page
    assert db.session.execute(select(Meeting)).first() is None


def test_a_chair_from_outside_the_community_is_refused(
        make_community, make_org, make_user, add_member, give_role, make_proposal, login, en):
    community, committee, _b, chair, staff, *_rest = _setup(
        make_community, make_org, make_user, add_member, give_role, make_proposal)
    stranger = make_user(name="外人")
    login(staff, en)
    page = en.post(f"/c/{community.id}/meetings/new",
                   data=_form(committee, stranger, staff)).get_data(as_text=True)
    assert "Choose someone from an organisation of this community." in page
    assert db.session.execute(select(Meeting)).first() is None


def test_an_online_meeting_needs_a_real_link(
        make_community, make_org, make_user, add_member, give_role, make_proposal, login, en):
    community, committee, _b, chair, staff, *_rest = _setup(
        make_community, make_org, make_user, add_member, give_role, make_proposal)
    login(staff, en)
    page = en.post(f"/c/{community.id}/meetings/new", data=_form(
        committee, chair, staff, place="", online_link="腾讯会议")).get_data(as_text=True)
    assert "Give a full web address" in page
    page = en.post(f"/c/{community.id}/meetings/new", data=_form(
        committee, chair, staff, place="", online_link="javascript://x.cn/%0Aalert(1)"))
    assert "Give a full web address" in page.get_data(as_text=True)
    en.post(f"/c/{community.id}/meetings/new", data=_form(
        committee, chair, staff, place="", online_link="https://meeting.example.cn/123"))
    assert db.session.execute(select(Meeting.online_link)).scalar_one() == \
        "https://meeting.example.cn/123"


def test_edit_keeps_the_invitees_and_records_the_change(meeting, login, en):
    login(meeting.chair, en)
    page = en.get(f"/meetings/{meeting.id}/edit").get_data(as_text=True)
    assert 'value="业委会第三次会议"' in page
    data = {"kind": meeting.kind, "title": "改名的会议", "starts_at": "2030-01-01T09:00",
            "ends_at": "2030-01-01T08:00", "place": "会议室", "online_link": "",
            "chair": str(meeting.chair_id), "recorder": str(meeting.recorder_id)}
    page = en.post(f"/meetings/{meeting.id}/edit", data=data).get_data(as_text=True)
    assert "The meeting must end after it starts." in page and 'value="改名的会议"' in page
    data["ends_at"] = "2030-01-01T11:00"
    assert en.post(f"/meetings/{meeting.id}/edit", data=data).status_code == 302
    db.session.refresh(meeting)
    assert meeting.title == "改名的会议" and len(meeting.attendees) == 5
    # The time moved: everyone invited hears of it, but the chair who moved it.
    moved = db.session.execute(select(Notification).where(
        Notification.kind == NotificationKind.MEETING_MOVED)).scalars().all()
    assert len(moved) == 4 and all(n.details["place"] == "会议室" for n in moved)
    # A new title alone tells nobody anything new.
    en.post(f"/meetings/{meeting.id}/edit", data={**data, "title": "又改名的会议"})
    assert db.session.execute(select(func.count(Notification.id)).where(
        Notification.kind == NotificationKind.MEETING_MOVED)).scalar_one() == 4


def test_cancel_needs_a_reason_and_notifies_every_invitee(meeting, login, en):
    login(meeting.chair, en)
    page = en.post(f"/meetings/{meeting.id}/cancel", data={"cancel-reason": ""})
    assert "This field is required." in page.get_data(as_text=True)
    assert db.session.get(Meeting, meeting.id).cancelled_at is None
    en.post(f"/meetings/{meeting.id}/cancel", data={"cancel-reason": "台风预警，改期"})
    db.session.refresh(meeting)
    assert meeting.cancelled_at is not None and meeting.cancel_reason == "台风预警，改期"
    notes = db.session.execute(select(Notification)).scalars().all()
    assert len(notes) == 4  # everyone but the chair, who cancelled
    assert all(n.kind == NotificationKind.MEETING_CANCELLED
               and n.details["reason"] == "台风预警，改期" for n in notes)
    page = en.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Cancelled: 台风预警，改期" in page
    assert "Cancel the meeting" not in page


def test_inviting_an_organisation_adds_its_members_once(
        meeting, login, en, make_org, make_user, add_member):
    branch = make_org(meeting.community, OrganisationKind.PARTY_BRANCH, "党支部")
    secretary, party_member = make_user(name="书记"), make_user(name="党员")
    add_member(branch, secretary, MemberRole.CHAIR)
    add_member(branch, party_member, MemberRole.MEMBER)
    add_member(branch, meeting.chair, MemberRole.MEMBER)  # already invited
    login(meeting.chair, en)
    response = en.post(f"/meetings/{meeting.id}/invitees", data={
        "invite-organisation": str(branch.id), "invite-phone": ""})
    assert response.status_code == 302
    page = en.get(response.location).get_data(as_text=True)
    assert "2 people were invited and notified." in page
    added = db.session.execute(select(Attendee).where(
        Attendee.organisation_id == branch.id)).scalars().all()
    assert {a.user.name for a in added} == {"书记", "党员"}
    assert not any(a.voting for a in added)  # the box was not ticked
    assert db.session.get(MeetingOrganisation, (meeting.id, branch.id)) is not None
    assert {n.user_id for n in db.session.execute(select(Notification)).scalars()} == \
        {secretary.id, party_member.id}


def test_inviting_a_person_by_number(make_meeting, login, en, make_user, give_role):
    meeting = make_meeting(starts_in=timedelta(days=1))
    neighbour = make_user(name="楼长", phone="13812345678")
    give_role(neighbour, Role.RESIDENT, meeting.community)
    make_user(name="外人", phone="13912345678")
    login(meeting.chair, en)
    page = en.post(f"/meetings/{meeting.id}/invitees", data={
        "invite-organisation": "", "invite-phone": "139 1234 5678", "invite-voting": "y"})
    text = page.get_data(as_text=True)
    assert "Nobody with this number belongs to this community." in text
    assert 'value="139 1234 5678"' in text
    page = en.post(f"/meetings/{meeting.id}/invitees", data={"invite-organisation": ""})
    assert "Choose an organisation or give a mobile number." in page.get_data(as_text=True)
    assert len(db.session.execute(select(Attendee)).all()) == 5
    en.post(f"/meetings/{meeting.id}/invitees", data={
        "invite-organisation": "", "invite-phone": "+86 138-1234-5678", "invite-voting": "y"})
    attendee = db.session.execute(select(Attendee).where(
        Attendee.user_id == neighbour.id)).scalar_one()
    assert attendee.voting is True and attendee.organisation_id is None


def test_removing_invitees_and_their_vote(make_meeting, login, en):
    meeting = make_meeting(starts_in=timedelta(days=1))
    login(meeting.chair, en)
    member = next(a for a in meeting.attendees if a.user.name == "委员1")
    chair = next(a for a in meeting.attendees if a.user_id == meeting.chair_id)
    en.post(f"/meetings/{meeting.id}/attendees/{member.id}", data={"action": "non_voting"})
    db.session.expire_all()
    assert db.session.get(Attendee, member.id).voting is False
    page = en.post(f"/meetings/{meeting.id}/attendees/{chair.id}", data={"action": "remove"},
                   follow_redirects=True).get_data(as_text=True)
    assert "The chair and the recorder cannot be removed" in page
    member_id = member.id
    en.post(f"/meetings/{meeting.id}/attendees/{member_id}", data={"action": "remove"})
    db.session.expire_all()
    assert db.session.get(Attendee, member_id) is None


def test_the_agenda_is_ordered_and_holds_each_proposal_once(
        make_meeting, make_community, make_user, make_proposal, login, en):
    community = make_community()
    author = make_user(name="作者")
    first, second, third = (make_proposal(community, author, title=t)
                            for t in ("一号议题", "二号议题", "三号议题"))
    draft = make_proposal(community, author, status=Status.DRAFT, title="草稿")
    meeting = make_meeting(community=community, proposals=[first, second],
                           starts_in=timedelta(days=1))
    login(meeting.chair, en)
    page = en.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    options = page.split('name="agenda-proposal"')[1].split("</select>")[0]
    assert "三号议题" in options and "一号议题" not in options and "草稿" not in options
    for refused in (first, draft):
        text = en.post(f"/meetings/{meeting.id}/agenda",
                       data={"agenda-proposal": str(refused.id)}).get_data(as_text=True)
        assert "Choose a public proposal that is not on the agenda yet." in text
    en.post(f"/meetings/{meeting.id}/agenda", data={"agenda-proposal": str(third.id)})

    def order():
        db.session.expire_all()
        return [i.proposal_id for i in db.session.execute(
            select(AgendaItem).order_by(AgendaItem.position)).scalars()]

    assert order() == [first.id, second.id, third.id]
    last = db.session.execute(select(AgendaItem).where(
        AgendaItem.proposal_id == third.id)).scalar_one()
    en.post(f"/meetings/{meeting.id}/agenda/{last.id}", data={"action": "up"})
    assert order() == [first.id, third.id, second.id]
    top = db.session.execute(select(AgendaItem).where(
        AgendaItem.proposal_id == first.id)).scalar_one()
    en.post(f"/meetings/{meeting.id}/agenda/{top.id}", data={"action": "up"})
    assert order() == [first.id, third.id, second.id]
    en.post(f"/meetings/{meeting.id}/agenda/{top.id}", data={"action": "remove"})
    assert order() == [third.id, second.id]
    db.session.expire_all()
    assert [i.position for i in db.session.execute(
        select(AgendaItem).order_by(AgendaItem.position)).scalars()] == [1, 2]


def test_the_list_shows_upcoming_first_then_past_with_cancelled_marked(
        make_meeting, make_community, login, en, give_role, make_user):
    from datetime import timedelta
    community = make_community()
    make_meeting(community=community, title="下周的会", starts_in=timedelta(days=7))
    make_meeting(community=community, title="明天的会", starts_in=timedelta(days=1))
    make_meeting(community=community, title="上周的会", starts_in=timedelta(days=-7))
    make_meeting(community=community, title="取消的会", starts_in=timedelta(days=2),
                 cancelled=True)
    resident = make_user(name="居民")
    give_role(resident, Role.RESIDENT, community)
    login(resident, en)
    page = en.get(f"/c/{community.id}/meetings").get_data(as_text=True)
    upcoming, past = page.split('id="past"')
    assert upcoming.index("明天的会") < upcoming.index("下周的会")
    assert "取消的会" in past and "上周的会" in past
    assert "Cancelled" in past.split("取消的会")[1].split("</li>")[0]
    assert "Schedule a meeting" not in page


def test_an_empty_list_says_so_and_offers_scheduling_to_staff(
        make_community, make_org, make_user, add_member, login, en):
    community = make_community()
    staff = make_user(name="干事")
    add_member(make_org(community, OrganisationKind.NEIGHBOURHOOD_COMMITTEE), staff,
               MemberRole.STAFF)
    login(staff, en)
    page = en.get(f"/c/{community.id}/meetings").get_data(as_text=True)
    assert "No meeting is scheduled." in page and "No meetings have been held yet." in page
    assert "Schedule a meeting" in page


def test_once_started_who_votes_and_the_agenda_stay_as_they_were(
        meeting, login, en, make_org, make_user, give_role):
    """Quorum and hands are counted on the voting invitees: after the start nobody can
    remove one, take their vote away, change the kind or drop an item, and a late
    invitation may only be without a vote (列席)."""
    login(meeting.chair, en)
    member = next(a for a in meeting.attendees if a.user.name == "委员1")
    refused = "The meeting has started: who votes, and the kind of meeting, stay as they were"
    for action in ("remove", "non_voting"):
        page = en.post(f"/meetings/{meeting.id}/attendees/{member.id}", data={"action": action},
                       follow_redirects=True).get_data(as_text=True)
        assert refused in page
    db.session.expire_all()
    assert db.session.get(Attendee, member.id).voting
    item = meeting.items[0]
    page = en.post(f"/meetings/{meeting.id}/agenda/{item.id}", data={"action": "remove"},
                   follow_redirects=True).get_data(as_text=True)
    assert refused in page and db.session.get(AgendaItem, item.id) is not None
    data = {"kind": MeetingKind.RESIDENTS_COUNCIL, "title": meeting.title,
            "starts_at": "2030-01-01T09:00", "ends_at": "2030-01-01T11:00",
            "place": meeting.place, "online_link": "", "chair": str(meeting.chair_id),
            "recorder": str(meeting.recorder_id)}
    page = en.post(f"/meetings/{meeting.id}/edit", data=data).get_data(as_text=True)
    assert refused in page
    assert db.session.get(Meeting, meeting.id).kind == MeetingKind.COMMITTEE
    neighbour = make_user(name="楼长", phone="13812345678")
    give_role(neighbour, Role.RESIDENT, meeting.community)
    page = en.post(f"/meetings/{meeting.id}/invitees",
                   data={"invite-phone": "13812345678", "invite-voting": "y"},
                   follow_redirects=True).get_data(as_text=True)
    assert refused in page
    en.post(f"/meetings/{meeting.id}/invitees", data={"invite-phone": "13812345678"})
    late = db.session.execute(select(Attendee).where(
        Attendee.user_id == neighbour.id)).scalar_one()
    assert not late.voting
