"""User-written text: Markdown rendered to HTML that is safe to show; figures and names as
they are shown."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4",
    "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
}


def render_markdown(text: str) -> str:
    """Markdown to HTML, then sanitised on the server: no scripts, no styles, no images
    from elsewhere, and every link marked nofollow noopener."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
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
