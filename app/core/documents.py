"""A document as plain data, and its renderings: Markdown, DOCX (what committees edit and
print), PDF (Chinese that any viewer shows and that extracts as text) and HTML (a page to
print from the browser, or a file that carries its own print styles).

A document's body is a list of blocks. A short document such as the result notice fills the
fixed parts (addressee, paragraphs, one table, closing lines, signature); a long one such as
the minutes adds its sections as blocks. Every renderer walks the same ``body()``.

The PDF embeds a subset of a CJK TrueType font, so that it shows the same on a machine
without Chinese fonts: WenQuanYi Micro Hei, which the project ships in app/core/fonts/, or
the TTF/TTC file named by the ``DOCUMENT_FONT`` setting.

User-written Markdown (a proposal, an official answer) becomes blocks of its own through
``markdown_blocks``: headings, lists, tables and bold, never its raw syntax.
"""

import io
import re
from dataclasses import dataclass, field
from html import unescape
from importlib.resources import files
from itertools import groupby
from xml.etree.ElementTree import Element

import markdown
import reportlab.platypus.paragraph as reportlab_paragraph
from docx import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from flask_babel import format_date, format_time
from markupsafe import Markup, escape
from reportlab.lib.fonts import addMapping
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.core.text import ListsAsTyped

# WenQuanYi Micro Hei 0.2.0-beta (Apache-2.0 or GPLv3 with font exception; see
# fonts/wqy-microhei.COPYRIGHT), shipped with the project: a TrueType collection that
# reportlab subsets and embeds.
PACKAGED_FONT = files("app.core") / "fonts" / "wqy-microhei.ttc"
# What Word uses for Chinese: the document names it, the reader's Word supplies it.
DOCX_EAST_ASIAN_FONT = "SimSun"

# Closing punctuation that may not start a line (GB/T 15834 标点符号用法). Reportlab's CJK
# wrapping of mixed-style paragraphs (with bold) knows the Japanese set only, without
# "，：；！？”》": we complete it. One-style paragraphs are set right by _CJKParagraph.
CANNOT_START_A_LINE = "，。、：；！？）》〉」』】〕〗”’…·%％"
reportlab_paragraph.ALL_CANNOT_START += CANNOT_START_A_LINE

HEADING = "heading"      # ``text``, ``level`` 2 (a section), 3 (a sub-section) or 4–5 (within)
PARAGRAPH = "paragraph"  # ``text``; a newline is a line break
QUOTE = "quote"          # ``text``: words quoted from someone else
ITEMS = "items"          # ``items``: a bulleted list, numbered when ``ordered``
TABLE = "table"          # ``rows``: the first row is the header
RIGHT = "right"          # ``text``: a line set to the right (issuer, seal, date)

# A line to sign on.
SIGN_HERE = "________________"

# Bold inside any text: the words between these two private-use characters.
BOLD, END_BOLD = "\ue000", "\ue001"


@dataclass
class Block:
    kind: str
    text: str = ""
    level: int = 2
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    ordered: bool = False


def bold(text: str) -> str:
    return f"{BOLD}{text}{END_BOLD}"


def _spans(text: str):
    """(words, bold) pairs of a text with bold markers."""
    for number, part in enumerate(re.split(f"[{BOLD}{END_BOLD}]", text)):
        if part:
            yield part, number % 2 == 1


def plain(text: str) -> str:
    return text.replace(BOLD, "").replace(END_BOLD, "")


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


# --- Markdown in, blocks out ------------------------------------------------------------


class _Capture(markdown.treeprocessors.Treeprocessor):
    def run(self, root: Element) -> None:
        self.md.captured = root


class _CaptureTree(markdown.extensions.Extension):
    """Keep the parsed tree (after inline processing) and treat raw HTML as text."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_Capture(md), "capture", 0)


def _inline(element: Element) -> str:
    """An element's text with its bold parts marked; links keep their address."""
    parts = [element.text or ""]
    for child in element:
        inner = _inline(child)
        if child.tag in ("strong", "b"):
            inner = bold(inner)
        elif child.tag == "a" and child.get("href") and child.get("href") != inner:
            inner = f"{inner}（{child.get('href')}）"
        elif child.tag == "img":
            inner = child.get("alt", "")
        elif child.tag == "br":
            inner = "\n"
        parts += [inner, child.tail or ""]
    return unescape("".join(parts))


