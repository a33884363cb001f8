from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectMultipleField,
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

from app.auth.forms import PhoneField
from app.auth.models import User
from app.core.forms import SelectField, options
from app.core.refusals import Refused
from app.discussion.labels import REPORT_REASON_LABELS, STANCE_LABELS
from app.extensions import db

NOTE_LIMIT = 500
REASON_LIMIT = 500


def _text(value):
    """Browsers send CRLF line ends: count each line end as one character, as the user sees."""
    return value.replace("\r\n", "\n").strip() if value else value


class _BodyForm(FlaskForm):
    """A comment body under the proposal's rules of order (its maximum length)."""

    body = TextAreaField(_l("Your comment"), filters=[_text],
                         validators=[DataRequired(message=_l("Write something first."))])

    def __init__(self, limit: int, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit = limit
        self.body.description = _("max %(limit)d characters", limit=limit)

    def validate_body(self, field):
        if len(field.data) > self.limit:
            raise ValidationError(_("%(count)d characters; the limit is %(limit)d",
                                    count=len(field.data), limit=self.limit))


class CommentForm(_BodyForm):
    """A top-level comment: state your position, then your reasons."""

    stance = RadioField(
        _l("Your position"), choices=options(STANCE_LABELS.items()),
        validators=[InputRequired(message=_l(
            "Choose your position: support, oppose, neutral or question."))])

    def __init__(self, proposal, *args, **kwargs):
        super().__init__(proposal.max_comment_length, *args, prefix="comment", **kwargs)


class ReplyForm(_BodyForm):
    def __init__(self, proposal, comment, *args, **kwargs):
        super().__init__(proposal.max_comment_length, *args, prefix=f"reply-{comment.id}",
                         **kwargs)
        self.body.label.text = _("Your reply")


class EditForm(_BodyForm):
    """The author's correction within the edit window; a top-level comment may change its
    position too."""

    stance = RadioField(_l("Your position"), choices=options(STANCE_LABELS.items()),
                        validate_choice=False)

    def __init__(self, comment, *args, **kwargs):
        super().__init__(comment.proposal.max_comment_length, *args,
                         prefix=f"edit-{comment.id}", **kwargs)
        self.has_stance = comment.parent_id is None and comment.organisation_id is None
        if not self.has_stance:
            del self.stance

    def validate_stance(self, field):
        if field.data not in STANCE_LABELS:
            raise ValidationError(_l(
                "Choose your position: support, oppose, neutral or question."))


class OfficialAnswerForm(_BodyForm):
    """An answer in the name of one of the organisations the person works for."""

    organisation = SelectField(_l("Answer in the name of"), choices=[])

    def __init__(self, proposal, organisations, *args, **kwargs):
        super().__init__(proposal.max_comment_length, *args, prefix="answer", **kwargs)
        self.organisations = {str(o.id): o for o in organisations}
        self.organisation.choices = options((o.id, o.name) for o in organisations)
        self.body.label.text = _("Official answer")

    @property
    def chosen(self):
        return self.organisations.get(self.organisation.data)


class ReportForm(FlaskForm):
    reason = SelectField(
        _l("Why do you report it?"),
        choices=options([("", _l("Choose a reason")), *REPORT_REASON_LABELS.items()]),
        validators=[DataRequired(message=_l("Choose a reason."))])
    note = TextAreaField(_l("Anything the moderators should know (optional)"), filters=[_text],
                         validators=[Optional(), Length(max=NOTE_LIMIT)])


class DecideForm(FlaskForm):
    """A moderator's decision about one reported item, or about every item ticked."""

    items = SelectMultipleField(_l("Items"), choices=[], validate_choice=False)
    action = SelectField(_l("Decision"), choices=options(
        [("hide", _l("Hide")), ("restore", _l("Restore")), ("dismiss", _l("Dismiss reports"))]))
    reason = TextAreaField(_l("Reason (the author will see it)"), filters=[_text],
                           validators=[Length(max=REASON_LIMIT)])

    def __init__(self, community, *args, prefix: str, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        self.community = community
        self.source = prefix
        self.objects = []

    def validate_items(self, field):
        from app.discussion.services import items_in

        self.objects = items_in(self.community, field.data or [])
        if not self.objects:
            raise ValidationError(_l("Tick at least one item."))

    def validate_reason(self, field):
        if self.action.data == "hide" and not field.data:
            raise ValidationError(_l("Say why you hide it: the author will see your reason."))


class _MemberForm(FlaskForm):
    """Names a member of the community: by id (from the queue) or by mobile number."""

    user_id = HiddenField()
    phone = PhoneField(_l("Their mobile number"))
    reason = TextAreaField(_l("Reason (the member will see it)"), filters=[_text],
                           validators=[DataRequired(message=_l("Give a reason.")),
                                       Length(max=REASON_LIMIT)])

    def __init__(self, community, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        self.member = None

    def validate_phone(self, field):
        from app.discussion.services import is_member

        if self.user_id.data and self.user_id.data.isdigit():
            user = db.session.get(User, int(self.user_id.data))
        elif field.data:
            user = db.session.execute(
                select(User).where(User.phone == field.data)).scalar_one_or_none()
        else:
            raise ValidationError(_l("Enter the member's mobile number."))
        if user is None or not is_member(user, self.community):
            raise ValidationError(_l("Nobody with this number is a member of this community."))
        self.member = user
        if user.id == current_user.id:
            raise ValidationError(_l("You cannot take this action against yourself."))


class MuteForm(_MemberForm):
    """A mute of at most ``MUTE_MAX_DAYS`` days, never of someone who governs the community."""

    days = IntegerField(_l("Number of days"), default=7)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="mute", **kwargs)
        max_days = current_app.config["MUTE_MAX_DAYS"]
        message = _("Enter a number of days from 1 to %(max_days)d.", max_days=max_days)
        self.days.validators = [InputRequired(message=message),
                                NumberRange(min=1, max=max_days, message=message)]
        self.days.label.text = _("Number of days (1 to %(max_days)d)", max_days=max_days)

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        from app.discussion.services import check_mute

        try:
            check_mute(self.member, self.community, days=self.days.data)
        except Refused as refused:
            self.phone.errors = [*self.phone.errors, refused.message]
            return False
        return True


class HideAllForm(_MemberForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="hideall", **kwargs)
