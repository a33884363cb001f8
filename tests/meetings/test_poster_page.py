"""The meeting poster as a page to print from the browser (issue 15, item 7). Who may open
it is in test_access.py."""

import io

from lxml import html as lxml_html
from pypdf import PdfReader


def test_the_poster_page_says_what_the_pdf_says(client, login, make_meeting):
    meeting = make_meeting(title="加装电梯协调会", place="社区活动室")
    login(meeting.chair)
    reader = PdfReader(io.BytesIO(client.get(f"/meetings/{meeting.id}/poster.pdf").data))
    text = "".join(reader.pages[0].extract_text().split())
    page = lxml_html.fromstring(client.get(f"/meetings/{meeting.id}/poster.html").data)
    assert page.xpath("//button[@data-print]") and not page.xpath("//nav")
    facts = ["".join(row.text_content().split()) for row in page.xpath("//table//tr")]
    assert any("社区活动室" in fact for fact in facts)
    assert all(fact in text for fact in facts), facts
    assert f"1. {meeting.items[0].proposal.title}" in page.text_content()
    assert page.xpath("//svg/@data-url") == [f"http://localhost/meetings/{meeting.id}"]
    assert f'href="/meetings/{meeting.id}/poster.html"' in client.get(
        f"/meetings/{meeting.id}").text


def test_a_cancelled_meeting_has_no_poster_page(client, login, make_meeting):
    meeting = make_meeting(cancelled=True)
    login(meeting.chair)
    assert client.get(f"/meetings/{meeting.id}/poster.html").status_code == 404


def test_the_poster_page_costs_a_fixed_number_of_queries(client, login, make_meeting,
                                                         count_queries):
    """The session, the meeting and what it loads with it (organisations, attendees, the
    agenda with its proposals), the manager's standing (one)."""
    meeting = make_meeting()
    login(meeting.chair)
    client.get(f"/meetings/{meeting.id}/poster.html")
    with count_queries() as queries:
        assert client.get(f"/meetings/{meeting.id}/poster.html").status_code == 200
    assert len(queries) == 6, "\n".join(queries)
