"""The counting rules, with no Flask and no database. Arithmetic is exact: areas are
Decimal, ratios Fraction, never floats.

In PRC law "以上 / 以下" include the number itself and "过半数 / 超过" do not (Civil Code
Art. 1259): "≥ 2/3" holds at exactly two thirds, "more than half" fails at exactly half.

Owners' votes (Civil Code Art. 278, SPC interpretation Art. 8–9) count people and area. The
caller aggregates before counting: one ballot per owner, with the areas of all their units
added up; co-owners of a unit are one ballot; the developer's unsold units are one owner.
Abstentions take part but never approve.

Each rule's source is in ``SOURCES``, quoted on the documents that announce its result.
"""

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from app.core.text import percent

APPROVE, OPPOSE, ABSTAIN = "approve", "oppose", "abstain"
YES_NO = (APPROVE, OPPOSE, ABSTAIN)
# A paper ballot that is blank, spoilt or unreadable (废票): it takes part, chooses nothing.
INVALID = "invalid"


class Rule(enum.StrEnum):
    SIMPLE_MAJORITY = "simple_majority"
    TWO_THIRDS = "two_thirds"
    CIVIL_CODE_ORDINARY = "civil_code_ordinary"
    CIVIL_CODE_MAJOR = "civil_code_major"
    PARTY_BRANCH = "party_branch"
    COMMITTEE = "committee"
    ADVISORY = "advisory"


OWNER_RULES = frozenset({Rule.CIVIL_CODE_ORDINARY, Rule.CIVIL_CODE_MAJOR})

CIVIL_CODE_278 = "《中华人民共和国民法典》第二百七十八条"
# 业主大会和业主委员会指导规则 Art. 38: "业主委员会会议应有过半数的委员出席，作出的决定必须经全体
# 委员半数以上同意" -- quorum strictly more than half, decision half of ALL members inclusive.
COMMITTEE_RULES = "《业主大会和业主委员会指导规则》第三十八条"
# 中国共产党支部工作条例（试行）Art. 11: "表决必须有半数以上有表决权的党员到会方可进行，赞成人数
# 超过应到会有表决权的党员的半数为通过" -- quorum half inclusive, decision strictly more than half.
# Probationary members (预备党员) have no vote and members on approved leave are not expected:
# neither is in the base (the caller's electorate).
PARTY_BRANCH_RULES = "《中国共产党支部工作条例（试行）》第十一条"
# 城市居民委员会组织法 Art. 9 (居民会议): "会议的决定，由出席人的过半数通过" -- of those present,
# not of hands raised. Residents' councils (居民议事会) follow it by their rules of procedure.
RESIDENTS_MEETING_RULES = "《中华人民共和国城市居民委员会组织法》第九条"

SOURCES: dict[Rule, str] = {
    Rule.CIVIL_CODE_ORDINARY: CIVIL_CODE_278,
    Rule.CIVIL_CODE_MAJOR: CIVIL_CODE_278,
    Rule.COMMITTEE: COMMITTEE_RULES,
    Rule.PARTY_BRANCH: PARTY_BRANCH_RULES,
}

HALF, TWO_THIRDS, THREE_QUARTERS = Fraction(1, 2), Fraction(2, 3), Fraction(3, 4)


class Measure(enum.StrEnum):
    PEOPLE = "people"
    AREA = "area"


class Basis(enum.StrEnum):
    """What a condition's figure is measured against."""

    ELECTORATE = "electorate"      # everyone on the roll
    PARTICIPANTS = "participants"  # those who took part (abstentions included)
    PRESENT = "present"            # those present at a meeting, hands raised or not


@dataclass(frozen=True)
class Ballot:
    """One voter's ballot. ``choices`` is {approve}, {oppose} or {abstain} for a yes/no
    question, or the options chosen (empty: abstain) for a multi-option one."""

    voter: str
    choices: frozenset[str]
    area: Decimal = Decimal("0")


