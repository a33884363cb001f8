"""Markdown as people type it: a list right under a sentence is a list, headings sit below
the page's own title, and a numbered list keeps the number it starts with."""

from app.core.documents import ITEMS, PARAGRAPH, markdown_blocks
from app.core.text import render_markdown


def test_a_list_typed_right_under_a_sentence_is_a_list():
    html = render_markdown("我们建议：\n- 加装电梯\n- 更换门禁\n1. 先公示\n2. 再表决")

    assert html.startswith("<p>我们建议：</p>")
    assert "<ul>\n<li>加装电梯</li>\n<li>更换门禁</li>\n</ul>" in html
    assert "<ol>\n<li>先公示</li>\n<li>再表决</li>\n</ol>" in html


def test_a_list_item_carried_on_a_second_line_stays_one_item():
    html = render_markdown("- 一楼\n  和二楼\n- 三楼")

    assert html.count("<li>") == 2
    assert "<p>" not in html  # still a tight list, not one paragraph per item


def test_a_dash_or_star_inside_a_sentence_is_not_a_list():
    html = render_markdown("面积 90-120 平方米\n**加粗**的字\n-5 度")

    assert "<li>" not in html


def test_headings_start_one_level_below_the_page_title():
    html = render_markdown("# 背景\n正文\n## 细节\n#### 更细")

    assert "<h2>背景</h2>" in html and "<h3>细节</h3>" in html and "<h4>更细</h4>" in html
    assert "<h1>" not in html


def test_a_numbered_list_keeps_its_first_number_and_scripts_stay_out():
    html = render_markdown("3. 第三项\n4. 第四项\n\n<script>alert(1)</script>")

    assert '<ol start="3">' in html
    assert "<script>" not in html


def test_documents_read_a_list_typed_under_a_sentence_as_a_list():
    blocks = markdown_blocks("我们建议：\n- 加装电梯\n- 更换门禁")

    assert [block.kind for block in blocks] == [PARAGRAPH, ITEMS]
    assert blocks[1].items == ["加装电梯", "更换门禁"]