def _element_blocks(element: Element, top_level: int) -> list[Block]:
    tag = element.tag
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        return [Block(HEADING, _inline(element).strip(), level=min(top_level + int(tag[1]) - 1, 5))]
    if tag in ("ul", "ol"):
        items = []
        for item in element.iter("li"):
            nested = [child for child in item if child.tag in ("ul", "ol")]
            for child in nested:
                item.remove(child)
            text = " ".join(_inline(part) if part.tag == "p" else "" for part in item) \
                if any(part.tag == "p" for part in item) else _inline(item)
            items.append(text.strip())
        return [Block(ITEMS, items=items, ordered=tag == "ol")]
    if tag == "table":
        rows = [[_inline(cell).strip() for cell in row] for row in element.iter("tr")]
        return [Block(TABLE, rows=rows)] if rows else []
    if tag == "blockquote":
        return [Block(QUOTE, "\n".join(_inline(part).strip() for part in element))]
    if tag == "pre":
        return [Block(PARAGRAPH, "".join(element.itertext()).rstrip("\n"))]
    if tag == "hr":
        return []
    return [Block(PARAGRAPH, _inline(element).strip())] if _inline(element).strip() else []


def markdown_blocks(text: str, top_level: int = 4) -> list[Block]:
    """User-written Markdown as blocks: its headings start at ``top_level`` (below the
    document's own sections), lists, tables, quotes and bold are kept as such."""
    md = markdown.Markdown(
        extensions=["tables", "sane_lists", ListsAsTyped(), _CaptureTree()])
    md.convert(text or "")
    return [block for element in md.captured for block in _element_blocks(element, top_level)]


def long_date(moment) -> str:
    """A date as documents print it, in the locale: "2026年10月28日", "October 28, 2026"."""
    return format_date(moment, "long")


def long_datetime(moment) -> str:
    """A time as documents print it, in the communities' clock: "2026年10月28日 19:30"."""
    return f"{format_date(moment, 'long')} {format_time(moment, 'HH:mm')}"


def _runs(body: list[Block]):
    """Consecutive right-set lines form one run (a signature); every other block stands
    alone."""
    for right, run in groupby(body, key=lambda block: block.kind == RIGHT):
        if right:
            yield list(run)
        else:
            yield from ([block] for block in run)


# --- Markdown -------------------------------------------------------------------------------


def _md_inline(text: str) -> str:
    return text.replace(BOLD, "**").replace(END_BOLD, "**")


def _md_cell(text: str) -> str:
    return _md_inline(text).replace("|", "\\|").replace("\n", " ")


def _md_text(text: str) -> str:
    return _md_inline(text).replace("\n", "  \n")


def to_markdown(document: Document, with_title: bool = True) -> str:
    lines = [f"# {document.title}", ""] if with_title else []
    for run in _runs(document.body()):
        block = run[0]
        if block.kind == RIGHT:
            lines += [f"{_md_text(line.text)}  " for line in run]
            lines.append("")
        elif block.kind == HEADING:
            lines += [f"{'#' * min(block.level, 6)} {_md_inline(block.text)}", ""]
        elif block.kind == QUOTE:
            lines += ["> " + _md_text(block.text).replace("\n", "\n> "), ""]
        elif block.kind == ITEMS:
            lines += [f"{f'{number}.' if block.ordered else '-'} {_md_text(item)}"
                      for number, item in enumerate(block.items, start=1)]
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


def _docx_runs(paragraph, text: str) -> None:
    for words, is_bold in _spans(text):
        run = paragraph.add_run(words)
        run.bold = is_bold or None