@dataclass(frozen=True)
class Electorate:
    """The frozen roll's totals: people (owners as counted by law, or members with voting
    rights) and, for owners' votes, the total exclusive area."""

    people: int
    area: Decimal = Decimal("0")


@dataclass(frozen=True)
class Condition:
    """One requirement, with the figures that decide it."""

    kind: str                 # "quorum" or "approval"
    measure: Measure
    basis: Basis
    actual: Decimal | int
    of: Decimal | int
    threshold: Fraction
    inclusive: bool           # ≥ (以上) or > (过半数)

    @property
    def ratio(self) -> Fraction | None:
        if not self.of:
            return None
        return Fraction(self.actual) / Fraction(self.of)

    @property
    def holds(self) -> bool:
        ratio = self.ratio
        if ratio is None:
            return False
        return ratio >= self.threshold if self.inclusive else ratio > self.threshold

    def describe(self, gettext: Callable[[str], str] = str, in_words: bool = False) -> str:
        """The one wording of a condition, for pages, documents and ``flask tally``:
        "People taking part: 221 of 289 = 76.47 % ≥ 2/3 ✓ holds". ``gettext`` translates
        the words (Flask-Babel's on pages); the default leaves them in English.
        ``in_words`` spells the unit and the verdict out ("平方米", "已满足") for documents
        whose font may lack "m²", "✓" and "✗"."""
        area = self.measure == Measure.AREA
        if self.kind == "quorum":
            what = gettext("Area taking part") if area else gettext("People taking part")
        elif self.basis == Basis.ELECTORATE:
            what = (gettext("Area in favour, of the whole roll") if area
                    else gettext("People in favour, of the whole roll"))
        elif self.basis == Basis.PRESENT:
            what = gettext("People in favour, of those present")
        else:
            what = (gettext("Area in favour, of those taking part") if area
                    else gettext("People in favour, of those taking part"))
        unit = gettext("square metres") if in_words else gettext("m²")

        def amount(value) -> str:
            return f"{Decimal(value):,.2f} {unit}" if area else str(value)

        figures = gettext("%(actual)s of %(of)s") % {"actual": amount(self.actual),
                                                      "of": amount(self.of)}
        sign = "≥" if self.inclusive else ">"
        threshold = f"{self.threshold.numerator}/{self.threshold.denominator}"
        verdict = gettext("holds") if self.holds else gettext("does not hold")
        if not in_words:
            verdict = ("✓ " if self.holds else "✗ ") + verdict
        value = f"{figures} = {percent(self.ratio)} {sign} {threshold} {verdict}"
        return gettext("%(label)s: %(value)s") % {"label": what, "value": value}


@dataclass(frozen=True)
class OptionResult:
    option: str
    people: int
    area: Decimal
    conditions: tuple[Condition, ...]

    @property
    def passed(self) -> bool:
        return bool(self.conditions) and all(c.holds for c in self.conditions)


@dataclass(frozen=True)
class Result:
    rule: Rule
    participants: int
    participating_area: Decimal
    quorum: tuple[Condition, ...]
    options: tuple[OptionResult, ...]
    outcome: str  # "passed", "rejected", "no_quorum", "advisory" or "tie" (seats undecided)
    winners: tuple[str, ...] = ()
    tied: tuple[str, ...] = ()        # options tied for the last seat(s), not decided
    deemed: bool = False              # counted with deemed consent

    @property
    def quorum_met(self) -> bool:
        return all(c.holds for c in self.quorum)

    def option(self, name: str) -> OptionResult:
        return next(o for o in self.options if o.option == name)


@dataclass
class _Totals:
    participants: int = 0
    area: Decimal = Decimal("0")
    people_for: dict[str, int] = field(default_factory=dict)
    area_for: dict[str, Decimal] = field(default_factory=dict)

    def add(self, choices: Iterable[str], people: int, area: Decimal) -> None:
        for choice in choices:
            self.people_for[choice] = self.people_for.get(choice, 0) + people
            self.area_for[choice] = self.area_for.get(choice, Decimal("0")) + area


