"""A committee meeting, in a real browser on two phones: the recorder shows the check-in
code, a member checks in with it on their phone, the recorder marks the chair and a
non-voting attendee present and watches the quorum, records an agenda item (notes, a
resolution, a show of hands) and a follow-up action for the property company, publishes
the minutes, downloads them as Word and opens the PDF in place.

Elements are found by id, name, class and href, not by words: the translations change
while this is written. Where words must be read, they come from the app's own catalogue,
so they follow the translation."""

import io
import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from docx import Document as DocxDocument
from flask_babel import force_locale
from flask_babel import gettext as _
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.community.models import MemberRole, OrganisationKind
from app.extensions import beijing_today, db
from app.meetings.models import Minutes
from app.notices.models import Notification, NotificationKind
from app.notices.services import notify
from app.voting.labels import OUTCOME_LABELS
from tests.e2e.test_journey import log_in
from tests.e2e.test_proposal_journey import expect_phone_width, post_in_place
from tests.factories import PASSWORD
from tests.meetings.conftest import make_meeting  # noqa: F401  (a fixture)

pytestmark = pytest.mark.e2e

PROPERTY_COMPANY = "锦绣物业"
NOTES = "委员们讨论了费用分摊和施工期间的噪音。"
RESOLUTION = "同意加装电梯，请物业公司在三个月内完成招标。"
ACTION = "完成电梯招标并在公告栏公示结果"
# The names make_meeting gives the chair, the one plain member and the 列席 resident.
CHAIR, MEMBER, OBSERVER = "会议主持人", "委员1", "列席1"


def zh(app, message, **values) -> str:
    """A message as the server writes it on a Chinese page (or in Chinese minutes)."""
    with app.test_request_context(), force_locale("zh_Hans"):
        return _(message, **values) if isinstance(message, str) else str(message)


def flat(text: str) -> str:
    """PDF extraction breaks long lines; compare without any whitespace."""
    return re.sub(r"\s+", "", text)


def watch(page: Page) -> dict:
    """Collect the server's 5xx answers and the page's script errors."""
    seen = {"server": [], "script": []}
    page.on("response", lambda r: seen["server"].append(f"{r.status} {r.url}")
            if r.status >= 500 else None)
    page.on("pageerror", lambda error: seen["script"].append(str(error)))
    return seen


def open_invitation(page: Page, meeting_id: int) -> None:
    """From the header: the notifications, then the meeting the invitation leads to."""
    page.locator("#notifications-link").click()
    page.locator(f"ul.notifications li.unread a[href$='/meetings/{meeting_id}']").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting_id}$"))


def download(page: Page, link) -> tuple[str, bytes]:
    with page.expect_download() as started:
        link.click()
    done = started.value
    assert done.failure() is None, done.failure()
    with open(done.path(), "rb") as file:
        return done.suggested_filename, file.read()


