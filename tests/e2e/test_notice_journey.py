"""A notice's life, in a real browser on a phone: owners' committee staff post a notice with
a PDF to one building, two residents of that building read it (one from the home page, one
from the board), and the staff member sees the read rate (知晓率) and reminds the others.

Elements are found by id, name, class and value, not by words: the translations change
while this is written. Only numbers are read from the pages."""

import re

import pytest
from playwright.sync_api import Page, expect

from app.community.models import MemberRole, OrganisationKind
from app.extensions import db
from tests.e2e.test_journey import log_in, log_out
from tests.e2e.test_proposal_journey import expect_phone_width
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

STAFF_PHONE = "13922220001"
READER_1_PHONE = "13922220002"
READER_2_PHONE = "13922220003"
TITLE = "1栋电梯周三检修"
BODY = "周三 9:00–17:00 电梯停运，请走楼梯。"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def open_board(page: Page, community_id: int) -> None:
    """From the home page: the community's notice board."""
    page.locator(".site-header a.brand").click()
    page.locator(f"main a[href$='/c/{community_id}/notices']").click()
    expect(page).to_have_url(re.compile(rf"/c/{community_id}/notices$"))


def test_staff_post_a_notice_two_residents_read_it_and_the_read_rate_shows(
    browser_page, live_server, app, tmp_path, monkeypatch, make_community, make_unit,
    make_user, make_org, add_member, resident_of
):
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))  # the attachment
    community = make_community(name="翠湖花园", buildings=("1栋", "2栋"))
    first, second = community.buildings
    phones = [READER_1_PHONE, READER_2_PHONE, None, None, None]
    for index, phone in enumerate(phones):
        resident_of(make_unit(community, f"{index + 1}01", building=first),
                    name=f"居民{index + 1}", phone=phone)
    resident_of(make_unit(community, "1201", building=second), name="二栋居民")
    committee = make_org(community, OrganisationKind.OWNERS_COMMITTEE, "业委会")
    add_member(committee, make_user(name="李娜", phone=STAFF_PHONE), MemberRole.STAFF)
    community_id, first_id = community.id, first.id
    db.session.remove()  # the server's requests use their own sessions

    page, base = browser_page, live_server
    server_errors = []
    page.on("response", lambda r: server_errors.append(f"{r.status} {r.url}")
            if r.status >= 500 else None)
    pdf = tmp_path / "检修方案.pdf"
    pdf.write_bytes(PDF)

    # Staff post the notice from the board, for building 1 only, with the plan as a PDF.
    log_in(page, base, STAFF_PHONE, PASSWORD)
    open_board(page, community_id)
    expect(page.locator("#notices-others li.empty")).to_have_count(1)
    page.locator(f"main a[href$='/c/{community_id}/notices/new']").click()
    page.locator("#title").fill(TITLE)
    page.locator("#body").fill(BODY)
    page.locator("input[name=scope_kind][value=buildings]").check()
    page.locator(f"input[name=buildings][value='{first_id}']").check()
    page.locator("#pinned").check()
    page.locator("#attachments").set_input_files(str(pdf))
    expect_phone_width(page)
    page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/notices/\d+$"))
    notice_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator(".flashes .flash-success")).to_be_visible()
    expect(page.locator("#notice h1")).to_have_text(TITLE)
    expect(page.locator("#notice .tag.ok")).to_be_visible()  # official
    expect(page.locator("#notice .muted")).to_contain_text("业委会")
    expect(page.locator("#notice .proposal-body")).to_contain_text(BODY)
    attachment = page.locator("#notice .notice-attachments a")
    expect(attachment).to_contain_text("检修方案.pdf")
    served = page.request.get(base + attachment.get_attribute("href"))
    assert served.status == 200 and served.body() == PDF
    log_out(page)

    # The first resident finds it at the top of the home page, unread, and opens it.
    log_in(page, base, READER_1_PHONE, PASSWORD)
    page.locator(".site-header a.brand").click()
    item = page.locator("#home-notices li.notice-item")
    expect(item).to_have_count(1)
    expect(item.locator(".tag.unread")).to_be_visible()
    item.locator(f"a[href$='/notices/{notice_id}']").click()
    expect(page.locator("#notice h1")).to_have_text(TITLE)
    expect(page.locator("#notice-manage")).to_have_count(0)
    page.locator(".site-header a.brand").click()
    expect(page.locator("#home-notices .tag.unread")).to_have_count(0)
    expect_phone_width(page)
    log_out(page)

    # The second resident opens it from the board, where it heads "for your home".
    log_in(page, base, READER_2_PHONE, PASSWORD)
    open_board(page, community_id)
    page.locator(f"#notices-for-home a[href$='/notices/{notice_id}']").click()
    expect(page.locator("#notice h1")).to_have_text(TITLE)
    log_out(page)

    # The staff member sees that 2 of the 5 people in building 1 read it, and reminds the rest.
    log_in(page, base, STAFF_PHONE, PASSWORD)
    open_board(page, community_id)
    page.locator(f"#notices-others a[href$='/notices/{notice_id}']").click()
    page.locator(f"#notice-manage a[href$='/notices/{notice_id}/reads']").click()
    expect(page.locator("#read-rate-overall")).to_contain_text("40.00 %")
    row = page.locator("table.read-rate tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(["5", "2", "40.00 %"])
    expect_phone_width(page)
    page.locator(f"form[action$='/notices/{notice_id}/remind'] button").click()
    expect(page.locator(".flashes .flash-success")).to_contain_text("3")

    assert page.csp_violations == []
    assert server_errors == []
