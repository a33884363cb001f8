"""The words for voting's values, for pages, documents and exports alike."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.voting.models import Channel, ElectorateKind, ResultsVisibility, Secrecy
from app.voting.rules import ABSTAIN, APPROVE, OPPOSE, Condition, Rule

RULE_LABELS = {
    Rule.CIVIL_CODE_ORDINARY: _l("Civil Code Art. 278, ordinary matter (过半数)"),
    Rule.CIVIL_CODE_MAJOR: _l("Civil Code Art. 278, major matter (四分之三)"),
    Rule.SIMPLE_MAJORITY: _l("Simple majority"),
    Rule.TWO_THIRDS: _l("Two thirds"),
    Rule.PARTY_BRANCH: _l("Party branch members' meeting"),
    Rule.COMMITTEE: _l("Committee meeting"),
    Rule.ADVISORY: _l("Advisory (意见征集)"),
}
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


def describe_condition(condition: Condition) -> str:
    """A condition of a count in the reader's language (the one wording: Condition.describe)."""
    return condition.describe(gettext)
