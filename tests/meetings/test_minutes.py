"""Minutes (会议纪要): built from the records, read back from DOCX and PDF, published,
frozen, corrected, downloaded and exported."""

import hashlib
import io
import json
import re
from datetime import date, timedelta
from urllib.parse import unquote

import pytest
from docx import Document as DocxDocument
from flask_babel import force_locale
from flask_babel import gettext as _
from pypdf import PdfReader
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.community.models import OrganisationKind
from app.discussion.models import Comment
from app.extensions import db, utcnow
from app.followups.models import FollowUpAction
from app.meetings.kinds import MeetingKind
from app.meetings.minutes import content_hash
from app.meetings.models import Meeting, Minutes
from app.meetings.services import attendance
from app.notices.models import Notice, NoticeKind
from app.voting.labels import describe_in_words, matter_label
from app.voting.services import results
from tests.meetings.conftest import invite_organisations
from tests.voting.conftest import closed_poll, make_estate  # noqa: F401  (a fixture)

# The section headings every version of the minutes carries (as msgids).
HEADINGS = ["Time and place", "Chair and recorder", "Attendance", "Quorum", "What was proposed",
            "Online deliberation", "Vote", "Resolution", "Follow-up actions", "Signatures"]


def _flat(text: str) -> str:
    """PDF extraction breaks long lines; compare without any whitespace."""
    return re.sub(r"\s+", "", text)


