"""Result notices fit to post: the right issuer, law and parts for each kind of poll, and a
PDF that shows the same on a machine without Chinese fonts (read back from the file)."""

import io
import os
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from app.community.models import MemberRole, OrganisationKind, Role
from app.core.documents import CANNOT_START_A_LINE, _font
from app.extensions import db
from app.voting.models import ElectorateKind, Objection
from app.voting.services import answer_objection, finalise
from tests.voting.conftest import cast_all, closed_poll, make_poll

CHINESE_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
MARKDOWN_SYNTAX = re.compile(r"\*\*|^#+ |\| ?---|^- ", re.MULTILINE)


def _export(runner, tmp_path, poll, file_format="pdf", *extra) -> bytes:
    output = tmp_path / f"notice.{file_format}"
    result = runner.invoke(args=["notice", "export", str(poll.id), "--format", file_format,
                                 "--output", str(output), *extra])
    assert result.exit_code == 0, result.output
    return output.read_bytes()


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def check_fit_to_post(data: bytes, tmp_path) -> str:
    """Every font embedded (pdffonts), a page renders (pdftoppm), the text extracts with
    no Markdown syntax and no line starting with closing punctuation; returns the text."""
    pdf = tmp_path / "document.pdf"
    pdf.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts
    # Rendered as on a machine without any font: fontconfig is given an empty font list.
    no_fonts = tmp_path / "no-fonts.conf"
    no_fonts.write_text(f"<fontconfig><dir>{tmp_path / 'none'}</dir>"
                        f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>")
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True,
                   env={**os.environ, "FONTCONFIG_FILE": str(no_fonts)})
    assert (tmp_path / "page-1.png").stat().st_size > 0
    text = _pdf_text(data)
    covered = pdfmetrics.getFont(_font(None)).face.charToGlyph
    # A character the font lacks is written as glyph 0 (it extracts as NUL) and prints as
    # an empty box.
    missing = {char for char in text
               if char == "\x00" or not char.isspace() and ord(char) not in covered}
    assert not missing, missing
    assert not MARKDOWN_SYNTAX.search(text), text
    starts = [line for line in text.splitlines() if line and line[0] in CANNOT_START_A_LINE]
    assert not starts, starts
    return text


@pytest.fixture(autouse=True)
def _poppler():
    if not (shutil.which("pdffonts") and shutil.which("pdftoppm")):
        pytest.fail("poppler-utils (pdffonts, pdftoppm) is needed: .ci/run installs it")


def test_the_owners_preliminary_notice_carries_what_a_posted_notice_needs(
        estate, runner, tmp_path, make_org, add_member, make_user):
    neighbourhood = make_org(estate.community, OrganisationKind.NEIGHBOURHOOD_COMMITTEE,
                             "翠湖居委会")
    add_member(neighbourhood, make_user(name="居委会主任"), MemberRole.CHAIR)
    poll = closed_poll(estate)
    text = check_fit_to_post(_export(runner, tmp_path, poll), tmp_path)
    flat = text.replace("\n", "")
    for expected in ("表决结果初步统计公示", "致全体业主：",
                     "《中华人民共和国民法典》第二百七十八条", "第八条、第九条", "公示期：",
                     "书面提交业委会", "各渠道票数：线上 3 票，纸质 0 票，委托 0 票",
                     "监票人（签字）：", "计票人（签字）：", "监督单位：翠湖居委会",
                     "联系人：主任（业委会）", "后续安排：", "平方米", "已满足"):
        assert expected in flat, (expected, text)
    assert "m²" not in text and "✓" not in text and "✗" not in text
    assert CHINESE_DATE.search(text) and not re.search(r"\d{4}-\d{2}-\d{2}", text)


def test_the_final_notice_says_how_each_objection_was_handled(estate, runner, tmp_path):
    poll = closed_poll(estate)
    objection = Objection(poll_id=poll.id, user_id=estate.owners[2].id, text="纸质票未计入")
    db.session.add(objection)
    db.session.flush()
    answer_objection(objection, actor=estate.chair, answer="经核对，纸质票已计入")
    poll.objection_until = poll.closed_at
    finalise(poll)
    db.session.commit()
    flat = check_fit_to_post(_export(runner, tmp_path, poll), tmp_path).replace("\n", "")
    assert "表决结果公告" in flat and "公示期内共收到异议 1 件" in flat
    assert "纸质票未计入" in flat and "经核对，纸质票已计入" in flat
    assert "公示期：" not in flat


def test_a_committee_vote_cites_the_guiding_rules_and_has_no_objection_period(
        estate, runner, tmp_path):
    committee = next(m.organisation for m in _memberships(estate.chair))
    estate.proposal.status = "deliberation"
    poll = make_poll(estate, electorate=ElectorateKind.ORGANISATION, rule="committee",
                     organisation=committee)
    cast_all(poll, [estate.chair], ["approve"])
    _close(poll)
    flat = check_fit_to_post(_export(runner, tmp_path, poll), tmp_path).replace("\n", "")
    assert "《业主大会和业主委员会指导规则》第三十八条" in flat and "业委会全体成员：" in flat
    assert "公示期" not in flat and "异议" not in flat and "民法典" not in flat


def test_a_party_branch_vote_cites_the_branch_regulations(estate, runner, tmp_path, make_org,
                                                          add_member):
    branch = make_org(estate.community, OrganisationKind.PARTY_BRANCH, "第一党支部")
    for user in estate.owners:
        add_member(branch, user, MemberRole.MEMBER)
    estate.proposal.status = "deliberation"
    poll = make_poll(estate, electorate=ElectorateKind.ORGANISATION, rule="party_branch",
                     organisation=branch)
    cast_all(poll, estate.owners, ["approve"] * 3)
    _close(poll)
    flat = check_fit_to_post(_export(runner, tmp_path, poll), tmp_path).replace("\n", "")
    assert "《中国共产党支部工作条例（试行）》第十一条" in flat and "第一党支部" in flat
    assert "议事规则" not in flat and "公示期" not in flat


def test_a_residents_consultation_is_signed_by_the_neighbourhood_committee(
        estate, runner, tmp_path, make_org, give_role):
    make_org(estate.community, OrganisationKind.NEIGHBOURHOOD_COMMITTEE, "翠湖居委会")
    for user in estate.owners:
        give_role(user, Role.RESIDENT, estate.community)
    poll = make_poll(estate, electorate=ElectorateKind.RESIDENTS, rule="advisory")
    cast_all(poll, estate.owners, ["approve", "oppose", "approve"])
    _close(poll)
    flat = check_fit_to_post(_export(runner, tmp_path, poll), tmp_path).replace("\n", "")
    assert "意见征集结果" in flat and "翠湖居委会" in flat and "致全体居民" in flat
    assert "表决结果" not in flat.split("致全体居民")[0]
    assert "公示期" not in flat and "异议" not in flat


def _memberships(user):
    from sqlalchemy import select

    from app.community.models import Membership
    return db.session.execute(select(Membership).where(Membership.user_id == user.id)).scalars()


def _close(poll):
    from app.voting.services import close_poll
    close_poll(poll)
    db.session.commit()
