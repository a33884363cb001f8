"""Poll forms, the words for rules and choices, and the messages for refusals."""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.core.forms import options
from app.extensions import local_zone
from app.voting.models import Channel, ElectorateKind, QuestionKind, ResultsVisibility, Secrecy
from app.voting.rules import ABSTAIN, APPROVE, OPPOSE, Rule, percent

RULE_LABELS = {
    Rule.CIVIL_CODE_ORDINARY: _l("Civil Code Art. 278, ordinary matter (过半数)"),
    Rule.CIVIL_CODE_MAJOR: _l("Civil Code Art. 278, major matter (四分之三)"),
    Rule.SIMPLE_MAJORITY: _l("Simple majority"),
    Rule.TWO_THIRDS: _l("Two thirds"),
    Rule.PARTY_BRANCH: _l("Party branch members' meeting"),
    Rule.COMMITTEE: _l("Committee meeting"),
    Rule.ADVISORY: _l("Advisory (意见征集)"),
}
QUORUM_RULES = {Rule.SIMPLE_MAJORITY, Rule.TWO_THIRDS}
def describe_condition(condition) -> str:
    """One condition of a count as a sentence with its figures, for pages and documents:
    "People taking part: 221 of 289 = 76.47 % ≥ 2/3 ✓ holds"."""
    area = condition.measure == "area"
    if condition.kind == "quorum":
        what = _l("Area taking part") if area else _l("People taking part")
    elif condition.basis == "electorate":
        what = (_l("Area in favour, of the whole roll") if area
                else _l("People in favour, of the whole roll"))
    else:
        what = (_l("Area in favour, of those taking part") if area
                else _l("People in favour, of those taking part"))

    def amount(value):
        return f"{value:,.2f} m²" if area else str(value)

    figures = _l("%(actual)s of %(of)s", actual=amount(condition.actual),
                 of=amount(condition.of))
    sign = "≥" if condition.inclusive else ">"
    threshold = f"{condition.threshold.numerator}/{condition.threshold.denominator}"
    verdict = "✓ " + str(_l("holds")) if condition.holds else "✗ " + str(_l("does not hold"))
    return f"{what}: {figures} = {percent(condition.ratio)} {sign} {threshold} {verdict}"


YES_NO_LABELS = {APPROVE: _l("In favour"), OPPOSE: _l("Against"), ABSTAIN: _l("Abstain")}
ELECTORATE_LABELS = {
    ElectorateKind.OWNERS: _l("Owners in the proposal's scope (people and area)"),
    ElectorateKind.RESIDENTS: _l("Verified residents in scope, one per person"),
    ElectorateKind.ORGANISATION: _l("Members of an organisation"),
}
VISIBILITY_LABELS = {
    ResultsVisibility.AFTER_CLOSE: _l("Only after close: nobody, staff included, sees choices"
                                      " before"),
    ResultsVisibility.AFTER_VOTE: _l("To each person after they voted"),
    ResultsVisibility.LIVE: _l("Live, to everyone"),
}
SECRECY_LABELS = {
    Secrecy.SECRET: _l("Secret: the bulletin lists receipts only"),
    Secrecy.OPEN_ROLL: _l("Open roll: the bulletin also lists room numbers (never names)"),
}
CHANNEL_LABELS = {Channel.ONLINE: _l("online"), Channel.PAPER: _l("paper ballot"),
                  Channel.PROXY: _l("proxy")}
