"""/me/data: download everything about me, ask for my account to be erased; and the
queue where community admins carry erasures out."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.audit.services import record
from app.community.models import Community
from app.community.personal_data import record_view
from app.core.caching import no_store
from app.core.downloads import file_name, send_document
from app.core.refusals import Refused
from app.extensions import db, local_zone, utcnow
from app.permissions import can, require
from app.privacy.export import export_zip, personal_data
from app.privacy.forms import CarryOutForm, DeletionRequestForm
from app.privacy.models import DeletionRequest
from app.privacy.services import (
    carry_out,
    pending_deletions,
    pending_request_of,
    request_deletion,
)

bp = Blueprint("privacy", __name__)


def _my_data_page(form: DeletionRequestForm):
    return render_template("privacy/my_data.html", form=form,
                           pending=pending_request_of(current_user))


@bp.route("/me/data")
@no_store
@login_required
def my_data():
    return _my_data_page(DeletionRequestForm(formdata=None))


@bp.route("/me/data/export")
@no_store
@login_required
def export():
    """Everything about me as a zip; the download itself is recorded."""
    record("personal_data.export", actor=current_user, target=f"user:{current_user.id}")
    db.session.commit()
    data = export_zip(personal_data(current_user))
    day = utcnow().astimezone(local_zone()).date().isoformat()
    return send_document(data, file_name(_("My personal data"), day, suffix="zip"),
                         "application/zip", inline=False,
                         ascii_name=f"gongzhi-my-data-{day.replace('-', '')}.zip")


@bp.route("/me/data/deletion", methods=["POST"])
@login_required
def ask_deletion():
    form = DeletionRequestForm()
    if form.validate_on_submit():
        try:
            request_deletion(current_user, reason=form.reason.data or "")
        except Refused as refused:
            flash(refused.message, "info")
        else:
            db.session.commit()
            flash(_("Your request was sent. A community administrator will erase your "
                    "account, and you will be logged out then."), "success")
        return redirect(url_for("privacy.my_data"))
    return _my_data_page(form)


def _queue(community: Community, forms: dict | None = None):
    # The queue names people: the read is recorded, and committed before the rows load.
    record_view(current_user, community, "deletion_requests")
    db.session.commit()
    pending = pending_deletions(
        community, with_no_community=can(current_user, "platform.admin"))
    forms = forms or {}
    return render_template(
        "privacy/queue.html", community=community, pending=pending,
        forms={d.id: forms.get(d.id) or CarryOutForm(formdata=None) for d in pending})


@bp.route("/c/<int:community_id>/deletion-requests")
@no_store
@login_required
def queue(community_id: int):
    community = db.get_or_404(Community, community_id)
    require("community.manage", community)
    return _queue(community)


@bp.route("/c/<int:community_id>/deletion-requests/<int:request_id>", methods=["POST"])
@login_required
def erase(community_id: int, request_id: int):
    community = db.get_or_404(Community, community_id)
    require("community.manage", community)
    deletion = db.get_or_404(DeletionRequest, request_id)
    if deletion.community_id != community.id and not (
            deletion.community_id is None and can(current_user, "platform.admin")):
        abort(404)
    form = CarryOutForm()
    if form.validate_on_submit():
        try:
            carry_out(deletion, actor=current_user)
        except Refused as refused:
            flash(refused.message, "error")
        else:
            db.session.commit()
            flash(_("The account was erased."), "success")
        return redirect(url_for("privacy.queue", community_id=community.id))
    return _queue(community, {deletion.id: form})

