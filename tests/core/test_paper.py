"""The shared paper pieces: masked names, printed addresses, QR codes and the one-page
poster with its font embedded."""

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from app.core.paper import Poster, poster_pdf, printed_url, qr_code
from app.core.text import mask_name


@pytest.mark.parametrize("name, masked", [
    ("王建国", "王**"), ("张伟", "张*"), ("欧阳娜娜", "欧***"), ("李", "*"), ("", ""),
    (None, ""), (" 王 小 明 ", "王**"), ("Alice Smith", "A*********")])
def test_a_name_shows_its_first_character_only(name, masked):
    assert mask_name(name) == masked


def test_printed_addresses_are_absolute_and_follow_the_public_base(app):
    with app.test_request_context("/", base_url="http://10.0.0.5:8000"):
        assert printed_url("voting.view_poll", poll_id=7) == "http://10.0.0.5:8000/polls/7"
        app.config["PUBLIC_BASE_URL"] = "https://gongzhi.example.org/"
        try:
            assert printed_url("voting.offline", poll_id=7, entry=3) == (
                "https://gongzhi.example.org/polls/7/offline?entry=3")
        finally:
            app.config["PUBLIC_BASE_URL"] = ""


def test_the_qr_code_encodes_the_address_it_is_given():
    code = qr_code("https://gongzhi.example.org/polls/7", 100)
    assert (code.value, code.qrLevel, code.width, code.height) == (
        "https://gongzhi.example.org/polls/7", "M", 100, 100)


def poster(**fields) -> Poster:
    return Poster(heading="翠湖花园 · 公告", title="停水通知", url="https://x.example/n/1",
                  scan_hint="扫码阅读公告全文", **fields)


def test_a_long_poster_still_fits_on_one_page():
    reader = PdfReader(io.BytesIO(poster_pdf(poster(text="停水。" * 800,
                                                    steps=["扫码"] * 12))))
    assert len(reader.pages) == 1
    assert "https://x.example/n/1" in reader.pages[0].extract_text()


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts (poppler) missing")
def test_the_poster_embeds_its_only_font(tmp_path):
    path = tmp_path / "poster.pdf"
    path.write_bytes(poster_pdf(poster(facts=[("发布单位", "业委会")], steps=["扫码"])))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert len(fonts) == 1 and " yes yes " in fonts[0], fonts
