"""The document renderers on their own: Markdown becomes blocks, the PDF embeds its font
and never starts a line with closing punctuation, whatever the width a sentence falls on."""

import io

import pytest
from pypdf import PdfReader

from app.core.documents import (
    CANNOT_START_A_LINE,
    HEADING,
    ITEMS,
    PARAGRAPH,
    QUOTE,
    TABLE,
    Block,
    Document,
    bold,
    markdown_blocks,
    to_markdown,
    to_pdf,
)


def test_markdown_becomes_blocks_of_its_own_kinds():
    blocks = markdown_blocks("# 标题\n\n**粗体**和<b>原样</b>\n\n- 甲\n- 乙\n\n1. 一\n\n"
                             "| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n\n> 引用", top_level=4)
    assert [(b.kind, b.level) for b in blocks[:1]] == [(HEADING, 4)]
    assert blocks[1] == Block(PARAGRAPH, bold("粗体") + "和<b>原样</b>")
    assert blocks[2] == Block(ITEMS, items=["甲", "乙"])
    assert blocks[3] == Block(ITEMS, items=["一"], ordered=True)
    assert blocks[4] == Block(TABLE, rows=[["甲", "乙"], ["1", "2"]])
    assert blocks[5] == Block(QUOTE, "引用")


def test_markdown_out_is_markdown_again():
    document = Document(title="T", blocks=markdown_blocks("**粗** 与 1. 不是列表"))
    assert "**粗** 与 1. 不是列表" in to_markdown(document)


SENTENCES = ["共有289户业主，其中参与表决的面积为12,345.67平方米。",
             "表决：同意（赞成）；《规则》“引用”！",
             bold("加粗") + "业主大会决定，由业委会公告；异议：请书面提出。"]


@pytest.mark.parametrize("repeat", range(3, 12))
def test_no_line_of_a_pdf_starts_with_closing_punctuation(repeat):
    document = Document(title="标点", paragraphs=[s * repeat + "甲" * (repeat % 5)
                                                  for s in SENTENCES])
    reader = PdfReader(io.BytesIO(to_pdf(document)))
    lines = "\n".join(page.extract_text() for page in reader.pages).splitlines()
    assert not [line for line in lines if line and line[0] in CANNOT_START_A_LINE], lines