def _docx_text(data: bytes) -> str:
    document = DocxDocument(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _read(data: bytes, file_format: str) -> str:
    if file_format == "docx":
        return _docx_text(data)
    if file_format == "pdf":
        return _pdf_text(data)
    return data.decode()


class Minuted:
    """A committee meeting of the estate's community: item 1 (the estate's proposal) has
    a closed owners' poll, online comments, an official answer and a follow-up action;
    item 2 was decided by a show of hands."""


@pytest.fixture
def minuted(make_estate, make_meeting, make_org, make_proposal, make_user):  # noqa: F811
    m = Minuted()
    m.estate = make_estate()
    community = m.estate.community
    m.poll = closed_poll(m.estate)  # 100 + 80 m² approve, 120 m² oppose; 3 of 3 owners
    m.committee = make_org(community, OrganisationKind.OWNERS_COMMITTEE, "第三届业委会")
    m.property = make_org(community, OrganisationKind.PROPERTY_COMPANY, "安居物业")
    second = make_proposal(community, m.estate.owners[1], title="更换门禁")
    m.meeting = make_meeting(community=community, organisation=m.committee,
                             proposals=[m.estate.proposal, second], members=2, observers=1)
    attendees = {a.name: a for a in m.meeting.attendees}
    for name in ("会议主持人", "会议记录人", "委员1", "列席1"):
        attendees[name].checked_in_at = utcnow()
    first, other = m.meeting.items
    first.poll_id = m.poll.id
    first.notes = "电梯噪音需要评估"
    first.resolution = "同意加装电梯"
    other.hands_for, other.hands_against, other.hands_abstain = 1, 2, 0
    other.resolution = "暂缓更换门禁"
    owners = m.estate.owners
    db.session.add_all([
        Comment(proposal_id=m.estate.proposal.id, author_id=owners[0].id, stance="support",
                body="支持"),
        Comment(proposal_id=m.estate.proposal.id, author_id=owners[1].id, stance="support",
                body="同意"),
        Comment(proposal_id=m.estate.proposal.id, author_id=owners[2].id, stance="oppose",
                body="反对"),
        Comment(proposal_id=m.estate.proposal.id, author_id=m.estate.staff.id,
                stance="neutral", body="维修资金可以列支", organisation_id=m.property.id),
        FollowUpAction(community_id=community.id, proposal_id=m.estate.proposal.id,
                       agenda_item_id=first.id, organisation_id=m.property.id,
                       description="联系电梯厂家报价", due_on=date(2026, 12, 31),
                       created_by_id=m.meeting.chair_id),
    ])
    db.session.commit()
    m.chair, m.recorder = m.meeting.chair, m.meeting.recorder
    m.member = attendees["委员1"].user
    return m


def _expected_numbers(m) -> list[str]:
    """What the site itself shows: the poll's count and conditions, the attendance, the
    hands."""
    raw, _deemed = results(m.poll)
    approve = raw.option("approve")
    counted = attendance(db.session.get(Meeting, m.meeting.id))
    return [f"{approve.area:,.2f}", f"{raw.option('oppose').area:,.2f}",
            *[describe_in_words(c) for c in raw.quorum + approve.conditions],
            describe_in_words(counted.quorum)]


def _export(runner, tmp_path, m, file_format, *extra):
    output = tmp_path / f"minutes.{file_format}"
    result = runner.invoke(args=["minutes", "export", str(m.meeting.id), "--format",
                                 file_format, "--output", str(output), *extra])
    assert result.exit_code == 0, result.output
    return output.read_bytes()


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
@pytest.mark.parametrize("file_format", ["docx", "pdf"])
def test_the_draft_carries_every_section_and_the_sites_numbers(minuted, runner, tmp_path,
                                                                 file_format, lang):
    text = _flat(_read(_export(runner, tmp_path, minuted, file_format, "--draft", "--lang",
                               lang), file_format))
    with force_locale(lang):
        expected = [_(heading) for heading in HEADINGS] + _expected_numbers(minuted)
        expected += [_("Voting members invited: %(invited)d; present: %(present)d; absent: "
                       "%(absent)d. Non-voting attendees present: %(observers)d.",
                       invited=4, present=3, absent=1, observers=1),
                     _("Show of hands: %(votes_for)d in favour, %(against)d against, "
                       "%(abstain)d abstaining.", votes_for=1, against=2, abstain=0),
                     _("Minutes: %(title)s", title="业委会第三次会议")]
    # The records themselves, in Chinese whatever the language of the headings.
    expected += ["主持人", "记录人", "参会人员", "列席", "会议主持人", "会议记录人", "委员1",
                 "委员2", "列席1", "第三届业委会", "安居物业", "维修资金可以列支",
                 "电梯噪音需要评估", "同意加装电梯", "暂缓更换门禁", "联系电梯厂家报价",
                 "社区活动室", minuted.estate.proposal.title, "更换门禁",
                 "是否同意加装电梯"]
    for phrase in expected:
        assert _flat(phrase) in text, (phrase, text[:1500])


def test_the_english_draft_reads_in_english(minuted, runner, tmp_path):
    text = _read(_export(runner, tmp_path, minuted, "docx", "--draft", "--lang", "en"),
                 "docx")
    for phrase in ("Minutes: 业委会第三次会议", "Item 1: ", "Item 2: 更换门禁",
                   "Official answer of 安居物业", "Support", "Oppose",
                   "People in favour, of the whole roll: 1 of 4 = 25.00 % ≥ 1/2 does not hold",
                   "People taking part: 3 of 4 = 75.00 % > 1/2 holds",
                   "The meeting had its quorum.", "Result: Passed.", "Result: Not passed.",
                   "联系电梯厂家报价 (安居物业, due December 31, 2026)",
                   "Draft: not published; the records may still change."):
        assert phrase in text, (phrase, text[:1500])
    document = DocxDocument(io.BytesIO(_export(runner, tmp_path, minuted, "docx", "--draft",
                                               "--lang", "en")))
    stance_table = next(t for t in document.tables if t.rows[0].cells[0].text == "Support")
    assert [c.text for c in stance_table.rows[1].cells] == ["2", "1", "0", "0"]


def test_markdown_and_html_exports_carry_the_same_sections(minuted, runner, tmp_path):
    markdown = _export(runner, tmp_path, minuted, "md", "--draft", "--lang", "en").decode()
    assert markdown.startswith("# Minutes: 业委会第三次会议\n")
    assert "## Attendance" in markdown and "### Follow-up actions" in markdown
    assert "Official answer of 安居物业" in markdown
    page = _export(runner, tmp_path, minuted, "html", "--draft", "--lang", "en").decode()
    assert '<html lang="en">' in page and "@page { size: A4" in page
    assert "<h2>Quorum</h2>" in page and "<ol><li>" in page  # the agenda


def _publish(client, m, reason=None, user=None, login=None):
    login(user or m.recorder)
    data = {} if reason is None else {"minutes-reason": reason}
    return client.post(f"/meetings/{m.meeting.id}/minutes", data=data)


def test_publishing_freezes_the_minutes_and_logs_their_hash(minuted, client, login):
    response = _publish(client, minuted, login=login)
    assert response.status_code == 302
    minutes = db.session.execute(select(Minutes)).scalar_one()
    assert (minutes.version, minutes.supersedes_id, minutes.language) == (1, None, "zh_Hans")
    canonical = json.dumps(minutes.content, ensure_ascii=False, sort_keys=True,
                           separators=(",", ":")).encode()
    assert minutes.content_hash == hashlib.sha256(canonical).hexdigest()
    assert minutes.content_hash == content_hash(minutes.content)
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "minutes.publish")).scalar_one()
    assert event.details["hash"] == minutes.content_hash and event.details["version"] == 1
    notice = db.session.execute(
        select(Notice).where(Notice.kind == NoticeKind.MINUTES)).scalar_one()
    assert (notice.minutes_id, notice.organisation_id) == (minutes.id, minuted.committee.id)
    assert "同意加装电梯" in notice.body

    item = minuted.meeting.items[0]
    item.notes = "会后改写的记录"
    db.session.commit()
    published = client.get(f"/meetings/{minuted.meeting.id}/minutes.md")
    assert published.status_code == 200
    assert "电梯噪音需要评估" in published.get_data(as_text=True)
    assert "会后改写的记录" not in published.get_data(as_text=True)
    assert f'filename="meeting-{minuted.meeting.id}-minutes-v1.md"' in \
        published.headers["Content-Disposition"]
    draft = client.get(f"/meetings/{minuted.meeting.id}/minutes/draft.md")
    assert "会后改写的记录" in draft.get_data(as_text=True)
    pdf = client.get(f"/meetings/{minuted.meeting.id}/minutes.pdf")
    assert pdf.mimetype == "application/pdf"
    assert "电梯噪音需要评估" in _flat(_pdf_text(pdf.data))
    # Opens in place on a phone, under a name that says which minutes and which version.
    disposition = pdf.headers["Content-Disposition"]
    assert disposition.startswith(
        f'inline; filename="meeting-{minuted.meeting.id}-minutes-v1.pdf"; filename*=UTF-8\'\'')
    assert unquote(disposition.split("''", 1)[1]).endswith("-第 1 版.pdf")
    assert published.headers["Content-Disposition"].startswith("attachment;")


