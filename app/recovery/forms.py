from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from app.auth.forms import NotCommon, PhoneField
from app.auth.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from app.core.refusals import REFUSALS
from app.recovery.codes import read_code

REFUSALS.register_all({
    "recovery.wrong_code": _l(
        "This code is wrong or no longer valid. A code works once, for a limited time, and "
        "stops working after 5 wrong tries: then ask for a new one."),
    "recovery.not_in_community": _l(
        "No account with this number belongs to this community. Check the number with the "
        "person."),
    "recovery.higher_standing": _l(
        "You cannot issue a reset code for this person: their account has at least your "
        "standing. An administrator above you can."),
})


class ForgotForm(FlaskForm):
    phone = PhoneField(_l("Mobile number"), validators=[DataRequired()])


class ResetForm(FlaskForm):
    phone = PhoneField(_l("Mobile number"), validators=[DataRequired()])
    code = StringField(_l("Reset code"), validators=[DataRequired(), Length(max=20)])
    password = PasswordField(_l("New password"), validators=[
        DataRequired(),
        Length(min=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH,
               message=_l("Use at least %(min)d characters.", min=PASSWORD_MIN_LENGTH)),
        NotCommon(lambda form: form.phone.data),
    ])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )

    def validate_code(self, field):
        if read_code(field.data) is None:
            raise ValidationError(_l("Type the 6-digit code from the text message, or the "
                                     "8-character code from the staff."))


class StaffCodeForm(FlaskForm):
    phone = PhoneField(_l("The person's mobile number"), validators=[DataRequired()])
    identity_checked = BooleanField(
        _l("I have checked this person's identity document in person"),
        validators=[InputRequired(message=_l(
            "Check the person's identity document first, then tick this box."))],
    )
