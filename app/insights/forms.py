"""The dashboard's choice of period (and grid), read from the query string."""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Form, RadioField
from wtforms.validators import Optional

from app.core.forms import SelectField, options
from app.insights.services import Period

PRESETS = {"30d": 30, "90d": 90, "12m": 365}
PERIOD_LABELS = {
    "30d": _l("Last 30 days"),
    "90d": _l("Last 90 days"),
    "12m": _l("Last 12 months"),
    "custom": _l("From … to …"),
}
MAX_DAYS = 3 * 366


class PeriodForm(Form):
    period = RadioField(_l("Period"), default="90d", choices=options(PERIOD_LABELS.items()),
                        invalid_choice_message=_l("Choose only from the list."))
    start = DateField(_l("From"), validators=[Optional()],
                      description=_l("For “From … to …”, Beijing dates, both included."))
    end = DateField(_l("To"), validators=[Optional()])
    grid = SelectField(_l("Grid"), default="",
                       invalid_choice_message=_l("Choose only from the list."))

    def __init__(self, formdata, grids, *, whole_community: bool, today: date):
        """``grids``: (id, name) of the grids the user may look at alone; a user who sees
        the whole community may also choose it."""
        super().__init__(formdata)
        whole = [("", _l("Whole community"))] if whole_community else []
        self.grid.choices = options(whole + list(grids))
        if not whole_community and not self.grid.data and grids:
            self.grid.data = str(grids[0][0])
        self.today = today

    def validate(self, extra_validators=None) -> bool:
        """The dates matter only for “From … to …”; there both are needed, in order."""
        valid = super().validate(extra_validators)
        if not valid or self.period.data != "custom":
            return valid
        start, end = self.start.data, self.end.data
        if start is None:
            self.start.errors.append(_l("Enter the first day of the period."))
        if end is None:
            self.end.errors.append(_l("Enter the last day of the period."))
        elif start is not None and end < start:
            self.end.errors.append(_l("The last day cannot be before the first."))
        elif start is not None and (end - start).days >= MAX_DAYS:
            self.end.errors.append(_l("Choose a period of at most three years."))
        elif end > self.today:
            self.end.errors.append(_l("The last day cannot be in the future."))
        return not (self.start.errors or self.end.errors)

    def chosen_period(self) -> Period:
        if self.period.data == "custom":
            return Period(self.start.data, self.end.data)
        days = PRESETS.get(self.period.data, PRESETS["90d"])
        return Period(self.today - timedelta(days=days - 1), self.today)

    def chosen_grid(self) -> int | None:
        return int(self.grid.data) if self.grid.data else None

    def query(self) -> dict:
        """The choice as query-string arguments, for the CSV links."""
        args = {"period": self.period.data}
        if self.period.data == "custom":
            args.update(start=self.start.data.isoformat(), end=self.end.data.isoformat())
        if self.grid.data:
            args["grid"] = self.grid.data
        return args
