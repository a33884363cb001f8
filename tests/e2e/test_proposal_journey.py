"""A proposal's life, in a real browser on a phone: a resident drafts it with a photo,
two neighbours co-sponsor it into deliberation, the property company answers officially,
a comment is reported, a moderator hides it, and its author sees why.

Elements are found by id, name, class and value, not by words: the translations change
while this is written. Where a status must be read, the expected words come from the
app's own catalogue, so they follow the translation."""

import re
from io import BytesIO

import pytest
from flask_babel import force_locale
from PIL import ExifTags, Image
from playwright.sync_api import Page, expect

from app.community.models import MemberRole, OrganisationKind, Role
from app.core.uploads import THUMB_SIDE
from app.extensions import db
from app.proposals.labels import STATUS_LABELS
from app.proposals.states import Status
from tests.e2e.test_journey import log_in, log_out
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

AUTHOR_PHONE = "13911110001"
NEIGHBOUR_1_PHONE = "13911110002"
NEIGHBOUR_2_PHONE = "13911110003"
STAFF_PHONE = "13911110004"
MODERATOR_PHONE = "13911110005"
PROPERTY_COMPANY = "锦绣物业"
TITLE = "3栋门口的路灯坏了"
BODY = "晚上回家太黑，老人容易摔倒。"
MORE_BODY = "建议物业本月内修好。"
ANSWER = "已安排电工，本周五前修好。"
COMMENT = "支持，我家老人也摔过一次。"
REPORT_NOTE = "这条评论里有人身攻击。"
HIDE_REASON = "评论含有人身攻击，违反议事规则。"


def status_label(app, status: str) -> str:
    """The status as the server writes it on a Chinese page."""
    with app.test_request_context(), force_locale("zh_Hans"):
        return str(STATUS_LABELS[status])


def phone_photo(path) -> None:
    """A photo as a phone takes it: a JPEG carrying the GPS position in its EXIF."""
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 14.0, 5.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (121.0, 28.0, 10.0)
    Image.new("RGB", (1200, 900), (40, 120, 200)).save(path, "JPEG", exif=exif)
    with Image.open(path) as saved:
        assert saved.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test photo lacks GPS data"


def open_proposal(page: Page, community_id: int, proposal_id: int) -> None:
    """From anywhere: the header's "Proposals", then the proposal in the list."""
    page.locator(f".site-header a[href$='/c/{community_id}/proposals']").click()
    page.locator(f"#proposal-list a[href$='/p/{proposal_id}']").click()
    expect(page).to_have_url(re.compile(rf"/p/{proposal_id}$"))


def expect_photo_loaded(page: Page) -> None:
    thumb = page.locator("#proposal-photos img")
    expect(thumb).to_have_count(1)
    thumb.scroll_into_view_if_needed()  # it loads lazily
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=thumb.element_handle())
    width = thumb.evaluate("img => img.naturalWidth")
    assert 0 < width <= THUMB_SIDE, f"the thumbnail is {width}px wide"


def expect_phone_width(page: Page) -> None:
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width}px wide on a 360px screen"


def post_in_place(page: Page, button) -> None:
    """Tap a button whose form htmx posts, and check that htmx (not the browser) sent it."""
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        button.click()
    assert posted.value.request.headers.get("hx-request") == "true"


