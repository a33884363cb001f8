"""A notice as a poster for the lift lobby (issue 13): its title, issuer and the start of
its text, and a QR code to the whole notice; printed by the issuer's staff."""

import io

import pytest
from pypdf import PdfReader

from app.notices.poster import EXCERPT_CHARACTERS, excerpt


def poster_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def test_the_poster_shows_the_notice_and_leads_to_it(client, world, login, make_notice):
    notice = make_notice(world.owners_committee, "停水通知", body="**明天** 9:00–12:00 停水。\n\n"
                         "- 请提前储水\n- 物业送水到户", expires_in_hours=48)
    login(world.users["oc_staff"])
    text = poster_text(client.get(f"/notices/{notice.id}/poster.pdf"))
    assert "停水通知" in text and "业委会" in text and "明天 9:00–12:00 停水。" in text
    assert "• 请提前储水" in text and "**" not in text
    assert f"http://localhost/notices/{notice.id}" in text and "扫码阅读公告全文" in text
    assert "有效期至" in text


def test_a_long_notice_is_quoted_and_the_rest_left_to_the_site():
    quoted = excerpt("长" * 1000)
    assert quoted == "长" * EXCERPT_CHARACTERS + "……"
    assert excerpt("短文") == "短文"


@pytest.mark.parametrize("who, status", [
    (None, 302), ("outsider", 403), ("resident", 403), ("nc_staff", 403),
    ("property_staff", 403), ("oc_chair", 200), ("oc_staff", 200)])
def test_only_the_issuers_staff_print_the_poster(who, status, client, world, login,
                                                 make_notice):
    notice = make_notice(world.owners_committee)
    if who:
        login(world.users[who])
    response = client.get(f"/notices/{notice.id}/poster.pdf")
    assert response.status_code == status
    if who is None:
        assert "/auth/login" in response.location


def test_a_withdrawn_notice_has_no_poster_and_its_page_offers_none(client, world, login,
                                                                   make_notice):
    notice = make_notice(world.owners_committee, withdrawn=True)
    live = make_notice(world.owners_committee, "停电通知")
    login(world.users["oc_staff"])
    assert client.get(f"/notices/{notice.id}/poster.pdf").status_code == 404
    assert 'id="print-poster"' not in client.get(f"/notices/{notice.id}").text
    assert 'id="print-poster"' in client.get(f"/notices/{live.id}").text
    login(world.users["resident"])
    assert 'id="print-poster"' not in client.get(f"/notices/{live.id}").text
