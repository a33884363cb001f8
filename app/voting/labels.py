"""The words for voting's values, for pages, documents and exports alike."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.voting.matters import Matter, item_numeral
from app.voting.models import Channel, ElectorateKind, ResultsVisibility, Secrecy, ServedVia
from app.voting.rules import ABSTAIN, APPROVE, OPPOSE, Condition, DeemedSide, Rule

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


MATTER_LABELS = {
    Matter.RULES_OF_PROCEDURE: _l("Making or amending the rules of procedure of the owners' "
                                  "assembly"),
    Matter.COVENANT: _l("Making or amending the management covenant"),
    Matter.COMMITTEE: _l("Electing the owners' committee or replacing its members"),
    Matter.PROPERTY_MANAGER: _l("Hiring or dismissing the property services company or "
                                "another manager"),
    Matter.USE_FUND: _l("Using the maintenance fund of the buildings and their facilities"),
    Matter.RAISE_FUND: _l("Raising the maintenance fund of the buildings and their "
                          "facilities"),
    Matter.REBUILD: _l("Altering or rebuilding the buildings and their facilities"),
    Matter.COMMON_PARTS: _l("Changing the use of common parts, or running a business on them"),
    Matter.OTHER_MAJOR: _l("Other major matters of common ownership and joint management"),
    Matter.OTHER: _l("Another matter, decided as an ordinary one"),
}
SERVED_LABELS = {
    ServedVia.ONLINE: _l("online (signed in or read the notification)"),
    ServedVia.SMS: _l("SMS delivered"),
    ServedVia.PAPER: _l("paper handed over by staff"),
    ServedVia.POSTING: _l("public posting"),
    "": _l("not yet served"),
}
DEEMED_SIDE_LABELS = {
    DeemedSide.APPROVE: _l("Those served who do not vote are deemed to approve (视为同意)"),
    DeemedSide.MAJORITY: _l("Those served who do not vote follow the majority of the voters, "
                            "by area and headcount (从多数)"),
}


def matter_choice_label(matter: int) -> str:
    """"（六）Raising the maintenance fund…": the item's numeral, then what it is."""
    return f"{item_numeral(matter)}{MATTER_LABELS[Matter(matter)]}"


def matter_label(poll) -> str:
    """The Art. 278 item an owners' decision is on, for pages, the result notice and the
    minutes: "Civil Code Art. 278 item （六）: Raising…"; empty for any other poll."""
    if poll.matter is None:
        return ""
    if poll.matter == Matter.OTHER:
        return str(MATTER_LABELS[Matter.OTHER])
    return gettext("Civil Code Art. 278 item %(item)s: %(matter)s",
                   item=item_numeral(poll.matter), matter=MATTER_LABELS[Matter(poll.matter)])


def describe_in_words(condition: Condition) -> str:
    """A condition for a document: units and verdicts in words, not in symbols."""
    return condition.describe(gettext, in_words=True)
