"""Meeting forms, the words for meeting kinds and states, and the messages for refusals."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, ValidationError

from app.core.forms import CheckboxesField, SelectField, options
from app.core.refusals import REFUSALS
from app.meetings.kinds import MeetingKind
from app.meetings.labels import KIND_LABELS

REFUSALS.register_all({
    "meeting.ends_before_start": _l("The meeting must end after it starts."),
    "meeting.cancelled": _l("This meeting is cancelled."),
    "meeting.chair_or_recorder": _l("The chair and the recorder cannot be removed; choose "
                                    "another chair or recorder first."),
    "meeting.guest_never_votes": _l("A guest added by name never votes."),
    "meeting.not_public": _l("Only public proposals of this community can go on the "
                             "agenda."),
    "meeting.already_on_agenda": _l("This proposal is already on the agenda."),
    "meeting.check_in_closed": _l("Check-in is open from 30 minutes before the meeting "
                                  "starts until it ends."),
    "meeting.not_invited": _l("You are not invited to this meeting."),
    "meeting.wrong_code": _l("That is not the code shown in the room. Please check it and "
                             "try again."),
    "meeting.not_started": _l("Items can be recorded once the meeting has started."),
    "meeting.poll_of_other_proposal": _l("Choose a poll of this item's proposal."),
    "meeting.started": _l("The meeting has started: who votes, and the kind of meeting, "
                          "stay as they were, because the quorum and the decisions are "
                          "counted on them."),
    "meeting.has_actions": _l("This item has follow-up actions, so it stays on the "
                              "agenda."),
    "hands.poll_only": _l("An owners' general meeting decides by a poll under Civil Code "
                          "Art. 278 (area and owners), never by a show of hands."),
    "hands.too_many": _l("There are more hands than voting attendees present."),
    "minutes.cancelled": _l("A cancelled meeting has no minutes."),
    "minutes.not_started": _l("Minutes can be published once the meeting has started."),
})


class MeetingForm(FlaskForm):
    """Scheduling (all fields) and editing (the details only: ``for_edit``)."""

    kind = SelectField(_l("Kind of meeting"), default=MeetingKind.COMMITTEE,
                       choices=options(KIND_LABELS.items()))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    starts_at = DateTimeLocalField(_l("Starts at (Beijing time)"), validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends at (Beijing time)"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[Length(max=200)])
    online_link = StringField(_l("Online meeting link"),
                              validators=[Optional(), Length(max=300),
                                          URL(message=_l("Give a full web address, "
                                                         "starting with https://."))])
    organisation = SelectField(_l("Convened by"), validate_choice=False,
                               validators=[DataRequired()])
    chair = SelectField(_l("Chair (主持人)"), validate_choice=False,
                        validators=[DataRequired()])
    recorder = SelectField(_l("Recorder (记录人)"), validate_choice=False,
                           validators=[DataRequired()])
    organisations = CheckboxesField(
        _l("Invited organisations (their members vote)"),
        description=_l("For a committee meeting the owners' committee, for a party branch "
                       "meeting the branch."))
    observers = CheckboxesField(_l("Organisations attending without a vote (列席)"))
    proposals = CheckboxesField(_l("Agenda: proposals to discuss"),
                                description=_l("You can add, remove and reorder items "
                                               "later."))

    def __init__(self, conveners, people, organisations, proposals, *args,
                 for_edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = options(
            [("", _l("— choose —"))] + [(o.id, o.name) for o in conveners])
        choose_person = [("", _l("— choose —"))] + [
            (user.id, f"{user.name} ({organisation.name})") for user, organisation in people]
        self.chair.choices = options(choose_person)
        self.recorder.choices = options(choose_person)
        self.organisations.choices = options((o.id, o.name) for o in organisations)
        self.observers.choices = options((o.id, o.name) for o in organisations)
        self.proposals.choices = options((p.id, f"#{p.id} {p.title}") for p in proposals)
        self._conveners = {str(o.id): o for o in conveners}
        self._people = {str(user.id): user for user, _org in people}
        self._organisations = {str(o.id): o for o in organisations}
        self._proposals = {str(p.id): p for p in proposals}
        if for_edit:
            for name in ("organisation", "organisations", "observers", "proposals"):
                delattr(self, name)

    @property
    def chosen_organisation(self):
        return self._conveners.get(self.organisation.data or "")

    @property
    def chosen_chair(self):
        return self._people.get(self.chair.data or "")

    @property
    def chosen_recorder(self):
        return self._people.get(self.recorder.data or "")

    def chosen(self, field) -> list:
        lookup = self._proposals if field is self.proposals else self._organisations
        return [lookup[value] for value in field.data or [] if value in lookup]

    def validate_organisation(self, field):
        if field.data not in self._conveners:
            raise ValidationError(_l("Choose an organisation you may convene a meeting "
                                     "for."))

    def validate_chair(self, field):
        if field.data not in self._people:
            raise ValidationError(_l("Choose someone from an organisation of this "
                                     "community."))

    def validate_recorder(self, field):
        self.validate_chair(field)

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The meeting must end after it starts."))

    def validate_online_link(self, field):
        if not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(_l("Give a full web address, starting with https://."))

    def validate_place(self, field):
        if not (field.data or "").strip() and not (self.online_link.data or "").strip():
            raise ValidationError(_l("Give a place or an online link."))


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason, sent to every invitee"),
                           validators=[DataRequired(), Length(max=1000)])


class InviteForm(FlaskForm):
    """Invite an organisation's members, or one person by mobile number."""

    organisation = SelectField(_l("Organisation"), validate_choice=False)
    phone = StringField(_l("Or one person, by mobile number"), validators=[Length(max=20)])
    voting = BooleanField(_l("Takes part in votes (untick for 列席)"), default=True)

    def __init__(self, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = options(
            [("", _l("— none —"))] + [(o.id, o.name) for o in organisations])
        self._organisations = {str(o.id): o for o in organisations}

    @property
    def chosen_organisation(self):
        return self._organisations.get(self.organisation.data or "")

    def validate_organisation(self, field):
        if field.data and field.data not in self._organisations:
            raise ValidationError(_l("Choose an organisation of this community."))
        if not field.data and not (self.phone.data or "").strip():
            raise ValidationError(_l("Choose an organisation or give a mobile number."))


class GuestForm(FlaskForm):
    name = StringField(_l("Guest's name"), validators=[DataRequired(), Length(max=100)],
                       description=_l("Someone without an account who came; never votes."))


class AgendaForm(FlaskForm):
    proposal = SelectField(_l("Proposal"), validate_choice=False, validators=[DataRequired()])

    def __init__(self, proposals, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal.choices = options(
            [("", _l("— choose —"))] + [(p.id, f"#{p.id} {p.title}") for p in proposals])
        self._proposals = {str(p.id): p for p in proposals}

    @property
    def chosen_proposal(self):
        return self._proposals.get(self.proposal.data or "")

    def validate_proposal(self, field):
        if field.data not in self._proposals:
            raise ValidationError(_l("Choose a public proposal that is not on the agenda "
                                     "yet."))


class CheckInForm(FlaskForm):
    code = StringField(_l("Check-in code shown in the room"),
                       validators=[DataRequired(), Length(min=6, max=6,
                                                          message=_l("The code has 6 digits."))],
                       render_kw={"inputmode": "numeric", "autocomplete": "off"})


class ItemForm(FlaskForm):
    notes = TextAreaField(_l("Main points of the discussion"), validators=[Length(max=10000)])
    resolution = TextAreaField(_l("Resolution"), validators=[Length(max=5000)])
    poll = SelectField(_l("Linked poll"), validate_choice=False)
    hands = BooleanField(_l("A show of hands was taken"))
    hands_for = IntegerField(_l("In favour"), validators=[Optional(), NumberRange(min=0)])
    hands_against = IntegerField(_l("Against"), validators=[Optional(), NumberRange(min=0)])
    hands_abstain = IntegerField(_l("Abstain"), validators=[Optional(), NumberRange(min=0)])

    def __init__(self, polls, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll.choices = options(
            [("", _l("— none —"))] + [(p.id, p.question) for p in polls])
        self._polls = {str(p.id): p for p in polls}

    @property
    def chosen_poll(self):
        return self._polls.get(self.poll.data or "")

    @property
    def counted_hands(self) -> tuple[int, int, int] | None:
        if not self.hands.data:
            return None
        return (self.hands_for.data or 0, self.hands_against.data or 0,
                self.hands_abstain.data or 0)

    def validate_poll(self, field):
        if field.data and field.data not in self._polls:
            raise ValidationError(_l("Choose a poll of this item's proposal."))

    def validate_hands(self, field):
        if field.data and not any(
                f.data for f in (self.hands_for, self.hands_against, self.hands_abstain)):
            raise ValidationError(_l("Give the number of hands for, against and "
                                     "abstaining."))


class PublishForm(FlaskForm):
    """Publishing the first version needs nothing more; a correction needs its reason."""

    reason = TextAreaField(_l("Reason for the correction"), validators=[Length(max=1000)],
                           description=_l("Say what was wrong in the published version. "
                                          "It stays available, marked as superseded."))

    def __init__(self, correction: bool, *args, **kwargs):
        super().__init__(*args, prefix="minutes", **kwargs)
        self.correction = correction

    def validate_reason(self, field):
        if self.correction and not (field.data or "").strip():
            raise ValidationError(_l("Give the reason for the correction."))
