"""What a delivery says about the thing that happened: the API's own schema of it, through
the API's data-class gate as a resident reads it, which is what an organisation's API token
reads of its community. A webhook therefore never carries more than a token could read, and
never a personal field.

A notice's text goes out only when it was written for everyone (an announcement): minutes
name who attended and who was away and why, a result notice names the committee's contact
person, and a receiver may publish what it receives. Those go by their facts and the address
of their page on the site, where the people allowed to read them read them, as the public
feeds do."""

from decimal import Decimal

from flask import current_app, has_request_context, request
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape

from app.api.data_classes import RESIDENT, gate
from app.api.schemas import NoticeSchema, PollSchema, ProposalSchema, data_classes_of
from app.api.services import discussion_facts, poll_results, turnouts
from app.feeds.services import written_for_everyone

NOTICE, POLL, PROPOSAL = NoticeSchema(), PollSchema(), ProposalSchema()
CLASSES = {"notice": data_classes_of(NOTICE), "poll": data_classes_of(POLL),
           "proposal": data_classes_of(PROPOSAL)}


def proposal_data(proposal) -> dict:
    stances, answers = discussion_facts([proposal.id])
    return gate(CLASSES["proposal"], PROPOSAL.dump({
        "id": proposal.id, "community_id": proposal.community_id, "title": proposal.title,
        "status": proposal.status, "category": proposal.category,
        "scope_kind": proposal.scope_kind, "cosponsors": proposal.cosponsor_count,
        "comments": proposal.comment_count, "stances": stances[proposal.id],
        "official_answers": answers[proposal.id], "published_at": proposal.published_at,
        "updated_at": proposal.updated_at}), RESIDENT)


def poll_data(poll, *, with_results: bool) -> dict:
    """A poll with its turnout; the official count once it is closed (preliminary) or
    final, as the API shows every caller who sees the poll after close."""
    people, area = turnouts([poll.id]).get(poll.id, (0, 0))
    return gate(CLASSES["poll"], POLL.dump({
        "id": poll.id, "proposal_id": poll.proposal_id, "community_id": poll.community_id,
        "question": poll.question, "matter": poll.matter, "rule": poll.rule,
        "electorate": poll.electorate, "kind": poll.kind, "status": poll.status,
        "opens_at": poll.opens_at, "closes_at": poll.closes_at,
        "roll_people": poll.total_people, "roll_area": poll.total_area,
        "voted_people": people, "voted_area": Decimal(area).quantize(Decimal("0.01")),
        "results": poll_results(poll) if with_results else None}), RESIDENT)


def _site_url(endpoint: str, **values) -> str:
    """The page's absolute address: on PUBLIC_BASE_URL when set, else on the request's
    host; a poll closed by cron has no request, and then only the path is known."""
    path = current_app.url_map.bind("").build(endpoint, values)
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if not base and has_request_context():
        base = request.host_url.rstrip("/")
    return base + path


def notice_body(notice) -> str:
    """The notice's text if it was written for everyone, else a pointer to its page, in the
    community's language (the site's default, as official documents are)."""
    if written_for_everyone(notice):
        return notice.body_html
    url = _site_url("notices.view", notice_id=notice.id)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        words = _("This notice names people, so its text is only on the site:")
    return f'<p>{escape(words)} <a href="{escape(url)}">{escape(url)}</a></p>'


def notice_data(notice) -> dict:
    return gate(CLASSES["notice"], NOTICE.dump({
        "id": notice.id, "community_id": notice.community_id, "kind": notice.kind,
        "title": notice.title, "body_html": notice_body(notice),
        "organisation": notice.organisation.name, "published_at": notice.published_at,
        "expires_at": notice.expires_at, "poll_id": notice.poll_id,
        "scope_kind": notice.scope_kind}), RESIDENT)
