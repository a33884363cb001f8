"""A poll on paper: the poster (for those who manage the poll), and the paper ballots and
canvass lists (for the staff who enter paper ballots and serve the notice). Ballots and
lists carry names, masked as they are: printing them is audited."""


from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.audit.services import record
from app.core.caching import no_store
from app.core.documents import to_html, to_pdf
from app.core.downloads import send_document
from app.core.paper import poster_pdf, print_page
from app.extensions import db, utcnow
from app.voting.models import PollStatus
from app.voting.paper import (
    ballot_face,
    ballot_sheets,
    ballots_pdf,
    canvass_list,
    entries_in,
    find_place,
    masked_holders,
    place_choices,
    poll_poster,
)
from app.voting.services import VotingRefused
from app.voting.views import _poll_or_404, bp, choice_pairs


@bp.app_template_global()
def paper_places(poll) -> list[tuple[str, str]]:
    """The buildings and grids the poll page's print form offers (one query)."""
    return place_choices(poll)


def _pdf(data: bytes, name: str, ascii_name: str):
    return send_document(data, name, "application/pdf", ascii_name=ascii_name)


def _font_path() -> str | None:
    return current_app.config["DOCUMENT_FONT"] or None


def _print_page(poll, template: str, **context) -> str:
    return print_page(template, back_url=url_for("voting.view_poll", poll_id=poll.id,
                                                 _anchor="paper"),
                      back_label=poll.question, **context)


def _back(poll, refused: VotingRefused):
    flash(refused.message, "error")
    return redirect(url_for("voting.view_poll", poll_id=poll.id, _anchor="paper"))


@bp.route("/polls/<int:poll_id>/poster.pdf")
@login_required
def poll_poster_file(poll_id: int):
    """The A4 poster for the lift lobby, while the poll is announced or open."""
    poll = _announced_poll(poll_id)
    return _pdf(poster_pdf(poll_poster(poll, utcnow()), _font_path()),
                f"表决海报-{poll.question[:20]}.pdf", f"poll-{poll.id}-poster.pdf")


@bp.route("/polls/<int:poll_id>/poster.html")
@login_required
def poll_poster_page(poll_id: int):
    """The poster as a page to print from the browser, for whoever may have its PDF."""
    poll = _announced_poll(poll_id)
    return _print_page(poll, "print/poster.html", the_poster=poll_poster(poll, utcnow()))


def _announced_poll(poll_id: int):
    """The poll whose poster is asked for, to those who manage it, while it is announced
    or open; else back to its page with the reason."""
    poll = _poll_or_404(poll_id, "proposal.chair")
    if poll.status not in (PollStatus.SCHEDULED, PollStatus.OPEN):
        abort(_back(poll, VotingRefused("poll.not_open")))
    return poll


def _printed_entries(poll_id: int, action: str):
    """The poll, the place its print form chose and that place's entries with their masked
    holders, for the staff who enter paper ballots; the printing audited (the caller
    commits once the paper is set, as a commit would expire the entries). While the poll is
    not open or for an unknown place, back to its page with the reason."""
    poll = _poll_or_404(poll_id, "poll.enter_offline")
    try:
        if poll.status != PollStatus.OPEN:
            raise VotingRefused("poll.print_while_open")
        place, building_names = find_place(poll, request.args.get("where", ""))
        entries = entries_in(poll, place, building_names)
    except VotingRefused as refused:
        abort(_back(poll, refused))
    record(action, actor=current_user, community_id=poll.community_id,
           target=f"poll:{poll.id}", details={"where": place.label, "entries": len(entries)})
    return poll, place, entries, masked_holders(poll, entries)


@bp.route("/polls/<int:poll_id>/ballots.pdf")
@login_required
@no_store
def paper_ballots(poll_id: int):
    """Paper ballots (表决票) for the whole roll, a grid or a building."""
    poll, place, entries, holders = _printed_entries(poll_id, "poll.print_ballots")
    choices = [words for _value, words in choice_pairs(poll)]
    data = ballots_pdf(poll, ballot_sheets(poll, entries, holders), choices, _font_path())
    db.session.commit()
    return _pdf(data, f"纸质表决票-{place.label}.pdf", f"poll-{poll_id}-ballots.pdf")


@bp.route("/polls/<int:poll_id>/ballots.html")
@login_required
@no_store
def paper_ballots_page(poll_id: int):
    """The paper ballots as a page to print from the browser: the same ballots, codes and
    audit as the PDF."""
    poll, _place, entries, holders = _printed_entries(poll_id, "poll.print_ballots")
    face = ballot_face(poll, [words for _value, words in choice_pairs(poll)])
    page = _print_page(poll, "print/ballots.html", face=face,
                       sheets=ballot_sheets(poll, entries, holders))
    db.session.commit()
    return page


@bp.route("/polls/<int:poll_id>/canvass.pdf")
@login_required
@no_store
def canvass(poll_id: int):
    """The canvass list (未投票名单) of a building or grid, as it stands now."""
    poll, place, entries, holders = _printed_entries(poll_id, "poll.print_canvass")
    data = to_pdf(canvass_list(poll, place, entries, holders, utcnow()), _font_path())
    db.session.commit()
    return _pdf(data, f"未投票名单-{place.label}.pdf", f"poll-{poll_id}-canvass.pdf")


@bp.route("/polls/<int:poll_id>/canvass.html")
@login_required
@no_store
def canvass_page(poll_id: int):
    """The canvass list as a page to print from the browser, audited like its PDF."""
    poll, place, entries, holders = _printed_entries(poll_id, "poll.print_canvass")
    document = canvass_list(poll, place, entries, holders, utcnow())
    page = _print_page(poll, "print/document.html", document=document,
                       document_html=to_html(document))
    db.session.commit()
    return page