def _totals(ballots: Iterable[Ballot], options: Sequence[str]) -> _Totals:
    totals = _Totals()
    voters: set[str] = set()
    for ballot in ballots:
        if ballot.voter in voters:
            raise ValueError(f"two ballots for voter {ballot.voter!r}")
        unknown = ballot.choices - set(options) - {ABSTAIN}
        if unknown:
            raise ValueError(f"ballot of {ballot.voter!r} names unknown options {unknown}")
        voters.add(ballot.voter)
        totals.participants += 1
        totals.area += ballot.area
        totals.add(ballot.choices, 1, ballot.area)
    return totals


def _quorum(rule: Rule, electorate: Electorate, totals: _Totals,
            turnout_quorum: Fraction | None) -> tuple[Condition, ...]:
    def people(threshold, inclusive):
        return Condition("quorum", Measure.PEOPLE, Basis.ELECTORATE, totals.participants,
                         electorate.people, threshold, inclusive)

    if rule in OWNER_RULES:
        return (
            Condition("quorum", Measure.AREA, Basis.ELECTORATE, totals.area, electorate.area,
                      TWO_THIRDS, True),
            people(TWO_THIRDS, True),
        )
    if rule == Rule.COMMITTEE:
        return (people(HALF, False),)
    if rule == Rule.PARTY_BRANCH:
        return (people(HALF, True),)
    if rule in (Rule.SIMPLE_MAJORITY, Rule.TWO_THIRDS) and turnout_quorum is not None:
        return (people(turnout_quorum, True),)
    return ()


def _approval(rule: Rule, electorate: Electorate, totals: _Totals,
              option: str) -> tuple[Condition, ...]:
    votes = totals.people_for.get(option, 0)
    area = totals.area_for.get(option, Decimal("0"))

    def of_participants(measure, actual, of, threshold, inclusive):
        return Condition("approval", measure, Basis.PARTICIPANTS, actual, of, threshold,
                         inclusive)

    if rule in OWNER_RULES:
        threshold, inclusive = ((HALF, False) if rule == Rule.CIVIL_CODE_ORDINARY
                                else (THREE_QUARTERS, True))
        return (
            of_participants(Measure.AREA, area, totals.area, threshold, inclusive),
            of_participants(Measure.PEOPLE, votes, totals.participants, threshold, inclusive),
        )
    if rule == Rule.SIMPLE_MAJORITY:
        return (of_participants(Measure.PEOPLE, votes, totals.participants, HALF, False),)
    if rule == Rule.TWO_THIRDS:
        return (of_participants(Measure.PEOPLE, votes, totals.participants, TWO_THIRDS, True),)
    if rule in (Rule.PARTY_BRANCH, Rule.COMMITTEE):
        # Of all members, not just of those present: the committee's "半数以上" includes
        # half, the branch's "超过半数" does not.
        return (Condition("approval", Measure.PEOPLE, Basis.ELECTORATE, votes,
                          electorate.people, HALF, rule == Rule.COMMITTEE),)
    return ()


def _judge(rule: Rule, electorate: Electorate, totals: _Totals, options: Sequence[str],
           judged: Sequence[str], seats: int, turnout_quorum: Fraction | None,
           deemed: bool) -> Result:
    quorum = _quorum(rule, electorate, totals, turnout_quorum)
    results = tuple(
        OptionResult(option, totals.people_for.get(option, 0),
                     totals.area_for.get(option, Decimal("0")),
                     _approval(rule, electorate, totals, option))
        for option in options
    )

    def finish(outcome, winners=(), tied=()):
        return Result(rule, totals.participants, totals.area, quorum, results, outcome,
                      tuple(winners), tuple(tied), deemed)

    if rule == Rule.ADVISORY:
        return finish("advisory")
    if not all(c.holds for c in quorum):
        return finish("no_quorum")
    def strength(r: OptionResult) -> tuple[int, Decimal]:
        return r.people, r.area

    passing = sorted((r for r in results if r.option in judged and r.passed),
                     key=strength, reverse=True)
    if not passing:
        return finish("rejected")
    if len(passing) <= seats or strength(passing[seats]) != strength(passing[seats - 1]):
        return finish("passed", [r.option for r in passing[:seats]])
    cut = strength(passing[seats - 1])
    return finish("tie", [r.option for r in passing if strength(r) > cut],
                  [r.option for r in passing if strength(r) == cut])


