"""What the recorder notes for each agenda item: discussion, resolution, poll and hands."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db, utcnow
from app.meetings.kinds import MeetingKind
from app.meetings.models import AgendaItem, Attendee
from app.voting.models import ElectorateKind
from app.voting.services import cast, close_poll, create_poll, entry_for, open_poll


def _item(meeting) -> AgendaItem:
    db.session.expire_all()
    return db.session.execute(select(AgendaItem).where(
        AgendaItem.meeting_id == meeting.id)).scalars().first()


def _all_present(meeting, but=0):
    voting = [a for a in meeting.attendees if a.voting]
    for attendee in voting[:len(voting) - but]:
        attendee.checked_in_at = meeting.starts_at
    db.session.commit()


def _form(**changes):
    data = {"notes": "大家认为门禁老化", "resolution": "同意更换门禁", "poll": "",
            "hands_for": "", "hands_against": "", "hands_abstain": ""}
    data.update(changes)
    return data


def test_the_recorder_notes_a_show_of_hands_judged_by_the_kind(make_meeting, login, en):
    """A committee of 4 (chair, recorder, two members), all present: 3 for passes; 2 for,
    exactly half of all members, passes too ("全体委员半数以上", 指导规则 Art. 38); 1 does
    not."""
    meeting = make_meeting(members=2)
    _all_present(meeting)
    item = _item(meeting)
    login(meeting.recorder, en)
    url = f"/meetings/{meeting.id}/items/{item.id}"
    response = en.post(url, data=_form(hands="y", hands_for="3", hands_against="1",
                                       hands_abstain="0"))
    assert response.location.endswith(f"/meetings/{meeting.id}#item-{item.id}")
    saved = _item(meeting)
    assert (saved.notes, saved.resolution) == ("大家认为门禁老化", "同意更换门禁")
    assert (saved.hands_for, saved.hands_against, saved.hands_abstain) == (3, 1, 0)
    assert saved.updated_by_id == meeting.recorder_id
    page = en.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "同意更换门禁" in page
    assert "Show of hands: 3 in favour, 1 against, 0 abstaining" in page
    assert "<strong>Passed</strong>" in page
    assert "People in favour, of the whole roll: 3 of 4 = 75.00 % ≥ 1/2 ✓ holds" in page
    en.post(url, data=_form(hands="y", hands_for="2", hands_against="2"))
    assert "<strong>Passed</strong>" in en.get(url).get_data(as_text=True)
    en.post(url, data=_form(hands="y", hands_for="1", hands_against="3"))
    page = en.get(url).get_data(as_text=True)
    assert "<strong>Not passed</strong>" in page
    assert 'value="3"' in page  # the form shows what is recorded


def test_too_many_hands_are_refused_and_the_input_kept(make_meeting, login, en):
    meeting = make_meeting(members=2)
    _all_present(meeting, but=1)  # 3 of 4 voting members present
    item = _item(meeting)
    login(meeting.chair, en)
    page = en.post(f"/meetings/{meeting.id}/items/{item.id}", data=_form(
        notes="保留的记录", hands="y", hands_for="3", hands_against="1")).get_data(as_text=True)
    assert "There are more hands than voting attendees present." in page
    assert "保留的记录" in page and 'value="3"' in page
    saved = _item(meeting)
    assert saved.notes == "" and saved.hands_for is None


def test_hands_need_a_count(meeting, login, en):
    item = _item(meeting)
    login(meeting.recorder, en)
    page = en.post(f"/meetings/{meeting.id}/items/{item.id}",
                   data=_form(hands="y")).get_data(as_text=True)
    assert "Give the number of hands for, against and abstaining." in page
    page = en.post(f"/meetings/{meeting.id}/items/{item.id}",
                   data=_form(hands="y", hands_for="-1")).get_data(as_text=True)
    assert "Number must be at least 0." in page
    assert _item(meeting).hands_for is None


def test_an_owners_general_meeting_refuses_a_show_of_hands(make_meeting, login, en):
    meeting = make_meeting(kind=MeetingKind.OWNERS_GENERAL)
    _all_present(meeting)
    item = _item(meeting)
    login(meeting.recorder, en)
    url = f"/meetings/{meeting.id}/items/{item.id}"
    page = en.get(url).get_data(as_text=True)
    assert "never by a show of hands" in page and 'name="hands_for"' not in page
    page = en.post(url, data=_form(hands="y", hands_for="2")).get_data(as_text=True)
    assert "decides by a poll under Civil Code Art. 278" in page
    assert _item(meeting).hands_for is None


def test_items_are_recorded_only_once_the_meeting_started(make_meeting, login, en):
    meeting = make_meeting(starts_in=timedelta(hours=1))
    item = _item(meeting)
    login(meeting.recorder, en)
    page = en.post(f"/meetings/{meeting.id}/items/{item.id}", data=_form(),
                   follow_redirects=True).get_data(as_text=True)
    assert "Items can be recorded once the meeting has started." in page
    assert _item(meeting).notes == ""


def _closed_poll(meeting, proposal, choices):
    poll = create_poll(proposal, actor=meeting.chair, question="是否更换门禁？",
                       rule="committee", electorate=ElectorateKind.ORGANISATION,
                       organisation=meeting.organisation,
                       opens_at=utcnow() - timedelta(minutes=5),
                       closes_at=utcnow() + timedelta(days=1))
    open_poll(poll, actor=meeting.chair)
    voters = [a.user for a in meeting.attendees if a.organisation_id == meeting.organisation_id]
    for user, choice in zip(voters, choices, strict=False):
        cast(poll, entry_for(poll, user), [choice], user=user)
    close_poll(poll)
    db.session.commit()
    return poll


def test_linking_the_items_poll_shows_its_result(meeting, login, en, make_proposal):
    item = _item(meeting)
    poll = _closed_poll(meeting, item.proposal, ["approve", "approve", "approve", "oppose"])
    other = make_proposal(meeting.community, meeting.chair, title="别的议题")
    foreign = _closed_poll(meeting, other, ["approve"])
    login(meeting.recorder, en)
    url = f"/meetings/{meeting.id}/items/{item.id}"
    page = en.get(url).get_data(as_text=True)
    assert "是否更换门禁？" in page
    text = en.post(url, data=_form(poll=str(foreign.id))).get_data(as_text=True)
    assert "Choose a poll of this item's proposal." in text
    assert _item(meeting).poll_id is None
    en.post(url, data=_form(poll=str(poll.id)))
    assert _item(meeting).poll_id == poll.id
    page = en.get(url).get_data(as_text=True)
    assert "<strong>Passed</strong>" in page
    assert "People in favour, of the whole roll: 3 of 4" in page
    page = en.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "是否更换门禁？" in page and "Closed: preliminary result" in page


def test_each_item_carries_its_follow_up_actions(meeting, login, en):
    login(meeting.recorder, en)
    page = en.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    item = _item(meeting)
    assert f'id="item-actions-{item.id}"' in page.split(f'id="item-{item.id}"')[1]


def test_a_hand_count_that_no_longer_fits_says_so(make_meeting, login, en):
    meeting = make_meeting(members=2)
    _all_present(meeting)
    item = _item(meeting)
    item.hands_for, item.hands_against, item.hands_abstain = 4, 0, 0
    absent = db.session.execute(select(Attendee).where(
        Attendee.meeting_id == meeting.id, Attendee.voting.is_(True))).scalars().first()
    absent.checked_in_at = None
    db.session.commit()
    login(meeting.chair, en)
    page = en.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "There are more hands than voting attendees present." in page