def test_recorder_checks_attendees_in_records_a_resolution_and_publishes_the_minutes(
    browser_page, second_phone, live_server, app, make_community, make_org, make_user,
    add_member, make_proposal, make_meeting  # noqa: F811
):
    community = make_community(name="翠湖花园")
    committee = make_org(community, OrganisationKind.OWNERS_COMMITTEE, "业委会")
    company = make_org(community, OrganisationKind.PROPERTY_COMPANY, PROPERTY_COMPANY)
    staff = make_user(name="孙丽")
    add_member(company, staff, MemberRole.STAFF)
    proposal = make_proposal(community, make_user(name="陈静"), title="1栋加装电梯")
    # Three voting members (the chair, the recorder, one member) and one 列席 resident.
    meeting = make_meeting(community=community, organisation=committee, proposals=[proposal],
                           members=1, observers=1, starts_in=timedelta(minutes=-5))
    attendees = {a.name: a for a in meeting.attendees}
    chair, member, observer = (attendees[n] for n in (CHAIR, MEMBER, OBSERVER))
    notify([a.user_id for a in meeting.attendees], NotificationKind.MEETING_INVITATION,
           actor=meeting.chair, meeting_id=meeting.id,
           details={"title": meeting.title, "starts_at": meeting.starts_at.isoformat()})
    db.session.commit()
    meeting_id, item_id, company_id = meeting.id, meeting.items[0].id, company.id
    meeting_title = meeting.title
    recorder_phone, member_phone = meeting.recorder.phone, member.user.phone
    chair_id, observer_id, staff_id = chair.id, observer.id, staff.id
    db.session.remove()  # the server's requests use their own sessions
    passed = zh(app, OUTCOME_LABELS["passed"])

    page, phone, base = browser_page, second_phone, live_server
    seen, seen_on_phone = watch(page), watch(phone)

    # The recorder opens the meeting from the invitation and puts the code on the screen.
    page.clock.install()  # to let the quorum's 15-second poll come at once, below
    log_in(page, base, recorder_phone, PASSWORD)
    open_invitation(page, meeting_id)
    expect(page.locator("#quorum")).to_contain_text(zh(
        app, "Voting attendees present: %(present)d of %(invited)d", present=0, invited=3))
    expect(page.locator("#quorum li.condition.fails")).to_have_count(1)
    expect_phone_width(page)
    page.locator(f"article.meeting nav.actions a[href$='/meetings/{meeting_id}/code']").click()
    code = page.locator("p.check-in-code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code), code
    expect_phone_width(page)
    page.go_back()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting_id}$"))

    # A member checks in on their own phone with the code shown in the room.
    log_in(phone, base, member_phone, PASSWORD)
    open_invitation(phone, meeting_id)
    phone.locator("#check-in-code").fill(code)
    post_in_place(phone, phone.locator("#check-in form button[type=submit]"))
    expect(phone.locator("#check-in .flash-success")).to_be_visible()
    expect(phone.locator("#check-in form")).to_have_count(0)
    # Their own page's attendance list changed with it, without a reload.
    expect(phone.locator("#attendance li.attendee.present .attendee-name")).to_have_text(
        [MEMBER])
    expect_phone_width(phone)

    # The recorder's page polls the quorum: the member counts, but there is no quorum yet.
    quorum = page.locator("#quorum")
    with page.expect_response(re.compile(rf"/meetings/{meeting_id}/quorum$")) as polled:
        page.clock.fast_forward(16_000)
    assert polled.value.request.headers.get("hx-request") == "true"
    expect(quorum).to_contain_text(zh(
        app, "Voting attendees present: %(present)d of %(invited)d", present=1, invited=3))
    expect(quorum.locator("li.condition.fails")).to_have_count(1)
    # Reloaded, the list shows the member present.
    page.reload()
    present = page.locator("#attendance li.attendee.present")
    expect(present.locator(".attendee-name")).to_have_text([MEMBER])
    expect(present.locator(".tag.ok")).to_have_count(1)

    # The recorder marks the chair present in place: the meeting has its quorum.
    presence = "#attendance form[action$='/meetings/{}/attendees/{}/presence'] button"
    mark = page.locator(presence.format(meeting_id, chair_id))
    assert mark.bounding_box()["height"] >= 44, mark.bounding_box()
    post_in_place(page, mark)
    expect(page.locator("#attendance .flash-success")).to_be_visible()
    expect(quorum).to_contain_text(zh(
        app, "Voting attendees present: %(present)d of %(invited)d", present=2, invited=3))
    expect(quorum.locator("li.condition.holds")).to_have_count(1)
    # The non-voting attendee is present too, and counts for everyone but not the quorum.
    post_in_place(page, page.locator(presence.format(meeting_id, observer_id)))
    expect(quorum).to_contain_text(zh(app, "everyone present: %(num)d", num=3))
    expect(quorum).to_contain_text(zh(
        app, "Voting attendees present: %(present)d of %(invited)d", present=2, invited=3))
    expect(present.locator(".attendee-name")).to_have_text([CHAIR, MEMBER, OBSERVER])
    expect(page.locator(".flashes")).to_have_count(0)
    expect_phone_width(page)

    # The recorder opens the agenda item and records the notes, resolution and hands.
    item = page.locator(f"#item-{item_id}")
    item.locator(f"a[href$='/meetings/{meeting_id}/items/{item_id}']").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting_id}/items/{item_id}$"))
    expect_phone_width(page)
    page.locator("#notes").fill(NOTES)
    page.locator("#resolution").fill(RESOLUTION)
    expect(page.locator("#poll")).to_have_value("")
    page.locator("#hands").check()
    page.locator("#hands_for").fill("2")
    page.locator("#hands_against").fill("0")
    page.locator("#hands_abstain").fill("0")
    page.locator("main form.card button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting_id}#item-{item_id}$"))
    expect(page.locator(".flashes .flash-success")).to_be_visible()
    expect(item.locator(".meeting-text")).to_have_text([NOTES, RESOLUTION])
    hands = item.locator(".hands")
    expect(hands).to_contain_text(zh(
        app, "Show of hands: %(votes_for)d in favour, %(against)d against, %(abstain)d "
        "abstaining.", votes_for=2, against=0, abstain=0))
    expect(hands.locator(".outcome strong")).to_have_text(passed)
    expect(hands.locator("li.condition.fails")).to_have_count(0)

    # A follow-up action for the property company, added in place under the item.
    actions = page.locator(f"#item-actions-{item_id}")
    expect(actions.locator("li.followup")).to_have_count(0)
    due = (beijing_today() + timedelta(days=90)).isoformat()
    actions.locator(f"#item-{item_id}-description").fill(ACTION)
    actions.locator(f"#item-{item_id}-organisation").select_option(str(company_id))
    actions.locator(f"#item-{item_id}-due_on").fill(due)
    post_in_place(page, actions.locator("form.followup-form button[type=submit]"))
    expect(actions.locator(".flash-success")).to_be_visible()
    listed = actions.locator("li.followup")
    expect(listed).to_have_count(1)
    expect(listed.locator(".followup-what")).to_have_text(ACTION)
    expect(listed.locator(f"a[href$='/o/{company_id}/actions']")).to_have_text(PROPERTY_COMPANY)
    expect(actions.locator(f"#item-{item_id}-description")).to_have_value("")
    expect_phone_width(page)

    # The recorder publishes the minutes in place: version 1, current, with its hash.
    minutes = page.locator("#minutes")
    expect(minutes.locator(".minutes-versions")).to_have_count(0)
    post_in_place(page, minutes.locator(
        f"form[action$='/meetings/{meeting_id}/minutes'] button[type=submit]"))
    expect(minutes.locator(".flash-success")).to_be_visible()
    versions = minutes.locator(".minutes-versions > li")
    expect(versions).to_have_count(1)
    expect(versions.locator(".tag.ok")).to_be_visible()
    shown_hash = versions.locator("code.hash").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", shown_hash), shown_hash
    expect_phone_width(page)

    # ... looks at the version laid out for print, and downloads it as Word and as PDF.
    versions.locator(f"a[href$='/meetings/{meeting_id}/minutes.html?version=1']").click()
    expect(page.locator("main")).to_contain_text(RESOLUTION)
    expect_phone_width(page)
    page.go_back()
    name, docx = download(page, versions.locator(
        f"a[href$='/meetings/{meeting_id}/minutes.docx?version=1']"))
    assert name.startswith(zh(app, "Minutes: %(title)s", title=meeting_title))
    assert name.endswith("-第 1 版.docx")  # the name in Chinese (filename*), not the fallback
    document = DocxDocument(io.BytesIO(docx))
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    text = "\n".join([p.text for p in document.paragraphs] + cells)
    assert RESOLUTION in text
    assert NOTES in text
    assert zh(app, "Show of hands: %(votes_for)d in favour, %(against)d against, %(abstain)d "
                   "abstaining.", votes_for=2, against=0, abstain=0) in text
    assert zh(app, "Result: %(outcome)s.", outcome=passed) in text
    assert ACTION in text and PROPERTY_COMPANY in text
    # The PDF opens in place, as on a phone; saved, it keeps its Chinese name.
    versions.locator(f"a[href$='/meetings/{meeting_id}/minutes.pdf?version=1']").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting_id}/minutes\.pdf\?version=1$"))
    opened = page.request.get(page.url)
    disposition = opened.headers["content-disposition"]
    assert disposition.startswith("inline;")
    name = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    assert name.startswith(zh(app, "Minutes: %(title)s", title=meeting_title))
    assert name.endswith("-第 1 版.pdf")
    pdf = opened.body()
    assert pdf.startswith(b"%PDF-")
    page.go_back()
    pdf_text = flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert flat(RESOLUTION) in pdf_text, pdf_text[:2000]

    # In the database: version 1, its hash in the audit log, the company's staff told.
    published = db.session.execute(select(Minutes).where(
        Minutes.meeting_id == meeting_id)).scalars().all()
    assert [m.version for m in published] == [1]
    assert published[0].content_hash == shown_hash
    events = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "minutes.publish")).scalars().all()
    assert [(e.details["hash"], e.details["version"]) for e in events] == [(shown_hash, 1)]
    told = db.session.execute(select(Notification).where(
        Notification.kind == NotificationKind.FOLLOW_UP)).scalars().all()
    assert [(n.user_id, n.details["action"], n.details["due"]) for n in told] == [
        (staff_id, ACTION, due)]

    for watched, page_seen in ((page, seen), (phone, seen_on_phone)):
        assert watched.csp_violations == []
        assert page_seen == {"server": [], "script": []}
