"""Minutes fit to post, read back from the files: the proposal's Markdown rendered as
headings, lists, tables and bold in every form, the meeting's own date in Chinese, who was
on leave and why, the agenda, the law each kind of meeting decides under, an A4 Word file
with plain black headings, and a PDF with only embedded fonts."""

import io
from datetime import timedelta

import pytest
from docx import Document as DocxDocument

from app.community.models import MemberRole, OrganisationKind, PartyStatus
from app.core.documents import long_date
from app.extensions import db
from app.meetings.kinds import MeetingKind
from app.meetings.minutes import publish, published_document
from app.meetings.quorum import SOURCES
from app.meetings.services import invite_organisation
from tests.voting.test_notice_documents import _poppler, check_fit_to_post  # noqa: F401

BODY = """### 方案一

在 **3 号楼** 加装电梯，费用如下：

| 项目 | 金额 |
| --- | --- |
| 电梯设备 | 30 万元 |

1. 征求意见
2. 签订合同

- 低层住户补偿
"""


def _export(runner, tmp_path, meeting, file_format, *extra) -> bytes:
    output = tmp_path / f"minutes.{file_format}"
    result = runner.invoke(args=["minutes", "export", str(meeting.id), "--format", file_format,
                                 "--output", str(output), "--draft", *extra])
    assert result.exit_code == 0, result.output
    return output.read_bytes()


@pytest.fixture
def long_ago(make_meeting, make_community, make_user, make_proposal):
    """A committee meeting held 40 days ago whose proposal is written in Markdown."""
    community = make_community()
    proposal = make_proposal(community, make_user(name="作者"), title="加装电梯")
    proposal.body = BODY
    db.session.commit()
    return make_meeting(community=community, proposals=[proposal],
                        starts_in=-timedelta(days=40))


def test_the_pdf_renders_the_proposals_markdown_and_embeds_its_fonts(long_ago, runner,
                                                                     tmp_path, app):
    text = check_fit_to_post(_export(runner, tmp_path, long_ago, "pdf"), tmp_path)
    flat = text.replace("\n", "")
    for words in ("方案一", "在 3 号楼 加装电梯", "电梯设备", "30 万元", "1.征求意见",
                  "签订合同", "低层住户补偿", "议程", "发言要点"):
        assert words.replace(" ", "") in flat.replace(" ", ""), (words, text)
    with app.test_request_context():
        meeting_day = long_date(long_ago.starts_at)
    assert meeting_day.endswith("日") and text.rstrip().endswith(meeting_day)


def test_the_word_file_is_a4_with_black_headings_and_real_lists_and_tables(long_ago, runner,
                                                                           tmp_path):
    document = DocxDocument(io.BytesIO(_export(runner, tmp_path, long_ago, "docx")))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    headings = [p for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert any(p.text == "方案一" and p.style.name == "Heading 5" for p in headings)
    for name in ("Heading 1", "Heading 2", "Heading 3", "Heading 5"):
        color = document.styles[name].font.color
        assert str(color.rgb) == "000000" and color.theme_color is None, name
    bold = [run.text for p in document.paragraphs for run in p.runs if run.bold]
    assert "3 号楼" in bold
    texts = [p.text for p in document.paragraphs]
    agenda, first = texts.index("1. 加装电梯"), texts.index("1. 征求意见")
    assert agenda < first and texts[first + 1] == "2. 签订合同"  # each list counts from 1
    assert any(t.rows[1].cells[0].text == "电梯设备" for t in document.tables)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "**" not in text and "###" not in text and "| ---" not in text


def test_html_and_markdown_keep_the_structure(long_ago, runner, tmp_path):
    html = _export(runner, tmp_path, long_ago, "html").decode()
    assert "<strong>3 号楼</strong>" in html and "<td>电梯设备</td>" in html
    assert "<ol><li>征求意见</li>" in html and "###" not in html
    markdown = _export(runner, tmp_path, long_ago, "md").decode()
    assert "##### 方案一" in markdown and "**3 号楼**" in markdown
    assert "1. 征求意见" in markdown


def test_the_minutes_name_who_was_on_leave_and_why(make_meeting, make_community, make_org,
                                                   make_user, add_member, runner, tmp_path):
    community = make_community()
    meeting = make_meeting(community=community, kind=MeetingKind.PARTY_BRANCH, members=0,
                           observers=0, title="党员大会")
    branch = make_org(community, OrganisationKind.PARTY_BRANCH, "第一党支部")
    away = add_member(branch, make_user(name="党员丁"), MemberRole.MEMBER)
    away.on_leave_until = (meeting.starts_at + timedelta(days=3)).date()
    away.leave_reason = "外出务工"
    probationary = add_member(branch, make_user(name="预备党员丙"), MemberRole.MEMBER)
    probationary.party_status = PartyStatus.PROBATIONARY
    db.session.commit()
    invite_organisation(meeting, branch, voting=True, notify_them=False)
    db.session.commit()
    text = _export(runner, tmp_path, meeting, "md").decode()
    assert "请假（原因）" in text and "党员丁（外出务工）" in text
    assert SOURCES[MeetingKind.PARTY_BRANCH] in text


@pytest.mark.parametrize("kind", list(MeetingKind))
def test_each_kind_of_meeting_names_the_law_it_decides_under(kind, make_meeting, runner,
                                                             tmp_path):
    meeting = make_meeting(kind=kind)
    text = _export(runner, tmp_path, meeting, "md").decode()
    assert f"议事规则依据：{SOURCES[kind]}" in text
    pdf_text = check_fit_to_post(_export(runner, tmp_path, meeting, "pdf"), tmp_path)
    assert SOURCES[kind] in pdf_text.replace("\n", "")


def test_a_published_version_carries_its_posting_date(long_ago, app):
    with app.test_request_context():
        minutes = publish(long_ago, actor=long_ago.recorder)
        db.session.commit()
        posted, held = long_date(minutes.published_at), long_date(long_ago.starts_at)
    document = published_document(minutes)
    assert document.blocks[0].text == f"第 1 版，{posted}公布。"
    assert document.signature[-1] == held != posted
