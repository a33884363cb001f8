"""One resident's first day, in a real browser on a phone: register, ask to be linked to
a home, get approved by owners' committee staff, then use elder mode and English."""

import re

import pytest
from playwright.sync_api import Page, expect

from app.community.models import MemberRole, OrganisationKind
from app.extensions import db
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

RESIDENT_PHONE = "13912345678"
RESIDENT_PASSWORD = "qingshan-2024"
STAFF_PHONE = "13700099999"


def log_in(page: Page, base: str, phone: str, password: str) -> None:
    page.goto(f"{base}/auth/login")
    page.locator("#phone").fill(phone)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".site-header form[action$='/auth/logout']")).to_have_count(1)


def open_menu(page: Page) -> None:
    """The header's menu holds the account, the display settings and logging out."""
    menu = page.locator(".site-header details.menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()


def log_out(page: Page) -> None:
    open_menu(page)
    page.locator(".site-header form[action$='/auth/logout'] button").click()
    expect(page.locator(".site-header a[href$='/auth/login']")).to_be_visible()


def test_resident_registers_is_verified_and_reads_in_elder_mode_and_english(
    browser_page, live_server, make_community, make_unit, make_user, make_org, add_member
):
    community = make_community(name="翠湖花园", buildings=("1栋", "2栋"))
    building = next(b for b in community.buildings if b.name == "2栋")
    make_unit(community, "1201", "95.20", owners=[("王伟", RESIDENT_PHONE)], building=building)
    committee = make_org(community, OrganisationKind.OWNERS_COMMITTEE, "业委会")
    staff = make_user(name="李娜", phone=STAFF_PHONE)
    add_member(committee, staff, MemberRole.STAFF)
    community_id = community.id
    db.session.remove()  # the server's requests use their own sessions

    page, base = browser_page, live_server

    # The resident opens the site: it speaks Chinese by default.
    page.goto(base + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator(".site-header .brand")).to_have_text("共治")

    # Registers.
    page.locator(".site-header a[href$='/auth/register']").click()
    expect(page).to_have_url(re.compile(r"/auth/register$"))
    page.locator("#name").fill("王伟")
    page.locator("#phone").fill(RESIDENT_PHONE)
    page.locator("#password").fill(RESIDENT_PASSWORD)
    page.locator("#confirm").fill(RESIDENT_PASSWORD)
    page.locator("#accept_privacy").check()
    page.locator("main form button[type=submit]").click()

    # Is told the account is ready, in words that would not tell a stranger whether the
    # number had one already, and logs in.
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))
    expect(page.locator(".flash-info")).to_contain_text("如果该手机号可以注册")
    page.locator("#phone").fill(RESIDENT_PHONE)
    page.locator("#password").fill(RESIDENT_PASSWORD)
    page.locator("main form button[type=submit]").click()

    # Lands on "link my home", and asks to be linked to 2栋-1201 as its owner.
    expect(page).to_have_url(re.compile(r"/me/link$"))
    expect(page.locator("h1")).to_have_text("关联我的房屋")
    page.locator("#building").select_option(label="2栋")
    page.locator("#unit").fill("1201")
    page.locator("input[name=kind][value=owner]").check()
    page.locator("#link-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/me$"))
    request_row = page.locator("li", has_text="2栋-1201")
    expect(request_row).to_contain_text("等待工作人员处理")
    log_out(page)

    # Owners' committee staff find the request, with the roster's suggestion, and approve.
    log_in(page, base, STAFF_PHONE, PASSWORD)
    page.goto(f"{base}/c/{community_id}/verifications")
    card = page.locator("section.card", has_text="2栋-1201")
    expect(card).to_be_visible()
    card_id = card.get_attribute("id")
    expect(card.locator(".suggestion")).to_contain_text("王伟")
    # The number is masked; "show" swaps in the full one, in place (and audits it).
    expect(card).not_to_contain_text(RESIDENT_PHONE)
    card.locator("form.reveal").first.locator("button").click()
    expect(card.locator(".revealed")).to_have_text(RESIDENT_PHONE)
    card.locator("label.check", has_text="王伟").locator("input[name=owner]").check()
    card.locator("input[name=decision][value=approve]").check()
    with page.expect_response(lambda r: r.request.method == "POST") as decision:
        card.locator("button[type=submit].primary").click()
    assert decision.value.request.headers.get("hx-request") == "true"
    # htmx swaps the card for the outcome, in place: no page load, no flash at the top.
    card = page.locator(f"section.card#{card_id}")
    expect(card.locator(".flash-success")).to_have_text("已通过：王伟已关联到2栋-1201。")
    expect(card.locator("form")).to_have_count(0)
    expect(page.locator(".flashes")).to_have_count(0)
    expect(page).to_have_url(re.compile(rf"/c/{community_id}/verifications$"))
    log_out(page)

    # The resident sees the home linked.
    log_in(page, base, RESIDENT_PHONE, RESIDENT_PASSWORD)
    page.goto(base + "/me")
    homes = page.locator("section.card", has=page.locator("h2", has_text="我的房屋"))
    expect(homes.locator("li", has_text="翠湖花园 2栋-1201")).to_contain_text("业主")
    expect(page.locator("li", has_text="2栋-1201").locator(".tag.ok")).to_have_text("已通过")

    # Elder mode: larger text and tap targets, and it stays on.
    html = page.locator("html")
    expect(html).not_to_have_class(re.compile(r"\belder\b"))
    open_menu(page)
    page.locator(".display-bar form[action$='/elder-mode'] button").click()
    expect(html).to_have_class(re.compile(r"\belder\b"))
    open_menu(page)
    chip = page.locator(".display-bar button.chip").first
    expect(chip).to_have_attribute("aria-pressed", "true")
    page.wait_for_load_state("load")  # the stylesheet too, before measuring
    font_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font_size >= 18, f"elder mode body font-size is {font_size}px"
    chip_height = chip.bounding_box()["height"]
    assert chip_height >= 60, f"elder mode chip button is {chip_height}px high"
    page.reload()
    expect(html).to_have_class(re.compile(r"\belder\b"))

    # English.
    open_menu(page)
    page.locator(".display-bar button[value=en]").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("My account")
    expect(html).to_have_class(re.compile(r"\belder\b"))
    page.wait_for_load_state("load")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, f"the page is {scroll_width}px wide on a 360px screen"

    assert page.csp_violations == []
