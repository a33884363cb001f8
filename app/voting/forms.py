"""Poll forms, the words for rules and choices, and the messages for refusals."""

from functools import cached_property

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
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

from app.core.forms import SelectField, options, strip
from app.core.refusals import REFUSALS
from app.voting.labels import (
    CHANNEL_LABELS,
    DEEMED_SIDE_LABELS,
    ELECTORATE_LABELS,
    RULE_LABELS,
    SECRECY_LABELS,
    VISIBILITY_LABELS,
    matter_choice_label,
)
from app.voting.matters import Matter, rule_for
from app.voting.models import Channel, ElectorateKind, QuestionKind, ResultsVisibility, Secrecy
from app.voting.proxies import normalise_id_number, valid_id_number
from app.voting.rules import OWNER_RULES, DeemedSide, Rule

QUORUM_RULES = {Rule.SIMPLE_MAJORITY, Rule.TWO_THIRDS}
REFUSALS.register_all({
    "poll.not_in_deliberation": _l("A poll can only be attached to a proposal in "
                                   "deliberation."),
    "poll.party_review_needed": _l("The party branch's opinion is needed before a vote can "
                                   "open."),
    "poll.closes_before_opening": _l("The poll must close after it opens."),
    "poll.matter_needed": _l("Name the item of Civil Code Art. 278 the owners decide on."),
    "poll.rule_fixed_by_matter": _l("The matter fixes the rule: items 6 to 8 of Art. 278 "
                                    "are major matters (three quarters), the others ordinary "
                                    "(more than half); owners always count area and "
                                    "headcount with two thirds taking part."),
    "poll.civil_code_for_owners_only": _l("The rules of Civil Code Art. 278 count owners by "
                                          "area: choose owners as the voters, or another "
                                          "rule."),
    "poll.notice_period": _l("An owners' vote opens at the earliest %(days)s days after it is "
                             "announced (the meeting notice)."),
    "poll.service_not_open": _l("Service of the notice is recorded while the poll is open."),
    "poll.service_time": _l("The time of service must lie between the poll's announcement and "
                            "now."),
    "poll.already_served": _l("This owner has already been served."),
    "poll.posting_not_allowed": _l("The community's rules of procedure do not let a public "
                                   "posting serve the notice."),
    "poll.organisation_needed": _l("Choose the organisation whose members vote."),
    "poll.not_scheduled": _l("This poll has already opened."),
    "poll.not_open": _l("The poll is not open."),
    "poll.not_closed": _l("The poll has not closed yet."),
    "poll.not_on_roll": _l("You are not on this poll's voter roll."),
    "poll.unknown_choice": _l("That choice is not on the ballot."),
    "poll.choose_one": _l("Choose one answer."),
    "poll.too_many_choices": _l("Choose at most %(max)s options."),
    "poll.already_voted": _l("You have already voted and this poll does not allow changes."),
    "poll.voted_online": _l("This voter already voted online; the online ballot stays."),
    "poll.already_entered": _l("A paper or proxy ballot was already entered for this voter."),
    "poll.too_many_proxies": _l("This holder already carries %(limit)s proxies, the most "
                                "allowed."),
    "poll.paper_number_taken": _l("Paper ballot number %(number)s is already entered in this "
                                  "poll."),
    "poll.paper_number_needed": _l("Give the paper ballot's number."),
    "poll.proxy_holder_needed": _l("Name the proxy holder by account (phone number) or by ID "
                                   "number, one of the two."),
    "poll.bad_id_number": _l("That is not a valid 18-character ID number."),
    "poll.nothing_entered_for_you": _l("No paper or proxy ballot was entered in your name."),
    "poll.live_results_secret": _l("A secret poll cannot show results while voting is open: "
                                   "each new ballot could be watched as it comes in."),
    "poll.not_in_objection_period": _l("Objections can only be filed while the preliminary "
                                       "result is open to them."),
    "poll.extension_not_later": _l("The new closing time must be later than the current "
                                   "one."),
})
REFUSALS.register("poll.reminded_recently",
                  _l("A reminder already went out at %(at)s, to %(num)d people. Non-voters "
                     "are reminded at most once a day: the next reminder can be sent after "
                     "%(next_at)s."),
                  at=lambda moment: format_datetime(moment, "short"),
                  next_at=lambda moment: format_datetime(moment, "short"))


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
    matter = SelectField(
        _l("Matter (Civil Code Art. 278)"), validate_choice=False,
        description=_l("For a decision of the owners: the item fixes the rule. Items (六) to "
                       "(八) are major matters."))
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
    turnout_quorum_percent = IntegerField(
        _l("Turnout quorum in %"), validators=[Optional(), NumberRange(min=1, max=100)],
        description=_l("Optional; only for a simple majority or two thirds."))
    objection_days = IntegerField(_l("Days for objections after close"), default=3,
                                  validators=[DataRequired(), NumberRange(min=1, max=30)])

    def __init__(self, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.matter.choices = [("", _l("— choose —"))] + [
            (str(int(m)), matter_choice_label(m)) for m in sorted(Matter, key=lambda m: m or 10)]
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

    def validate_visibility(self, field):
        if field.data == ResultsVisibility.LIVE and self.secrecy.data == Secrecy.SECRET:
            raise ValidationError(REFUSALS.message("poll.live_results_secret"))

    @property
    def owners_decision(self) -> bool:
        return self.electorate.data == ElectorateKind.OWNERS and self.rule.data != Rule.ADVISORY

    @property
    def chosen_matter(self) -> int | None:
        return int(self.matter.data) if self.owners_decision and self.matter.data else None

    def validate_matter(self, field):
        if not self.owners_decision:
            return
        if field.data not in {str(int(m)) for m in Matter}:
            raise ValidationError(_l("Name the item of Civil Code Art. 278 the owners decide "
                                     "on."))

    def validate_rule(self, field):
        if not self.owners_decision:
            if field.data in OWNER_RULES:
                raise ValidationError(REFUSALS.message("poll.civil_code_for_owners_only"))
            return
        if self.matter.data in {str(int(m)) for m in Matter} and \
                field.data != rule_for(int(self.matter.data)):
            raise ValidationError(REFUSALS.message("poll.rule_fixed_by_matter"))

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
    proxy_phone = StringField(
        _l("Proxy holder's phone number"), validators=[Length(max=20)],
        description=_l("The holder's account on this site, found by its phone number."))
    proxy_id_number = StringField(
        _l("Or the proxy holder's ID number"), validators=[Length(max=30)],
        description=_l("For a holder without an account: the 18-character resident ID "
                       "number. It is shown masked."))
    reference = StringField(
        _l("Reference"), validators=[DataRequired(), Length(max=200)],
        description=_l("Where the signed paper or the written authorisation is kept."))

    def __init__(self, entries, choices, find_account, *args, **kwargs):
        """``entries``: the roll, each with whether it has a ballot. Only those without are
        offered, but any is accepted, so that the service can say why one is refused.
        ``find_account``: phone number → the user, or None."""
        super().__init__(*args, **kwargs)
        self._find_account = find_account
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

    def validate_proxy_phone(self, field):
        if self.channel.data != Channel.PROXY:
            return
        phone, id_number = (field.data or "").strip(), (self.proxy_id_number.data or "").strip()
        if bool(phone) == bool(id_number):
            raise ValidationError(REFUSALS.message("poll.proxy_holder_needed"))
        if phone and self.chosen_proxy is None:
            raise ValidationError(_l("No account has this phone number."))

    def validate_proxy_id_number(self, field):
        number = normalise_id_number(field.data or "")
        if self.channel.data == Channel.PROXY and number and not valid_id_number(number):
            raise ValidationError(REFUSALS.message("poll.bad_id_number"))

    @cached_property
    def chosen_proxy(self):
        """The account the phone number names, found by ``find_account`` once."""
        phone = (self.proxy_phone.data or "").strip()
        return self._find_account(phone) if phone else None


class ExtendForm(FlaskForm):
    closes_at = DateTimeLocalField(_l("New closing time (Beijing time)"),
                                  validators=[DataRequired()])
    reason = TextAreaField(_l("Reason, shown on the poll"),
                           validators=[DataRequired(), Length(max=1000)])


class ObjectionForm(FlaskForm):
    text = TextAreaField(_l("Your objection"), validators=[DataRequired(), Length(max=2000)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=2000)])


