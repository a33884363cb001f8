from datetime import datetime

from flask import Blueprint, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.core.rendering import done, render_page
from app.core.services import proposals_entry
from app.extensions import db
from app.notices.services import mark_all_read, notifications_page, unread_count
from app.proposals.forms import OPINION_LABELS, STATUS_LABELS

bp = Blueprint("notices", __name__)


@bp.app_context_processor
def header_helpers():
    """The site header's per-user pieces, computed only when a page's header asks for them
    (fragments swapped by htmx have no header and cost nothing)."""
    return {"unread_notifications": _unread_once, "proposals_entry": _proposals_entry}


def _unread_once() -> int:
    if "unread_notifications" not in g:
        g.unread_notifications = unread_count(current_user)
    return g.unread_notifications


def _proposals_entry() -> str:
    return proposals_entry(current_user)


def _list_context(page: int) -> dict:
    return {"page": notifications_page(current_user, page), "status_labels": STATUS_LABELS,
            "opinion_labels": OPINION_LABELS, "from_iso": datetime.fromisoformat}


@bp.route("/notifications")
@login_required
def notifications():
    """Reading the list does not mark anything read: that is the user's explicit choice."""
    page = request.args.get("page", 1, type=int)
    return render_page("notices/list.html", "notices/_list.html", **_list_context(page))


@bp.route("/notifications/count")
@login_required
def notification_count():
    """The header's badge alone, which the page re-fetches every two minutes."""
    return render_template("notices/_badge.html")


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all():
    count = mark_all_read(current_user)
    db.session.commit()
    g.pop("unread_notifications", None)
    message = (ngettext("%(num)d notification marked as read.",
                        "%(num)d notifications marked as read.", count)
               if count else _("You have no unread notifications."))
    return done(message, url_for("notices.notifications"), "notices/_list.html",
                _list_context(1))
