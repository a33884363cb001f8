"""The phone bar (issue 15) on every page a user can reach, not on a list of pages someone
remembered: at 360×740, for an owner and for the owners' committee chair, in normal and in
elder mode, a breadth-first crawl from the home page over every same-origin GET link of the
demo community, each page measured by phone_bar.js (header, targets, text sizes, summaries,
destructive forms, sideways-scrolling tables, contrast). On list pages the first item is on
the first screen; on an open poll the vote control is.

The crawl stays bounded: addresses are told apart by path and meaningful query (numeric ids
kept, the page number dropped), at most PER_KIND pages of one kind (a path with its numbers
replaced) are walked, and at most MAX_PAGES in all. It must reach at least MIN_KINDS kinds
of page, so a broken link or a narrowed crawl cannot make the test pass by seeing less.

Logout, static files, downloads, the API and any address with a destructive word are not
followed: walking them would change the world the crawl measures."""

import re
from collections import Counter, deque
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from app.demo import seed_demo
from app.extensions import db
from tests.e2e.test_phone_bar import CHAIR, OWNER, SCREEN, measure, set_elder_mode, sign_in

pytestmark = pytest.mark.e2e

MAX_PAGES = 90
PER_KIND = 2
# The owner alone reaches fewer kinds than the chair (no committee tools).
MIN_KINDS = {OWNER: 26, CHAIR: 44}

NOT_FOLLOWED = re.compile(
    r"/auth/logout|/static/|^/api(/|$)"
    # Downloads, and the print views beside them (a document for paper: no site header).
    r"|\.(pdf|csv|xlsx|docx|ics|atom|json|zip|png|jpe?g|webp|svg|md|html)$"
    r"|(delete|remove|hide|cancel|withdraw|leave|revoke|reject|mute|lift|purge|erase)", re.I)
# Query words that only page through a list: one page of a list stands for all.
PAGING = {"page", "next"}

# Where the first item of a list page is, by kind of page.
LIST_ITEMS = {
    r"^/c/N/proposals$": "#proposal-list > li",
    r"^/c/N/meetings$": "li.meeting-row",
    r"^/c/N/notices$": "main ul.plain > li",
    r"^/notifications$": "ul.notifications > li",
}


def address(href: str, origin: str) -> str | None:
    """The crawl's key for a link: path and meaningful query; None when not followed."""
    parts = urlsplit(href)
    if f"{parts.scheme}://{parts.netloc}" != origin or NOT_FOLLOWED.search(parts.path):
        return None
    query = sorted((k, v) for k, v in parse_qsl(parts.query) if k not in PAGING)
    return parts.path + (f"?{urlencode(query)}" if query else "")


def kind(key: str) -> str:
    """A page's kind: its path with numbers replaced, and the names of its query words."""
    path, _, query = key.partition("?")
    names = sorted({name for name, _ in parse_qsl(query)})
    return re.sub(r"\d+", "N", path) + (f"?{'&'.join(names)}" if names else "")


def crawl(page: Page, base: str, *, elder: bool) -> tuple[dict[str, int], list[str], int]:
    """Walk the site from the home page; returns the pages walked by kind, every problem
    found (each once, with how often it occurred on its page) and how many ballots it met."""
    mode = "elder" if elder else "normal"
    queue, seen, walked = deque(["/"]), {"/"}, 0
    per_kind: dict[str, int] = {}
    failures: list[str] = []
    ballots = 0
    while queue and walked < MAX_PAGES:
        key = queue.popleft()
        if per_kind.get(kind(key), 0) >= PER_KIND:
            continue
        try:
            response = page.goto(base + key)
        except PlaywrightError as exc:  # a download starts instead of a page
            if "Download is starting" in str(exc):
                continue
            raise
        if response.status != 200:  # a link the site shows must lead somewhere this person may go
            failures.append(f"{mode} {key}: status {response.status}")
            continue
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        walked += 1
        per_kind[kind(key)] = per_kind.get(kind(key), 0) + 1
        problems = Counter(measure(page, elder=elder) + first_screen(page, kind(key)))
        ballots += page.locator("form.ballot").count()
        failures += [f"{mode} {key}: {problem}" + (f" (×{times})" if times > 1 else "")
                     for problem, times in problems.items()]
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            found = address(href.split("#")[0], base)
            if found and found not in seen:
                seen.add(found)
                queue.append(found)
    return per_kind, failures, ballots


def first_screen(page: Page, page_kind: str) -> list[str]:
    """A list's first item, and an open poll's vote control, start on the first screen."""
    problems = []
    for pattern, selector in LIST_ITEMS.items():
        if re.search(pattern, page_kind):
            box = page.locator(selector).first.bounding_box()
            if box is None:
                problems.append(f"no list item {selector}")
            elif box["y"] > SCREEN["height"]:
                problems.append(f"the first item starts at y={box['y']:.0f}")
    ballot = page.locator("form.ballot .ballot-option")
    if ballot.count():
        box = ballot.first.bounding_box()
        if box["y"] + box["height"] > SCREEN["height"]:
            problems.append(f"the vote control ends at y={box['y'] + box['height']:.0f}")
    return problems


def test_every_reachable_page_meets_the_phone_bar_in_both_modes(browser_page, second_phone,
                                                                live_server, app):
    """One seeded world, walked by the owner on one phone and by the chair on another."""
    with app.app_context():
        seed_demo()
        db.session.commit()
    failures, ballots = [], 0
    for phone, page in ((OWNER, browser_page), (CHAIR, second_phone)):
        page.set_viewport_size(SCREEN)
        page.set_default_navigation_timeout(30_000)  # a busy CI machine renders insights slowly
        sign_in(page, live_server, phone)
        for elder in (False, True):
            set_elder_mode(page, elder)
            kinds, problems, ballots_seen = crawl(page, live_server, elder=elder)
            failures += [f"{phone} {problem}" for problem in problems]
            ballots += ballots_seen
            assert len(kinds) >= MIN_KINDS[phone], (
                f"{phone} reached only {len(kinds)} kinds of page: {sorted(kinds)}")
    assert ballots, "the crawl met no open poll to vote in"
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)
