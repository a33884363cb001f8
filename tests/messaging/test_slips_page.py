"""The slips as a page to print from the browser (issue 15, item 7): the same slips as the
PDF, building by building, each building on a new sheet; opening it marks nothing printed.
Who may open it is in tests/test_permissions.py."""

import io

from lxml import html as lxml_html
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.messaging.models import OutboxMessage
from app.messaging.rules import Channel, Status
from app.messaging.services import save_choices
from app.notices.services import notify
from tests.messaging.conftest import poll_details


def test_the_slips_page_sets_the_slips_of_the_pdf(make_estate, client, login, clock, sent):
    estate = make_estate(6)
    for resident in estate.residents[:4]:
        save_choices(resident, sms_categories=set(), slip_categories={"votes"})
    db.session.commit()
    notify([r.id for r in estate.residents], "poll_opened", details=poll_details(estate))
    notify([estate.residents[2].id], "poll_closing", details=poll_details(estate, days_left=1))
    db.session.commit()
    login(estate.staff)
    url = f"/c/{estate.community.id}/messages"
    pdf = client.get(f"{url}/slips.pdf")
    assert pdf.headers["Content-Disposition"].startswith("inline;")
    assert "filename*=UTF-8''" in pdf.headers["Content-Disposition"]
    text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
                   .split())
    response = client.get(f"{url}/slips.html")
    page = lxml_html.fromstring(response.data)
    assert "slips" in page.xpath("//body/@class")[0]
    assert page.xpath("//button[@data-print]") and not page.xpath("//nav")
    buildings = [h.text_content() for h in page.xpath("//h2")]
    slips = [h.text_content() for h in page.xpath("//h3")]
    assert buildings == ["1栋", "2栋", "3栋"] and len(slips) == 4
    lines = ["".join(p.text_content().split()) for p in page.xpath("//article//p")]
    assert all("".join(line.split()) in text for line in buildings + slips + lines)
    assert any("还有1天截止" in line for line in lines)
    assert f'href="{url}/slips.html"' in client.get(url).text
    queued = db.session.execute(select(OutboxMessage.status).where(
        OutboxMessage.channel == Channel.SLIP)).scalars().all()
    assert queued and set(queued) == {Status.QUEUED}


def test_the_slips_page_costs_a_fixed_number_of_queries(make_estate, client, login, clock,
                                                        sent, count_queries):
    """The session, the community, the staff's standing (one), the queued slips, their
    homes: the same for one slip or five."""
    estate = make_estate(6)
    for resident in estate.residents:
        save_choices(resident, sms_categories=set(), slip_categories={"votes"})
    db.session.commit()
    login(estate.staff)
    url = f"/c/{estate.community.id}/messages/slips.html"
    counts = []
    for residents in (estate.residents[:1], estate.residents[1:]):
        notify([r.id for r in residents], "poll_opened", details=poll_details(estate))
        db.session.commit()
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts == [5, 5], "\n".join(queries)
