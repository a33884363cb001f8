"""Asking for one's account to be erased, and an admin confirming that they erase it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.core.forms import strip
from app.core.refusals import REFUSALS

REFUSALS.register_all({
    "privacy.already_requested": _l("You already asked for your account to be erased; "
                                    "a community administrator will carry it out."),
    "privacy.already_erased": _l("This account was already erased."),
    "privacy.not_your_own": _l("Another administrator must erase your own account."),
})

REASON_MAX = 500


class DeletionRequestForm(FlaskForm):
    reason = TextAreaField(
        _l("Why? (optional)"), filters=[strip],
        validators=[Length(max=REASON_MAX, message=_l(
            "Please keep the reason under %(max)d characters.", max=REASON_MAX))])
    confirm = BooleanField(
        _l("I understand that my name, mobile number and login will be removed for good, "
           "and that my ballots and what I posted stay, under \"deleted user\"."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))])


class CarryOutForm(FlaskForm):
    confirm = BooleanField(
        _l("Erase this account now. This cannot be undone."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))])
