"""Form pieces shared by every feature."""

from collections.abc import Iterable
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectMultipleField
from wtforms.validators import ValidationError

from app.extensions import local_zone


def strip(value):
    """A field filter: what was typed, without the spaces around it."""
    return value.strip() if isinstance(value, str) else value


def options(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """Choices for a select or radio field from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class CheckboxesField(SelectMultipleField):
    """Ticked boxes, laid out by the ``field()`` macro. Values are checked by the form itself, so
    that a wrong one gets our message instead of WTForms' generic one."""

    def pre_validate(self, form):
        known = {str(choice.value) for choice in self.choices}
        if any(value not in known for value in self.data or []):
            raise ValidationError(_l("Choose only from the list."))


def to_utc(local: datetime) -> datetime:
    """A datetime-local value is wall-clock time in the local zone; the database keeps UTC."""
    return local.replace(tzinfo=local_zone()).astimezone(UTC)
