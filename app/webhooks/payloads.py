"""What a delivery says about the thing that happened: the API's own schema of it, through
the API's data-class gate as a resident reads it, which is what an organisation's API token
reads of its community. A webhook therefore never carries more than a token could read, and
never a personal field.

A notice's text goes out only when it was written for everyone (an announcement): minutes
name who attended and who was away and why, a result notice names the committee's contact
person, and a receiver may publish what it receives. Those go by their facts and the address
of their page on the site, where the people allowed to read them read them, as the public
feeds do."""

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape

from app.api.data_classes import RESIDENT
from app.api.services import (
    discussion_facts,
    notice_files,
    poll_results,
    site_url,
    turnouts,
)
from app.api.services import (
    notice_data as api_notice_data,
)
from app.api.services import (
    poll_data as api_poll_data,
)
from app.api.services import (
    proposal_data as api_proposal_data,
)
from app.extensions import utcnow
from app.feeds.services import written_for_everyone


def proposal_data(proposal) -> dict:
    stances, answers = discussion_facts([proposal.id])
    return api_proposal_data(proposal, RESIDENT, stances, answers)


def poll_data(poll, *, with_results: bool) -> dict:
    """A poll with its turnout; the official count once it is closed (preliminary) or
    final, as the API shows every caller who sees the poll after close."""
    return api_poll_data(poll, RESIDENT, turnouts([poll.id]).get(poll.id, (0, 0)),
                         poll_results(poll) if with_results else None)


def notice_body(notice) -> str:
    """The notice's text if it was written for everyone, else a pointer to its page, in the
    community's language (the site's default, as official documents are)."""
    if written_for_everyone(notice):
        return notice.body_html
    url = site_url("notices.view", notice_id=notice.id)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        words = _("This notice names people, so its text is only on the site:")
    return f'<p>{escape(words)} <a href="{escape(url)}">{escape(url)}</a></p>'


def notice_data(notice) -> dict:
    files, public = notice_files([notice], utcnow())
    data = api_notice_data(notice, RESIDENT, files[notice.id], notice.id in public)
    return {**data, "body_html": notice_body(notice)}
