"""Every generated download: a name that says what the file is, in Chinese with an ASCII
fallback; a PDF opens in place, the rest is saved; personal data is never kept; and a page
to print from the browser beside each generated document."""

import gzip
from urllib.parse import quote
from zoneinfo import ZoneInfo

from app.community.models import Community
from app.extensions import db
from tests.voting.conftest import closed_poll

GZIP = {"Accept-Encoding": "gzip"}


def _utf8_name(response) -> str:
    header = response.headers["Content-Disposition"]
    return header.split("filename*=UTF-8''", 1)[1]


def test_the_result_notice_pdf_opens_in_place_under_its_chinese_name(estate, client, login):
    poll = closed_poll(estate)
    community = db.session.get(Community, poll.community_id)
    login(estate.owners[1])
    pdf = client.get(f"/polls/{poll.id}/notice.pdf", headers=GZIP)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert pdf.headers.get("Content-Encoding") is None  # a PDF is compressed already
    header = pdf.headers["Content-Disposition"]
    assert header.startswith(f'inline; filename="poll-{poll.id}-closed-notice.pdf"; ')
    day = poll.closed_at.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert _utf8_name(pdf) == quote(f"表决结果初步统计公示-{community.name}-{day}.pdf")
    assert pdf.headers["Cache-Control"] == "private, no-cache"
    word = client.get(f"/polls/{poll.id}/notice.docx")
    assert word.headers["Content-Disposition"].startswith("attachment; ")
    assert _utf8_name(word).endswith(".docx")


def test_a_print_ready_page_sits_beside_the_notice_pdf(estate, client, login):
    poll = closed_poll(estate)
    login(estate.owners[1])
    page = client.get(f"/polls/{poll.id}").get_data(as_text=True)
    pdf_link = page.index(f"/polls/{poll.id}/notice.pdf")
    html_link = page.index(f"/polls/{poll.id}/notice.html")
    assert 0 < html_link - pdf_link < 300 and "在网页中查看/打印" in page[html_link:html_link + 200]
    printable = client.get(f"/polls/{poll.id}/notice.html", headers=GZIP)
    assert printable.status_code == 200 and printable.mimetype == "text/html"
    text = gzip.decompress(printable.data).decode()
    assert '<article class="document">' in text and "表决结果初步统计公示" in text
    # A page for paper: no site header, a way back to the poll and a button that prints.
    assert 'class="site-header"' not in text and 'class="print-button"' in text
    assert f'class="print-back" href="/polls/{poll.id}"' in text


def test_the_audit_package_is_saved_and_never_kept(estate, client, login):
    poll = closed_poll(estate)
    login(estate.chair)
    response = client.get(f"/polls/{poll.id}/package.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="poll-{poll.id}-audit.zip"; ')
    assert _utf8_name(response).startswith(quote("表决审计包-"))
    assert response.headers["Cache-Control"] == "private, no-store"


def test_my_data_export_is_saved_under_a_chinese_name_and_never_kept(estate, client, login):
    login(estate.owners[0])
    response = client.get("/me/data/export", headers=GZIP)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers.get("Content-Encoding") is None
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="gongzhi-my-data-')
    assert _utf8_name(response).startswith(quote("我的个人信息-"))
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in response.headers
