from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import select
from wtforms import DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.auth.forms import PhoneField
from app.community.labels import LINK_KIND_LABELS, ORGANISATION_KIND_LABELS, SCOPE_LABELS
from app.community.link_risk import REPLACE_REASON_MIN, reason_problem
from app.community.models import (
    Building,
    Community,
    Grid,
    LinkKind,
    Organisation,
    OrganisationKind,
    PartyStatus,
)
from app.community.scope import ScopeKind
from app.community.services import risk_of
from app.core.forms import CheckboxesField, SelectField, options
from app.core.refusals import REFUSALS
from app.extensions import db


def _name_field(label, max_length: int):
    return StringField(label, validators=[DataRequired(), Length(max=max_length)],
                       filters=[lambda value: value.strip() if value else value])


class CommunityForm(FlaskForm):
    name = _name_field(_l("Name"), 100)
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])

    def validate_name(self, field):
        if db.session.execute(select(Community.id).where(Community.name == field.data)).first():
            raise ValidationError(_l("A community with this name already exists."))


class _InCommunityForm(FlaskForm):
    """A form about one community; ``model`` names what must be unique in it."""

    model = None

    def __init__(self, community: Community, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community

    def validate_name(self, field):
        exists = db.session.execute(select(self.model.id).where(
            self.model.community_id == self.community.id, self.model.name == field.data)).first()
        if exists:
            raise ValidationError(_l("This name is already used in this community."))


def _grid_choices(community: Community, blank_label):
    grids = db.session.execute(
        select(Grid.id, Grid.name).where(Grid.community_id == community.id).order_by(Grid.id)
    ).all()
    return options([("", blank_label)] + [(g.id, g.name) for g in grids])


def _grid_in(community: Community, grid_id: str) -> Grid | None:
    if not grid_id:
        return None
    grid = db.session.get(Grid, int(grid_id))
    return grid if grid and grid.community_id == community.id else None


class GridForm(_InCommunityForm):
    model = Grid
    name = _name_field(_l("Grid name"), 50)


class BuildingForm(_InCommunityForm):
    model = Building
    name = _name_field(_l("Building name"), 50)
    grid = SelectField(_l("Grid"), choices=[], validate_choice=True)

    def __init__(self, community: Community, *args, **kwargs):
        super().__init__(community, *args, **kwargs)
        self.grid.choices = _grid_choices(community, _l("No grid"))

    @property
    def grid_object(self) -> Grid | None:
        return _grid_in(self.community, self.grid.data)


class OrganisationForm(_InCommunityForm):
    model = Organisation
    kind = SelectField(_l("Kind"), choices=options(ORGANISATION_KIND_LABELS.items()))
    name = _name_field(_l("Name"), 100)
    grid = SelectField(_l("Grid (for a grid party branch)"), choices=[])

    def __init__(self, community: Community, *args, **kwargs):
        super().__init__(community, *args, **kwargs)
        self.grid.choices = _grid_choices(community, _l("Whole community"))

    def validate_grid(self, field):
        if self.kind.data == OrganisationKind.GRID_PARTY_BRANCH and not field.data:
            raise ValidationError(_l("Choose the grid this party branch serves."))

    @property
    def grid_object(self) -> Grid | None:
        return _grid_in(self.community, self.grid.data)


class RosterImportForm(FlaskForm):
    file = FileField(_l("Roster file (CSV or XLSX)"), validators=[
        FileRequired(message=_l("Choose a file to import.")),
        FileAllowed(["csv", "xlsx"], message=_l("Only CSV and XLSX files can be imported.")),
    ])
    developer = StringField(
        _l("Developer's name, as in the file (for unsold units)"),
        validators=[Optional(), Length(max=100)],
    )


class PersonRoleForm(FlaskForm):
    """Give a registered person a role; they are found by their mobile number."""

    phone = PhoneField(_l("Their mobile number"), validators=[DataRequired()])
    role = SelectField(_l("Role"), choices=[])

    def __init__(self, role_labels: dict, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = options(role_labels.items())

    def validate_phone(self, field):
        from app.community.services import user_by_phone

        self.user = user_by_phone(field.data)
        if self.user is None:
            raise ValidationError(_l("Nobody has registered with this number yet."))


class _LeaveDayField(DateField):
    """A day whose unreadable input gets our message instead of WTForms' own."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Give the date as year-month-day, for example 2026-12-31.")) \
                from None


class PartyStandingForm(FlaskForm):
    """A party member's standing and approved leave, which decide whether they count in the
    branch's votes and quorum (支部工作条例 Art. 11)."""

    party_status = SelectField(_l("Standing"), choices=options([
        (PartyStatus.FULL, _l("Full member (正式党员)")),
        (PartyStatus.PROBATIONARY, _l("Probationary member (预备党员), no vote")),
    ]))
    on_leave_until = _LeaveDayField(_l("On approved leave up to and including"),
                                    validators=[Optional()])
    leave_reason = StringField(_l("Reason for the leave"), validators=[Length(max=200)],
                               filters=[lambda value: value.strip() if value else value])

    def validate_leave_reason(self, field):
        if self.on_leave_until.data and not field.data:
            raise ValidationError(_l("Say why the member is on leave."))
        if field.data and not self.on_leave_until.data and not self.on_leave_until.errors:
            raise ValidationError(_l("Give the last day of the leave, or clear the reason."))


class DecisionForm(FlaskForm):
    """Approve, reject, or, where approving would take a unit from another account or trust
    someone the roster does not name, replace with a reason."""

    decision = RadioField(
        _l("Decision"), choices=[], validate_choice=False,
        validators=[InputRequired(message=_l("Choose approve or reject."))],
    )
    owner = RadioField(_l("Link to this owner on the roster"), choices=[], validate_choice=False)
    reason = TextAreaField(_l("Reason (the resident will see it)"),
                           validators=[Length(max=500)])
    replace_reason = TextAreaField(
        _l("Why replace (kept in the audit log and sent to an account that loses its link)"),
        validators=[Length(max=500)])

    def __init__(self, link_request, owners, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.link_request = link_request
        self.owner.choices = options((o.id, o.name) for o in owners)
        self.owners = {str(o.id): o for o in owners}
        self.risks = ({key: risk_of(link_request, o) for key, o in self.owners.items()}
                      if link_request.kind == LinkKind.OWNER else {})
        risky = [key for key, risk in self.risks.items() if risk.needs_replace]
        self.offers_replace = bool(risky)
        choices = [("approve", _l("Approve"))]
        if risky:
            replace = ("replace", _l("Replace: link despite the warning above"))
            choices = [replace] if len(risky) == len(self.owners) else [*choices, replace]
        self.decision.choices = options([*choices, ("reject", _l("Reject"))])

    def validate_decision(self, field):
        risk = self.risks.get(self.owner.data)
        if field.data == "approve" and risk is not None and risk.needs_replace:
            raise ValidationError(REFUSALS["verification.needs_replace"])
        if field.data not in {choice.value for choice in self.decision.choices}:
            raise ValidationError(_l("Choose approve or reject."))

    def validate_owner(self, field):
        if self.decision.data not in ("approve", "replace") or \
                self.link_request.kind != LinkKind.OWNER:
            return
        if not self.owners:
            raise ValidationError(_l(
                "This unit has no owner on the roster. Update the roster first, or reject."))
        if field.data not in self.owners:
            raise ValidationError(_l("Choose which owner on the roster this person is."))

    @property
    def chosen_owner(self):
        return self.owners.get(self.owner.data)

    def validate_reason(self, field):
        if self.decision.data == "reject" and not (field.data or "").strip():
            raise ValidationError(_l("Tell the resident why, so they can put it right."))

    def validate_replace_reason(self, field):
        if self.decision.data != "replace":
            return
        problem = reason_problem(field.data)
        if problem == "missing":
            raise ValidationError(_l("Say why this link should replace the other."))
        if problem == "too_short":
            raise ValidationError(_l("Say a little more: at least %(min)d characters.",
                                     min=REPLACE_REASON_MIN))


class LinkRequestForm(FlaskForm):
    community = SelectField(_l("Community"), choices=[])
    building = SelectField(_l("Building"), choices=[])
    unit = StringField(_l("Room number"), validators=[DataRequired(), Length(max=20)],
                       description=_l("As on your property certificate, such as 1201"))
    kind = RadioField(_l("You are"), choices=options(LINK_KIND_LABELS.items()),
                      default=LinkKind.OWNER,
                      validators=[InputRequired(message=_l("Choose owner or resident."))])
    note = TextAreaField(_l("Anything staff should know (optional)"),
                         validators=[Optional(), Length(max=300)])
    step = HiddenField()


class ScopeFields:
    """Who a proposal or a notice concerns: the whole community, grids or buildings. Mixed
    into a form, with ``set_scope_choices`` called from its constructor."""

    scope_kind = RadioField(_l("Who does it concern?"),
                            choices=options(SCOPE_LABELS.items()), default=ScopeKind.COMMUNITY,
                            validators=[InputRequired(message=_l("Choose who it concerns."))])
    grids = CheckboxesField(_l("Grids"))
    buildings = CheckboxesField(_l("Buildings"))

    def set_scope_choices(self, grids, buildings) -> None:
        self.grids.choices = options((g.id, g.name) for g in grids)
        self.buildings.choices = options((b.id, b.name) for b in buildings)
        self._grids = {str(g.id): g for g in grids}
        self._buildings = {str(b.id): b for b in buildings}

    def validate_grids(self, field):
        if self.scope_kind.data == ScopeKind.GRIDS and not field.data:
            raise ValidationError(_l("Choose at least one grid."))

    def validate_buildings(self, field):
        if self.scope_kind.data == ScopeKind.BUILDINGS and not field.data:
            raise ValidationError(_l("Choose at least one building."))

    @property
    def chosen_grids(self):
        return [self._grids[v] for v in self.grids.data or []]

    @property
    def chosen_buildings(self):
        return [self._buildings[v] for v in self.buildings.data or []]
