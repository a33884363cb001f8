"""The form a chair fills in to issue an API token for their organisation."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.api.tokens import RESOURCES
from app.core.forms import CheckboxesField, options, strip

RESOURCE_LABELS = {"communities": _l("Communities"), "proposals": _l("Proposals"),
                   "notices": _l("Notices"), "polls": _l("Polls"),
                   "meetings": _l("Meetings"), "actions": _l("Follow-up actions"),
                   "insights": _l("Insights")}


class TokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[DataRequired(), Length(max=100)],
                       filters=[strip])
    resources = CheckboxesField(
        _l("It may read"), choices=options([(r, RESOURCE_LABELS[r]) for r in RESOURCES]),
        validators=[DataRequired(message=_l("Choose at least one."))])
    days = IntegerField(_l("Valid for (days)"), default=90, validators=[
        InputRequired(message=_l("Enter a number of days from 1 to 365.")),
        NumberRange(min=1, max=365, message=_l("Enter a number of days from 1 to 365."))])
