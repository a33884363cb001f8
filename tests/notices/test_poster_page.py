"""The notice poster as a page to print from the browser (issue 15, item 7): what the PDF
poster says, for the same people, opened in place with a "Print" button."""

import pytest
from lxml import html as lxml_html

from tests.notices.test_poster import poster_text


@pytest.mark.parametrize("who, status", [
    (None, 302), ("outsider", 403), ("resident", 403), ("nc_staff", 403),
    ("property_staff", 403), ("oc_chair", 200), ("oc_staff", 200)])
def test_only_the_issuers_staff_open_the_poster_page(who, status, client, world, login,
                                                     make_notice):
    notice = make_notice(world.owners_committee)
    if who:
        login(world.users[who])
    response = client.get(f"/notices/{notice.id}/poster.html")
    assert response.status_code == status
    if who is None:
        assert "/auth/login" in response.location


def test_the_poster_page_says_what_the_pdf_says(client, world, login, make_notice):
    notice = make_notice(world.owners_committee, "停水通知", body="**明天** 9:00–12:00 停水。\n\n"
                         "- 请提前储水\n- 物业送水到户", expires_in_hours=48)
    login(world.users["oc_staff"])
    text = poster_text(client.get(f"/notices/{notice.id}/poster.pdf"))
    response = client.get(f"/notices/{notice.id}/poster.html")
    assert response.status_code == 200 and "attachment" not in response.headers.get(
        "Content-Disposition", "")
    page = lxml_html.fromstring(response.data)
    assert page.xpath("//button[@data-print]") and not page.xpath("//nav")
    for line in page.xpath("//article//p | //article//h1 | //article//tr"):
        said = "".join(line.text_content().split())
        assert said in "".join(text.split()), said
    assert page.xpath("//svg/@data-url") == [f"http://localhost/notices/{notice.id}"]
    assert "• 请提前储水" in page.text_content()


def test_the_notice_page_links_the_poster_page_for_its_staff_only(client, world, login,
                                                                  make_notice):
    notice = make_notice(world.owners_committee)
    login(world.users["oc_staff"])
    assert f'href="/notices/{notice.id}/poster.html"' in client.get(f"/notices/{notice.id}").text
    login(world.users["resident"])
    assert "poster.html" not in client.get(f"/notices/{notice.id}").text
    withdrawn = make_notice(world.owners_committee, withdrawn=True)
    login(world.users["oc_staff"])
    assert client.get(f"/notices/{withdrawn.id}/poster.html").status_code == 404


def test_the_poster_page_costs_a_fixed_number_of_queries(client, world, login, make_notice,
                                                         count_queries):
    """The session, the notice with its attachments (a notice for the whole community
    loads no grids or buildings), the staff's standing (one)."""
    notice = make_notice(world.owners_committee)
    login(world.users["oc_staff"])
    client.get(f"/notices/{notice.id}/poster.html")
    with count_queries() as queries:
        assert client.get(f"/notices/{notice.id}/poster.html").status_code == 200
    assert len(queries) == 4, "\n".join(queries)