def test_a_correction_needs_a_reason_and_links_the_version_it_replaces(minuted, client, login,
                                                                        en):
    _publish(client, minuted, login=login)
    refused = _publish(client, minuted, reason="  ", login=login)
    assert refused.status_code == 200
    assert "Give the reason for the correction." in refused.get_data(as_text=True)
    assert db.session.execute(select(Minutes)).scalars().all()[0].version == 1
    assert len(db.session.execute(select(Minutes)).scalars().all()) == 1

    minuted.meeting.items[1].resolution = "同意更换门禁"
    db.session.commit()
    assert _publish(client, minuted, reason="第二项决议记错", login=login).status_code == 302
    first, second = db.session.execute(select(Minutes).order_by(Minutes.version)).scalars()
    assert (second.version, second.supersedes_id, second.correction_reason) == (
        2, first.id, "第二项决议记错")
    assert len(db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "minutes.publish")).all()) == 2
    # On the board only the correction is current; version 1 moves to "Expired".
    old_notice, new_notice = db.session.execute(select(Notice).where(
        Notice.minutes_id.is_not(None)).order_by(Notice.id)).scalars()
    assert (old_notice.minutes_id, new_notice.minutes_id) == (first.id, second.id)
    assert new_notice.expires_at is None and old_notice.expires_at is not None

    meeting_id = minuted.meeting.id
    latest = client.get(f"/meetings/{meeting_id}/minutes.md").get_data(as_text=True)
    assert "同意更换门禁" in latest and "第二项决议记错" in latest
    old = client.get(f"/meetings/{meeting_id}/minutes.md?version=1").get_data(as_text=True)
    assert "暂缓更换门禁" in old and "同意更换门禁" not in old
    old_page = client.get(f"/meetings/{meeting_id}/minutes.html?version=1")
    assert old_page.status_code == 200 and old_page.mimetype == "text/html"
    assert "Superseded: version 2 replaces this version." in old_page.get_data(as_text=True)
    listing = client.get(f"/meetings/{meeting_id}/minutes").get_data(as_text=True)
    assert "Superseded by version 2" in listing and "Correction: 第二项决议记错" in listing
    assert client.get(f"/meetings/{meeting_id}/minutes.md?version=3").status_code == 404