OUTCOME_LABELS = {
    "passed": _l("Passed"),
    "rejected": _l("Not passed"),
    "no_quorum": _l("Not passed: too few took part"),
    "advisory": _l("Advisory: the figures inform, nothing is decided"),
    "tie": _l("Undecided: a tie for the last seat"),
}
REFUSAL_MESSAGES = {
    "not_in_deliberation": _l("A poll can only be attached to a proposal in deliberation."),
    "party_review_needed": _l("The party branch's opinion is needed before a vote can open."),
    "closes_before_opening": _l("The poll must close after it opens."),
    "deemed_consent_needs_yes_no": _l("Deemed consent is only possible for a yes/no question."),
    "organisation_needed": _l("Choose the organisation whose members vote."),
    "not_open": _l("The poll is not open."),
    "not_on_roll": _l("You are not on this poll's voter roll."),
    "unknown_choice": _l("That choice is not on the ballot."),
    "choose_one": _l("Choose one answer."),
    "too_many_choices": _l("Choose at most %(max)s options."),
    "already_voted": _l("You have already voted and this poll does not allow changes."),
    "voted_online": _l("This voter already voted online; the online ballot stays."),
    "already_entered": _l("A paper or proxy ballot was already entered for this voter."),
    "too_many_proxies": _l("This holder already carries %(limit)s proxies, the most allowed."),
    "not_in_objection_period": _l("Objections can only be filed while the preliminary result "
                                  "is open to them."),
    "extension_not_later": _l("The new closing time must be later than the current one."),
}


def refusal_message(refused) -> str:
    return str(REFUSAL_MESSAGES[refused.code]) % refused.params


def to_utc(local: datetime) -> datetime:
    """A datetime-local value is wall-clock time in the local zone; the database keeps UTC."""
    return local.replace(tzinfo=local_zone()).astimezone(UTC)


