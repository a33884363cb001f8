"""A meeting as a poster for the lift lobby (issue 13): what, when, where and the agenda,
with a QR code to the meeting's page. Who may print it is in test_access.py."""

import io

from pypdf import PdfReader


def test_the_poster_shows_time_place_agenda_and_leads_to_the_meeting(client, login,
                                                                     make_meeting):
    meeting = make_meeting(title="加装电梯协调会", place="社区活动室")
    login(meeting.chair)
    response = client.get(f"/meetings/{meeting.id}/poster.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(reader.pages[0].extract_text().split())
    assert len(reader.pages) == 1
    assert "加装电梯协调会" in text and "社区活动室" in text and "北京时间" in text
    assert "议程" in text and f"1. {meeting.items[0].proposal.title}" in text
    assert f"http://localhost/meetings/{meeting.id}" in text
    assert 'id="print-poster"' in client.get(f"/meetings/{meeting.id}").text


def test_a_cancelled_meeting_has_no_poster(client, login, make_meeting):
    meeting = make_meeting(cancelled=True)
    login(meeting.chair)
    assert client.get(f"/meetings/{meeting.id}/poster.pdf").status_code == 404
    assert 'id="print-poster"' not in client.get(f"/meetings/{meeting.id}").text
