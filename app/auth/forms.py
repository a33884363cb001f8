from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from app.auth.models import User
from app.extensions import db
from app.phones import normalise_phone

PASSWORD_MIN_LENGTH = 8


class PhoneField(StringField):
    """A mobile number, normalised to 11 digits once it validates."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = (self.data or "").strip()

    def pre_validate(self, form):
        try:
            normalised = normalise_phone(self.data)
        except ValueError:
            raise ValidationError(
                _l("Enter an 11-digit mainland mobile number, such as 13812345678.")
            ) from None
        if normalised is not None:
            self.data = normalised


class LoginForm(FlaskForm):
    phone = PhoneField(_l("Mobile number"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me logged in on this device"))


def _password_rules():
    return [
        DataRequired(),
        Length(
            min=PASSWORD_MIN_LENGTH,
            max=128,
            message=_l("Use at least %(min)d characters.", min=PASSWORD_MIN_LENGTH),
        ),
    ]


class RegisterForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=50)])
    phone = PhoneField(_l("Mobile number"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=_password_rules())
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    accept_privacy = BooleanField(
        _l("I have read and agree to the privacy notice"),
        validators=[InputRequired(message=_l("Please read and agree to the privacy notice."))],
    )

    def validate_phone(self, field):
        taken = db.session.execute(select(User.id).where(User.phone == field.data)).first()
        if taken:
            raise ValidationError(_l("This number is already registered. Log in instead."))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=_password_rules())
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current(self, field):
        if not self.user.check_password(field.data):
            raise ValidationError(_l("That is not your current password."))
