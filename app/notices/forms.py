"""The notice form, and the words the notice pages show for codes."""

from flask import current_app
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateTimeLocalField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.community.forms import ScopeFields
from app.core.forms import SelectField, options, strip, to_utc
from app.core.refusals import REFUSALS
from app.core.uploads import MEGABYTE, UploadRejected, clean_document
from app.extensions import utcnow


def _short_time(moment) -> str:
    return format_datetime(moment, "short")


REFUSALS.register("notice.not_current", _l("This notice is withdrawn or expired: nobody is "
                                           "reminded about it."))
REFUSALS.register("notice.reminded_recently",
                  _l("A reminder went out at %(at)s. The next one can be sent after "
                     "%(next_at)s."),
                  at=_short_time, next_at=_short_time)
REFUSALS.register("notice.everyone_read", _l("Everyone in scope has read this notice: nobody "
                                             "needs a reminder."))
REFUSALS.register("notice.already_withdrawn", _l("This notice is already withdrawn."))


class NoticeForm(ScopeFields, FlaskForm):
    """A notice's scope works exactly as a proposal's: the same fields, labels and checks."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)],
                        filters=[strip])
    body = TextAreaField(
        _l("Text of the notice"), validators=[DataRequired(), Length(max=20000)],
        description=_l("To lay it out: “# ” at the start of a line makes a heading, “- ” a "
                       "list, **two stars** on each side bold; paste links as they are."))
    organisation = SelectField(_l("Issued by"), validate_choice=False,
                               validators=[InputRequired(message=_l("Choose the organisation."))])
    expires_at = DateTimeLocalField(
        _l("Expires at (Beijing time, optional)"), validators=[Optional()],
        description=_l("After this time the notice moves to “Expired” on the board."))
    pinned = BooleanField(_l("Pin it to the top of the board"))
    public = BooleanField(_l("Public: anyone may read it on the community's public page"),
                          description=_l("Only if the community's settings allow public notices."))
    attachments = MultipleFileField(_l("Attachments"))

    def __init__(self, grids, buildings, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_scope_choices(grids, buildings)
        self._organisations = {str(o.id): o for o in organisations}
        self.organisation.choices = options(
            ([] if len(organisations) == 1 else [("", _l("Choose the organisation"))])
            + [(o.id, o.name) for o in organisations])
        config = current_app.config
        self.max_attachments = config["NOTICE_MAX_ATTACHMENTS"]
        self.photo_max_bytes = config["PHOTO_MAX_BYTES"]
        self.photo_max_pixels = config["PHOTO_MAX_PIXELS"]
        self.pdf_max_bytes = config["PDF_MAX_BYTES"]
        self.attachments.description = _l(
            "Up to %(count)d files: PDFs of at most %(pdf_megabytes)d MB, JPEG, PNG or WebP "
            "photos of at most %(photo_megabytes)d MB. Location and camera data are removed "
            "from photos.", count=self.max_attachments,
            pdf_megabytes=self.pdf_max_bytes // MEGABYTE,
            photo_megabytes=self.photo_max_bytes // MEGABYTE)
        self.clean_attachments = []

    def validate_organisation(self, field):
        if field.data not in self._organisations:
            raise ValidationError(_l("You can only post for an organisation where you are "
                                     "staff or chair."))

    def validate_expires_at(self, field):
        if field.data and to_utc(field.data) <= utcnow():
            raise ValidationError(_l("Choose a time in the future, or leave it empty."))

    def validate_attachments(self, field):
        uploads = [f for f in field.data or [] if f and f.filename]
        if len(uploads) > self.max_attachments:
            raise ValidationError(_l("A notice can have at most %(max)d attachments.",
                                     max=self.max_attachments))
        read_limit = max(self.pdf_max_bytes, self.photo_max_bytes) + 1
        for upload in uploads:
            try:
                self.clean_attachments.append(clean_document(
                    upload.read(read_limit), filename=upload.filename,
                    photo_max_bytes=self.photo_max_bytes, photo_max_pixels=self.photo_max_pixels,
                    pdf_max_bytes=self.pdf_max_bytes))
            except UploadRejected as rejected:
                self.clean_attachments = []
                raise ValidationError(rejected.message(upload.filename)) from None

    @property
    def chosen_organisation(self):
        return self._organisations[self.organisation.data]

    @property
    def expires_utc(self):
        return to_utc(self.expires_at.data) if self.expires_at.data else None
