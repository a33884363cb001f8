from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.community.models import Community
from app.core.caching import no_store
from app.core.documents import to_html, to_pdf
from app.core.downloads import file_name, send_document
from app.core.paper import print_page
from app.core.rendering import wants_fragment
from app.core.sms import render as render_sms
from app.extensions import db
from app.messaging.forms import ChoicesForm, MarkPrintedForm
from app.messaging.labels import CHANNEL_LABELS, ERROR_LABELS, STATUS_LABELS
from app.messaging.rules import Channel, Status
from app.messaging.services import (
    MessagingRefused,
    choices_of,
    dead_letters,
    mark_printed,
    message_in,
    retry,
    save_choices,
    slips,
    status_counts,
)
from app.permissions import load_standing, require

bp = Blueprint("messaging", __name__)


# --- The person's choices --------------------------------------------------------------------


@bp.route("/me/messages", methods=["GET", "POST"])
@login_required
def my_choices():
    chosen = choices_of(current_user)
    form = ChoicesForm(data={"sms": sorted(chosen[Channel.SMS]),
                             "slip": sorted(chosen[Channel.SLIP])}
                       if request.method == "GET" else None)
    if form.validate_on_submit():
        if form.slip.data and not load_standing(current_user).homes:
            form.slip.errors.append(_("Slips are brought to your home: link a home to your "
                                      "account first, or leave the slips unticked."))
        else:
            save_choices(current_user, sms_categories=set(form.sms.data),
                         slip_categories=set(form.slip.data))
            db.session.commit()
            flash(_("Your choices are saved."), "success")
            return redirect(url_for("messaging.my_choices"))
    return render_template("messaging/choices.html", form=form)


# --- Staff: the community's outbox ------------------------------------------------------------


def _community(community_id: int) -> Community:
    community = db.get_or_404(Community, community_id)
    require("messages.manage", community)
    return community


def _outbox_page(community: Community, print_form: MarkPrintedForm | None = None):
    page = dead_letters(community, request.args.get("page", 1, type=int),
                        current_app.config["MESSAGES_PER_PAGE"])
    context = {"community": community, "page": page, "text_of": render_sms,
                "error_labels": ERROR_LABELS}
    if wants_fragment():
        return render_template("messaging/_dead_letters.html", **context)
    batch = slips(community)
    print_form = print_form or MarkPrintedForm(formdata=None, up_to=batch.up_to or None)
    return render_template(
        "messaging/outbox.html", **context, counts=status_counts(community), batch=batch,
        print_form=print_form, statuses=list(Status), status_labels=STATUS_LABELS,
        channel_labels=CHANNEL_LABELS)


@bp.route("/c/<int:community_id>/messages")
@login_required
def outbox(community_id: int):
    return _outbox_page(_community(community_id))


@bp.route("/c/<int:community_id>/messages/<int:message_id>/retry", methods=["POST"])
@login_required
def retry_message(community_id: int, message_id: int):
    community = _community(community_id)
    message = message_in(community, message_id) or abort(404)
    try:
        retry(message, actor=current_user)
    except MessagingRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
    else:
        db.session.commit()
        flash(_("The message is being sent again."), "success")
    return redirect(url_for("messaging.outbox", community_id=community.id,
                            page=request.args.get("page", 1, type=int)))


@bp.route("/c/<int:community_id>/messages/slips.pdf")
@login_required
@no_store
def slips_pdf(community_id: int):
    community = _community(community_id)
    data = to_pdf(slips(community).document(community.name),
                  current_app.config["DOCUMENT_FONT"] or None)
    return send_document(data, file_name(_("Message slips"), community.name, suffix="pdf"),
                         "application/pdf", ascii_name=f"slips-{community.id}.pdf")


@bp.route("/c/<int:community_id>/messages/slips.html")
@login_required
@no_store
def slips_page(community_id: int):
    """The slips as a page to print from the browser, for whoever may have their PDF."""
    community = _community(community_id)
    document = slips(community).document(community.name)
    return print_page("print/document.html", document=document, document_class="slips",
                      document_html=to_html(document),
                      back_url=url_for("messaging.outbox", community_id=community.id),
                      back_label=_("Messages"))


@bp.route("/c/<int:community_id>/messages/slips/printed", methods=["POST"])
@login_required
def slips_printed(community_id: int):
    community = _community(community_id)
    form = MarkPrintedForm()
    if not form.validate():
        return _outbox_page(community, print_form=form)
    count = mark_printed(community, form.up_to.data, actor=current_user)
    db.session.commit()
    flash(_("%(num)d slips are marked as printed.", num=count), "success")
    return redirect(url_for("messaging.outbox", community_id=community.id))
