"""The pages to print from the browser beside a poll's PDFs (issue 15, item 7): the poster,
the paper ballots and the canvass list as plain A4 pages with a "Print" button, for a phone
(WeChat) that cannot open a PDF. Each says what its PDF says, to the same people, with the
same audit, and the ballots and lists are never kept by the browser."""

import re

import pytest
from lxml import html as lxml_html

import app.core.paper as paper_module
from app.extensions import db
from app.voting.services import close_poll
from tests.voting import test_paper
from tests.voting.conftest import make_poll
from tests.voting.test_paper import QUESTION, audit_actions, building, entries, pdf_text

big_estate = test_paper.big_estate  # six buildings of fifty flats, 300 owners


def parsed(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/html"
    return lxml_html.fromstring(response.data)


def words(element) -> str:
    return " ".join(element.text_content().split())


def assert_print_page(page) -> None:
    """A print page: its own stylesheet, a print button, and none of the site's chrome."""
    assert page.xpath("//button[@data-print]"), "no print button"
    assert any("/static/css/print" in href for href in page.xpath("//link/@href"))
    assert not page.xpath("//header[contains(@class, 'site-header')]")
    assert not page.xpath("//nav")


def test_the_ballot_page_sets_the_ballots_of_the_pdf(big_estate, client, login, monkeypatch):
    """Same ballots, rooms, areas, masked owners and numbers as the PDF of a building, and
    each code leads to the entry form of its own voter."""
    e = big_estate
    login(e.staff)
    where = building(e, "5栋")
    encoded = []

    class Recording(paper_module.QrCode):
        def __init__(self, value, **kwargs):
            encoded.append(value)
            super().__init__(value, **kwargs)

    monkeypatch.setattr(paper_module, "QrCode", Recording)
    text = pdf_text(client.get(f"/polls/{e.poll.id}/ballots.pdf?where={where}"))
    pdf_codes, encoded[:] = list(encoded), []
    response = client.get(f"/polls/{e.poll.id}/ballots.html?where={where}")
    page = parsed(response)
    assert_print_page(page)
    ballots = page.xpath("//article[@class='ballot']")
    in_building = [entry for entry in entries(e.poll) if entry.units[0][0] == "5栋"]
    assert len(ballots) == len(in_building) == 50
    codes = [ballot.xpath(".//svg/@data-url")[0] for ballot in ballots]
    assert codes == pdf_codes == [f"http://localhost/polls/{e.poll.id}/offline?entry={entry.id}"
                                  for entry in in_building]
    assert encoded == codes  # the page draws the very codes it names
    for ballot, entry in zip(ballots, in_building, strict=True):
        facts = dict(zip(ballot.xpath(".//table//th/text()"), ballot.xpath(".//table//td/text()"),
                         strict=True))
        assert facts["房号"] == entry.label and facts["面积"] == "90.50 平方米"
        assert re.fullmatch(r"[王李张刘陈杨]\*+", facts["业主"])
        assert facts["业主"] in text and entry.label in text
        assert f"编号：{entry.key}" in words(ballot)
    assert QUESTION in words(page) and not [name for name in e.names if name in words(page)]
    assert [words(item) for item in ballots[0].xpath(".//li")] == ["□ 同意", "□ 反对", "□ 弃权"]
    assert "two-to-a-sheet" in page.xpath("//body/@class")[0]


def test_a_poll_of_many_options_sets_one_ballot_to_a_sheet(estate, client, login):
    poll = make_poll(estate, kind="choice", rule="advisory", electorate="owners",
                     options=[f"方案{n}" for n in range(1, 7)], max_choices=2)
    login(estate.staff)
    page = parsed(client.get(f"/polls/{poll.id}/ballots.html"))
    assert "two-to-a-sheet" not in page.xpath("//body/@class")[0]
    assert "□ 方案6" in words(page) and "最多 2 个" in words(page)


def test_the_canvass_page_lists_what_the_pdf_lists(estate, client, login):
    poll = make_poll(estate)
    login(estate.staff)
    text = " ".join(pdf_text(client.get(f"/polls/{poll.id}/canvass.pdf")).split())
    page = parsed(client.get(f"/polls/{poll.id}/canvass.html"))
    assert_print_page(page)
    rows = [[words(cell) for cell in row.xpath("./td")] for row in page.xpath("//tbody/tr")]
    assert len(rows) == len(estate.owners)
    for rooms, holders, area, served, voted in rows:
        assert rooms in text and holders in text and area in text
        assert voted == "未投票" and served in text
    assert "未投票名单" in words(page) and "不要把本名单放在他人能看到的地方" in words(page)


@pytest.mark.parametrize("kind", ["ballots", "canvass"])
def test_ballot_and_list_pages_are_for_those_who_enter_paper_ballots(kind, estate, client,
                                                                   login):
    poll = make_poll(estate)
    url = f"/polls/{poll.id}/{kind}.html"
    assert "/auth/login" in client.get(url).location
    for user in (estate.owners[0], estate.tenant, estate.outsider):
        login(user)
        assert client.get(url).status_code == 403
    for user in (estate.staff, estate.chair):
        login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-store"
    action = "poll.print_ballots" if kind == "ballots" else "poll.print_canvass"
    assert [name for name, _details in audit_actions()] == [action, action]


def test_ballot_pages_are_printed_while_the_poll_is_open(estate, en, login):
    poll = make_poll(estate)
    close_poll(poll)
    db.session.commit()
    login(estate.staff)
    page = en.get(f"/polls/{poll.id}/ballots.html", follow_redirects=True).text
    assert "Paper ballots and canvass lists are printed while the poll is open." in page
    assert audit_actions() == []


def test_the_poster_page_is_for_those_who_manage_the_poll(estate, client, login):
    poll = make_poll(estate)
    url = f"/polls/{poll.id}/poster.html"
    assert "/auth/login" in client.get(url).location
    for user in (estate.staff, estate.owners[0], estate.outsider):
        login(user)
        assert client.get(url).status_code == 403
    login(estate.chair)
    response = client.get(url)
    assert response.headers["Cache-Control"] == "private, no-cache"  # as its PDF
    page = parsed(response)
    assert_print_page(page)
    text = " ".join(pdf_text(client.get(f"/polls/{poll.id}/poster.pdf")).split())
    facts = [words(row) for row in page.xpath("//table[@class='facts']//tr")]
    assert facts and all(fact.replace(" ", "") in text.replace(" ", "") for fact in facts)
    assert page.xpath("//svg/@data-url") == [f"http://localhost/polls/{poll.id}"]
    assert "扫码进入表决" in words(page) and "扫码进入表决" in text


def test_the_poll_page_links_each_print_page(estate, en, login):
    poll = make_poll(estate)
    login(estate.chair)
    page = en.get(f"/polls/{poll.id}").text
    assert f'href="/polls/{poll.id}/poster.html"' in page
    assert f'formaction="/polls/{poll.id}/ballots.html"' in page
    assert f'formaction="/polls/{poll.id}/canvass.html"' in page
    login(estate.staff)
    page = en.get(f"/polls/{poll.id}").text
    assert "poster.html" not in page and "ballots.html" in page


def test_the_result_notice_page_is_a_print_page_with_the_pdf_table(estate, client, login):
    poll = make_poll(estate)
    close_poll(poll)
    db.session.commit()
    login(estate.owners[1])
    text = " ".join(pdf_text(client.get(f"/polls/{poll.id}/notice.pdf")).split())
    page = parsed(client.get(f"/polls/{poll.id}/notice.html"))
    assert_print_page(page)
    cells = [words(cell) for cell in page.xpath("//table//td | //table//th")]
    assert cells and all(cell.replace(" ", "") in text.replace(" ", "") for cell in cells)
    assert words(page.xpath("//h1")[0]) in text


@pytest.mark.parametrize("kind", ["ballots", "canvass"])
def test_a_print_page_costs_the_same_queries_for_one_building_or_six(kind, big_estate, client,
                                                                     login, count_queries):
    """As its PDF: the session, the poll and its options, the standing (one), the
    buildings, the roll, the audit head and event, and the owners' names."""
    e = big_estate
    login(e.staff)
    url = f"/polls/{e.poll.id}/{kind}.html"
    one_building = f"{url}?where={building(e, '2栋')}"
    client.get(url)
    with count_queries() as one:
        client.get(one_building)
    with count_queries() as six:
        client.get(url)
    assert (len(one), len(six)) == (8, 8), "\n".join(one)


def test_the_poster_page_costs_a_fixed_number_of_queries(estate, client, login,
                                                         count_queries):
    """The session, the poll with its proposal and community, the chair's standing (one)."""
    poll = make_poll(estate)
    login(estate.chair)
    client.get(f"/polls/{poll.id}/poster.html")
    with count_queries() as queries:
        assert client.get(f"/polls/{poll.id}/poster.html").status_code == 200
    assert len(queries) == 3, "\n".join(queries)
