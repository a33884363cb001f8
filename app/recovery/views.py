"""Forgotten passwords: ask for a code by SMS, set a new password with it or with a paper
code from staff, and the staff page that issues paper codes."""

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user
from limits import parse

from app.auth.passwords import PASSWORD_MIN_LENGTH
from app.auth.sessions import Lifetimes, end_other_sessions, open_session
from app.community.models import Community
from app.extensions import db, limiter, utcnow
from app.permissions import require
from app.phones import mask_phone
from app.recovery import codes
from app.recovery.forms import ForgotForm, ResetForm, StaffCodeForm
from app.recovery.services import (
    RecoveryRefused,
    issue_staff_code,
    offices,
    reset_password,
    send_sms_code,
)

bp = Blueprint("recovery", __name__)

# The number the last code was asked for, so the reset form starts with it filled in.
_PHONE_KEY = "recovery_phone"


@bp.app_template_global("recovery_offices")
def recovery_offices():
    """Where people can ask in person; the login page's lockout message lists them too."""
    return offices()


def _minutes_until(reset_at: float) -> int:
    return max(1, round((reset_at - time.time()) / 60))


def _over_limit(setting: str, scope: str, key: str) -> int | None:
    """Count one request against a limit; when it is past the limit, the minutes to wait."""
    limit = parse(current_app.config[setting])
    if limiter.limiter.hit(limit, scope, key):
        return None
    return _minutes_until(limiter.limiter.get_window_stats(limit, scope, key).reset_time)


@bp.route("/auth/forgot", methods=["GET", "POST"])
def forgot():
    """The same answer for every number, registered or not: only its owner's phone learns
    more. Both the number and the connection have a limit on how many codes they ask for."""
    form = ForgotForm()
    if form.validate_on_submit():
        minutes = _over_limit("RECOVERY_LIMIT_PER_ADDRESS", "recovery-address",
                              get_remote_address())
        blocked = ngettext(
            "Too many codes were asked for from this connection. Please try again in "
            "%(num)d minute.",
            "Too many codes were asked for from this connection. Please try again in "
            "%(num)d minutes.", minutes) if minutes else None
        if blocked is None:
            minutes = _over_limit("RECOVERY_LIMIT_PER_PHONE", "recovery-phone",
                                  form.phone.data)
            blocked = ngettext(
                "Too many codes were asked for this number. Please try again in %(num)d "
                "minute, or ask the staff for a reset code.",
                "Too many codes were asked for this number. Please try again in %(num)d "
                "minutes, or ask the staff for a reset code.", minutes) if minutes else None
        if blocked is not None:
            return make_response(render_template("recovery/forgot.html", form=form,
                                                 blocked=blocked), 429)
        send_sms_code(form.phone.data, utcnow())
        db.session.commit()
        session[_PHONE_KEY] = form.phone.data
        flash(_("If this number has an account, a text message with a 6-digit code is on "
                "its way. The code is valid for %(minutes)d minutes.",
                minutes=int(codes.LIFETIMES[codes.SMS].total_seconds() // 60)), "info")
        return redirect(url_for("recovery.reset"))
    return render_template("recovery/forgot.html", form=form)


@bp.route("/auth/reset", methods=["GET", "POST"])
def reset():
    """A right code sets the new password, logs out every session of the account and signs
    the person in here. ``?staff=1`` words the page for a paper code from the staff."""
    form = ResetForm()
    if request.method == "GET" and not form.phone.data:
        form.phone.data = session.get(_PHONE_KEY, "")
    if form.validate_on_submit():
        now = utcnow()
        try:
            user = reset_password(form.phone.data, form.code.data, form.password.data, now)
        except RecoveryRefused as refused:
            db.session.commit()  # the wrong try counts
            form.code.errors.append(refused.message)
        else:
            open_session(user, remember=False, user_agent=request.headers.get("User-Agent", ""),
                         address=request.remote_addr or "", now=now,
                         lifetimes=Lifetimes.from_config(current_app.config))
            end_other_sessions(user)
            login_user(user)  # before the commit, as app/auth signs in: what it writes goes too
            # Worded before the commit, which would make the language (the user's) a query.
            flash(_("Your new password is set, and you are logged in. Every other device "
                    "has been logged out."), "success")
            db.session.commit()
            session.pop(_PHONE_KEY, None)
            return redirect(url_for("home.home"))
    return render_template("recovery/reset.html", form=form, password_min=PASSWORD_MIN_LENGTH,
                           staff=request.args.get("staff") == "1")


@bp.route("/c/<int:community_id>/password-help", methods=["GET", "POST"])
@login_required
def staff_code(community_id: int):
    """Staff who have checked a person's identity in person print them a one-time code.
    The code is shown once, on this response, and never stored in the clear."""
    community = db.get_or_404(Community, community_id)
    require("recovery.issue_code", community)
    form = StaffCodeForm()
    if form.validate_on_submit():
        now = utcnow()
        try:
            person, code = issue_staff_code(current_user, community, form.phone.data, now)
        except RecoveryRefused as refused:
            form.phone.errors.append(refused.message)
        else:
            # Rendered before the commit, which would expire what the page shows.
            page = render_template(
                "recovery/staff_code.html", community=community, code=codes.printed(code),
                name=codes.masked_name(person.name), phone=mask_phone(person.phone),
                expires_at=now + codes.LIFETIMES[codes.STAFF])
            db.session.commit()
            return page
    return render_template("recovery/staff_code_form.html", community=community, form=form)