def _docx_fonts(style) -> None:
    """Plain black type with the East Asian font named, for a style and its headings."""
    style.font.color.rgb = RGBColor(0, 0, 0)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"),
                                                           DOCX_EAST_ASIAN_FONT)


def _docx_document():
    """An empty A4 document, 25 mm margins, plain black headings in the body font."""
    docx = DocxDocument()
    section = docx.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(25)
    normal = docx.styles["Normal"]
    normal.font.size = Pt(12)
    _docx_fonts(normal)
    for name, size in (("Title", 18), ("Heading 1", 16), ("Heading 2", 14), ("Heading 3", 12),
                       ("Heading 4", 12), ("Heading 5", 12)):
        style = docx.styles[name]
        _docx_fonts(style)
        style.font.size = Pt(size)
        style.font.italic = False
        style.font.name = normal.font.name
    return docx


def to_docx(document: Document) -> bytes:
    docx = _docx_document()
    heading = docx.add_heading(document.title, level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for block in document.body():
        if block.kind == HEADING:
            _docx_runs(docx.add_heading(level=min(block.level, 5)), block.text)
        elif block.kind == QUOTE:
            _docx_runs(docx.add_paragraph(style="Quote"), block.text)
        elif block.kind == ITEMS and block.ordered:
            # Numbers as text: Word's own numbering would run on from one list to the next.
            for number, item in enumerate(block.items, start=1):
                paragraph = docx.add_paragraph(f"{number}. ")
                paragraph.paragraph_format.left_indent = Mm(7)
                paragraph.paragraph_format.first_line_indent = Mm(-5)
                _docx_runs(paragraph, item)
        elif block.kind == ITEMS:
            for item in block.items:
                _docx_runs(docx.add_paragraph(style="List Bullet"), item)
        elif block.kind == TABLE:
            table = docx.add_table(rows=0, cols=len(block.rows[0]))
            table.style = "Table Grid"
            for row in block.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    _docx_runs(cell.paragraphs[0], text)
        elif block.kind == RIGHT:
            paragraph = docx.add_paragraph()
            _docx_runs(paragraph, block.text)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        else:
            _docx_runs(docx.add_paragraph(), block.text)
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


# --- PDF ------------------------------------------------------------------------------------


def _font(font_path: str | None) -> str:
    """The registered name of the font to embed: the configured TTF/TTC file, else the
    packaged one. Bold maps to the same face: the text stays, only its weight is lost."""
    name = "GongzhiConfigured" if font_path else "GongzhiPackaged"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, font_path or str(PACKAGED_FONT)))
        for is_bold in (0, 1):
            for italic in (0, 1):
                addMapping(name, is_bold, italic, name)
    return name


class _CJKParagraph(Paragraph):
    """A paragraph that never starts a line with closing punctuation: reportlab wraps a
    one-style paragraph with no CJK rules, so any such marks at a line's start ("，",
    "）；") move up to hang at the end of the line before."""

    def breakLinesCJK(self, maxWidths):
        lines = super().breakLinesCJK(maxWidths)
        if lines.kind != 0:
            return lines
        fixed = []
        for extra_space, words in lines.lines:
            text = "".join(words)
            if fixed and text and text[0] in CANNOT_START_A_LINE:
                hanging = text[:len(text) - len(text.lstrip(CANNOT_START_A_LINE))]
                width = pdfmetrics.stringWidth(hanging, lines.fontName, lines.fontSize)
                previous_space, previous = fixed[-1]
                fixed[-1] = (previous_space - width, ["".join(previous) + hanging])
                text, extra_space = text[len(hanging):], extra_space + width
            fixed.append((extra_space, [text]))
        lines.lines = [line for line in fixed if line[1][0]]
        return lines


def _pdf_text(text: str) -> str:
    return "".join(f"<b>{escape(words)}</b>" if is_bold else str(escape(words))
                   for words, is_bold in _spans(text)).replace("\n", "<br/>")


PDF_TEXT_WIDTH = A4[0] - 40 * mm - 12  # the page less its margins and the frame's padding


