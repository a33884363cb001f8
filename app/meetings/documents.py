"""A document as plain data, and its renderings: Markdown, DOCX (what committees edit and
print) and PDF (Chinese that any viewer shows and that extracts as text).

The PDF uses reportlab's built-in CID font STSong-Light, which needs no font file; a TTF/OTF
font named by a setting is embedded (as a subset) instead.
"""

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from docx import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

BUILTIN_FONT = "STSong-Light"


@dataclass
class Document:
    title: str
    addressee: str = ""
    paragraphs: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)  # first row is the header
    closing: list[str] = field(default_factory=list)  # after the table
    signature: list[str] = field(default_factory=list)  # right-aligned: issuer, seal, date


def to_markdown(document: Document) -> str:
    lines = [f"# {document.title}", ""]
    if document.addressee:
        lines += [document.addressee, ""]
    for paragraph in document.paragraphs:
        lines += [paragraph, ""]
    if document.table:
        header, *rows = document.table
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        lines.append("")
    for paragraph in document.closing:
        lines += [paragraph, ""]
    lines += [f"{line}  " for line in document.signature]
    return "\n".join(lines).rstrip() + "\n"


def to_docx(document: Document) -> bytes:
    docx = DocxDocument()
    style = docx.styles["Normal"]
    style.font.size = Pt(12)
    heading = docx.add_heading(document.title, level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if document.addressee:
        docx.add_paragraph(document.addressee)
    for paragraph in document.paragraphs:
        docx.add_paragraph(paragraph)
    if document.table:
        table = docx.add_table(rows=0, cols=len(document.table[0]))
        table.style = "Table Grid"
        for row in document.table:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = text
    for paragraph in document.closing:
        docx.add_paragraph(paragraph)
    for line in document.signature:
        docx.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


def _font(font_path: str | None) -> str:
    """The font's registered name: the configured TTF/OTF file, else the built-in CID font."""
    if font_path:
        name = "GongzhiConfigured"
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, font_path))
        return name
    if BUILTIN_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(BUILTIN_FONT))
    return BUILTIN_FONT


def to_pdf(document: Document, font_path: str | None = None) -> bytes:
    font = _font(font_path)
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=24, alignment=1)
    right = ParagraphStyle("right", parent=body, alignment=2)
    story = [Paragraph(escape(document.title), title), Spacer(1, 6 * mm)]
    if document.addressee:
        story.append(Paragraph(escape(document.addressee), body))
    story += [Paragraph(escape(p), body) for p in document.paragraphs]
    if document.table:
        table = Table([[Paragraph(escape(cell), body) for cell in row]
                       for row in document.table], repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [Spacer(1, 3 * mm), table, Spacer(1, 3 * mm)]
    story += [Paragraph(escape(p), body) for p in document.closing]
    story.append(Spacer(1, 8 * mm))
    story += [Paragraph(escape(line), right) for line in document.signature]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=document.title,
                      leftMargin=20 * mm, rightMargin=20 * mm).build(story)
    return buffer.getvalue()


FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
}


def render(document: Document, file_format: str, font_path: str | None = None) -> bytes:
    """The document in one of ``FORMATS``."""
    if file_format == "docx":
        return to_docx(document)
    if file_format == "pdf":
        return to_pdf(document, font_path)
    if file_format == "md":
        return to_markdown(document).encode()
    raise ValueError(file_format)
