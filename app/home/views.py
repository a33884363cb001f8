from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.core.preferences import ELDER_COOKIE, LANGUAGE_COOKIE, safe_next
from app.extensions import db
from app.home.services import home_summary
from app.notices.labels import KIND_LABELS
from app.notices.services import home_notices

bp = Blueprint("home", __name__)


@bp.route("/")
def home():
    """Signed in: the notices for the user's homes first, then their communities."""
    if not current_user.is_authenticated:
        return render_template("home/home.html", summary=None)
    notices, read_ids = home_notices(current_user)
    return render_template("home/home.html", summary=home_summary(current_user),
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