def test_the_first_publication_needs_no_reason_but_the_form_keeps_what_was_typed(
        minuted, client, login, en):
    _publish(client, minuted, login=login)
    refused = client.post(f"/meetings/{minuted.meeting.id}/minutes", data={
        "minutes-reason": "x" * 1001})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "x" * 1001 in page
    assert "Field cannot be longer than 1000 characters." in page
    assert db.session.execute(select(Minutes)).scalar_one().version == 1


@pytest.mark.parametrize(("starts_in", "cancelled", "message"), [
    (timedelta(hours=2), False, "Minutes can be published once the meeting has started."),
    (timedelta(minutes=-10), True, "A cancelled meeting has no minutes."),
])
def test_minutes_wait_for_the_meeting_and_never_come_for_a_cancelled_one(
        make_meeting, client, login, en, starts_in, cancelled, message):
    meeting = make_meeting(starts_in=starts_in, cancelled=cancelled)
    login(meeting.recorder)
    page = client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert message in page and "Publish minutes" not in page
    refused = client.post(f"/meetings/{meeting.id}/minutes")
    assert refused.status_code == 200 and message in refused.get_data(as_text=True)
    assert db.session.execute(select(Minutes)).first() is None
    assert db.session.execute(select(Notice)).first() is None


def test_who_may_publish_download_and_see_the_draft(minuted, client, login, make_user, en):
    meeting_id = minuted.meeting.id
    paths = [f"/meetings/{meeting_id}/minutes", f"/meetings/{meeting_id}/minutes.pdf",
             f"/meetings/{meeting_id}/minutes/draft.pdf"]
    for path in paths:
        assert client.get(path).status_code == 302  # to the login page
    assert client.post(paths[0]).status_code == 302
    assert db.session.execute(select(Minutes)).first() is None

    login(minuted.chair)
    page = client.get(paths[0]).get_data(as_text=True)
    assert "Publish minutes" in page and f"/meetings/{meeting_id}/minutes/draft.html" in page
    assert client.get(paths[1]).status_code == 404  # nothing published yet
    assert client.get(paths[2]).status_code == 200
    assert client.get(f"/meetings/{meeting_id}/minutes/draft.exe").status_code == 404
    assert _publish(client, minuted, user=minuted.chair, login=login).status_code == 302

    # A plain member sees and downloads the minutes but neither drafts nor publishes.
    login(minuted.member)
    page = client.get(paths[0]).get_data(as_text=True)
    assert "Version 1" in page and "Publish a correction" not in page
    assert "/minutes/draft." not in page
    assert client.get(paths[1]).status_code == 200
    assert client.get(paths[2]).status_code == 403
    assert client.post(paths[0], data={"minutes-reason": "改"}).status_code == 403
    # So does a resident of the community who was not at the meeting.
    login(minuted.estate.tenant)
    assert client.get(paths[1]).status_code == 200
    assert client.get(paths[2]).status_code == 403
    login(make_user(name="局外人"))
    for path in paths:
        assert client.get(path).status_code == 403
    assert client.get("/meetings/999999/minutes.pdf").status_code == 404
    assert len(db.session.execute(select(Minutes)).all()) == 1


