"""The meeting quorum and the show of hands, at their exact boundaries (no app needed)."""

import pytest

from app.meetings.kinds import MeetingKind
from app.meetings.quorum import SOURCES, HandsRefused, attendance_quorum, show_of_hands

NON_POLL_KINDS = [MeetingKind.COMMITTEE, MeetingKind.PARTY_BRANCH,
                  MeetingKind.RESIDENTS_COUNCIL, MeetingKind.JOINT]


@pytest.mark.parametrize("kind", [MeetingKind.COMMITTEE, MeetingKind.RESIDENTS_COUNCIL,
                                  MeetingKind.JOINT])
@pytest.mark.parametrize("present, holds", [(3, False), (4, True), (0, False)])
def test_attendance_needs_more_than_half(kind, present, holds):
    """Of 6 voting invitees, exactly half (3) present is not enough; 4 is."""
    quorum = attendance_quorum(kind, 6, present)
    assert quorum.holds is holds
    assert (quorum.actual, quorum.of, quorum.inclusive) == (present, 6, False)


@pytest.mark.parametrize("present, holds", [(2, False), (3, True), (4, True)])
def test_party_branch_attendance_needs_half_or_more(present, holds):
    """支部工作条例 Art. 11, "半数以上有表决权的党员到会": of 6, exactly 3 present is enough."""
    quorum = attendance_quorum(MeetingKind.PARTY_BRANCH, 6, present)
    assert quorum.holds is holds and quorum.inclusive


def test_attendance_with_nobody_invited_never_holds():
    assert attendance_quorum(MeetingKind.COMMITTEE, 0, 0).holds is False


def test_owners_general_meeting_has_no_attendance_quorum():
    assert attendance_quorum(MeetingKind.OWNERS_GENERAL, 100, 100) is None


def test_owners_general_meeting_refuses_hands():
    with pytest.raises(HandsRefused) as refused:
        show_of_hands(MeetingKind.OWNERS_GENERAL, 10, 10, votes_for=10, votes_against=0,
                      abstentions=0)
    assert refused.value.code == "hands.poll_only"


@pytest.mark.parametrize("kind", NON_POLL_KINDS)
def test_more_hands_than_voting_attendees_present_is_refused(kind):
    with pytest.raises(HandsRefused) as refused:
        show_of_hands(kind, 7, 5, votes_for=3, votes_against=2, abstentions=1)
    assert refused.value.code == "hands.too_many"


@pytest.mark.parametrize("kind", NON_POLL_KINDS)
def test_as_many_hands_as_present_is_accepted(kind):
    result = show_of_hands(kind, 7, 5, votes_for=3, votes_against=1, abstentions=1)
    assert result.participants == 5


def test_negative_hands_are_an_error():
    with pytest.raises(ValueError):
        show_of_hands(MeetingKind.COMMITTEE, 7, 5, votes_for=-1, votes_against=0,
                      abstentions=0)


@pytest.mark.parametrize("kind", [MeetingKind.COMMITTEE, MeetingKind.PARTY_BRANCH])
@pytest.mark.parametrize("votes_for, outcome", [(3, "rejected"), (4, "passed")])
def test_members_decide_by_all_members_not_by_those_present(kind, votes_for, outcome):
    """7 members, 5 present: 3 in favour is a majority of those present but less than half
    of all members (3.5); 4 is."""
    result = show_of_hands(kind, 7, 5, votes_for=votes_for, votes_against=5 - votes_for,
                           abstentions=0)
    assert result.outcome == outcome


@pytest.mark.parametrize("votes_for, outcome", [(2, "rejected"), (3, "passed"), (4, "passed")])
def test_committee_decides_by_half_or_more_of_all_members(votes_for, outcome):
    """指导规则 Art. 38, "全体委员半数以上同意": of 6 members, exactly 3 in favour passes."""
    result = show_of_hands(MeetingKind.COMMITTEE, 6, 6, votes_for=votes_for,
                           votes_against=6 - votes_for, abstentions=0)
    assert result.outcome == outcome


@pytest.mark.parametrize("votes_for, outcome", [(3, "rejected"), (4, "passed")])
def test_party_branch_decides_by_more_than_half_of_voting_members(votes_for, outcome):
    """支部工作条例 Art. 11, "赞成人数超过应到会有表决权的党员的半数": of 6, exactly 3 fails."""
    result = show_of_hands(MeetingKind.PARTY_BRANCH, 6, 6, votes_for=votes_for,
                           votes_against=6 - votes_for, abstentions=0)
    assert result.outcome == outcome


