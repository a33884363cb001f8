"""flask notice export: the result notice as DOCX, PDF and Markdown, read back."""

import io

import pytest
from docx import Document
from pypdf import PdfReader

from app.extensions import db
from app.voting.services import finalise
from tests.voting.conftest import closed_poll, make_poll


def _text(path, file_format: str) -> str:
    if file_format == "docx":
        document = Document(str(path))
        cells = [cell.text for table in document.tables for row in table.rows
                 for cell in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if file_format == "pdf":
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        return "\n".join(page.extract_text() for page in reader.pages)
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("file_format", ["docx", "pdf", "md"])
def test_the_preliminary_notice_in_chinese_carries_the_sites_numbers(
        estate, runner, tmp_path, file_format):
    poll = closed_poll(estate)  # 100 + 80 m² approve, 120 m² oppose; 3 of 3 owners
    output = tmp_path / f"notice.{file_format}"
    result = runner.invoke(args=["notice", "export", str(poll.id), "--format", file_format,
                                 "--output", str(output)])
    assert result.exit_code == 0, result.output
    text = _text(output, file_format)
    for expected in ("表决结果初步统计公示", "致全体业主", "民法典", estate.proposal.title,
                     "300.00", "180.00", "120.00", "60.00 %", "66.67 %", "通过", "业委会",
                     "（盖章）", "已满足"):
        assert expected in text, (expected, text[:800])


def test_the_final_notice_in_english_differs_in_title_and_wording(estate, runner, tmp_path):
    poll = closed_poll(estate)
    poll.objection_until = poll.closed_at
    finalise(poll)
    db.session.commit()
    output = tmp_path / "notice.docx"
    result = runner.invoke(args=["notice", "export", str(poll.id), "--format", "docx",
                                 "--output", str(output), "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = _text(output, "docx")
    assert "Notice of the result of the vote" in text and "This result is final." in text
    assert "for objections" not in text
    assert ("Area taking part: 300.00 square metres of 300.00 square metres = 100.00 % ≥ 2/3 "
            "holds") in text
    assert "No objection was received during the publication period." in text
    assert "Publication period" not in text


def test_an_open_poll_has_no_notice_yet(estate, runner, tmp_path):
    poll = make_poll(estate)
    result = runner.invoke(args=["notice", "export", str(poll.id), "--format", "md",
                                 "--output", str(tmp_path / "n.md")])
    assert result.exit_code != 0 and "not closed" in result.output
    missing = runner.invoke(args=["notice", "export", "999", "--format", "md",
                                  "--output", str(tmp_path / "n.md")])
    assert missing.exit_code != 0 and "No poll 999" in missing.output


def test_the_notice_downloads_from_the_poll_page_once_closed(estate, client, login):
    from tests.voting.conftest import make_poll as open_poll_for

    open_poll_ = open_poll_for(estate)
    login(estate.owners[1])
    assert client.get(f"/polls/{open_poll_.id}/notice.pdf").status_code == 404
    estate.proposal.status = "deliberation"
    db.session.commit()
    poll = closed_poll(estate)
    page = client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert f"/polls/{poll.id}/notice.pdf" in page
    response = client.get(f"/polls/{poll.id}/notice.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "表决结果初步统计公示" in text
    assert client.get(f"/polls/{poll.id}/notice.exe").status_code == 404
    login(estate.outsider)
    assert client.get(f"/polls/{poll.id}/notice.docx").status_code == 403
