"""The forms for recording a follow-up action and for reporting it done."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.core.forms import SelectField, options, strip
from app.core.refusals import REFUSALS
from app.core.uploads import MEGABYTE, UploadRejected, clean_photo
from app.extensions import beijing_today

REFUSALS.register_all({
    "followup.already_done": _l("This action was already reported done."),
    "followup.nothing_to_show": _l("Write what was done, or add a photo that shows it."),
})


class DayField(DateField):
    """A date whose unreadable input gets our message instead of WTForms' own."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            message = _l("Give the date as year-month-day, for example 2026-12-31.")
            raise ValueError(message) from None


class ActionForm(FlaskForm):
    """What a meeting asked of whom, by when. ``organisations`` are the community's."""

    description = TextAreaField(
        _l("What is to be done?"), filters=[strip],
        validators=[DataRequired(message=_l("Say what is to be done.")), Length(max=1000)])
    organisation = SelectField(_l("Responsible organisation"), validate_choice=False)
    due_on = DayField(_l("Due by"), validators=[
        InputRequired(message=_l("Give the date by which it is due."))])

    def __init__(self, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._organisations = {str(o.id): o for o in organisations}
        self.organisation.choices = options(
            [("", _l("Choose an organisation")), *((o.id, o.name) for o in organisations)])

    def validate_organisation(self, field):
        if field.data not in self._organisations:
            raise ValidationError(_l("Choose the organisation that is responsible."))

    def validate_due_on(self, field):
        if field.data is not None and field.data < beijing_today():
            raise ValidationError(_l("The due date cannot be in the past."))

    @property
    def chosen_organisation(self):
        return self._organisations[self.organisation.data]


class DoneForm(FlaskForm):
    """Done, with a note or a photo (or both) that shows what was done."""

    note = TextAreaField(_l("What was done?"), filters=[strip],
                         validators=[Length(max=2000)])
    photo = FileField(_l("Photo (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.photo_max_bytes = current_app.config["PHOTO_MAX_BYTES"]
        self.photo_max_pixels = current_app.config["PHOTO_MAX_PIXELS"]
        self.photo.description = _l(
            "JPEG, PNG or WebP, at most %(megabytes)d MB. Location and camera data are removed.",
            megabytes=self.photo_max_bytes // MEGABYTE)
        self.clean_photo = None

    def _upload(self):
        upload = self.photo.data
        return upload if upload and getattr(upload, "filename", "") else None

    def validate_note(self, field):
        if not field.data and self._upload() is None:
            raise ValidationError(_l("Write what was done, or add a photo that shows it."))

    def validate_photo(self, _field):
        upload = self._upload()
        if upload is None:
            return
        try:
            self.clean_photo = clean_photo(upload.read(self.photo_max_bytes + 1),
                                           max_bytes=self.photo_max_bytes,
                                           max_pixels=self.photo_max_pixels)
        except UploadRejected as rejected:
            raise ValidationError(rejected.message(upload.filename)) from None