def tally(
    rule: Rule,
    electorate: Electorate,
    ballots: Iterable[Ballot],
    *,
    options: Sequence[str] = YES_NO,
    seats: int = 1,
    turnout_quorum: Fraction | None = None,
) -> Result:
    """Count a poll. A yes/no question (the default options) judges "approve"; a
    multi-option question judges each option as if approving meant choosing it, and with
    ``seats`` seats the top passing options win (more people first, then more area); options
    still equal for the last seat are reported as ``tied``."""
    if seats < 1:
        raise ValueError("seats must be at least 1")
    judged = [APPROVE] if tuple(options) == YES_NO else list(options)
    totals = _totals(ballots, options)
    return _judge(rule, electorate, totals, options, judged, seats, turnout_quorum, False)


class DeemedSide(enum.StrEnum):
    """The side a clause of the rules of procedure adds served non-voters to."""

    APPROVE = "approve"    # 未参与表决视为同意
    MAJORITY = "majority"  # 未参与表决的，视为同意多数人意见（从多数）


@dataclass(frozen=True)
class Voter:
    """An owner on the roll, by key, with the area their ballot would weigh."""

    key: str
    area: Decimal = Decimal("0")


@dataclass(frozen=True)
class DeemedCount:
    """The raw count, and the count with the served non-voters added as a clause says.

    ``side`` is the option they were added to (approve or oppose), None when nobody was added:
    either nobody was served and silent, or under 从多数 the voters' majority by area and the
    majority by headcount disagree (``split``)."""

    raw: Result
    deemed: Result
    side: str | None
    people: int
    area: Decimal
    split: bool = False


def majority_side(result: Result) -> str | None:
    """The side that won among the actual voters by both area and headcount, approve or
    oppose; None when the two measures disagree or either is even."""
    approve, oppose = result.option(APPROVE), result.option(OPPOSE)
    if approve.people > oppose.people and approve.area > oppose.area:
        return APPROVE
    if oppose.people > approve.people and oppose.area > approve.area:
        return OPPOSE
    return None


def tally_with_deemed_consent(
    rule: Rule,
    electorate: Electorate,
    ballots: Iterable[Ballot],
    *,
    served: Iterable[Voter],
    side: DeemedSide,
    turnout_quorum: Fraction | None = None,
) -> DeemedCount:
    """Count a yes/no poll twice: as cast, then with the owners who were served notice and did
    not vote added, by headcount and area, to the side the clause of the rules names.

    The raw count always stands on its own; the additions take part in the quorum and count
    for their side only. ``served`` may include voters: those who voted keep their ballot.
    """
    ballots = list(ballots)
    totals = _totals(ballots, YES_NO)
    raw = _judge(rule, electorate, totals, YES_NO, [APPROVE], 1, turnout_quorum, False)
    voted = {ballot.voter for ballot in ballots}
    silent = {voter.key: voter.area for voter in served if voter.key not in voted}
    people, area = len(silent), sum(silent.values(), Decimal("0"))
    split = False
    if side == DeemedSide.APPROVE:
        added_to: str | None = APPROVE
    else:
        added_to = majority_side(raw)
        split = added_to is None
    if added_to is None or not people:
        added_to, people, area = None, 0, Decimal("0")
    else:
        totals.participants += people
        totals.area += area
        totals.add([added_to], people, area)
    deemed = _judge(rule, electorate, totals, YES_NO, [APPROVE], 1, turnout_quorum, True)
    return DeemedCount(raw, deemed, added_to, people, area, split)
