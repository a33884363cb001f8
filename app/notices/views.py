
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from app.community.labels import SCOPE_LABELS
from app.community.models import Building, Community, Organisation
from app.core import uploads
from app.core.caching import no_store
from app.core.downloads import send_document
from app.core.paper import poster_pdf, print_page
from app.core.rendering import done, render_page
from app.extensions import db
from app.notices import permissions  # noqa: F401  (registers the notice rules)
from app.notices.forms import NoticeForm
from app.notices.labels import KIND_LABELS
from app.notices.models import Notice
from app.notices.poster import notice_poster
from app.notices.services import (
    MIN_GROUP,
    NoticeRefused,
    board,
    expired_page,
    is_expired,
    load_notice,
    mark_read,
    post_notice,
    read_rate,
    remind,
    set_pinned,
    withdraw,
)
from app.permissions import can, load_standing, require

bp = Blueprint("notices", __name__)

@bp.url_value_preprocessor
def allow_attachment_uploads(endpoint, _values):
    """A notice carries up to six files, more than the app's request limit. This hook runs
    before the CSRF check, the first to read the request body and so fix its limit."""
    if endpoint == "notices.new_notice":
        request.max_content_length = current_app.config["NOTICE_UPLOAD_LIMIT"]


@bp.context_processor
def labels():
    return {"kind_labels": KIND_LABELS, "scope_labels": SCOPE_LABELS}


# --- Notices --------------------------------------------------------------------------------


def _community_or_404(community_id: int) -> Community:
    community = db.get_or_404(Community, community_id)
    require("community.view", community)
    return community


def _notice_or_404(notice_id: int, action: str = "notice.view") -> Notice:
    notice = load_notice(notice_id)
    if notice is None:
        abort(404)
    require(action, notice)
    return notice


def _notice_url(notice: Notice) -> str:
    return url_for("notices.view", notice_id=notice.id)


@bp.route("/c/<int:community_id>/notices", endpoint="board")
@login_required
def board_page(community_id: int):
    """Current notices; ``?expired=1`` lists the expired ones instead."""
    community = _community_or_404(community_id)
    context = {"community": community, "may_post": can(current_user, "notice.post", community)}
    if request.args.get("expired"):
        page = expired_page(community, current_user, request.args.get("page", 1, type=int))
        return render_template("notices/expired.html", page=page, **context)
    return render_template("notices/board.html", board=board(community, current_user),
                           **context)


def _notice_form(community: Community) -> NoticeForm:
    staff_of = [r.organisation_id for r in load_standing(current_user).org_roles
                if r.community_id == community.id]
    organisations = [o for o in db.session.execute(
        select(Organisation).where(Organisation.id.in_(staff_of)).order_by(Organisation.name)
    ).scalars() if can(current_user, "proposal.post_for", o)]
    buildings = db.session.execute(
        select(Building).where(Building.community_id == community.id).order_by(Building.name)
    ).scalars().all()
    return NoticeForm(community.grids, buildings, organisations)


@bp.route("/c/<int:community_id>/notices/new", methods=["GET", "POST"])
@login_required
def new_notice(community_id: int):
    community = _community_or_404(community_id)
    require("notice.post", community)
    form = _notice_form(community)
    if form.validate_on_submit():
        notice = post_notice(
            community=community, organisation=form.chosen_organisation, author=current_user,
            title=form.title.data, body=form.body.data, scope_kind=form.scope_kind.data,
            grids=form.chosen_grids, buildings=form.chosen_buildings,
            expires_at=form.expires_utc, pinned=form.pinned.data,
            attachments=form.clean_attachments, public=form.public.data)
        db.session.commit()
        flash(_("The notice is on the board."), "success")
        return redirect(_notice_url(notice))
    return render_template("notices/new.html", community=community, form=form)


@bp.route("/notices/<int:notice_id>")
@login_required
def view(notice_id: int):
    """Opening a notice is reading it: the first time leaves a read receipt. The page is
    rendered before the commit, which would expire what it shows and load it again."""
    notice = _notice_or_404(notice_id)
    if notice.withdrawn_at is None:
        mark_read(notice, current_user)
    page = render_template(
        "notices/view.html", notice=notice, community=notice.organisation.community,
        may_manage=can(current_user, "notice.manage", notice), expired=is_expired(notice))
    db.session.commit()
    return page