def test_the_print_page_is_a_page_of_the_site_laid_out_for_a4(minuted, client, login, en):
    login(minuted.recorder)
    response = client.get(f"/meetings/{minuted.meeting.id}/minutes/draft.html")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert '<article class="document">' in page and "<h2>Signatures</h2>" in page
    assert "Draft: not published; the records may still change." in page
    assert "<script>" not in page and 'style="' not in page
    # The print base: its own A4 stylesheet and a print button, none of the site's chrome.
    assert "/static/css/print" in page and "data-print" in page and "site-header" not in page
    with open("static/css/print.css", encoding="utf-8") as css:
        styles = css.read()
    assert "@page { size: A4" in styles and "@media print" in styles


def _queries(client, count_queries, path) -> int:
    with count_queries() as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_draft_costs_the_same_queries_for_1_or_5_items_and_attendees(
        make_meeting, make_proposal, make_community, make_user, make_org, client, login,
        count_queries):
    """Items proposed by different people (every other one for an organisation), each
    with an official answer by its own organisation; invitees of many organisations."""
    costs = []
    for size in (1, 5):
        community = make_community()
        proposals = [make_proposal(community, make_user(name=f"提议人{n}"), title=f"议题{n}",
                                   organisation=make_org(community, "property_company")
                                   if n % 2 == 0 else None)
                     for n in range(size)]
        for proposal in proposals:
            answering = make_org(community, "neighbourhood_committee")
            db.session.add(Comment(proposal_id=proposal.id, author_id=make_user().id,
                                   organisation_id=answering.id, body="官方答复"))
        meeting = make_meeting(community=community, proposals=proposals, members=size,
                               observers=size)
        invite_organisations(meeting, make_org, make_user, size)
        for attendee in meeting.attendees:
            attendee.checked_in_at = utcnow()
        for item in meeting.items:
            item.hands_for, item.hands_against, item.hands_abstain = 1, 0, 0
        db.session.commit()
        login(meeting.recorder)
        costs.append(_queries(client, count_queries,
                              f"/meetings/{meeting.id}/minutes/draft.md"))
    assert costs[0] == costs[1], costs


def test_a_download_costs_the_same_queries_for_1_or_5_versions(minuted, client, login,
                                                              make_user, count_queries):
    _publish(client, minuted, login=login)
    meeting_id = minuted.meeting.id
    one = _queries(client, count_queries, f"/meetings/{meeting_id}/minutes.md")
    listing_one = _queries(client, count_queries, f"/meetings/{meeting_id}/minutes")
    for n in range(4):
        _publish(client, minuted, reason=f"更正{n}", login=login)
    versions = db.session.execute(select(Minutes).order_by(Minutes.version.desc())).scalars() \
        .all()
    assert versions[0].version == 5
    for n, version in enumerate(versions[1:]):  # recorders of past terms, one each
        version.published_by_id = make_user(name=f"前任记录人{n}").id
    db.session.commit()
    assert _queries(client, count_queries, f"/meetings/{meeting_id}/minutes.md") == one
    listing = client.get(f"/meetings/{meeting_id}/minutes").get_data(as_text=True)
    assert "前任记录人3" in listing
    assert _queries(client, count_queries, f"/meetings/{meeting_id}/minutes") == listing_one


