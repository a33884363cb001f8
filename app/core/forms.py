"""Form pieces shared by every feature."""

from collections.abc import Iterable
from datetime import UTC, datetime

import wtforms
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import SelectChoice, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import Select

from app.extensions import local_zone


def strip(value):
    """A field filter: what was typed, without the spaces around it."""
    return value.strip() if isinstance(value, str) else value


def options(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """Choices for a select or radio field from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class PlainOptionsSelect(Select):
    """WTForms' select, its plain options written with markupsafe's escaping (in C). WTForms
    writes each through ``html_params``, whose ``Markup.format`` escapes in Python: the 80
    options of the proposal list's filters were a sixth of that page's time. The output is
    the same, attribute order included."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{escape(value)}">{label}</option>')


class SelectField(wtforms.SelectField):
    """The select field of every form here (see PlainOptionsSelect)."""

    widget = PlainOptionsSelect()


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
