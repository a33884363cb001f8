"""The phone bar (issue 15), in a real browser at 360×740 on the demo community: for an owner,
the owners' committee chair and the community administrator, in normal and in elder mode,
every main page (proposal list, a proposal, a poll, meetings, a meeting, notices, a notice,
notifications, /me, insights, the audit log) keeps

- a header at most 120 px high with its navigation on one line,
- the first item of a list on the first screen,
- every link and button outside running text at least 44 px high (60 px in elder mode),
- all text at least 14 px (18 px in elder mode), at 4.5:1 contrast against its background,
- every <summary> looking like something to press (a border, an underline or a marker),
- every destructive form behind a step: inside a <details> the user opens first, or on a
  page that asks to confirm,
- tables that scroll sideways reachable by keyboard (focusable with a name).

Elements are found by structure and class, not by words."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.community.models import Community
from app.demo import COMMUNITY_NAME, DEMO_PASSWORD, seed_demo
from app.extensions import db
from app.meetings.models import Meeting
from app.notices.models import Notice
from app.proposals.models import Proposal
from app.voting.models import Poll

pytestmark = pytest.mark.e2e

SCREEN = {"width": 360, "height": 740}
OWNER, CHAIR, ADMIN = "13900009999", "13800000003", "13800000002"
# The words of a destructive action in a form's address.
DESTRUCTIVE = re.compile(r"/(delete|remove|hide|cancel|withdraw|leave)\b")

MEASURE = (Path(__file__).parent / "phone_bar.js").read_text(encoding="utf-8")


def measure(page: Page, *, elder: bool) -> list[str]:
    page.wait_for_load_state("load")
    return page.evaluate(MEASURE, {"tap": 60 if elder else 44, "text": 18 if elder else 14,
                                   "destructive": DESTRUCTIVE.pattern})


def first_item_top(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"no {selector} on {page.url}"
    return box["y"]


def sign_in(page: Page, base: str, phone: str) -> None:
    page.goto(f"{base}/auth/login")
    page.locator("#phone").fill(phone)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".site-header form[action$='/auth/logout']")).to_have_count(1)


def set_elder_mode(page: Page, on: bool) -> None:
    """Through the header's menu, as a user would."""
    html = page.locator("html")
    if bool(re.search(r"\belder\b", html.get_attribute("class") or "")) == on:
        return
    menu = page.locator(".site-header details.menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    page.locator(".site-header form[action$='/elder-mode'] button").click()
    expect(html).to_have_class(re.compile(r"\belder\b") if on else re.compile(r"^(?!.*\belder\b)"))


def pages(app):
    """The main pages of the demo community, and for list pages where their first item is."""
    with app.app_context():
        community = db.session.execute(
            select(Community).where(Community.name == COMMUNITY_NAME)).scalar_one()
        proposal = db.session.execute(select(Proposal).where(
            Proposal.community_id == community.id, Proposal.id.in_(
                select(Poll.proposal_id))).limit(1)).scalar_one()
        poll = db.session.execute(select(Poll).where(Poll.proposal_id == proposal.id)
                                  .limit(1)).scalar_one()
        meeting = db.session.execute(select(Meeting).where(
            Meeting.community_id == community.id).order_by(Meeting.id).limit(1)).scalar_one()
        notice = db.session.execute(select(Notice).where(
            Notice.community_id == community.id).order_by(Notice.id).limit(1)).scalar_one()
        c = community.id
    return [
        (f"/c/{c}", None),
        (f"/c/{c}/proposals", "#proposal-list > li"),
        (f"/p/{proposal.id}", None),
        (f"/polls/{poll.id}", None),
        (f"/c/{c}/meetings", "li.meeting-row"),
        (f"/meetings/{meeting.id}", None),
        (f"/c/{c}/notices", "main ul.plain > li"),
        (f"/notices/{notice.id}", None),
        ("/notifications", "ul.notifications > li"),
        ("/me", None),
        (f"/c/{c}/insights", None),
        (f"/audit/?community={c}", None),
    ]


@pytest.fixture
def demo(app):
    with app.app_context():
        seed_demo()
        db.session.commit()
    return pages(app)


@pytest.mark.parametrize("phone", [OWNER, CHAIR, ADMIN])
def test_every_main_page_meets_the_phone_bar_in_both_modes(browser_page, live_server, demo,
                                                           phone):
    page = browser_page
    page.set_viewport_size(SCREEN)
    sign_in(page, live_server, phone)
    failures = []
    for elder in (False, True):
        set_elder_mode(page, elder)
        for path, first in demo:
            response = page.goto(live_server + path)
            if response.status in (403, 404):
                continue  # not this user's page; another walks it
            assert response.status == 200, f"{path}: {response.status}"
            mode = "elder" if elder else "normal"
            failures += [f"{mode} {path}: {p}" for p in measure(page, elder=elder)]
            if first:
                top = first_item_top(page, first)
                if top > SCREEN["height"]:
                    failures.append(f"{mode} {path}: the first item starts at y={top:.0f}")
    assert not failures, "\n".join(failures)
