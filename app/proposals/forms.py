"""Forms for proposals and community settings, and the words the pages show for codes."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    Form,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.community.forms import ScopeFields
from app.core.forms import CheckboxesField, SelectField, options, strip
from app.core.refusals import REFUSALS
from app.core.uploads import MEGABYTE, UploadRejected, clean_photo
from app.proposals.labels import CATEGORY_LABELS, OPINION_LABELS, STATUS_LABELS
from app.proposals.models import Category
from app.proposals.states import Status

SORT_LABELS = {
    "newest": _l("Newest"),
    "discussed": _l("Most discussed"),
    "closing": _l("Closing soon"),
}
REFUSALS.register("proposal.not_allowed_now",
                   _l("This cannot be done while the proposal is “%(status)s”."),
                   status=lambda status: STATUS_LABELS[status])
REFUSALS.register("proposal.not_yours", _l("You may not do this on this proposal."))



class ProposalForm(ScopeFields, FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)],
                        filters=[strip])
    body = TextAreaField(
        _l("What is it about?"), validators=[Optional(), Length(max=20000)],
        description=_l("Say what the problem is and what you propose. To lay it out: “# ” "
                       "at the start of a line makes a heading, “- ” a list, **two stars** on "
                       "each side bold; paste links as they are."))
    category = SelectField(_l("Category"), validators=[InputRequired(
        message=_l("Choose a category."))])
    organisation = SelectField(_l("Post as"), validate_choice=False)
    photos = MultipleFileField(_l("Photos"))

    def __init__(self, community, grids, buildings, organisations, existing_photos: int = 0,
                 *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        self.existing_photos = existing_photos
        self.category.choices = options([("", _l("Choose a category")),
                                         *CATEGORY_LABELS.items()])
        self.set_scope_choices(grids, buildings)
        self._organisations = {str(o.id): o for o in organisations}
        self.organisation.choices = options(
            [("", _l("Myself, as a resident")), *((o.id, o.name) for o in organisations)])
        self.max_photos = current_app.config["PROPOSAL_MAX_PHOTOS"]
        self.photo_max_bytes = current_app.config["PHOTO_MAX_BYTES"]
        self.photo_max_pixels = current_app.config["PHOTO_MAX_PIXELS"]
        self.photos.description = _l(
            "Up to %(count)d photos, JPEG, PNG or WebP, at most %(megabytes)d MB each. "
            "Location and camera data are removed.",
            count=self.max_photos, megabytes=self.photo_max_bytes // MEGABYTE)
        self.clean_photos = []

    def validate_category(self, field):
        if field.data not in set(Category):
            raise ValidationError(_l("Choose a category."))

    def validate_organisation(self, field):
        if field.data and field.data not in self._organisations:
            raise ValidationError(_l("You can only post for an organisation where you are "
                                     "staff or chair."))

    def validate_photos(self, field):
        uploads = [f for f in field.data or [] if f and f.filename]
        room = self.max_photos - self.existing_photos
        if len(uploads) > room:
            raise ValidationError(_l(
                "A proposal can have at most %(max)d photos; you can add %(room)d more.",
                max=self.max_photos, room=max(room, 0)))
        for upload in uploads:
            try:
                self.clean_photos.append(clean_photo(
                    upload.read(self.photo_max_bytes + 1), max_bytes=self.photo_max_bytes,
                    max_pixels=self.photo_max_pixels))
            except UploadRejected as rejected:
                self.clean_photos = []
                raise ValidationError(rejected.message(upload.filename)) from None

    @property
    def chosen_organisation(self):
        return self._organisations.get(self.organisation.data or "")


class ReasonForm(FlaskForm):
    """A chair's decision that the author and the timeline must be told the reason of."""

    reason = TextAreaField(_l("Reason (shown on the timeline)"),
                           validators=[DataRequired(message=_l("Give a reason.")),
                                       Length(max=500)], filters=[strip])


class MergeForm(FlaskForm):
    into = SelectField(_l("Merge into"), validate_choice=False)
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=500)],
                         filters=[strip])

    def __init__(self, candidates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._candidates = {str(p.id): p for p in candidates}
        self.into.choices = options(
            [("", _l("Choose the proposal to keep")),
             *((p.id, f"#{p.id} {p.title}") for p in candidates)])

    def validate_into(self, field):
        if field.data not in self._candidates:
            raise ValidationError(_l("Choose an open proposal of this community."))

    @property
    def survivor(self):
        return self._candidates[self.into.data]


class RulesOfOrderForm(FlaskForm):
    max_comment_length = IntegerField(
        _l("Longest comment allowed (characters)"),
        validators=[InputRequired(message=_l("Enter a number.")),
                    NumberRange(min=50, max=5000)])
    max_comments_per_person = IntegerField(
        _l("Most comments per person"), validators=[Optional(), NumberRange(min=1, max=1000)],
        description=_l("Leave empty for no limit."))
    discussion_locked = BooleanField(_l("Lock the discussion (nobody can comment)"))


class PartyReviewForm(FlaskForm):
    opinion = RadioField(_l("Opinion"), choices=options(OPINION_LABELS.items()),
                         validators=[InputRequired(message=_l("Choose an opinion."))])
    text = TextAreaField(_l("The branch's opinion in words"),
                         validators=[DataRequired(message=_l("Write the opinion.")),
                                     Length(max=2000)], filters=[strip])


class SettingsForm(FlaskForm):
    cosponsor_threshold = IntegerField(
        _l("Co-sponsors a resident's proposal needs"),
        validators=[InputRequired(message=_l("Enter a number.")), NumberRange(min=1, max=100)],
        description=_l("Between 1 and 100. At this number a proposal moves to deliberation."))
    report_threshold = IntegerField(
        _l("Reports that hide a post until a moderator looks"),
        validators=[InputRequired(message=_l("Enter a number.")), NumberRange(min=1, max=50)],
        description=_l("Between 1 and 50."))
    party_review_categories = CheckboxesField(
        _l("Categories that need the party branch's opinion before a vote (党组织前置研究)"),
        choices=options(CATEGORY_LABELS.items()),
        description=_l("Tick none to switch the review off."))


class ListFilterForm(Form):
    """The list page's filters, read from the query string; a wrong value is ignored."""

    q = StringField(_l("Search titles and text"), filters=[strip],
                    validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Status"), choices=options(
        [("", _l("Any status")),
         *((s, label) for s, label in STATUS_LABELS.items() if s != Status.DRAFT)]))
    category = SelectField(_l("Category"), choices=options(
        [("", _l("Any category")), *CATEGORY_LABELS.items()]))
    scope = SelectField(_l("Grid or building"), choices=[])
    sort = SelectField(_l("Sort by"), choices=options(SORT_LABELS.items()), default="newest")
    mine = BooleanField(_l("Mine"))
    following = BooleanField(_l("I follow"))
    near_me = BooleanField(_l("In my building or grid"))
    waiting = BooleanField(_l("Waiting for an official answer"))

    def __init__(self, formdata, grids, buildings):
        super().__init__(formdata)
        self.scope.choices = options(
            [("", _l("Anywhere")), *((f"g{g.id}", g.name) for g in grids),
             *((f"b{b.id}", b.name) for b in buildings)])
        self.validate()
        for name, field in self._fields.items():
            if field.errors:
                field.data = self[name].default
                field.errors = []

    def value(self, name):
        return self[name].data or None
