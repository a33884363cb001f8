from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.core.caching import no_store
from app.core.preferences import ELDER_COOKIE, LANGUAGE_COOKIE, safe_next
from app.core.rendering import done, render_page
from app.extensions import db
from app.home.services import community_entry, home_summary
from app.meetings.services import meetings_today_for
from app.notices.labels import KIND_LABELS
from app.notices.services import (
    home_notices,
    mark_all_read,
    mark_group_read,
    notifications_page,
    unread_count,
)
from app.proposals.labels import OPINION_LABELS, STATUS_LABELS
from app.voting.labels import OUTCOME_LABELS
from app.voting.services import open_votes_for

bp = Blueprint("home", __name__)


@bp.route("/")
@no_store
def home():
    """Signed in: what waits first (open votes on the user's roll, today's meetings), then
    the notices for the user's homes, then their communities."""
    if not current_user.is_authenticated:
        return render_template("home/home.html", summary=None)
    notices, read_ids = home_notices(current_user)
    return render_template("home/home.html", summary=home_summary(current_user),
                           votes=open_votes_for(current_user),
                           meetings=meetings_today_for(current_user),
                           notices=notices, read_ids=read_ids, kind_labels=KIND_LABELS)


@bp.route("/privacy")
def privacy():
    return render_template("home/privacy.html")


def _remember(response, cookie: str, value: str) -> None:
    response.set_cookie(
        cookie,
        value,
        max_age=current_app.config["PREFERENCE_COOKIE_MAX_AGE"],
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


@bp.route("/preferences/language", methods=["POST"])
def set_language():
    language = request.form.get("language", "")
    back = safe_next(request.form.get("next"), url_for("home.home"))
    if language not in current_app.config["LANGUAGES"]:
        flash(_("That language is not available."), "error")
        return redirect(back)
    if current_user.is_authenticated:
        current_user.locale = language
        db.session.commit()
    response = make_response(redirect(back))
    _remember(response, LANGUAGE_COOKIE, language)
    return response


@bp.route("/preferences/elder-mode", methods=["POST"])
def toggle_elder_mode():
    enabled = request.form.get("enabled") == "1"
    back = safe_next(request.form.get("next"), url_for("home.home"))
    if current_user.is_authenticated:
        current_user.elder_mode = enabled
        db.session.commit()
    response = make_response(redirect(back))
    _remember(response, ELDER_COOKIE, "1" if enabled else "0")
    return response


# --- The header and the notifications inbox: every feature notifies ---------------------


@bp.app_context_processor
def header_helpers():
    """The site header's per-user pieces, computed only when a page's header asks for them
    (fragments swapped by htmx have no header and cost nothing)."""
    return {"unread_notifications": _unread_once, "community_entry": _community_entry}


def _unread_once() -> int:
    if "unread_notifications" not in g:
        g.unread_notifications = unread_count(current_user)
    return g.unread_notifications


def _community_entry(endpoint: str) -> str:
    return community_entry(current_user, endpoint)


# Notifications about one's home links lead to the page that lists them.
ACCOUNT_KINDS = {"link_decided"}


def notification_url(note) -> str | None:
    """Where a notification leads: the comment, the notice, the meeting, the poll or the
    proposal it is about (the most specific first), one's own page, or nowhere."""
    if note.kind in ACCOUNT_KINDS:
        return url_for("community.my_account")
    for endpoint, values in (
        ("discussion.show_comment", {"comment_id": note.comment_id}),
        ("notices.view", {"notice_id": note.notice_id}),
        ("meetings.view", {"meeting_id": note.meeting_id}),
        ("voting.view_poll", {"poll_id": (note.details or {}).get("poll")}),
        ("proposals.view_proposal", {"proposal_id": note.proposal_id}),
    ):
        if all(values.values()):
            return url_for(endpoint, **values)
    return None


def _list_context(page: int) -> dict:
    return {"page": notifications_page(current_user, page), "status_labels": STATUS_LABELS,
            "opinion_labels": OPINION_LABELS, "outcome_labels": OUTCOME_LABELS,
            "from_iso": datetime.fromisoformat,
            "link_for": notification_url}


@bp.route("/notifications")
@login_required
def notifications():
    """Reading the list does not mark anything read: that is the user's explicit choice."""
    page = request.args.get("page", 1, type=int)
    return render_page("home/notifications.html", "home/_notifications.html",
                       **_list_context(page))


@bp.route("/notifications/count")
@login_required
def notification_count():
    """The header's badge alone, which the page re-fetches every two minutes."""
    return render_template("home/_badge.html")


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all():
    count = mark_all_read(current_user)
    db.session.commit()
    g.pop("unread_notifications", None)
    message = (ngettext("%(num)d notification marked as read.",
                        "%(num)d notifications marked as read.", count)
               if count else _("You have no unread notifications."))
    return done(message, url_for("home.notifications"), "home/_notifications.html",
                _list_context(1))


@bp.route("/notifications/<int:note_id>/read", methods=["POST"])
@login_required
def read_group(note_id: int):
    """Mark one line of the inbox read: the notification and the others grouped with it."""
    count = mark_group_read(current_user, note_id)
    if count is None:
        abort(404)
    db.session.commit()
    g.pop("unread_notifications", None)
    message = ngettext("%(num)d notification marked as read.",
                       "%(num)d notifications marked as read.", count)
    return done(message, url_for("home.notifications"), "home/_notifications.html",
                _list_context(1))
