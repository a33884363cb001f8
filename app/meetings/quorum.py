"""A meeting's quorum and an in-room show of hands, judged by the meeting kind's rule,
with no Flask and no database.

A committee meeting needs more than half of its members present and a decision more than
half of all members; a party branch members' meeting the same of its members with voting
rights (the voting rules' ``committee`` and ``party_branch``). A residents' council and a
joint meeting take decisions by a majority of those voting, in a meeting with more than
half of its voting invitees present. An owners' general meeting decides under Civil Code Art. 278,
which weighs area as well as people: its decisions come from a poll, never from hands
counted in a room. Non-voting attendees (列席) count for none of these.
"""

from dataclasses import replace

from app.core.refusals import Refused
from app.meetings.kinds import MeetingKind
from app.voting.rules import (
    ABSTAIN,
    APPROVE,
    HALF,
    OPPOSE,
    Ballot,
    Basis,
    Condition,
    Electorate,
    Measure,
    Result,
    Rule,
    tally,
)

HANDS_RULES: dict[str, Rule] = {
    MeetingKind.COMMITTEE: Rule.COMMITTEE,
    MeetingKind.PARTY_BRANCH: Rule.PARTY_BRANCH,
    MeetingKind.RESIDENTS_COUNCIL: Rule.SIMPLE_MAJORITY,
    MeetingKind.JOINT: Rule.SIMPLE_MAJORITY,
}


class HandsRefused(Refused):
    """``hands.poll_only`` (an owners' general meeting) or ``hands.too_many`` (more hands
    than voting attendees present)."""


def attendance_quorum(kind: str, voting_invited: int, voting_present: int) -> Condition | None:
    """More than half of the voting invitees present; None for an owners' general meeting,
    whose quorum is its poll's (area and people, Art. 278)."""
    if kind == MeetingKind.OWNERS_GENERAL:
        return None
    return Condition("quorum", Measure.PEOPLE, Basis.ELECTORATE, voting_present,
                     voting_invited, HALF, False)


def show_of_hands(kind: str, voting_invited: int, voting_present: int, *, votes_for: int,
                  votes_against: int, abstentions: int) -> Result:
    """The decision of a show of hands, as the voting rules judge it, in a meeting whose
    quorum is who is present (not who raised a hand): a member present who raised no hand
    still counts towards the quorum, and never towards approval."""
    rule = HANDS_RULES.get(kind)
    if rule is None:
        raise HandsRefused("hands.poll_only")
    if min(votes_for, votes_against, abstentions) < 0:
        raise ValueError("a count of hands cannot be negative")
    if votes_for + votes_against + abstentions > voting_present:
        raise HandsRefused("hands.too_many")
    hands = [APPROVE] * votes_for + [OPPOSE] * votes_against + [ABSTAIN] * abstentions
    ballots = [Ballot(f"hand-{n}", frozenset({choice})) for n, choice in enumerate(hands)]
    result = tally(rule, Electorate(people=voting_invited), ballots)
    quorum = attendance_quorum(kind, voting_invited, voting_present)
    if not quorum.holds:
        return replace(result, quorum=(quorum,), outcome="no_quorum", winners=())
    passed = result.option(APPROVE).passed
    return replace(result, quorum=(quorum,), outcome="passed" if passed else "rejected",
                   winners=(APPROVE,) if passed else ())