def _notice_with_poster(notice_id: int):
    """The notice whose poster (PDF or print page) is asked for, to those who manage it;
    a withdrawn notice has none."""
    notice = _notice_or_404(notice_id, "notice.manage")
    if notice.withdrawn_at is not None:
        abort(404)
    return notice


@bp.route("/notices/<int:notice_id>/poster.pdf")
@login_required
def poster(notice_id: int):
    """The notice as an A4 poster for the lift lobby, for the issuer's staff."""
    notice = _notice_with_poster(notice_id)
    data = poster_pdf(notice_poster(notice), current_app.config["DOCUMENT_FONT"] or None)
    return send_document(data, f"公告海报-{notice.title[:20]}.pdf", "application/pdf",
                         ascii_name=f"notice-{notice.id}-poster.pdf")


@bp.route("/notices/<int:notice_id>/poster.html")
@login_required
def poster_page(notice_id: int):
    """The poster as a page to print from the browser, for whoever may have its PDF."""
    notice = _notice_with_poster(notice_id)
    return print_page("print/poster.html", the_poster=notice_poster(notice),
                      back_url=url_for("notices.view", notice_id=notice.id),
                      back_label=notice.title)


def _attachment(notice_id: int, attachment_id: int, *, thumb: bool):
    notice = _notice_or_404(notice_id)
    if notice.withdrawn_at is not None and not can(current_user, "notice.manage", notice):
        abort(404)
    attachment = next((a for a in notice.attachments if a.id == attachment_id), None)
    if attachment is None or (thumb and attachment.content_type != uploads.JPEG):
        abort(404)
    return uploads.serve(uploads.ATTACHMENTS, attachment.stored_name, attachment.content_type,
                         thumb=thumb, download_name=attachment.original_name)


@bp.route("/notices/<int:notice_id>/attachments/<int:attachment_id>")
@login_required
def attachment(notice_id: int, attachment_id: int):
    return _attachment(notice_id, attachment_id, thumb=False)


@bp.route("/notices/<int:notice_id>/attachments/<int:attachment_id>/thumb")
@login_required
def attachment_thumb(notice_id: int, attachment_id: int):
    return _attachment(notice_id, attachment_id, thumb=True)


def _reads_context(notice: Notice) -> dict:
    return {"notice": notice, "rate": read_rate(notice), "expired": is_expired(notice),
            "min_group": MIN_GROUP}


@bp.route("/notices/<int:notice_id>/reads")
@no_store
@login_required
def reads(notice_id: int):
    """知晓率, for the issuing organisation's staff only."""
    notice = _notice_or_404(notice_id, "notice.manage")
    return render_page("notices/reads.html", "notices/_reads.html", **_reads_context(notice))


@bp.route("/notices/<int:notice_id>/remind", methods=["POST"])
@login_required
def remind_unread(notice_id: int):
    notice = _notice_or_404(notice_id, "notice.manage")
    try:
        count = remind(notice, actor=current_user)
    except NoticeRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(url_for("notices.reads", notice_id=notice.id))
    db.session.commit()
    return done(ngettext("%(num)d person who has not read it was reminded.",
                         "%(num)d people who have not read it were reminded.", count),
                url_for("notices.reads", notice_id=notice.id), "notices/_reads.html",
                _reads_context(notice))


@bp.route("/notices/<int:notice_id>/pin", methods=["POST"])
@login_required
def pin(notice_id: int):
    notice = _notice_or_404(notice_id, "notice.manage")
    pinned = request.form.get("pinned") == "1"
    set_pinned(notice, pinned, actor=current_user)
    db.session.commit()
    flash(_("The notice is pinned to the top of the board.") if pinned
          else _("The notice is no longer pinned."), "success")
    return redirect(_notice_url(notice))


@bp.route("/notices/<int:notice_id>/withdraw", methods=["POST"])
@login_required
def withdraw_notice(notice_id: int):
    notice = _notice_or_404(notice_id, "notice.manage")
    try:
        withdraw(notice, actor=current_user)
    except NoticeRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(_notice_url(notice))
    db.session.commit()
    flash(_("The notice is withdrawn: only your organisation still sees it."), "success")
    return redirect(_notice_url(notice))
