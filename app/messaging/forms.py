"""The person's channel choices, and the staff's record of printed slips."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from app.core.forms import CheckboxesField, options
from app.messaging.rules import Category

CATEGORY_LABELS = {
    Category.VOTES: _l("Votes: a poll opens, closes soon, its result"),
    Category.MEETINGS: _l("Meetings: invitations, changes, cancellations"),
    Category.HOME: _l("My home and account: link requests, notices for my home"),
    Category.DISCUSSION: _l("Discussion and proposals: replies, answers, status changes"),
}


class ChoicesForm(FlaskForm):
    sms = CheckboxesField(_l("By SMS to my phone"), choices=options(CATEGORY_LABELS.items()))
    slip = CheckboxesField(
        _l("On a printed slip in my letterbox"), choices=options(CATEGORY_LABELS.items()),
        description=_l("Committee staff print the slips and bring them to your home."))


class MarkPrintedForm(FlaskForm):
    # The newest slip in the PDF that was printed; slips added later wait for the next print.
    up_to = IntegerField(validators=[InputRequired(message=_l("Download the slips first.")),
                                     NumberRange(min=1, message=_l("Download the slips first."))])
