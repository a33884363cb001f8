"""A document as plain data, and its renderings: Markdown, DOCX (what committees edit and
print), PDF (Chinese that any viewer shows and that extracts as text) and HTML (a page to
print from the browser, or a file that carries its own print styles).

A document's body is a list of blocks. A short document such as the result notice fills the
fixed parts (addressee, paragraphs, one table, closing lines, signature); a long one such as
the minutes adds its sections as blocks. Every renderer walks the same ``body()``.

The PDF uses reportlab's built-in CID font STSong-Light, which needs no font file; a TTF/OTF
font named by a setting is embedded (as a subset) instead.
"""

import io
from dataclasses import dataclass, field
from itertools import groupby

from docx import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from markupsafe import Markup, escape
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

BUILTIN_FONT = "STSong-Light"
# What Word falls back to for Chinese when the document names no East Asian font.
DOCX_EAST_ASIAN_FONT = "SimSun"

HEADING = "heading"      # ``text``, ``level`` 2 (a section) or 3 (a sub-section)
PARAGRAPH = "paragraph"  # ``text``; a newline is a line break
QUOTE = "quote"          # ``text``: words quoted from someone else
ITEMS = "items"          # ``items``: a bulleted list
TABLE = "table"          # ``rows``: the first row is the header
RIGHT = "right"          # ``text``: a line set to the right (issuer, seal, date)


@dataclass
class Block:
    kind: str
    text: str = ""
    level: int = 2
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Document:
    title: str
    addressee: str = ""
    paragraphs: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)  # first row is the header
    closing: list[str] = field(default_factory=list)  # after the table
    blocks: list[Block] = field(default_factory=list)  # sections, after the closing lines
    signature: list[str] = field(default_factory=list)  # right-aligned: issuer, seal, date

    def body(self) -> list[Block]:
        """Everything under the title, in reading order, as blocks."""
        body = [Block(PARAGRAPH, self.addressee)] if self.addressee else []
        body += [Block(PARAGRAPH, text) for text in self.paragraphs]
        if self.table:
            body.append(Block(TABLE, rows=self.table))
        body += [Block(PARAGRAPH, text) for text in self.closing]
        body += self.blocks
        body += [Block(RIGHT, line) for line in self.signature]
        return body

    @classmethod
    def from_dict(cls, data: dict) -> "Document":
        """The document back from its JSON form (``dataclasses.asdict``), e.g. frozen minutes."""
        return cls(**{**data, "blocks": [Block(**block) for block in data.get("blocks", [])]})


def _runs(body: list[Block]):
    """Consecutive right-set lines form one run (a signature); every other block stands
    alone."""
    for right, run in groupby(body, key=lambda block: block.kind == RIGHT):
        if right:
            yield list(run)
        else:
            yield from ([block] for block in run)


# --- Markdown -------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_text(text: str) -> str:
    return text.replace("\n", "  \n")


def to_markdown(document: Document, with_title: bool = True) -> str:
    lines = [f"# {document.title}", ""] if with_title else []
    for run in _runs(document.body()):
        block = run[0]
        if block.kind == RIGHT:
            lines += [f"{line.text}  " for line in run]
            lines.append("")
        elif block.kind == HEADING:
            lines += [f"{'#' * block.level} {block.text}", ""]
        elif block.kind == QUOTE:
            lines += ["> " + _md_text(block.text).replace("\n", "\n> "), ""]
        elif block.kind == ITEMS:
            lines += [f"- {_md_text(item)}" for item in block.items]
            lines.append("")
        elif block.kind == TABLE:
            header, *rows = block.rows
            lines.append("| " + " | ".join(map(_md_cell, header)) + " |")
            lines.append("|" + "---|" * len(header))
            lines += ["| " + " | ".join(map(_md_cell, row)) + " |" for row in rows]
            lines.append("")
        else:
            lines += [_md_text(block.text), ""]
    return "\n".join(lines).rstrip() + "\n"


# --- DOCX -----------------------------------------------------------------------------------


