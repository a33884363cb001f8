"""Follow-up actions: recorded at a meeting's agenda items, reported done by the responsible
organisation on its own page."""

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.community.models import Organisation
from app.core import uploads
from app.core.rendering import done, go_to, render_page, wants_fragment
from app.extensions import beijing_today, db
from app.followups import permissions  # noqa: F401  (registers the follow-up rules)
from app.followups.forms import DoneForm
from app.followups.models import ActionStatus, FollowUpAction
from app.followups.services import (
    ActionRefused,
    done_actions,
    mark_done,
    open_actions,
)
from app.permissions import require
from app.proposals.labels import HIDDEN_LABELS

bp = Blueprint("followups", __name__)


def _done_form(action: FollowUpAction, **kwargs) -> DoneForm:
    return DoneForm(prefix=f"done-{action.id}", **kwargs)


@bp.app_context_processor
def followup_helpers():
    """For pages other features render: the proposal page includes _proposal_actions.html."""
    return {"done_form_for": lambda action: _done_form(action, formdata=None),
            "beijing_today": beijing_today}


# --- The responsible organisation -----------------------------------------------------------


def _organisation_page(organisation: Organisation, failed: DoneForm | None = None,
                       failed_id: int | None = None):
    page = max(request.args.get("page", 1, type=int), 1)
    return render_page(
        "followups/organisation_actions.html", "followups/_done_actions.html",
        organisation=organisation, community=organisation.community,
        open_actions=open_actions(organisation), done_page=done_actions(organisation, page),
        today=beijing_today(), hidden_labels=HIDDEN_LABELS,
        failed_forms={failed_id: failed} if failed is not None else {})


@bp.route("/o/<int:organisation_id>/actions")
@login_required
def organisation_actions(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    require("community.view", organisation.community)
    return _organisation_page(organisation)


def _action_or_404(action_id: int, rule: str) -> FollowUpAction:
    action = db.session.execute(
        select(FollowUpAction).where(FollowUpAction.id == action_id)
        .options(joinedload(FollowUpAction.proposal), joinedload(FollowUpAction.organisation))
    ).scalar_one_or_none()
    if action is None:
        abort(404)
    require(rule, action)
    return action


@bp.route("/actions/<int:action_id>/done", methods=["POST"])
@login_required
def mark_action_done(action_id: int):
    action = _action_or_404(action_id, "followup.complete")
    organisation = action.organisation
    page_url = url_for("followups.organisation_actions", organisation_id=organisation.id,
                       _anchor=f"action-{action.id}")
    if action.status == ActionStatus.DONE:
        flash(ActionRefused("followup.already_done").message, "info")
        return go_to(page_url)
    form = _done_form(action)
    if not form.validate_on_submit():
        if wants_fragment():
            return render_template("followups/_org_action.html", action=action, done_form=form,
                                   today=beijing_today(), hidden_labels=HIDDEN_LABELS)
        return _organisation_page(organisation, form, action.id)
    try:
        mark_done(action, actor=current_user, note=form.note.data or "",
                  photo=form.clean_photo)
    except ActionRefused as refused:
        db.session.rollback()
        flash(refused.message, "info")
        return go_to(page_url)
    db.session.commit()
    return done(_("Reported done. Thank you."), page_url, "followups/_org_action.html",
                {"action": action, "today": beijing_today(), "hidden_labels": HIDDEN_LABELS})


def _photo(action_id: int, *, thumb: bool):
    action = _action_or_404(action_id, "followup.view")
    if not action.done_photo:
        abort(404)
    return uploads.serve(uploads.PHOTOS, action.done_photo, uploads.JPEG, thumb=thumb)


@bp.route("/actions/<int:action_id>/photo")
@login_required
def photo(action_id: int):
    return _photo(action_id, thumb=False)


@bp.route("/actions/<int:action_id>/photo/thumb")
@login_required
def photo_thumb(action_id: int):
    return _photo(action_id, thumb=True)