def _column_widths(rows: list[list[str]], width: float) -> list[float]:
    """Columns as wide as their longest cell needs, within bounds, so that a short header
    such as "出席" is not broken character by character."""
    needs = [max(4, min(24, max(len(plain(row[column])) for row in rows)))
             for column in range(len(rows[0]))]
    return [width * need / sum(needs) for need in needs]


def to_pdf(document: Document, font_path: str | None = None) -> bytes:
    font = _font(font_path)
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=18, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=24, alignment=1)
    headings = {2: ParagraphStyle("h2", parent=body, fontSize=13.5, leading=20, spaceBefore=8,
                                  spaceAfter=3),
                3: ParagraphStyle("h3", parent=body, fontSize=12, leading=18, spaceBefore=5,
                                  spaceAfter=2),
                4: ParagraphStyle("h4", parent=body, fontSize=11.5, leading=18, spaceBefore=4,
                                  spaceAfter=1),
                5: ParagraphStyle("h5", parent=body, fontSize=11, leading=18, spaceBefore=3)}
    quote = ParagraphStyle("quote", parent=body, leftIndent=8 * mm, textColor="#333333")
    item = ParagraphStyle("item", parent=body, leftIndent=7 * mm, bulletIndent=2 * mm,
                          bulletFontName=font)
    right = ParagraphStyle("right", parent=body, alignment=2)
    story = [_CJKParagraph(_pdf_text(document.title), title), Spacer(1, 6 * mm)]
    for run in _runs(document.body()):
        block = run[0]
        if block.kind == RIGHT:
            story.append(Spacer(1, 8 * mm))
            story += [_CJKParagraph(_pdf_text(line.text), right) for line in run]
        elif block.kind == HEADING:
            story.append(_CJKParagraph(_pdf_text(block.text), headings.get(block.level, body)))
        elif block.kind == QUOTE:
            story.append(_CJKParagraph(_pdf_text(block.text), quote))
        elif block.kind == ITEMS:
            story += [_CJKParagraph(_pdf_text(text), item,
                                bulletText=f"{number}." if block.ordered else "•")
                      for number, text in enumerate(block.items, start=1)]
        elif block.kind == TABLE:
            table = Table([[_CJKParagraph(_pdf_text(cell), body) for cell in row]
                           for row in block.rows], repeatRows=1,
                          colWidths=_column_widths(block.rows, PDF_TEXT_WIDTH))
            table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font),
                                       ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [Spacer(1, 3 * mm), table, Spacer(1, 3 * mm)]
        else:
            story.append(_CJKParagraph(_pdf_text(block.text), body))
    buffer = io.BytesIO()
    # The canvas starts in our font, or the PDF would name Helvetica without embedding it.
    SimpleDocTemplate(buffer, pagesize=A4, title=plain(document.title), initialFontName=font,
                      leftMargin=20 * mm, rightMargin=20 * mm).build(story)
    return buffer.getvalue()


# --- HTML -----------------------------------------------------------------------------------


def _html_text(text: str) -> Markup:
    return Markup("<br>").join(
        Markup("").join(Markup("<strong>%s</strong>") % words if is_bold else escape(words)
                        for words, is_bold in _spans(line))
        for line in text.split("\n"))


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
            level = min(max(block.level, 2), 6)
            parts.append(Markup(f"<h{level}>%s</h{level}>\n") % _html_text(block.text))
        elif block.kind == QUOTE:
            parts.append(Markup("<blockquote>%s</blockquote>\n") % _html_text(block.text))
        elif block.kind == ITEMS:
            tag = "ol" if block.ordered else "ul"
            parts.append(Markup(f"<{tag}>%s</{tag}>\n") % Markup("").join(
                Markup("<li>%s</li>") % _html_text(text) for text in block.items))
        elif block.kind == TABLE:
            header, *rows = block.rows
            head = Markup("").join(Markup("<th scope=\"col\">%s</th>") % _html_text(cell)
                                   for cell in header)
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
h3, h4, h5, h6 { font-size: 12pt; margin: .8em 0 .2em; break-after: avoid; }
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
