"""Public pages: readable without a login at stable URLs, and the setting that allows them."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.community.models import Community
from app.core import uploads
from app.extensions import db, utcnow
from app.notices.labels import KIND_LABELS
from app.notices.services import is_expired
from app.permissions import require
from app.public.forms import PublicSettingsForm
from app.public.services import (
    PUBLIC_SETTINGS,
    public_notice,
    public_notices,
    public_poll,
    update_public_settings,
)
from app.voting.labels import YES_NO_LABELS
from app.voting.models import QuestionKind
from app.voting.rules import YES_NO
from app.voting.services import bulletin

bp = Blueprint("public", __name__)


@bp.route("/public/c/<int:community_id>")
def community(community_id: int):
    community = db.get_or_404(Community, community_id)
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    notices, more = public_notices(community, utcnow(), page)
    return render_template("public/community.html", community=community, notices=notices,
                           page=page, more=more, kind_labels=KIND_LABELS)


@bp.route("/public/notices/<int:notice_id>")
def notice(notice_id: int):
    notice = public_notice(notice_id, utcnow())
    if notice is None:
        abort(404)
    return render_template("public/notice.html", notice=notice,
                           community=notice.organisation.community,
                           expired=is_expired(notice), kind_labels=KIND_LABELS)


def _attachment(notice_id: int, attachment_id: int, *, thumb: bool):
    """A file of a notice the public page shows; any other notice's files stay behind the
    login and the notice's permission (notices.attachment)."""
    notice = public_notice(notice_id, utcnow())
    attachment = next((a for a in notice.attachments if a.id == attachment_id),
                      None) if notice is not None else None
    if attachment is None or (thumb and attachment.content_type != uploads.JPEG):
        abort(404)
    return uploads.serve(uploads.ATTACHMENTS, attachment.stored_name, attachment.content_type,
                         thumb=thumb, download_name=attachment.original_name)


@bp.route("/public/notices/<int:notice_id>/attachments/<int:attachment_id>")
def notice_attachment(notice_id: int, attachment_id: int):
    return _attachment(notice_id, attachment_id, thumb=False)


@bp.route("/public/notices/<int:notice_id>/attachments/<int:attachment_id>/thumb")
def notice_attachment_thumb(notice_id: int, attachment_id: int):
    return _attachment(notice_id, attachment_id, thumb=True)


@bp.route("/public/polls/<int:poll_id>/bulletin")
def poll_bulletin(poll_id: int):
    poll = public_poll(poll_id)
    if poll is None:
        abort(404)
    labels = ({value: str(YES_NO_LABELS[value]) for value in YES_NO}
              if poll.kind == QuestionKind.YES_NO
              else {str(option.id): option.label for option in poll.options})
    rows = [(receipt, rooms, area, "、".join(labels[choice] for choice in choices))
            for receipt, rooms, area, choices in bulletin(poll)]
    return render_template("public/bulletin.html", poll=poll, rows=rows,
                           community=db.session.get(Community, poll.community_id))


@bp.route("/c/<int:community_id>/public-settings", methods=["GET", "POST"])
@login_required
def settings(community_id: int):
    community = db.get_or_404(Community, community_id)
    require("community.manage", community)
    form = PublicSettingsForm(obj=community if request.method == "GET" else None)
    if form.validate_on_submit():
        update_public_settings(community, actor=current_user,
                               **{name: getattr(form, name).data for name in PUBLIC_SETTINGS})
        db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for("public.settings", community_id=community.id))
    return render_template("public/settings.html", community=community, form=form)
