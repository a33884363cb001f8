"""The meeting quorum and the show of hands, at their exact boundaries (no app needed)."""

import pytest

from app.meetings.kinds import MeetingKind
from app.meetings.quorum import HandsRefused, attendance_quorum, show_of_hands

NON_POLL_KINDS = [MeetingKind.COMMITTEE, MeetingKind.PARTY_BRANCH,
                  MeetingKind.RESIDENTS_COUNCIL, MeetingKind.JOINT]


@pytest.mark.parametrize("kind", NON_POLL_KINDS)
@pytest.mark.parametrize("present, holds", [(3, False), (4, True), (0, False)])
def test_attendance_needs_more_than_half(kind, present, holds):
    """Of 6 voting invitees, exactly half (3) present is not enough; 4 is."""
    quorum = attendance_quorum(kind, 6, present)
    assert quorum.holds is holds
    assert (quorum.actual, quorum.of, quorum.inclusive) == (present, 6, False)


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
def test_members_decide_by_more_than_half_of_all_members(kind, votes_for, outcome):
    """7 members, 5 present: 3 in favour is a majority of those present but not more than
    half of all members (3.5); 4 is."""
    result = show_of_hands(kind, 7, 5, votes_for=votes_for, votes_against=5 - votes_for,
                           abstentions=0)
    assert result.outcome == outcome


@pytest.mark.parametrize("kind", [MeetingKind.COMMITTEE, MeetingKind.PARTY_BRANCH])
def test_members_meeting_without_quorum(kind):
    """8 members, exactly half (4) present: no quorum, whatever the hands say."""
    result = show_of_hands(kind, 8, 4, votes_for=4, votes_against=0, abstentions=0)
    assert result.outcome == "no_quorum"


@pytest.mark.parametrize("kind", [MeetingKind.COMMITTEE, MeetingKind.PARTY_BRANCH])
def test_the_quorum_is_who_is_present_not_who_raised_a_hand(kind):
    """9 members, 5 present, 4 in favour and one who raised no hand: the meeting has its
    quorum (as its minutes say), and 4 of 9 is not more than half of all members."""
    result = show_of_hands(kind, 9, 5, votes_for=4, votes_against=0, abstentions=0)
    assert result.quorum[0].holds and result.quorum[0].actual == 5
    assert result.outcome == "rejected"
    passed = show_of_hands(kind, 9, 6, votes_for=5, votes_against=0, abstentions=0)
    assert passed.outcome == "passed" and passed.winners == ("approve",)


@pytest.mark.parametrize("kind", [MeetingKind.RESIDENTS_COUNCIL, MeetingKind.JOINT])
@pytest.mark.parametrize("votes_for, against, abstain, outcome", [
    (2, 2, 0, "rejected"),   # exactly half of those voting is not a majority
    (3, 2, 0, "passed"),
    (2, 1, 2, "rejected"),   # abstentions take part and never approve
])
def test_councils_decide_by_majority_of_those_voting(kind, votes_for, against, abstain,
                                                    outcome):
    result = show_of_hands(kind, 6, 5, votes_for=votes_for, votes_against=against,
                           abstentions=abstain)
    assert result.outcome == outcome
    assert result.quorum[0].holds


@pytest.mark.parametrize("kind", [MeetingKind.RESIDENTS_COUNCIL, MeetingKind.JOINT])
def test_councils_need_their_attendance_quorum(kind):
    """6 invited, exactly 3 present: unanimous hands still decide nothing."""
    result = show_of_hands(kind, 6, 3, votes_for=3, votes_against=0, abstentions=0)
    assert result.outcome == "no_quorum"
    assert result.winners == ()
