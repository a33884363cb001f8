"""Responses for weak networks: gzip, validators and 304s, which pages are never kept,
static files under content-hashed names, and download names (RFC 6266 / 5987)."""

import gzip
import re
from urllib.parse import quote

import pytest
from itsdangerous.timed import TimestampSigner

from app import create_app
from app.core.assets import StaticFiles
from app.core.downloads import ascii_fallback, content_disposition, file_name

GZIP = {"Accept-Encoding": "gzip, deflate, br"}

# Pages with a ballot receipt, a vote being confirmed, personal data (an export, /me, the
# roster, revealed phone numbers, verification requests, roles by phone, the audit log, who
# read a notice, paper ballots, message slips and service records entered by staff): never
# kept.
NO_STORE_ENDPOINTS = {
    "home.home",
    "voting.view_poll", "voting.confirm_vote", "voting.vote", "voting.poll_bulletin",
    "voting.offline", "voting.service", "voting.audit_zip", "voting.paper_ballots",
    "voting.canvass", "voting.paper_ballots_page", "voting.canvass_page",
    "privacy.my_data", "privacy.export", "privacy.queue",
    "community.my_account", "community.request_link", "community.units",
    "community.verifications", "community.reveal_owner_phone",
    "community.reveal_applicant_phone", "community.roster_import",
    "community.community_roles", "community.platform_roles", "community.audit_log",
    "notices.reads", "messaging.slips_pdf", "messaging.slips_page",
    "feeds.issue",  # shows the person's secret feed addresses, once
    "webhooks.hooks",  # shows a new webhook's signing secret, once
}


def _static_urls(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


# --- Compression --------------------------------------------------------------------------


def test_pages_are_gzipped_for_browsers_that_accept_it(client):
    plain = client.get("/auth/login")
    packed = client.get("/auth/login", headers=GZIP)
    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"] and "Cookie" in packed.headers["Vary"]
    page = gzip.decompress(packed.data).decode()
    assert "<form" in page and len(packed.data) < len(page.encode()) / 2


def test_small_bodies_and_redirects_are_not_compressed(client):
    redirect = client.get("/notifications", headers=GZIP)  # anonymous: to the login page
    assert redirect.status_code == 302
    assert redirect.headers.get("Content-Encoding") is None


# --- Cache policy -------------------------------------------------------------------------


def _form_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_pages_are_private_revalidated_and_answer_304_when_unchanged(client, monkeypatch):
    first = client.get("/auth/login", headers=GZIP)
    assert first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]
    # The form token is signed with the time: a second later it is another one.
    now = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: now(signer) + 1)
    assert _form_token(client.get("/auth/login").get_data(as_text=True)) != _form_token(
        gzip.decompress(first.data).decode())
    again = client.get("/auth/login", headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag


def test_another_session_never_gets_a_304_for_a_page_with_its_own_form_token(app, client):
    etag = client.get("/auth/login").headers["ETag"]
    stranger = app.test_client()
    assert stranger.get("/auth/login", headers={"If-None-Match": etag}).status_code == 200


def test_the_no_store_pages_are_exactly_these(app):
    marked = {endpoint for endpoint, view in app.view_functions.items()
              if getattr(view, "no_store", False)}
    assert marked == NO_STORE_ENDPOINTS


def test_a_page_with_personal_data_is_never_kept_and_lists_stay_bf_cacheable(
        client, login, make_user):
    login(make_user())
    me = client.get("/me")
    assert me.status_code == 200
    assert me.headers["Cache-Control"] == "private, no-store" and "ETag" not in me.headers
    # The home page shows the receipts of open votes.
    assert client.get("/").headers["Cache-Control"] == "private, no-store"
    listing = client.get("/communities")
    assert listing.status_code == 200
    assert listing.headers["Cache-Control"] == "private, no-cache" and listing.headers["ETag"]
    assert "Cookie" in listing.headers["Vary"] and "HX-Request" in listing.headers["Vary"]


def test_the_login_page_stays_bf_cacheable(client):
    assert "no-store" not in client.get("/auth/login").headers["Cache-Control"]


# --- Static files -------------------------------------------------------------------------


def test_pages_link_static_files_by_content_hash_served_for_a_year(client):
    urls = _static_urls(client.get("/auth/login").get_data(as_text=True))
    assert len(urls) == 3
    for url in urls:
        assert re.search(r"\.[0-9a-f]{12}\.(css|js|svg)$", url), url
        response = client.get(url, headers=GZIP)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    stylesheet = next(url for url in urls if url.endswith(".css"))
    packed = client.get(stylesheet, headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == client.get(stylesheet).data
    assert client.get(stylesheet, headers={"If-None-Match": packed.headers["ETag"]}
                      ).status_code == 304


def test_a_plain_static_name_still_works_but_is_revalidated(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200 and "immutable" not in response.headers["Cache-Control"]
    response.close()


def test_a_changed_file_gets_a_new_name(tmp_path):
    (tmp_path / "css").mkdir()
    stylesheet = tmp_path / "css" / "app.css"
    stylesheet.write_text("body { color: black; }")
    before = StaticFiles(tmp_path).hashed["css/app.css"]
    stylesheet.write_text("body { color: navy; }")
    after = StaticFiles(tmp_path).hashed["css/app.css"]
    assert before != after
    assert before.startswith("css/app.") and before.endswith(".css")


def test_debug_mode_keeps_plain_names_so_edits_show():
    app = create_app("testing", {"DEBUG": True})
    with app.test_request_context():
        from flask import url_for

        assert url_for("static", filename="css/app.css") == "/static/css/app.css"


# --- Download names -----------------------------------------------------------------------


def test_a_chinese_name_has_an_ascii_fallback_and_a_utf8_name():
    name = "表决结果公告-阳光小区-2026-12-01.pdf"
    header = content_disposition(name, inline=True, ascii_name="poll-3-final-notice.pdf")
    assert header == ('inline; filename="poll-3-final-notice.pdf"; '
                      f"filename*=UTF-8''{quote(name)}")
    assert "%E8%A1%A8%E5%86%B3" in header  # 表决, percent-encoded UTF-8


def test_an_ascii_name_needs_no_second_form():
    assert content_disposition("report.csv", inline=False) == 'attachment; filename="report.csv"'


@pytest.mark.parametrize(("name", "fallback"), [
    ("会议纪要.pdf", "document.pdf"),
    ("Café menu.docx", "Cafe menu.docx"),
    ('a"b\\c.zip', "abc.zip"),
])
def test_the_ascii_fallback_never_breaks_the_header(name, fallback):
    assert ascii_fallback(name) == fallback


def test_file_names_drop_what_a_file_system_refuses():
    assert file_name("会议纪要：一期/二期", "2026-12-01", "", suffix="pdf") == \
        "会议纪要：一期 二期-2026-12-01.pdf"
