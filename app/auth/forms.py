from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from app.auth.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, is_common
from app.phones import normalise_phone


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


class NotCommon:
    """Refuses a password from the list of common ones, or one containing the number."""

    def __init__(self, phone_of):
        self.phone_of = phone_of

    def __call__(self, form, field):
        if field.data and is_common(field.data, self.phone_of(form)):
            raise ValidationError(_l("This password is among the first ones anybody would "
                                     "try. Choose another."))


def _password_rules(phone_of):
    return [
        DataRequired(),
        Length(
            min=PASSWORD_MIN_LENGTH,
            max=PASSWORD_MAX_LENGTH,
            message=_l("Use at least %(min)d characters.", min=PASSWORD_MIN_LENGTH),
        ),
        NotCommon(phone_of),
    ]


class RegisterForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=50)])
    phone = PhoneField(_l("Mobile number"), validators=[DataRequired()])
    password = PasswordField(_l("Password"),
                             validators=_password_rules(lambda form: form.phone.data))
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    accept_privacy = BooleanField(
        _l("I have read and agree to the privacy notice"),
        validators=[InputRequired(message=_l("Please read and agree to the privacy notice."))],
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"),
                             validators=_password_rules(lambda form: form.user.phone))
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