def test_proposal_with_photo_is_cosponsored_answered_and_a_comment_moderated(
    browser_page, live_server, app, tmp_path, monkeypatch, make_community, make_unit,
    make_user, make_org, add_member, give_role, resident_of
):
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))  # the photos
    community = make_community(name="翠湖花园", buildings=("1栋", "2栋"))
    community.cosponsor_threshold = 2
    db.session.commit()
    first, second = community.buildings
    resident_of(make_unit(community, "101", building=first), name="陈静", phone=AUTHOR_PHONE)
    resident_of(make_unit(community, "202", building=first), name="刘洋",
                phone=NEIGHBOUR_1_PHONE)
    resident_of(make_unit(community, "1201", building=second), name="赵敏",
                phone=NEIGHBOUR_2_PHONE)
    company = make_org(community, OrganisationKind.PROPERTY_COMPANY, PROPERTY_COMPANY)
    add_member(company, make_user(name="孙丽", phone=STAFF_PHONE), MemberRole.STAFF)
    give_role(make_user(name="周强", phone=MODERATOR_PHONE), Role.MODERATOR, community)
    community_id, company_id = community.id, company.id
    db.session.remove()  # the server's requests use their own sessions
    collecting = status_label(app, Status.COLLECTING)
    deliberation = status_label(app, Status.DELIBERATION)

    page, base = browser_page, live_server
    server_errors, script_errors = [], []
    page.on("response", lambda r: server_errors.append(f"{r.status} {r.url}")
            if r.status >= 500 else None)
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    photo = tmp_path / "IMG_20240501_0815.jpg"
    phone_photo(photo)

    # The author drafts a proposal with a photo taken on the phone, and saves it.
    log_in(page, base, AUTHOR_PHONE, PASSWORD)
    page.locator(f".site-header a[href$='/c/{community_id}/proposals']").click()
    page.locator(f"main a[href$='/c/{community_id}/proposals/new']").click()
    page.locator("#title").fill(TITLE)
    page.locator("#body").fill(BODY)
    page.locator("#category").select_option("facilities")
    expect(page.locator("input[name=scope_kind][value=community]")).to_be_checked()
    page.locator("#photos").set_input_files(str(photo))
    expect_phone_width(page)
    page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/p/\d+$"))
    proposal_id = int(page.url.rsplit("/", 1)[1])
    proposal_url = f"{base}/p/{proposal_id}"
    expect(page.locator(".flashes .flash-success")).to_be_visible()
    expect(page.locator(".proposal-meta .tag")).to_have_text(status_label(app, Status.DRAFT))
    expect_photo_loaded(page)
    # The photo the neighbours will see carries no position.
    full = page.request.get(base + page.locator("#proposal-photos a").get_attribute("href"))
    assert full.status == 200 and full.headers["content-type"] == "image/jpeg"
    with Image.open(BytesIO(full.body())) as served:
        assert not served.getexif().get_ifd(ExifTags.IFD.GPSInfo)

    # Later, reopens the draft from the list, finds everything kept, finishes it.
    page.locator(f".site-header a[href$='/c/{community_id}/proposals']").click()
    page.locator(f"#drafts a[href$='/p/{proposal_id}/edit']").click()
    expect(page.locator("#title")).to_have_value(TITLE)
    expect(page.locator("#body")).to_have_value(BODY)
    expect(page.locator("#category")).to_have_value("facilities")
    expect(page.locator("#proposal-photos img")).to_have_count(1)
    page.locator("#body").fill(f"{BODY}\n\n{MORE_BODY}")
    page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
    expect(page).to_have_url(proposal_url)
    expect(page.locator(".proposal-body")).to_contain_text(MORE_BODY)
    expect(page.locator("#proposal-photos img")).to_have_count(1)

    # Submits it: it is public and collects support.
    page.locator(f"#draft-actions form[action$='/p/{proposal_id}/submit'] button").click()
    expect(page.locator(".flashes .flash-success")).to_be_visible()
    expect(page.locator(".proposal-meta .tag")).to_have_text(collecting)
    expect(page.locator("#draft-actions")).to_have_count(0)
    expect(page.locator("#support progress")).to_have_attribute("value", "0")
    expect(page.locator("#support progress")).to_have_attribute("max", "2")
    expect(page.locator("#support form")).to_have_count(0)  # not for the author
    expect_phone_width(page)
    log_out(page)

    # The first neighbour finds it, sees the photo, and co-sponsors it in place.
    log_in(page, base, NEIGHBOUR_1_PHONE, PASSWORD)
    open_proposal(page, community_id, proposal_id)
    expect(page.locator(".proposal-meta .tag")).to_have_text(collecting)
    expect_photo_loaded(page)
    post_in_place(page, page.locator("#support form button[type=submit]"))
    expect(page.locator("#support .flash-success")).to_be_visible()
    expect(page.locator("#support progress")).to_have_attribute("value", "1")
    expect(page.locator("#support form")).to_have_count(0)
    expect(page.locator(".flashes")).to_have_count(0)
    expect(page.locator(".proposal-meta .tag")).to_have_text(collecting)
    log_out(page)

    # The second neighbour's support reaches the threshold: the page reloads in deliberation.
    log_in(page, base, NEIGHBOUR_2_PHONE, PASSWORD)
    open_proposal(page, community_id, proposal_id)
    post_in_place(page, page.locator("#support form button[type=submit]"))
    expect(page.locator(".flashes .flash-success")).to_be_visible()
    expect(page).to_have_url(proposal_url)
    expect(page.locator(".proposal-meta .tag")).to_have_text(deliberation)
    expect(page.locator("#support progress")).to_have_count(0)
    expect(page.locator("#support form")).to_have_count(0)
    expect(page.locator("#timeline li")).to_have_count(2)  # submitted, reached threshold
    log_out(page)

    # The property company's staff member answers officially: pinned, with its name.
    log_in(page, base, STAFF_PHONE, PASSWORD)
    open_proposal(page, community_id, proposal_id)
    expect(page.locator(".proposal-meta .tag")).to_have_text(deliberation)
    page.locator("details.answer-box > summary").click()
    expect(page.locator("#answer-organisation")).to_have_value(str(company_id))
    page.locator("#answer-body").fill(ANSWER)
    post_in_place(page, page.locator("details.answer-box button[type=submit]"))
    expect(page.locator("#discussion > .flash-success")).to_be_visible()
    expect(page.locator("#discussion .flash-success")).to_have_count(1)
    expect(page.locator("#proposal-report form")).to_have_count(1)
    answers = page.locator("#discussion ol.official-answers li.comment.official")
    expect(answers).to_have_count(1)
    expect(answers.locator(".comment-meta .tag.ok")).to_contain_text(PROPERTY_COMPANY)
    expect(answers.locator(".comment-body")).to_have_text(ANSWER)
    log_out(page)

    # The first neighbour sees the answer pinned above the comments, and comments in support.
    log_in(page, base, NEIGHBOUR_1_PHONE, PASSWORD)
    open_proposal(page, community_id, proposal_id)
    answers = page.locator("#discussion ol.official-answers li.comment.official")
    expect(answers.locator(".comment-body")).to_have_text(ANSWER)
    expect(page.locator("#comments-list li.comment")).to_have_count(0)
    assert answers.bounding_box()["y"] < page.locator("#comments-list").bounding_box()["y"]
    page.locator("input[name='comment-stance'][value=support]").check()
    page.locator("#comment-body").fill(COMMENT)
    post_in_place(page, page.locator("#comment-form button[type=submit]"))
    expect(page.locator("#comment-form .flash-success")).to_be_visible()
    expect(page.locator("#comment-body")).to_have_value("")
    posted = page.locator("#new-comments li.comment")
    expect(posted).to_have_count(1)
    expect(posted.locator(".comment-body")).to_have_text(COMMENT)
    expect(posted.locator(".tag.stance-support")).to_be_visible()
    expect(page.locator("#comments-list li.empty")).to_have_count(0)
    expect(page.locator(".stance-bar li.stance-support .stance-count")).to_have_text("1")
    expect(page.locator("#comment-count")).to_have_text("2")  # the answer and this comment
    comment_id = int(posted.get_attribute("id").removeprefix("comment-"))
    log_out(page)

    # The second neighbour sees the stance counted, and reports the comment in place.
    log_in(page, base, NEIGHBOUR_2_PHONE, PASSWORD)
    open_proposal(page, community_id, proposal_id)
    expect(page.locator(".stance-bar li.stance-support .stance-count")).to_have_text("1")
    comment = page.locator(f"#comment-{comment_id}")
    expect(comment.locator(".comment-body")).to_have_text(COMMENT)
    report_action = f"form[action$='/comments/{comment_id}/report']"
    comment.locator(f"details:has({report_action}) > summary").click()
    report_form = comment.locator(report_action)
    report_form.locator(f"#report-{comment_id}-reason").select_option("abuse")
    report_form.locator(f"#report-{comment_id}-note").fill(REPORT_NOTE)
    post_in_place(page, report_form.locator("button[type=submit]"))
    expect(comment.locator(".flash-success")).to_be_visible()
    expect(comment.locator(".comment-body")).to_have_text(COMMENT)  # 1 report of 3: visible
    expect(page.locator(".flashes")).to_have_count(0)
    log_out(page)

    # The moderator opens the queue from the home page and hides the comment with a reason.
    log_in(page, base, MODERATOR_PHONE, PASSWORD)
    page.locator(f"main a[href$='/c/{community_id}/moderation']").click()
    item = page.locator(f"#item-comment-{comment_id}")
    expect(item.locator(".comment-body")).to_have_text(COMMENT)
    expect(item.locator(".reports li")).to_have_count(1)
    expect(item.locator(".reports li")).to_contain_text(REPORT_NOTE)
    expect_phone_width(page)
    item.locator("details > summary").click()
    item.locator(f"#comment-{comment_id}-reason").fill(HIDE_REASON)
    post_in_place(page, item.locator("button[value=hide]"))
    expect(page.locator("#moderation .flash-success")).to_be_visible()
    expect(item).to_have_count(0)  # no open report left
    page.locator("#moderation a[href$='show=hidden']").click()
    expect(item.locator(".tag.bad")).to_be_visible()
    expect(item).to_contain_text(HIDE_REASON)
    # Others now see a placeholder instead of the comment.
    open_proposal(page, community_id, proposal_id)
    expect(page.locator(f"#comment-{comment_id} .placeholder")).to_be_visible()
    expect(page.locator(f"#comment-{comment_id} .comment-body")).to_have_count(0)
    log_out(page)

    # The comment's author is told, with the reason, and sees it on the comment itself.
    log_in(page, base, NEIGHBOUR_1_PHONE, PASSWORD)
    badge = page.locator("#notifications-link")
    expect(badge).to_have_text(re.compile(r"\(\d+\)$"))
    badge.click()
    note = page.locator("ul.notifications li.unread", has=page.locator(".reason"))
    expect(note).to_have_count(1)
    expect(note.locator(".reason")).to_contain_text(HIDE_REASON)
    expect_phone_width(page)
    note.locator(f"a[href$='/comments/{comment_id}']").click()
    expect(page).to_have_url(re.compile(rf"/p/{proposal_id}/comments\?page=1#comment-{comment_id}$"))
    comment = page.locator(f"#comment-{comment_id}")
    expect(comment.locator(".notice")).to_contain_text(HIDE_REASON)
    expect(comment.locator(".comment-body")).to_have_text(COMMENT)
    page.locator(f"main .crumbs a[href$='/p/{proposal_id}']").click()
    expect(page).to_have_url(proposal_url)
    expect(page.locator(f"#comment-{comment_id} .notice")).to_contain_text(HIDE_REASON)
    expect(page.locator(".stance-bar li.stance-support .stance-count")).to_have_text("0")

    assert page.csp_violations == []
    assert server_errors == []
    assert script_errors == []