def test_committee_meeting_without_quorum():
    """8 members, exactly half (4) present: no quorum, whatever the hands say."""
    result = show_of_hands(MeetingKind.COMMITTEE, 8, 4, votes_for=4, votes_against=0,
                           abstentions=0)
    assert result.outcome == "no_quorum"


def test_party_branch_meets_with_exactly_half_present():
    """8 voting members, exactly 4 present and 4 in favour: the meeting may decide, and 4
    is not more than half of the 8 expected; 5 present of 8 with 5 in favour passes."""
    short = show_of_hands(MeetingKind.PARTY_BRANCH, 8, 4, votes_for=4, votes_against=0,
                          abstentions=0)
    assert short.quorum_met and short.outcome == "rejected"
    passed = show_of_hands(MeetingKind.PARTY_BRANCH, 8, 5, votes_for=5, votes_against=0,
                           abstentions=0)
    assert passed.outcome == "passed"


@pytest.mark.parametrize("kind", [MeetingKind.COMMITTEE, MeetingKind.PARTY_BRANCH])
def test_the_quorum_is_who_is_present_not_who_raised_a_hand(kind):
    """9 members, 5 present, 4 in favour and one who raised no hand: the meeting has its
    quorum (as its minutes say), and 4 of 9 is less than half of all members."""
    result = show_of_hands(kind, 9, 5, votes_for=4, votes_against=0, abstentions=0)
    assert result.quorum[0].holds and result.quorum[0].actual == 5
    assert result.outcome == "rejected"
    passed = show_of_hands(kind, 9, 6, votes_for=5, votes_against=0, abstentions=0)
    assert passed.outcome == "passed" and passed.winners == ("approve",)


@pytest.mark.parametrize("kind", [MeetingKind.RESIDENTS_COUNCIL, MeetingKind.JOINT])
@pytest.mark.parametrize("votes_for, against, abstain, outcome", [
    (2, 2, 0, "rejected"),   # 2 of 5 present
    (3, 2, 0, "passed"),     # 3 of 5 present
    (3, 0, 0, "passed"),     # two present raised no hand: still 3 of 5
    (2, 0, 0, "rejected"),   # every hand raised is for, but 2 of 5 present is not a majority
    (2, 1, 2, "rejected"),   # abstentions are present and never approve
])
def test_councils_decide_by_more_than_half_of_those_present(kind, votes_for, against, abstain,
                                                           outcome):
    """城市居民委员会组织法 Art. 9, "由出席人的过半数通过"."""
    result = show_of_hands(kind, 6, 5, votes_for=votes_for, votes_against=against,
                           abstentions=abstain)
    assert result.outcome == outcome
    assert result.quorum[0].holds


@pytest.mark.parametrize("kind", [MeetingKind.RESIDENTS_COUNCIL, MeetingKind.JOINT])
def test_one_hand_of_ten_present_decides_nothing(kind):
    result = show_of_hands(kind, 12, 10, votes_for=1, votes_against=0, abstentions=0)
    assert result.outcome == "rejected"
    approval = result.option("approve").conditions[0]
    assert (approval.actual, approval.of) == (1, 10)
    assert approval.describe() == \
        "People in favour, of those present: 1 of 10 = 10.00 % > 1/2 ✗ does not hold"


@pytest.mark.parametrize("kind", [MeetingKind.RESIDENTS_COUNCIL, MeetingKind.JOINT])
def test_councils_at_exactly_half_of_those_present(kind):
    """10 present, exactly 5 in favour is not more than half; 6 is."""
    half = show_of_hands(kind, 12, 10, votes_for=5, votes_against=0, abstentions=0)
    assert half.outcome == "rejected"
    more = show_of_hands(kind, 12, 10, votes_for=6, votes_against=4, abstentions=0)
    assert more.outcome == "passed"


@pytest.mark.parametrize("kind", [MeetingKind.OWNERS_GENERAL, MeetingKind.COMMITTEE,
                                  MeetingKind.PARTY_BRANCH, MeetingKind.RESIDENTS_COUNCIL,
                                  MeetingKind.JOINT])
def test_every_kind_names_its_source(kind):
    assert SOURCES[kind].startswith("《") and "第" in SOURCES[kind]


@pytest.mark.parametrize("kind", [MeetingKind.RESIDENTS_COUNCIL, MeetingKind.JOINT])
def test_councils_need_their_attendance_quorum(kind):
    """6 invited, exactly 3 present: unanimous hands still decide nothing."""
    result = show_of_hands(kind, 6, 3, votes_for=3, votes_against=0, abstentions=0)
    assert result.outcome == "no_quorum"
    assert result.winners == ()
