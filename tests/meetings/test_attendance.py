"""Checking in with the room's code, the recorder's marks, guests and the live quorum."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.meetings.kinds import MeetingKind
from app.meetings.models import Attendee, CheckIn
from tests.meetings.conftest import CODE

HTMX = {"HX-Request": "true", "HX-Target": "check-in"}


def _attendee(meeting, name):
    db.session.expire_all()
    return db.session.execute(select(Attendee).join(Attendee.user).where(
        Attendee.meeting_id == meeting.id, Attendee.user.has(name=name))).scalar_one()


def test_an_invitee_checks_in_with_the_code(meeting, login, en):
    member = _attendee(meeting, "委员1").user
    login(member, en)
    page = en.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Check-in code shown in the room" in page
    assert CODE not in page  # only the recorder and the chair see the code
    response = en.post(f"/meetings/{meeting.id}/check-in", data={"check-in-code": CODE},
                       headers=HTMX)
    fragment = response.get_data(as_text=True)
    assert "You are checked in. Welcome!" in fragment
    # The attendance list on the same page is swapped in too, showing them present.
    attendance = fragment.split('id="attendance" hx-swap-oob="true"', 1)[1]
    assert re.search(r'<li class="attendee present">\s*<span class="attendee-name">委员1<',
                     attendance)
    assert "Welcome!" not in attendance
    attendee = _attendee(meeting, "委员1")
    assert attendee.present and attendee.check_in == CheckIn.CODE
    # Without JavaScript: a redirect back to the page, which says so.
    page = en.post(f"/meetings/{meeting.id}/check-in", data={"check-in-code": CODE},
                   follow_redirects=True).get_data(as_text=True)
    assert "You are checked in (" in page


def test_a_wrong_code_changes_nothing_and_says_why(meeting, login, en):
    login(_attendee(meeting, "委员1").user, en)
    for headers in (HTMX, {}):
        page = en.post(f"/meetings/{meeting.id}/check-in", data={"check-in-code": "135790"},
                       headers=headers).get_data(as_text=True)
        assert "That is not the code shown in the room." in page
        assert 'value="135790"' in page
    page = en.post(f"/meetings/{meeting.id}/check-in", data={"check-in-code": "12"},
                   headers=HTMX).get_data(as_text=True)
    assert "The code has 6 digits." in page
    assert not _attendee(meeting, "委员1").present


def test_wrong_codes_are_rate_limited(meeting, login, en):
    login(_attendee(meeting, "委员1").user, en)
    for _ in range(5):
        en.post(f"/meetings/{meeting.id}/check-in", data={"check-in-code": "000000"})
    response = en.post(f"/meetings/{meeting.id}/check-in", data={"check-in-code": CODE})
    assert response.status_code == 429
    assert "Too many wrong codes." in response.get_data(as_text=True)
    fragment = en.post(f"/meetings/{meeting.id}/check-in", data={"check-in-code": CODE},
                       headers=HTMX)
    assert fragment.status_code == 200  # htmx swaps only successful answers
    assert "Too many wrong codes." in fragment.get_data(as_text=True)
    assert 'id="check-in"' in fragment.get_data(as_text=True)
    assert not _attendee(meeting, "委员1").present


@pytest.mark.parametrize("starts_in, duration, cancelled, accepted", [
    (timedelta(minutes=31), timedelta(hours=1), False, False),   # too early
    (timedelta(minutes=29), timedelta(hours=1), False, True),    # within 30 minutes
    (timedelta(hours=-2), timedelta(minutes=119), False, False),  # already over
    (timedelta(minutes=-10), timedelta(hours=1), True, False),   # cancelled
])
def test_the_code_is_accepted_only_while_the_meeting_runs(
        starts_in, duration, cancelled, accepted, make_meeting, login, en):
    meeting = make_meeting(starts_in=starts_in, duration=duration, cancelled=cancelled)
    login(_attendee(meeting, "委员1").user, en)
    page = en.post(f"/meetings/{meeting.id}/check-in", data={"check-in-code": CODE},
                   follow_redirects=True).get_data(as_text=True)
    assert _attendee(meeting, "委员1").present is accepted
    if starts_in > timedelta(minutes=30):
        assert "Check-in is open from 30 minutes before the meeting starts" in page
    elif not accepted and not cancelled:
        assert "The meeting has ended; check-in is closed." in page


def test_the_recorder_marks_people_present_and_absent(meeting, login, en):
    login(meeting.recorder, en)
    member = _attendee(meeting, "委员1")
    url = f"/meetings/{meeting.id}/attendees/{member.id}/presence"
    page = en.post(url, data={"present": "1"}, headers={"HX-Request": "true"}).get_data(
        as_text=True)
    assert "委员1 is marked present." in page
    assert "Voting attendees present: 1 of 4" in page
    marked = _attendee(meeting, "委员1")
    assert marked.check_in == CheckIn.RECORDER
    assert marked.checked_in_by_id == meeting.recorder_id
    en.post(url, data={"present": "0"})
    assert not _attendee(meeting, "委员1").present


def test_the_recorder_adds_a_guest_who_never_votes(meeting, login, en):
    login(meeting.recorder, en)
    page = en.post(f"/meetings/{meeting.id}/guests", data={"guest-name": ""}).get_data(
        as_text=True)
    assert "This field is required." in page
    en.post(f"/meetings/{meeting.id}/guests", data={"guest-name": "街道办李主任"})
    guest = db.session.execute(select(Attendee).where(
        Attendee.guest_name == "街道办李主任")).scalar_one()
    assert guest.present and not guest.voting and not guest.invited
    page = en.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "街道办李主任" in page and "Voting attendees present: 0 of 4" in page


def _present(meeting, *names):
    for name in names:
        attendee = _attendee(meeting, name)
        attendee.checked_in_at = attendee.meeting.starts_at
        db.session.commit()


def test_the_quorum_is_shown_live_and_needs_more_than_half(meeting, login, en):
    """4 voting invitees (chair, recorder, two members) and one non-voting observer."""
    login(_attendee(meeting, "列席1").user, en)
    _present(meeting, "会议主持人", "会议记录人", "列席1")
    url = f"/meetings/{meeting.id}/quorum"
    fragment = en.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'hx-trigger="every 15s"' in fragment
    assert "Voting attendees present: 2 of 4" in fragment
    assert "everyone present: 3" in fragment
    assert "No quorum yet" in fragment and "2 of 4 = 50.00 % &gt; 1/2 ✗" in fragment
    _present(meeting, "委员1")
    fragment = en.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "The meeting has its quorum" in fragment
    assert en.get(url).status_code == 302  # without htmx: the page itself


def test_the_quorum_stops_polling_when_the_meeting_is_not_running(make_meeting, login, en):
    meeting = make_meeting(starts_in=timedelta(days=1))
    login(meeting.chair, en)
    page = en.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'id="quorum"' in page and "every 15s" not in page


def test_an_owners_general_meeting_points_to_its_poll(make_meeting, login, en):
    meeting = make_meeting(kind=MeetingKind.OWNERS_GENERAL)
    login(meeting.chair, en)
    page = en.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "decides by a poll under Civil Code Art. 278" in page


def test_the_recorder_sees_the_code_in_large_figures(meeting, login, en, make_meeting):
    login(meeting.recorder, en)
    page = en.get(f"/meetings/{meeting.id}/code").get_data(as_text=True)
    assert f'<p class="check-in-code" aria-label="Check-in code">{CODE}</p>' in page
    later = make_meeting(starts_in=timedelta(days=1))
    login(later.recorder, en)
    page = en.get(f"/meetings/{later.id}/code").get_data(as_text=True)
    assert "Check-in is open from 30 minutes before the meeting starts" in page
