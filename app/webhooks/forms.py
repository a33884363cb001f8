"""The form an administrator fills in to register a webhook."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from app.core.forms import CheckboxesField, options, strip
from app.webhooks.labels import EVENT_LABELS
from app.webhooks.models import EventType
from app.webhooks.services import WebhookRefused, check_target
from app.webhooks.targets import MAX_URL_LENGTH


class WebhookForm(FlaskForm):
    url = StringField(
        _l("Address that receives the events"),
        description=_l("The receiving system's address, such as "
                       "https://example.org/gongzhi-events."),
        validators=[DataRequired(message=_l("Enter the address that receives the events.")),
                    Length(max=MAX_URL_LENGTH,
                           message=_l("The address is too long (at most 500 characters)."))],
        filters=[strip])
    events = CheckboxesField(
        _l("Send these events"),
        choices=options([(e.value, EVENT_LABELS[e]) for e in EventType]),
        validators=[DataRequired(message=_l("Choose at least one."))])

    def validate_url(self, field):
        """The address's own problems show with every other error of the form."""
        try:
            check_target(field.data)
        except WebhookRefused as refused:
            raise ValidationError(refused.message) from None