class PaperServiceForm(FlaskForm):
    """Staff record that they handed the paper notice and ballot to an owner (送达)."""

    entry = SelectField(_l("Owner (rooms)"), validate_choice=False,
                        validators=[DataRequired()])
    handed_at = DateTimeLocalField(_l("Handed over at (Beijing time)"),
                                   validators=[DataRequired()])

    def __init__(self, entries, *args, **kwargs):
        """``entries``: the roll entries not yet served."""
        super().__init__(*args, **kwargs)
        self.entry.choices = options([("", _l("— choose —"))]
                                     + [(e.id, e.label) for e in entries])
        self._entries = {str(e.id): e for e in entries}

    @property
    def chosen_entry(self):
        return self._entries.get(self.entry.data or "")

    def validate_entry(self, field):
        if field.data not in self._entries:
            raise ValidationError(_l("Choose an owner on the roll who has not been served."))


class PostingForm(FlaskForm):
    posted_at = DateTimeLocalField(_l("Posted at (Beijing time)"), validators=[DataRequired()])


class VotingSettingsForm(FlaskForm):
    """The community's rules of procedure for owners' votes: notice, service, deemed consent
    and where objections are handed in offline."""

    notice_days = IntegerField(
        _l("Days between announcing an owners' vote and opening it"),
        validators=[InputRequired(message=_l("Enter a number.")), NumberRange(min=0, max=60)],
        description=_l("Between 0 and 60; 15 is what the guidelines (指导规则 Art. 22) ask."))
    public_posting_serves = BooleanField(
        _l("A public posting in the community serves the notice of a vote"),
        description=_l("Only where the rules of procedure say so (指导规则 Art. 22)."))
    deemed_consent_side = RadioField(
        _l("Deemed consent (未参与表决视为同意) in the rules of procedure"), default="",
        choices=options([("", _l("None: only ballots cast count")),
                         *DEEMED_SIDE_LABELS.items()]))
    deemed_consent_article = StringField(
        _l("Article of the rules of procedure that holds the clause"),
        validators=[Length(max=100)], filters=[strip],
        description=_l("For example: 《业主大会议事规则》第十二条"))
    deemed_consent_text = TextAreaField(
        _l("Text of the clause, word for word"), validators=[Length(max=2000)],
        filters=[strip])
    objection_place = StringField(
        _l("Where owners hand in objections in writing"), validators=[Length(max=200)],
        filters=[strip], description=_l("Printed on every preliminary result notice."))
    objection_phone = StringField(_l("Phone for objections"), validators=[Length(max=30)],
                                  filters=[strip])
    sms_cap_per_poll = IntegerField(
        _l("At most this many SMS about one poll"),
        validators=[InputRequired(message=_l("Enter a number.")),
                    NumberRange(min=0, max=1_000_000,
                                message=_l("Enter a whole number from 0 to 1,000,000."))],
        description=_l("Opening, reminders and results count together; 0 sends none. Each "
                       "SMS costs money (about ¥0.05)."))

    def validate_deemed_consent_text(self, field):
        if self.deemed_consent_side.data in set(DeemedSide) and not (
                field.data and self.deemed_consent_article.data):
            raise ValidationError(_l("Quote the clause and name its article: deemed consent "
                                     "rests on them."))