def test_cli_exports_the_published_minutes_and_explains_what_is_missing(
        minuted, client, login, runner, tmp_path):
    output = str(tmp_path / "m.docx")
    args = ["minutes", "export", str(minuted.meeting.id), "--format", "docx", "--output",
            output]
    missing = runner.invoke(args=args)
    assert missing.exit_code != 0 and "has no published minutes" in missing.output
    unknown = runner.invoke(args=["minutes", "export", "999999", "--format", "pdf",
                                  "--output", output])
    assert unknown.exit_code != 0 and "No meeting 999999" in unknown.output

    _publish(client, minuted, login=login)
    minuted.meeting.items[0].resolution = "改过的决议"
    db.session.commit()
    result = runner.invoke(args=[*args, "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = _docx_text((tmp_path / "m.docx").read_bytes())
    assert "同意加装电梯" in text and "改过的决议" not in text
    no_version = runner.invoke(args=[*args, "--version", "2"])
    assert no_version.exit_code != 0 and "no version 2" in no_version.output
    pdf = tmp_path / "m.pdf"
    result = runner.invoke(args=["minutes", "export", str(minuted.meeting.id), "--format",
                                 "pdf", "--output", str(pdf), "--version", "1"])
    assert result.exit_code == 0 and "同意加装电梯" in _flat(_pdf_text(pdf.read_bytes()))


def test_an_owners_general_meeting_leaves_its_quorum_to_its_polls(make_meeting, runner,
                                                                  tmp_path):
    meeting = make_meeting(kind=MeetingKind.OWNERS_GENERAL)
    output = tmp_path / "m.md"
    result = runner.invoke(args=["minutes", "export", str(meeting.id), "--format", "md",
                                 "--output", str(output), "--draft", "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = output.read_text(encoding="utf-8")
    assert "decides by its polls" in text and "No vote was taken on this item." in text


def test_a_configured_font_file_is_embedded_as_a_subset(minuted, runner, tmp_path, app,
                                                        monkeypatch):
    from pathlib import Path

    import reportlab

    font = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    monkeypatch.setitem(app.config, "DOCUMENT_FONT", str(font))
    reader = PdfReader(io.BytesIO(_export(runner, tmp_path, minuted, "pdf", "--draft",
                                          "--lang", "en")))
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    embedded = [f for f in fonts if "/FontDescriptor" in f]
    assert embedded and all("/FontFile2" in f["/FontDescriptor"].get_object()
                            and re.match(r"^/[A-Z]{6}\+", str(f["/BaseFont"]))
                            for f in embedded), fonts
    assert "Time and place" in reader.pages[0].extract_text()


def test_the_meeting_page_offers_the_draft_and_publishing_to_the_recorder_only(
        minuted, client, login, en):
    path = f"/meetings/{minuted.meeting.id}"
    login(minuted.recorder)
    page = client.get(path).get_data(as_text=True)
    assert "Publish minutes" in page and f"{path}/minutes/draft.html" in page
    login(minuted.member)
    page = client.get(path).get_data(as_text=True)
    assert "No minutes have been published yet." in page
    assert "Publish minutes" not in page and "/minutes/draft." not in page


def test_publishing_with_htmx_swaps_the_minutes_section(minuted, client, login, en):
    login(minuted.recorder)
    path = f"/meetings/{minuted.meeting.id}/minutes"
    headers = {"HX-Request": "true", "HX-Target": "minutes"}
    response = client.post(path, headers=headers)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and fragment.lstrip().startswith('<section class="minutes"')
    assert "Version 1 of the minutes is published." in fragment
    assert "Publish a correction" in fragment
    refused = client.post(path, headers=headers, data={"minutes-reason": ""})
    assert refused.status_code == 200
    assert "Give the reason for the correction." in refused.get_data(as_text=True)
    assert len(db.session.execute(select(Minutes)).all()) == 1


def test_the_minutes_name_the_matter_the_owners_decided(minuted, runner, tmp_path):
    """An owners' poll on an agenda item names its Civil Code Art. 278 item, as its result
    notice does."""
    markdown = _export(runner, tmp_path, minuted, "md", "--draft", "--lang", "en").decode()
    with force_locale("en"):
        label = matter_label(minuted.poll)
    assert label and f"Matter: {label}." in markdown
