"""End-to-end fixtures: the app served over HTTP, and a phone-sized Chromium page.

The live server is built on the ``app`` fixture, so each e2e test runs on SQLite and on
PostgreSQL and starts from an empty database. Without Chromium or Playwright the tests
skip locally and fail in CI (``GONGZHI_REQUIRE_ALL=1``).
"""

import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import skip_or_fail

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 360, "height": 780},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def live_server(app):
    """The app served on 127.0.0.1 on a free port; yields its base URL.

    Each request runs in a server thread, which starts with an empty context, so each
    gets its own app context and database session, as in production.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def _chromium():
    if not os.path.exists(CHROMIUM):
        skip_or_fail(f"Chromium not found at {CHROMIUM}; apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("Playwright for Python is not installed; pip install -e '.[test]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_chromium, request):
    """A fresh page (no cookies) on a phone viewport, in Chinese like a local phone.

    ``page.csp_violations`` collects the console messages about the Content-Security-Policy.
    On failure a screenshot goes to test-artifacts/.
    """
    yield from _phone(_chromium, request, "")


@pytest.fixture
def second_phone(_chromium, request):
    """Another phone in the room, with its own cookies, watched like ``browser_page``."""
    yield from _phone(_chromium, request, "-second-phone")


def _phone(_chromium, request, suffix: str):
    context = _chromium.new_context(**PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp_violations = []
    page.on("console", lambda message: page.csp_violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}{suffix}.png"), full_page=True)
        except Exception as exc:  # a crashed page must not hide the real failure
            print(f"could not save a screenshot: {exc}")
    context.close()
