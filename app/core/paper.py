"""Paper that leads back to the site: the A4 poster for a lift lobby (a poll, a notice, a
meeting) with a QR code to its page, and the pieces that voting's paper ballots share with
it: the embedded font, the QR code, the styles, the address a printed code opens.

A printed code outlives the request that printed it, so its address is absolute: on
``PUBLIC_BASE_URL`` when that is set (the address residents reach, where staff may print
from an internal one), else on the request's own host, which ``SERVER_NAME`` and
``PREFERRED_URL_SCHEME`` decide as usual.

The QR codes come from reportlab's own widget (already the PDF library): error correction
level M, so that a smudged or creased print still scans.
"""

import io
import itertools
from dataclasses import dataclass, field

from flask import current_app, render_template, url_for
from markupsafe import Markup
from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepInFrame, SimpleDocTemplate, Spacer, Table, TableStyle

from app.core.documents import _CJKParagraph, _font, _pdf_text, plain

MARGIN = 18 * mm


def printed_url(endpoint: str, **values) -> str:
    """The absolute address of a page, for a code or a line on paper."""
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def qr_code(url: str, size: float) -> QrCode:
    """A QR code of ``url``, ``size`` points square including its quiet zone, drawn
    straight onto the page (a sheet of ballots holds hundreds)."""
    code = QrCode(url, width=size, height=size, qrLevel="M")
    code.hAlign = "CENTER"
    return code


def qr_svg(url: str) -> Markup:
    """The same code as ``qr_code`` for a page to print from the browser: one SVG path
    of the dark runs of each row, a few kilobytes however many ballots a page holds. Its
    ``data-url`` says what it encodes, for a reader and for tests."""
    code = QrCode(url, qrLevel="M")
    code.qr.make()
    border = code.qrBorder
    runs = []
    for row, modules in enumerate(code.qr.modules):
        column = 0
        for dark, run in itertools.groupby(map(bool, modules)):
            count = len(list(run))
            if dark:
                runs.append(f"M{column + border} {row + border}h{count}v1h-{count}z")
            column += count
    side = code.qr.getModuleCount() + 2 * border
    return Markup(
        '<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" '
        'shape-rendering="crispEdges" role="img" aria-label="%s" data-url="%s">'
        '<rect width="100%%" height="100%%" fill="#fff"/><path d="%s"/></svg>'
    ) % (side, side, url, url, "".join(runs))


def print_page(template: str, *, back_url: str, back_label: str, **context) -> str:
    """A page of templates/print/ (the print view beside a PDF), with the way back to the
    page it was opened from and ``qr_svg`` for its codes."""
    return render_template(template, back_url=back_url, back_label=back_label, qr_svg=qr_svg,
                           **context)


def pdf_font(font_path: str | None = None) -> str:
    """The registered name of the font the documents embed (app/core/documents.py)."""
    return _font(font_path)


def paragraph(text: str, style: ParagraphStyle) -> _CJKParagraph:
    """Text as the documents set it: escaped, newlines kept, CJK line breaking."""
    return _CJKParagraph(_pdf_text(text), style)


def box(words: str, style: ParagraphStyle) -> _CJKParagraph:
    """An answer to tick on paper: a box large enough to mark with a pen, then its words."""
    return _CJKParagraph(f'<font size="{style.fontSize * 1.6:.0f}">□</font> {_pdf_text(words)}',
                         style)


def style(font: str, size: float, **extra) -> ParagraphStyle:
    """A paragraph style in the embedded font, with a leading that suits Chinese."""
    return ParagraphStyle(f"s{size}", fontName=font, fontSize=size,
                          leading=extra.pop("leading", size * 1.45), wordWrap="CJK", **extra)


def table(rows: list, widths: list[float], font: str, *commands) -> Table:
    """A table in the embedded font: reportlab sets each cell in Helvetica otherwise, and
    the PDF would name it without embedding it."""
    laid_out = Table(rows, colWidths=widths)
    laid_out.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), *commands]))
    return laid_out


def one_page(story: list, width: float, height: float) -> KeepInFrame:
    """Content that must stay on its page (a poster, a ballot): a long text makes it
    smaller rather than spill onto a second sheet."""
    return KeepInFrame(width, height, story, mode="shrink")


@dataclass
class Poster:
    """What a poster says, in the reader's language already: what it is (``heading``),
    its ``title``, a few label–value ``facts``, a ``text``, numbered ``steps``, and the
    page the code opens (``url``), with a line that says what scanning it does."""

    heading: str
    title: str
    url: str
    scan_hint: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    steps: list[str] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)


def poster_pdf(poster: Poster, font_path: str | None = None) -> bytes:
    """One A4 page: large type to read from a few steps away, the code in the middle."""
    font = pdf_font(font_path)
    width, height = A4[0] - 2 * MARGIN, A4[1] - 2 * MARGIN
    story = [paragraph(poster.heading, style(font, 18, alignment=1, textColor="#333333")),
             Spacer(1, 3 * mm),
             paragraph(poster.title, style(font, 28, alignment=1)),
             Spacer(1, 6 * mm)]
    if poster.facts:
        fact = style(font, 14)
        story += [table([[paragraph(label, fact), paragraph(value, fact)]
                         for label, value in poster.facts], [32 * mm, width - 32 * mm], font,
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LINEBELOW", (0, 0), (-1, -1), 0.5, "#999999")),
                  Spacer(1, 4 * mm)]
    if poster.text:
        story += [paragraph(poster.text, style(font, 13)), Spacer(1, 3 * mm)]
    step = style(font, 14, leftIndent=8 * mm, bulletIndent=1 * mm, bulletFontName=font)
    story += [_CJKParagraph(_pdf_text(text), step, bulletText=f"{number}.")
              for number, text in enumerate(poster.steps, start=1)]
    story += [Spacer(1, 6 * mm), qr_code(poster.url, 75 * mm),
              paragraph(poster.scan_hint, style(font, 16, alignment=1)),
              paragraph(poster.url, style(font, 9, alignment=1, textColor="#333333"))]
    if poster.signature:
        story.append(Spacer(1, 6 * mm))
        story += [paragraph(line, style(font, 12, alignment=2)) for line in poster.signature]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=plain(poster.title), initialFontName=font,
                      leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                      bottomMargin=MARGIN).build([one_page(story, width, height - 12)])
    return buffer.getvalue()
