"""User-written text: Markdown rendered to HTML that is safe to show; figures and names as
they are shown."""

import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "h2", "h3", "h4",
    "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
LIST_ITEM = re.compile(r" {0,3}([-*+]|\d{1,9}[.)])[ \t]+\S")
# A body sits under its page's <h1>: its "# " is the page's second level, and so on.
TOP_HEADING, LAST_HEADING = 2, 4


class _ListsAsTyped(markdown.preprocessors.Preprocessor):
    """A list typed on the line right under a sentence starts a list, as people expect;
    plain Markdown would need a blank line and runs the items into the sentence."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        block = None  # the kind of list the current block is ("ul", "ol"), or None
        for line in lines:
            match = LIST_ITEM.match(line)
            kind = match and ("ol" if match.group(1)[0].isdigit() else "ul")
            if not line.strip():
                block = None
            elif not out or not out[-1].strip():
                block = kind
            elif kind and (block is None or kind != block and not line.startswith(" ")):
                out.append("")  # under a sentence, or a bulleted list turning numbered
                block = kind
            out.append(line)
        return out


class _HeadingsBelowPage(markdown.treeprocessors.Treeprocessor):
    def run(self, root) -> None:
        for element in root.iter():
            if re.fullmatch(r"h[1-6]", element.tag):
                level = TOP_HEADING + int(element.tag[1]) - 1
                element.tag = f"h{min(level, LAST_HEADING)}"


class ListsAsTyped(markdown.extensions.Extension):
    """Lists as typed, for the page and for documents alike."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.register(_ListsAsTyped(md), "lists_as_typed", 25)


class _HeadingsBelowPageExtension(markdown.extensions.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_HeadingsBelowPage(md), "headings_below_page", 0)


def render_markdown(text: str) -> str:
    """Markdown to HTML, then sanitised on the server: no scripts, no styles, no images
    from elsewhere, and every link marked nofollow noopener. Lists typed under a sentence
    are lists, headings start below the page's own, a numbered list keeps its first number."""
    html = markdown.markdown(text or "", extensions=[
        "tables", "sane_lists", ListsAsTyped(), _HeadingsBelowPageExtension()])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "ol": {"start"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="nofollow noopener",
    )


def percent(ratio: Fraction | None) -> str:
    """A ratio as a percentage with two decimals, rounded half up (for display only)."""
    if ratio is None:
        return "—"
    value = Decimal(ratio.numerator) * 100 / Decimal(ratio.denominator)
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)} %"


def mask_name(name: str | None) -> str:
    """王**: the first character and a star for each other one, enough for a neighbour or
    the person to recognise, too little to name them on a list pinned in a lobby."""
    name = "".join((name or "").split())
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)