def to_docx(document: Document) -> bytes:
    docx = DocxDocument()
    style = docx.styles["Normal"]
    style.font.size = Pt(12)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"),
                                                           DOCX_EAST_ASIAN_FONT)
    heading = docx.add_heading(document.title, level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for block in document.body():
        if block.kind == HEADING:
            docx.add_heading(block.text, level=block.level)
        elif block.kind == QUOTE:
            docx.add_paragraph(block.text, style="Quote")
        elif block.kind == ITEMS:
            for item in block.items:
                docx.add_paragraph(item, style="List Bullet")
        elif block.kind == TABLE:
            table = docx.add_table(rows=0, cols=len(block.rows[0]))
            table.style = "Table Grid"
            for row in block.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = text
        elif block.kind == RIGHT:
            docx.add_paragraph(block.text).alignment = WD_ALIGN_PARAGRAPH.RIGHT
        else:
            docx.add_paragraph(block.text)
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


# --- PDF ------------------------------------------------------------------------------------


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


def _pdf_text(text: str) -> str:
    return str(escape(text)).replace("\n", "<br/>")


def to_pdf(document: Document, font_path: str | None = None) -> bytes:
    font = _font(font_path)
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=24, alignment=1)
    headings = {2: ParagraphStyle("h2", parent=body, fontSize=13.5, leading=20, spaceBefore=8,
                                  spaceAfter=3),
                3: ParagraphStyle("h3", parent=body, fontSize=12, leading=18, spaceBefore=5,
                                  spaceAfter=2)}
    quote = ParagraphStyle("quote", parent=body, leftIndent=8 * mm, textColor="#333333")
    item = ParagraphStyle("item", parent=body, leftIndent=6 * mm, bulletIndent=2 * mm,
                          bulletFontName=font)
    right = ParagraphStyle("right", parent=body, alignment=2)
    story = [Paragraph(_pdf_text(document.title), title), Spacer(1, 6 * mm)]
    for run in _runs(document.body()):
        block = run[0]
        if block.kind == RIGHT:
            story.append(Spacer(1, 8 * mm))
            story += [Paragraph(_pdf_text(line.text), right) for line in run]
        elif block.kind == HEADING:
            story.append(Paragraph(_pdf_text(block.text), headings.get(block.level, body)))
        elif block.kind == QUOTE:
            story.append(Paragraph(_pdf_text(block.text), quote))
        elif block.kind == ITEMS:
            story += [Paragraph(_pdf_text(text), item, bulletText="·") for text in block.items]
        elif block.kind == TABLE:
            table = Table([[Paragraph(_pdf_text(cell), body) for cell in row]
                           for row in block.rows], repeatRows=1)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [Spacer(1, 3 * mm), table, Spacer(1, 3 * mm)]
        else:
            story.append(Paragraph(_pdf_text(block.text), body))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=document.title,
                      leftMargin=20 * mm, rightMargin=20 * mm).build(story)
    return buffer.getvalue()


# --- HTML -----------------------------------------------------------------------------------


def _html_text(text: str) -> Markup:
    return Markup("<br>").join(escape(text).split("\n"))


def to_html(document: Document) -> Markup:
    """The document as an ``<article class="document">``, for a page of the site (whose
    stylesheet sets it on A4 when printed) or for ``to_html_file``."""
    parts = [Markup("<article class=\"document\">\n<h1>%s</h1>\n") % document.title]
    for run in _runs(document.body()):
        block = run[0]
        if block.kind == RIGHT:
            parts.append(Markup("<div class=\"signature\">%s</div>\n") % Markup("").join(
                Markup("<p>%s</p>") % _html_text(line.text) for line in run))
        elif block.kind == HEADING:
            level = min(max(block.level, 2), 4)
            parts.append(Markup(f"<h{level}>%s</h{level}>\n") % block.text)
        elif block.kind == QUOTE:
            parts.append(Markup("<blockquote>%s</blockquote>\n") % _html_text(block.text))
        elif block.kind == ITEMS:
            parts.append(Markup("<ul>%s</ul>\n") % Markup("").join(
                Markup("<li>%s</li>") % _html_text(text) for text in block.items))
        elif block.kind == TABLE:
            header, *rows = block.rows
            head = Markup("").join(Markup("<th scope=\"col\">%s</th>") % cell for cell in header)
            lines = Markup("").join(
                Markup("<tr>%s</tr>") % Markup("").join(
                    Markup("<td>%s</td>") % _html_text(cell) for cell in row) for row in rows)
            parts.append(Markup("<table><thead><tr>%s</tr></thead><tbody>%s</tbody></table>\n")
                         % (head, lines))
        else:
            parts.append(Markup("<p>%s</p>\n") % _html_text(block.text))
    parts.append(Markup("</article>"))
    return Markup("").join(parts)


# A file opened outside the site has no stylesheet of its own: it carries these.
FILE_STYLES = """
@page { size: A4; margin: 20mm; }
body { font: 12pt/1.6 "Songti SC", SimSun, "Noto Serif CJK SC", serif; color: #000;
  max-width: 170mm; margin: 0 auto; }
h1 { font-size: 16pt; text-align: center; }
h2 { font-size: 13.5pt; margin: 1.2em 0 .3em; break-after: avoid; }
h3 { font-size: 12pt; margin: .8em 0 .2em; break-after: avoid; }
table { width: 100%; border-collapse: collapse; break-inside: auto; }
th, td { border: 1px solid #000; padding: 4px 6px; text-align: left; vertical-align: top; }
tr { break-inside: avoid; }
blockquote { margin: .4em 0 .4em 2em; }
.signature { text-align: right; margin-top: 2em; }
.signature p { margin: 0; }
"""


def to_html_file(document: Document, language: str = "zh-Hans") -> str:
    """A standalone HTML file with its own A4 print styles."""
    return str(Markup(
        "<!doctype html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n%s\n</body>\n</html>\n"
    ) % (language, document.title, Markup(FILE_STYLES), to_html(document)))


FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


def render(document: Document, file_format: str, font_path: str | None = None,
           language: str = "zh-Hans") -> bytes:
    """The document in one of ``FORMATS``."""
    if file_format == "docx":
        return to_docx(document)
    if file_format == "pdf":
        return to_pdf(document, font_path)
    if file_format == "md":
        return to_markdown(document).encode()
    if file_format == "html":
        return to_html_file(document, language).encode()
    raise ValueError(file_format)
