"""A meeting's quorum and an in-room show of hands, judged by the meeting kind's rule,
with no Flask and no database.

- 业委会会议 (committee): more than half of the members present, a decision by half or more
  of ALL members (业主大会和业主委员会指导规则 Art. 38: "过半数的委员出席 ... 全体委员半数以上同意";
  6 members, 3 in favour passes).
- 党员大会 (party branch): half or more of the members with voting rights present, a decision
  by more than half of them (支部工作条例 Art. 11). The caller's count of voting members
  leaves out probationary members (预备党员) and members on approved leave.
- 居民会议 / 居民议事会 (residents' council) and 联席会议 (joint meeting): more than half of
  the voting invitees present, a decision by more than half of those PRESENT, not of those
  who raised a hand (城市居民委员会组织法 Art. 9: "由出席人的过半数通过"; the joint meeting
  by the community's rules of procedure, which follow it).
- 业主大会 (owners' general meeting) decides under Civil Code Art. 278, which weighs area as
  well as people: its decisions come from a poll, never from hands counted in a room.

Non-voting attendees (列席) count for none of these.
"""

from dataclasses import replace

from app.core.refusals import Refused
from app.meetings.kinds import MeetingKind
from app.voting.rules import (
    ABSTAIN,
    APPROVE,
    CIVIL_CODE_278,
    COMMITTEE_RULES,
    HALF,
    OPPOSE,
    PARTY_BRANCH_RULES,
    RESIDENTS_MEETING_RULES,
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

# The law (and article) each kind of meeting decides under, quoted in its minutes.
SOURCES: dict[str, str] = {
    MeetingKind.OWNERS_GENERAL: CIVIL_CODE_278,
    MeetingKind.COMMITTEE: COMMITTEE_RULES,
    MeetingKind.PARTY_BRANCH: PARTY_BRANCH_RULES,
    MeetingKind.RESIDENTS_COUNCIL: RESIDENTS_MEETING_RULES,
    MeetingKind.JOINT: RESIDENTS_MEETING_RULES,
}

# Kinds whose decisions are taken by those present rather than by all members.
DECIDED_BY_THOSE_PRESENT = frozenset({MeetingKind.RESIDENTS_COUNCIL, MeetingKind.JOINT})


class HandsRefused(Refused):
    """``hands.poll_only`` (an owners' general meeting) or ``hands.too_many`` (more hands
    than voting attendees present)."""


def attendance_quorum(kind: str, voting_invited: int, voting_present: int) -> Condition | None:
    """Who must be present for the meeting to decide: half or more of a party branch's
    voting members, more than half of the voting invitees of any other meeting; None for an
    owners' general meeting, whose quorum is its poll's (area and people, Art. 278)."""
    if kind == MeetingKind.OWNERS_GENERAL:
        return None
    return Condition("quorum", Measure.PEOPLE, Basis.ELECTORATE, voting_present,
                     voting_invited, HALF, kind == MeetingKind.PARTY_BRANCH)


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
    if kind in DECIDED_BY_THOSE_PRESENT:
        approval = Condition("approval", Measure.PEOPLE, Basis.PRESENT, votes_for,
                             voting_present, HALF, False)
        result = replace(result, options=tuple(
            replace(option, conditions=(approval,)) if option.option == APPROVE else option
            for option in result.options))
    if not quorum.holds:
        return replace(result, quorum=(quorum,), outcome="no_quorum", winners=())
    passed = result.option(APPROVE).passed
    return replace(result, quorum=(quorum,), outcome="passed" if passed else "rejected",
                   winners=(APPROVE,) if passed else ())
