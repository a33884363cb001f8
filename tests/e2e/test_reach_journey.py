"""Reaching people without flooding them (issue 13), in a real browser on a 360-px phone:
an owner in elder mode finds the ballot on the first screen and votes in three taps from
the home page; the chair's reminder, pressed twice, goes out once and the second press
says when the last one went.

Elements are found by id, class, value and href; words come from the app's catalogue."""

import re
from datetime import UTC, datetime, time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db, utcnow
from app.notices.models import Notification
from tests.core.sms_stub import AliyunStub
from tests.e2e.test_journey import log_in
from tests.e2e.test_proposal_journey import expect_phone_width
from tests.e2e.test_voting_journey import in_chinese
from tests.factories import PASSWORD
from tests.voting import conftest as voting_fixtures
from tests.voting.conftest import make_poll

pytestmark = pytest.mark.e2e
make_estate = voting_fixtures.make_estate  # the voting tests' estate, as a fixture here

FIRST_SCREEN = {"width": 360, "height": 740}


def test_an_elder_owner_votes_from_the_home_card_in_three_taps(browser_page, live_server,
                                                                app, make_estate):
    estate = make_estate(owners=3)
    owner = estate.owners[0]
    owner.elder_mode = True
    db.session.commit()
    poll = make_poll(estate)
    page = browser_page
    page.set_viewport_size(FIRST_SCREEN)
    log_in(page, live_server, owner.phone, PASSWORD)
    page.goto(f"{live_server}/")
    expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))

    taps = 0
    page.locator(f"#home-waiting a[href$='/polls/{poll.id}#vote']").click()
    taps += 1
    expect(page).to_have_url(re.compile(rf"/polls/{poll.id}#vote$"))
    expect_phone_width(page)
    page.evaluate("window.scrollTo(0, 0)")  # the first screen, as the page opens
    buttons = page.locator("#vote form.ballot button.ballot-option")
    expect(buttons).to_have_count(3)
    for button in buttons.all():
        box = button.bounding_box()
        assert box["y"] + box["height"] <= FIRST_SCREEN["height"], box

    buttons.locator("xpath=self::*[@value='approve']").click()
    taps += 1
    expect(page).to_have_url(re.compile(rf"/polls/{poll.id}/confirm$"))
    page.locator("section.confirm form[action$='/vote'] button[type=submit]").click()
    taps += 1
    expect(page.locator(".flashes .flash-success")).to_have_text(
        in_chinese(app, "Your ballot is recorded."))
    expect(page.locator("#my-ballot .receipt-code")).to_be_visible()
    assert taps <= 3


def test_the_roll_hears_of_the_opened_poll_by_sms_and_in_app_then_votes_from_home(
        browser_page, live_server, app, make_estate, monkeypatch):
    """The SMS goes through the Alibaba Cloud adapter to a stub of its API on 127.0.0.1,
    at 10:00 Beijing time (outside quiet hours)."""
    morning = datetime.combine(utcnow().date(), time(2, 0), UTC)
    monkeypatch.setattr("app.messaging.services.utcnow", lambda: morning)
    with AliyunStub("test-key", "test-secret", {"SMS_200001"}) as stub:
        for name, value in {"SMS_BACKEND": "aliyun", "SMS_ALIYUN_ENDPOINT": stub.url,
                            "SMS_ALIYUN_ACCESS_KEY_ID": "test-key",
                            "SMS_ALIYUN_ACCESS_KEY_SECRET": "test-secret",
                            "SMS_SIGN_NAME": "共治社区",
                            "SMS_TEMPLATE_CODES": {"poll_opened": "SMS_200001"}}.items():
            monkeypatch.setitem(app.config, name, value)
        app.extensions.pop("gongzhi_sms", None)
        try:
            estate = make_estate(owners=4)
            poll = make_poll(estate)
        finally:
            app.extensions.pop("gongzhi_sms", None)
    assert sorted(sms["PhoneNumbers"] for sms in stub.sent) == sorted(
        owner.phone for owner in estate.owners)
    assert {sms["TemplateCode"] for sms in stub.sent} == {"SMS_200001"}
    assert all(sms["TemplateParam"]["title"] for sms in stub.sent)

    owner = estate.owners[1]
    page = browser_page
    log_in(page, live_server, owner.phone, PASSWORD)
    page.goto(f"{live_server}/notifications")
    expect(page.locator(f"main a[href$='/polls/{poll.id}']").first).to_be_visible()
    page.goto(f"{live_server}/")
    taps = 0
    page.locator(f"#home-waiting a[href$='/polls/{poll.id}#vote']").click()
    taps += 1
    page.locator("#vote form.ballot button.ballot-option[value='oppose']").click()
    taps += 1
    page.locator("section.confirm form[action$='/vote'] button[type=submit]").click()
    taps += 1
    expect(page.locator(".flashes .flash-success")).to_have_text(
        in_chinese(app, "Your ballot is recorded."))
    expect_phone_width(page)
    assert taps <= 3
    page.goto(f"{live_server}/")
    expect(page.locator("#home-waiting")).to_contain_text("已投票")


def test_the_reminder_pressed_twice_goes_out_once_and_says_when(browser_page, live_server,
                                                                app, make_estate):
    estate = make_estate(owners=3)
    poll = make_poll(estate)
    page = browser_page
    log_in(page, live_server, estate.chair.phone, PASSWORD)
    page.goto(f"{live_server}/polls/{poll.id}")
    remind = page.locator(f"#organiser form[action$='/polls/{poll.id}/remind'] button")
    expect(page.locator("#last-reminder")).to_have_count(0)

    remind.click()
    expect(page.locator(".flashes .flash-success")).to_be_visible()
    last = page.locator("#last-reminder")
    expect(last).to_contain_text("上次提醒：")
    expect(last).to_contain_text("共 3 人")
    expect_phone_width(page)

    remind.click()
    refusal = page.locator(".flashes .flash-error")
    expect(refusal).to_contain_text("上次提醒已于")
    expect(refusal).to_contain_text(re.compile(r"下次提醒可在 .+ 之后发送"))
    expect_phone_width(page)

    db.session.remove()
    assert db.session.execute(select(func.count(Notification.id)).where(
        Notification.kind == "poll_reminder")).scalar_one() == 3
