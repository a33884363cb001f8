"""The back button on a weak network (issue 15, item 6), in Chromium at 360×740: going back
to the login page or to the proposal list shows the page kept in the back/forward cache,
at once and without asking the server. Proved twice: the page's ``pageshow`` event says
``persisted``, and Chromium's DevTools never reports ``Page.backForwardCacheNotUsed``
(whose reasons the failure shows).

Playwright starts Chromium with the cache switched off (``--disable-back-forward-cache``,
so that its request interception sees every "back"): this test starts its own Chromium
without that switch, as a phone's browser runs."""

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from app.community.models import Community
from app.demo import COMMUNITY_NAME, seed_demo
from app.extensions import db
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.e2e.test_phone_bar import OWNER, SCREEN, sign_in

pytestmark = pytest.mark.e2e

# Every document of the page records its pageshow events: a new document starts a new list,
# a document restored from the cache adds ``true`` to the list it had.
RECORD_PAGESHOW = """
window.__pageshows = [];
window.addEventListener("pageshow", (event) => window.__pageshows.push(event.persisted));
"""


@pytest.fixture
def phone_with_bf_cache(_chromium):
    """A phone-sized page in a Chromium whose back/forward cache is on: a second browser of
    the suite's own Playwright (a second Playwright in the same thread is refused)."""
    browser = _chromium.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        ignore_default_args=["--disable-back-forward-cache"])
    try:
        context = browser.new_context(**{**PHONE, "viewport": SCREEN})
        context.set_default_timeout(10_000)
        yield context.new_page()
    finally:
        browser.close()


def _watch(page: Page) -> list[dict]:
    """The reasons Chromium gives each time it does not restore a page from the cache."""
    page.add_init_script(RECORD_PAGESHOW)
    refusals = []
    devtools = page.context.new_cdp_session(page)
    devtools.on("Page.backForwardCacheNotUsed", lambda event: refusals.append(event))
    devtools.send("Page.enable")
    return refusals


def _leave(page: Page, link: str, then: str) -> None:
    """Follow a link, leaving a mark on the page left: only that very page, kept in the
    cache, still has it when it comes back."""
    page.evaluate("window.__left = true")
    page.locator(link).first.click()
    page.wait_for_url(then)


def _went_back_from_the_cache(page: Page, refusals: list[dict], path: str) -> None:
    requests = []
    page.on("request", lambda request: requests.append(request.url)
            if request.resource_type == "document" else None)
    # A page restored from the cache fires no "load", only "pageshow".
    page.go_back(wait_until="commit")
    page.wait_for_function("window.__pageshows && (window.__left"
                           " ? window.__pageshows.at(-1) === true"
                           " : document.readyState === 'complete')")
    assert page.url.endswith(path), page.url
    reasons = [reason for refusal in refusals
               for reason in refusal.get("notRestoredExplanations", [])]
    assert not refusals, f"{path} was not restored from the bf-cache: {reasons}"
    assert page.evaluate("window.__pageshows") == [False, True]
    assert requests == [], f"going back to {path} asked the server again: {requests}"


def test_back_to_the_login_page_and_the_proposal_list_comes_from_the_cache(
        phone_with_bf_cache, live_server, app):
    with app.app_context():
        seed_demo()
        db.session.commit()
        community_id = db.session.execute(
            select(Community.id).where(Community.name == COMMUNITY_NAME)).scalar_one()
    page = phone_with_bf_cache
    refusals = _watch(page)

    page.goto(f"{live_server}/auth/login")
    _leave(page, "a[href$='/auth/register']", "**/auth/register")
    _went_back_from_the_cache(page, refusals, "/auth/login")

    sign_in(page, live_server, OWNER)
    page.goto(f"{live_server}/c/{community_id}/proposals")
    _leave(page, "#proposal-list > li a[href^='/p/']", "**/p/*")
    _went_back_from_the_cache(page, refusals, f"/c/{community_id}/proposals")
