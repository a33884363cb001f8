import time

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
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from app.auth.forms import ChangePasswordForm, LoginForm, RegisterForm
from app.auth.services import authenticate, register_user
from app.core.preferences import safe_next, select_locale
from app.extensions import db, limiter
from app.phones import normalise_phone

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _login_failed(response) -> bool:
    """A login POST that re-renders the form (status 200) was a failure; only those count."""
    return request.method == "POST" and response.status_code == 200


def _phone_key() -> str:
    try:
        return "phone:" + (normalise_phone(request.form.get("phone", "")) or "")
    except ValueError:
        return "phone:invalid"


def _too_many_attempts(limit):
    form = LoginForm()
    form.password.data = ""
    minutes = max(1, round((limit.reset_at - time.time()) / 60))
    message = ngettext(
        "Too many failed attempts. Please try again in %(num)d minute.",
        "Too many failed attempts. Please try again in %(num)d minutes.",
        minutes,
    )
    return make_response(render_template("auth/login.html", form=form, blocked=message), 429)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_PHONE"],
    key_func=_phone_key,
    methods=["POST"],
    scope="login-phone",
    deduct_when=_login_failed,
    on_breach=_too_many_attempts,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    key_func=get_remote_address,
    methods=["POST"],
    scope="login-address",
    deduct_when=_login_failed,
    on_breach=_too_many_attempts,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.phone.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("home.home")))
        form.password.errors.append(_("The mobile number or the password is wrong."))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("home.home"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        user = register_user(
            name=form.name.data.strip(),
            phone=form.phone.data,
            password=form.password.data,
            locale=select_locale(),
            elder_mode=request.cookies.get("elder") == "1",
        )
        db.session.commit()
        login_user(user)
        flash(_("Welcome! Now tell us where you live, so that staff can verify you."), "success")
        return redirect(url_for("community.request_link"))
    return render_template("auth/register.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm(current_user)
    if form.validate_on_submit():
        current_user.set_password(form.password.data)
        db.session.commit()
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("community.my_account"))
    return render_template("auth/password.html", form=form)
