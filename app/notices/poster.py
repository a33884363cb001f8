"""A notice as an A4 poster for the lift lobby: its title, issuer and the start of its
text, with a QR code to the whole notice on the site, where reading it is counted."""

from flask_babel import gettext as _

from app.core.documents import ITEMS, TABLE, long_date, markdown_blocks, plain
from app.core.paper import Poster, printed_url
from app.notices.models import Notice

# The poster quotes this many characters of the notice; the code leads to the rest.
EXCERPT_CHARACTERS = 300


def excerpt(body: str) -> str:
    """The notice's Markdown as plain lines (lists as bullets, tables left to the site),
    cut after ``EXCERPT_CHARACTERS``."""
    lines = []
    for block in markdown_blocks(body):
        if block.kind == ITEMS:
            lines += [f"• {item}" for item in block.items]
        elif block.kind != TABLE:
            lines.append(block.text)
    text = plain("\n".join(line for line in lines if line))
    if len(text) <= EXCERPT_CHARACTERS:
        return text
    return text[:EXCERPT_CHARACTERS].rstrip() + "……"


def notice_poster(notice: Notice) -> Poster:
    organisation = notice.organisation
    facts = [(_("Issued by"), organisation.name),
             (_("Published on"), long_date(notice.published_at))]
    if notice.expires_at is not None:
        facts.append((_("Notice valid until"), long_date(notice.expires_at)))
    return Poster(
        heading=_("%(community)s · Notice", community=organisation.community.name),
        title=notice.title, url=printed_url("notices.view", notice_id=notice.id),
        scan_hint=_("Scan to read the whole notice"), facts=facts, text=excerpt(notice.body),
        signature=[organisation.name, long_date(notice.published_at)])
