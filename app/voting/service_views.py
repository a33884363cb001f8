"""Service of the notice of a vote (送达): the staff page listing who is not yet served, by
building, where paper handovers and a public posting are recorded; and online service, when
an owner on an open poll's roll signs in."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, user_logged_in

from app.core.caching import no_store
from app.core.forms import to_utc
from app.extensions import db
from app.voting.forms import PaperServiceForm, PostingForm
from app.voting.labels import SERVED_LABELS
from app.voting.models import PollStatus
from app.voting.services import (
    VotingRefused,
    not_served_by_building,
    record_paper_service,
    record_public_posting,
    serve_online_everywhere,
    service_counts,
)
from app.voting.views import _poll_or_404, bp


@user_logged_in.connect
def _served_on_sign_in(sender, user, **extra) -> None:
    if serve_online_everywhere(user):
        db.session.commit()


def _render_service(poll, paper_form=None, posting_form=None, refusal=None):
    buildings = not_served_by_building(poll)
    entries = [entry for _building, entries in buildings for entry in entries]
    return render_template(
        "voting/service.html", poll=poll, buildings=buildings, counts=service_counts(poll),
        served_labels=SERVED_LABELS, refusal=refusal,
        paper_form=paper_form or PaperServiceForm(entries, formdata=None),
        posting_form=posting_form or PostingForm(formdata=None))


@bp.route("/polls/<int:poll_id>/service", methods=["GET", "POST"])
@no_store
@login_required
def service(poll_id: int):
    """Who has not been served, by building; staff record a paper notice handed over."""
    poll = _poll_or_404(poll_id, "poll.enter_offline")
    if poll.status == PollStatus.SCHEDULED:
        flash(VotingRefused("poll.service_not_open").message, "error")
        return redirect(url_for("voting.view_poll", poll_id=poll.id))
    entries = [entry for _b, entries in not_served_by_building(poll) for entry in entries]
    form = PaperServiceForm(entries)
    refusal = None
    if form.validate_on_submit():
        try:
            record_paper_service(poll, form.chosen_entry, staff=current_user,
                                 handed_at=to_utc(form.handed_at.data))
        except VotingRefused as refused:
            db.session.rollback()
            refusal = refused.message
        else:
            db.session.commit()
            flash(_("Recorded: the notice was handed to %(rooms)s.",
                    rooms=form.chosen_entry.label), "success")
            return redirect(url_for("voting.service", poll_id=poll.id))
    return _render_service(poll, paper_form=form, refusal=refusal)


@bp.route("/polls/<int:poll_id>/service/posting", methods=["POST"])
@login_required
def service_posting(poll_id: int):
    """A public posting serves everyone not yet served, where the rules allow it."""
    poll = _poll_or_404(poll_id, "poll.enter_offline")
    form = PostingForm()
    if not form.validate_on_submit():
        return _render_service(poll, posting_form=form)
    try:
        served = record_public_posting(poll, staff=current_user,
                                       posted_at=to_utc(form.posted_at.data))
    except VotingRefused as refused:
        db.session.rollback()
        return _render_service(poll, posting_form=form, refusal=refused.message)
    db.session.commit()
    flash(ngettext("The posting served %(num)d owner.", "The posting served %(num)d owners.",
                   served), "success")
    return redirect(url_for("voting.service", poll_id=poll.id))