class PollForm(FlaskForm):
    question = StringField(_l("Question put to the vote"),
                           validators=[DataRequired(), Length(max=300)])
    kind = RadioField(_l("Kind of question"), default=QuestionKind.YES_NO, choices=options([
        (QuestionKind.YES_NO, _l("Yes / no (approve, oppose, abstain)")),
        (QuestionKind.CHOICE, _l("Choose among options")),
    ]))
    option_lines = TextAreaField(_l("Options, one per line"),
                                 description=_l("Between 2 and 20, for “choose among options”."))
    max_choices = IntegerField(_l("How many options each voter may choose"), default=1,
                               validators=[Optional(), NumberRange(min=1, max=20)])
    seats = IntegerField(_l("How many options win (seats)"), default=1,
                         validators=[Optional(), NumberRange(min=1, max=20)])
    rule = SelectField(_l("Counting rule"), default=Rule.CIVIL_CODE_ORDINARY,
                       choices=options(RULE_LABELS.items()))
    electorate = RadioField(_l("Who votes"), default=ElectorateKind.OWNERS,
                            choices=options(ELECTORATE_LABELS.items()))
    organisation = SelectField(_l("Organisation"), validate_choice=False,
                               description=_l("Only when members of an organisation vote."))
    opens_at = DateTimeLocalField(_l("Opens at (Beijing time)"), validators=[DataRequired()],
                                  description=_l("A time already past opens the poll at once."))
    closes_at = DateTimeLocalField(_l("Closes at (Beijing time)"), validators=[DataRequired()])
    allow_change = BooleanField(_l("Voters may change their ballot until close"), default=True)
    allow_early_close = BooleanField(_l("The organiser may close the poll early"),
                                     default=False)
    visibility = SelectField(_l("When results are visible"),
                             default=ResultsVisibility.AFTER_CLOSE,
                             choices=options(VISIBILITY_LABELS.items()))
    secrecy = RadioField(_l("Ballot secrecy"), default=Secrecy.SECRET,
                         choices=options(SECRECY_LABELS.items()))
    deemed_consent_clause = StringField(
        _l("Deemed consent: clause of the rules of procedure"),
        validators=[Optional(), Length(max=300)],
        description=_l("Only if the rules of procedure say that those who do not vote are "
                       "deemed to consent (未参与表决视为同意); name the clause. Yes/no only."))
    turnout_quorum_percent = IntegerField(
        _l("Turnout quorum in %"), validators=[Optional(), NumberRange(min=1, max=100)],
        description=_l("Optional; only for a simple majority or two thirds."))
    objection_days = IntegerField(_l("Days for objections after close"), default=3,
                                  validators=[DataRequired(), NumberRange(min=1, max=30)])

    def __init__(self, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = options(
            [("", _l("— none —"))] + [(o.id, o.name) for o in organisations])
        self._organisations = {str(o.id): o for o in organisations}

    @property
    def options_list(self) -> list[str]:
        return [line.strip() for line in (self.option_lines.data or "").splitlines()
                if line.strip()]

    @property
    def chosen_organisation(self):
        return self._organisations.get(self.organisation.data or "")

    def validate_option_lines(self, field):
        if self.kind.data != QuestionKind.CHOICE:
            return
        count = len(self.options_list)
        if not 2 <= count <= 20:
            raise ValidationError(_l("Give between 2 and 20 options, one per line."))
        if any(len(line) > 200 for line in self.options_list):
            raise ValidationError(_l("Each option may have at most 200 characters."))
        if len(set(self.options_list)) != count:
            raise ValidationError(_l("Each option must be different."))

    def validate_max_choices(self, field):
        if self.kind.data == QuestionKind.CHOICE and (field.data or 1) > len(self.options_list):
            raise ValidationError(_l("Not more than there are options."))

    def validate_seats(self, field):
        if self.kind.data == QuestionKind.CHOICE and (field.data or 1) > len(self.options_list):
            raise ValidationError(_l("Not more than there are options."))

    def validate_organisation(self, field):
        if field.data and field.data not in self._organisations:
            raise ValidationError(_l("Choose an organisation of this community."))

    def validate_turnout_quorum_percent(self, field):
        if field.data is not None and self.rule.data not in QUORUM_RULES:
            raise ValidationError(_l("A turnout quorum is only possible for a simple majority "
                                     "or two thirds."))


class OfflineForm(FlaskForm):
    entry = SelectField(_l("Voter (rooms)"), validate_choice=False,
                        validators=[DataRequired()])
    choice = SelectField(_l("Choice"), validate_choice=False, validators=[DataRequired()])
    channel = RadioField(_l("Channel"), default=Channel.PAPER, choices=options([
        (Channel.PAPER, CHANNEL_LABELS[Channel.PAPER]),
        (Channel.PROXY, CHANNEL_LABELS[Channel.PROXY])]))
    paper_number = StringField(_l("Paper ballot number"), validators=[Length(max=40)])
    proxy_holder = StringField(_l("Proxy holder"), validators=[Length(max=100)])
    reference = StringField(
        _l("Reference"), validators=[DataRequired(), Length(max=200)],
        description=_l("Where the signed paper or the written authorisation is kept."))

    def __init__(self, entries, choices, *args, **kwargs):
        """``entries``: the roll, each with whether it has a ballot. Only those without are
        offered, but any is accepted, so that the service can say why one is refused."""
        super().__init__(*args, **kwargs)
        self.entry.choices = options([("", _l("— choose —"))]
                                     + [(e.id, e.label) for e, voted in entries if not voted])
        self.choice.choices = options([("", _l("— choose —"))] + list(choices))
        self._entries = {str(e.id): e for e, _voted in entries}
        self._choices = {str(value) for value, _label in choices}

    @property
    def chosen_entry(self):
        return self._entries.get(self.entry.data or "")

    def validate_entry(self, field):
        if field.data not in self._entries:
            raise ValidationError(_l("Choose a voter on the roll."))

    def validate_choice(self, field):
        if field.data not in self._choices:
            raise ValidationError(_l("Choose an answer on the ballot."))

    def validate_paper_number(self, field):
        if self.channel.data == Channel.PAPER and not (field.data or "").strip():
            raise ValidationError(_l("Give the paper ballot's number."))

    def validate_proxy_holder(self, field):
        if self.channel.data == Channel.PROXY and not (field.data or "").strip():
            raise ValidationError(_l("Name who holds the proxy."))


class ExtendForm(FlaskForm):
    closes_at = DateTimeLocalField(_l("New closing time (Beijing time)"),
                                  validators=[DataRequired()])
    reason = TextAreaField(_l("Reason, shown on the poll"),
                           validators=[DataRequired(), Length(max=1000)])


class ObjectionForm(FlaskForm):
    text = TextAreaField(_l("Your objection"), validators=[DataRequired(), Length(max=2000)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=2000)])
