"""The administrator's pages of a community's webhooks: register (the secret shown once),
see each hook's deliveries, send a failed one again, disable, enable, delete."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.community.models import Community
from app.core.caching import no_store
from app.core.rendering import go_to, render_page
from app.extensions import db
from app.permissions import require
from app.webhooks.forms import WebhookForm
from app.webhooks.labels import EVENT_LABELS, STATUS_LABELS, error_label, event_list
from app.webhooks.models import DeliveryStatus
from app.webhooks.services import (
    COMMITTED,
    WebhookRefused,
    delete,
    deliveries_page,
    delivery_in,
    hook_in,
    hooks_of,
    redeliver,
    register,
    send_committed,
    set_enabled,
)

bp = Blueprint("webhooks", __name__)


@bp.teardown_app_request
def send_after_the_request(_error=None):
    """Eager mode: the deliveries this request committed go out once its work is done.
    Whatever it left uncommitted is dropped first, as the end of the request would drop it."""
    if db.session.info.get(COMMITTED):
        db.session.rollback()
        send_committed()


def _community(community_id: int) -> Community:
    community = db.get_or_404(Community, community_id)
    require("webhook.manage", community)
    return community


def _list_page(community: Community, form: WebhookForm, secret: str | None = None):
    return render_template("webhooks/list.html", community=community, form=form,
                           hooks=hooks_of(community), secret=secret, event_list=event_list,
                           status_labels=STATUS_LABELS)


@bp.route("/c/<int:community_id>/webhooks", methods=["GET", "POST"])
@no_store
@login_required
def hooks(community_id: int):
    community = _community(community_id)
    form = WebhookForm()
    if form.validate_on_submit():
        try:
            _hook, secret = register(community, actor=current_user, url=form.url.data,
                                     events=form.events.data)
        except WebhookRefused as refused:
            db.session.rollback()
            form.url.errors.append(refused.message)
        else:
            db.session.commit()
            # Rendered, not redirected: the secret is on this one page and shown nowhere else.
            return _list_page(community, WebhookForm(formdata=None), secret=secret)
    return _list_page(community, form)


def _hook(community_id: int, hook_id: int):
    community = _community(community_id)
    return community, hook_in(community, hook_id) or abort(404)


@bp.route("/c/<int:community_id>/webhooks/<int:hook_id>")
@login_required
def hook(community_id: int, hook_id: int):
    community, found = _hook(community_id, hook_id)
    page = deliveries_page(found, request.args.get("page", 1, type=int),
                           current_app.config["PAGE_SIZE"])
    return render_page("webhooks/hook.html", "webhooks/_deliveries.html", community=community,
                       hook=found, page=page, event_labels=EVENT_LABELS,
                       status_labels=STATUS_LABELS, failed=DeliveryStatus.FAILED,
                       event_list=event_list, error_label=error_label)


@bp.route("/c/<int:community_id>/webhooks/<int:hook_id>/enable", methods=["POST"])
@login_required
def enable(community_id: int, hook_id: int):
    return _switch(community_id, hook_id, True)


@bp.route("/c/<int:community_id>/webhooks/<int:hook_id>/disable", methods=["POST"])
@login_required
def disable(community_id: int, hook_id: int):
    return _switch(community_id, hook_id, False)


def _switch(community_id: int, hook_id: int, enabled: bool):
    community, found = _hook(community_id, hook_id)
    set_enabled(found, enabled, actor=current_user)
    db.session.commit()
    flash(_("The webhook is enabled.") if enabled else
          _("The webhook is disabled: it receives no events until it is enabled again."),
          "success")
    return redirect(url_for("webhooks.hook", community_id=community.id, hook_id=found.id))


@bp.route("/c/<int:community_id>/webhooks/<int:hook_id>/delete", methods=["POST"])
@login_required
def delete_hook(community_id: int, hook_id: int):
    """Asks first: htmx through hx-confirm (which sends confirm=1), a plain form through a
    page that asks."""
    community, found = _hook(community_id, hook_id)
    if request.form.get("confirm") != "1":
        return render_template("webhooks/delete.html", community=community, hook=found)
    delete(found, actor=current_user)
    db.session.commit()
    flash(_("The webhook is deleted."), "success")
    return go_to(url_for("webhooks.hooks", community_id=community.id))


@bp.route("/c/<int:community_id>/webhooks/<int:hook_id>/deliveries/<int:delivery_id>/again",
          methods=["POST"])
@login_required
def send_again(community_id: int, hook_id: int, delivery_id: int):
    community, found = _hook(community_id, hook_id)
    delivery = delivery_in(found, delivery_id) or abort(404)
    try:
        redeliver(delivery, actor=current_user)
    except WebhookRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
    else:
        db.session.commit()
        flash(_("The delivery is being sent again."), "success")
    return redirect(url_for("webhooks.hook", community_id=community.id, hook_id=found.id,
                            page=request.args.get("page", 1, type=int)))
