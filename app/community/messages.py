"""The words for roster problems and for the community's refusals, kept out of the pure
modules."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.refusals import REFUSALS

REFUSALS.register_all({
    "verification.needs_replace": _l(
        "This link would replace another account's verified link or trust someone the roster "
        "does not name: choose “Replace” and give a reason."),
    "membership.last_chair": _l(
        "%(name)s is the last chair of %(organisation)s, and it needs one to manage its "
        "members. Make someone else chair first, such as %(candidates)s."),
    "membership.last_chair_alone": _l(
        "%(name)s is the last chair of %(organisation)s, and it needs one to manage its "
        "members. Give someone else the chair role first, then try again."),
})


def _column_name(column: str) -> str:
    return {"building": _("The building"), "unit": _("The unit (room number)"),
            "owner_name": _("The owner's name")}[column]


def roster_error_message(code: str, params: dict) -> str:
    messages = {
        "unsupported_type": lambda: _("Only CSV and XLSX files can be imported."),
        "bad_encoding": lambda: _("The file is neither UTF-8 nor GBK text. Save it as CSV "
                                  "(UTF-8) or XLSX and try again."),
        "unreadable": lambda: _("The file cannot be read as an XLSX workbook."),
        "empty": lambda: _("The file has no rows to import."),
        "missing_columns": lambda: _("The header row lacks these columns: %(columns)s. "
                                     "The columns are building, unit, area_m2, owner_name, "
                                     "phone and (optional) grid.", **params),
        "too_many_rows": lambda: _("The file has more than %(max_rows)d rows.", **params),
        "missing_building": lambda: _("The building is missing."),
        "missing_unit": lambda: _("The unit (room number) is missing."),
        "missing_owner": lambda: _("The owner's name is missing."),
        "missing_area": lambda: _("The area is missing."),
        "bad_area": lambda: _("The area “%(value)s” is not a positive number of square "
                              "metres with at most 2 decimals.", **params),
        "bad_phone": lambda: _("The phone “%(value)s” is not an 11-digit mobile number.",
                               **params),
        "unknown_grid": lambda: _("There is no grid “%(grid)s” in this community. Add it "
                                  "first or correct the name.", **params),
        "several_developers": lambda: _("Developer rows name more than one developer: "
                                        "%(names)s.", **params),
        "building_in_other_grid": lambda: _("Building %(building)s is in grid %(grid)s, not "
                                            "the one this row names.", **params),
        "grid_conflict": lambda: _("Building %(building)s is given another grid on line "
                                   "%(first_line)d.", **params),
        "duplicate_unit_area": lambda: _("The same unit has area %(first_area)s m² on line "
                                         "%(first_line)d.", **params),
        "control_characters": lambda: _("The row contains invisible control characters "
                                        "(such as a NUL byte); remove them."),
        "too_long": lambda: _("%(column)s has %(length)d characters; at most %(limit)d fit.",
                              column=_column_name(params["column"]),
                              length=params["length"], limit=params["limit"]),
        "duplicate_row": lambda: _("This row repeats line %(first_line)d.", **params),
    }
    return messages[code]()
