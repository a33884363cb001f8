"""A forgotten password, in a real browser on a phone: once with a code by text message
(read from the console SMS backend), once with a paper code that committee staff issue on
their own phone after checking the resident's identity.

Elements are found by id, name and class, not by words: the translations change while this
is written."""

import re

import pytest
from playwright.sync_api import Page, expect

from app.community.models import MemberRole, OrganisationKind
from app.core.sms import provider
from app.extensions import db
from tests.e2e.test_journey import log_in, log_out
from tests.e2e.test_proposal_journey import expect_phone_width
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

RESIDENT_PHONE = "13933330001"
STAFF_PHONE = "13933330002"
NEW_PASSWORD = "lake-view-garden-7"


def _watch_server_errors(page: Page) -> list[str]:
    errors = []
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500
            else None)
    return errors


def _set_new_password(page: Page, code: str) -> None:
    page.locator("#code").fill(code)
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#confirm").fill(NEW_PASSWORD)
    expect_phone_width(page)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".site-header form[action$='/auth/logout']")).to_have_count(1)
    expect(page.locator(".flash-success")).to_be_visible()


def test_a_resident_resets_a_forgotten_password_by_sms_code(
    browser_page, live_server, make_community, make_unit, resident_of
):
    community = make_community(name="翠湖花园", buildings=("1栋",))
    resident_of(make_unit(community, "101"), name="王伟", phone=RESIDENT_PHONE)
    db.session.remove()
    sent = provider().sent
    sent.clear()
    page, base = browser_page, live_server
    errors = _watch_server_errors(page)

    page.goto(f"{base}/auth/login")
    page.locator("#forgot-password").click()
    expect(page).to_have_url(re.compile(r"/auth/forgot$"))
    expect_phone_width(page)
    page.locator("#phone").fill(RESIDENT_PHONE)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/auth/reset$"))
    expect(page.locator("#phone")).to_have_value(RESIDENT_PHONE)
    [sms] = [m for m in sent if m.phone == RESIDENT_PHONE]
    assert sms.template == "recovery_code"
    _set_new_password(page, sms.params["code"])

    log_out(page)
    log_in(page, base, RESIDENT_PHONE, NEW_PASSWORD)
    assert errors == [] and page.csp_violations == []


def test_staff_issue_a_paper_code_and_the_resident_resets_with_it(
    browser_page, second_phone, live_server, make_community, make_unit, make_user, make_org,
    add_member, resident_of
):
    community = make_community(name="翠湖花园", buildings=("1栋",))
    resident_of(make_unit(community, "101"), name="王伟", phone=RESIDENT_PHONE)
    committee = make_org(community, OrganisationKind.NEIGHBOURHOOD_COMMITTEE, "居委会")
    add_member(committee, make_user(name="李娜", phone=STAFF_PHONE), MemberRole.STAFF)
    community_id = community.id
    db.session.remove()
    staff, resident, base = browser_page, second_phone, live_server
    staff_errors, resident_errors = _watch_server_errors(staff), _watch_server_errors(resident)

    # Staff, on their phone, from the community page: check identity, issue the code.
    log_in(staff, base, STAFF_PHONE, PASSWORD)
    staff.goto(f"{base}/c/{community_id}")
    staff.locator(f"main a[href$='/c/{community_id}/password-help']").click()
    expect_phone_width(staff)
    staff.locator("#phone").fill(RESIDENT_PHONE)
    staff.locator("#identity_checked").check()
    staff.locator("main form button[type=submit]").click()
    code = staff.locator("#reset-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    expect_phone_width(staff)

    # The resident, with the slip: login page, forgot, "I have a code from the staff".
    resident.goto(f"{base}/auth/login")
    resident.locator("#forgot-password").click()
    resident.locator("#have-staff-code").click()
    expect(resident).to_have_url(re.compile(r"/auth/reset\?staff=1$"))
    resident.locator("#phone").fill(RESIDENT_PHONE)
    _set_new_password(resident, code)

    log_out(resident)
    log_in(resident, base, RESIDENT_PHONE, NEW_PASSWORD)
    assert staff_errors == [] and resident_errors == []
    assert staff.csp_violations == [] and resident.csp_violations == []
