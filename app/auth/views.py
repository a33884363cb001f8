"""Accounts: register, log in and out, change password, see and end one's sessions."""

import time

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
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from limits import parse

from app.auth.forms import ChangePasswordForm, LoginForm, RegisterForm
from app.auth.passwords import PASSWORD_MIN_LENGTH
from app.auth.services import authenticate, register_if_free
from app.auth.sessions import (
    Lifetimes,
    active_sessions,
    end_other_sessions,
    end_session,
    open_session,
)
from app.core.preferences import safe_next, select_locale
from app.extensions import db, limiter, utcnow
from app.phones import normalise_phone

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _lifetimes() -> Lifetimes:
    return Lifetimes.from_config(current_app.config)


def _sign_in(user, remember: bool) -> None:
    """Open a session row for this browser and write its cookies."""
    open_session(user, remember=remember, user_agent=request.headers.get("User-Agent", ""),
                 address=request.remote_addr or "", now=utcnow(), lifetimes=_lifetimes())
    login_user(user, remember=remember)
    db.session.commit()


def _rewrite_cookies() -> None:
    """After the session version went up, this browser's cookies carry the new one."""
    login_user(current_user._get_current_object(), remember=current_user.current_session.remember)


def _phone_key() -> str:
    try:
        return "phone:" + (normalise_phone(request.form.get("phone", "")) or "")
    except ValueError:
        return "phone:invalid"


def _too_many_attempts(reset_at: float):
    form = LoginForm()
    form.password.data = ""
    minutes = max(1, round((reset_at - time.time()) / 60))
    message = ngettext(
        "Too many failed attempts. Please try again in %(num)d minute.",
        "Too many failed attempts. Please try again in %(num)d minutes.",
        minutes,
    )
    return make_response(render_template("auth/login.html", form=form, blocked=message), 429)


def _address_over_limit_after_failure() -> float | None:
    """Count a failed login against the address; when the address is past its limit, the
    moment it may try again. Only failures count, and only failures are refused: a correct
    password still logs in from an address that others' failures have blocked."""
    limit = parse(current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
    key = ("login-address", get_remote_address())
    if limiter.limiter.hit(limit, *key):
        return None
    return limiter.limiter.get_window_stats(limit, *key).reset_time


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_PHONE"],
    key_func=_phone_key,
    methods=["POST"],
    scope="login-phone",
    deduct_when=lambda response: g.get("login_failed", False),
    on_breach=lambda limit: _too_many_attempts(limit.reset_at),
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.phone.data, form.password.data)
        if user is not None:
            _sign_in(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("home.home")))
        form.password.errors.append(_("The mobile number or the password is wrong."))
    if request.method == "POST":
        g.login_failed = True
        reset_at = _address_over_limit_after_failure()
        if reset_at is not None:
            return _too_many_attempts(reset_at)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        end_session(current_user, current_user.current_session.id)
        db.session.commit()
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("home.home"))


def _too_many_registrations(limit):
    form = RegisterForm()
    form.password.data = form.confirm.data = ""
    message = _("Too many registrations from this connection. Please try again later.")
    return make_response(render_template("auth/register.html", form=form, blocked=message,
                                         password_min=PASSWORD_MIN_LENGTH), 429)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["REGISTER_LIMIT_PER_ADDRESS"],
    key_func=get_remote_address,
    methods=["POST"],
    scope="register-address",
    on_breach=_too_many_registrations,
)
def register():
    """A taken number and a free one get the same answer, so that nobody learns from this
    page who has an account; the new account then logs in like any other."""
    if current_user.is_authenticated:
        return redirect(url_for("home.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        register_if_free(
            name=form.name.data.strip(),
            phone=form.phone.data,
            password=form.password.data,
            locale=select_locale(),
            elder_mode=request.cookies.get("elder") == "1",
        )
        db.session.commit()
        flash(_("If this number can register, its account is ready: log in with it and the "
                "password you chose. If it had an account already, log in with that account's "
                "password."), "info")
        return redirect(url_for("auth.login", next=url_for("community.request_link")))
    return render_template("auth/register.html", form=form, password_min=PASSWORD_MIN_LENGTH)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """A new password also logs out every other session, remember-me included."""
    form = ChangePasswordForm(current_user)
    if form.validate_on_submit():
        current_user.set_password(form.password.data)
        end_other_sessions(current_user)
        db.session.commit()
        _rewrite_cookies()
        flash(_("Your password has been changed. Every other device has been logged out."),
              "success")
        return redirect(url_for("community.my_account"))
    return render_template("auth/password.html", form=form)


@bp.app_template_global("my_sessions")
def my_sessions():
    """The signed-in user's open sessions, for the list on /me."""
    return active_sessions(current_user, utcnow(), _lifetimes())


@bp.route("/sessions/<int:session_id>/logout", methods=["POST"])
@login_required
def end_one_session(session_id: int):
    """Log out one of one's own sessions; another person's is not found."""
    current = session_id == current_user.current_session.id
    if not end_session(current_user, session_id):
        abort(404)
    db.session.commit()
    if current:
        logout_user()
        flash(_("You have logged out."), "info")
        return redirect(url_for("home.home"))
    flash(_("That device has been logged out."), "success")
    return redirect(url_for("community.my_account"))


@bp.route("/sessions/logout-others", methods=["POST"])
@login_required
def end_others():
    end_other_sessions(current_user)
    db.session.commit()
    _rewrite_cookies()
    flash(_("Every other device has been logged out."), "success")
    return redirect(url_for("community.my_account"))
