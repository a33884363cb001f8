"""The counting rules, on every boundary (no app, no database)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.voting.rules import (
    ABSTAIN,
    APPROVE,
    OPPOSE,
    Ballot,
    Electorate,
    Rule,
    tally,
)

D = Decimal


def ballots(*specs):
    """specs: (choice, area) pairs, one per voter."""
    return [Ballot(f"v{n}", frozenset({choice}), D(area)) for n, (choice, area) in
            enumerate(specs)]


def owners(approve=0, oppose=0, abstain=0, area="100"):
    return ballots(*([(APPROVE, area)] * approve + [(OPPOSE, area)] * oppose
                     + [(ABSTAIN, area)] * abstain))


# --- Civil Code Art. 278 ------------------------------------------------------------------

def test_quorum_holds_at_exactly_two_thirds_and_fails_one_owner_short():
    electorate = Electorate(people=9, area=D("900"))
    at = tally(Rule.CIVIL_CODE_ORDINARY, electorate, owners(approve=6))
    assert at.quorum_met and at.outcome == "passed"
    short = tally(Rule.CIVIL_CODE_ORDINARY, electorate, owners(approve=5))
    assert not short.quorum_met and short.outcome == "no_quorum"


def test_quorum_needs_both_area_and_people():
    electorate = Electorate(people=3, area=D("300.00"))
    big_flat = ballots((APPROVE, "250.00"))          # area 83 %, people 33 %
    result = tally(Rule.CIVIL_CODE_ORDINARY, electorate, big_flat)
    area_condition, people_condition = result.quorum
    assert area_condition.holds and not people_condition.holds
    assert result.outcome == "no_quorum"


def test_ordinary_matter_fails_at_exactly_half_and_passes_just_above():
    electorate = Electorate(people=4, area=D("400"))
    half = tally(Rule.CIVIL_CODE_ORDINARY, electorate, owners(approve=2, oppose=2))
    assert half.outcome == "rejected"
    assert [c.holds for c in half.option(APPROVE).conditions] == [False, False]
    above = tally(Rule.CIVIL_CODE_ORDINARY, electorate,
                  ballots((APPROVE, "100.01"), (APPROVE, "100"), (APPROVE, "100"),
                          (OPPOSE, "99.99")))
    assert above.outcome == "passed"


def test_ordinary_approval_needs_area_and_people_over_half():
    electorate = Electorate(people=3, area=D("300"))
    rich_minority = ballots((APPROVE, "200"), (OPPOSE, "50"), (OPPOSE, "50"))
    result = tally(Rule.CIVIL_CODE_ORDINARY, electorate, rich_minority)
    area, people = result.option(APPROVE).conditions
    assert area.holds and not people.holds and result.outcome == "rejected"


def test_major_matter_passes_at_exactly_three_quarters():
    electorate = Electorate(people=4, area=D("400"))
    at = tally(Rule.CIVIL_CODE_MAJOR, electorate, owners(approve=3, oppose=1))
    assert at.outcome == "passed"
    below = tally(Rule.CIVIL_CODE_MAJOR, electorate,
                  ballots((APPROVE, "100"), (APPROVE, "100"), (APPROVE, "99.99"),
                          (OPPOSE, "100.01")))
    assert below.outcome == "rejected"


def test_abstentions_take_part_but_never_approve():
    electorate = Electorate(people=6, area=D("600"))
    result = tally(Rule.CIVIL_CODE_ORDINARY, electorate, owners(approve=2, abstain=2))
    assert result.quorum_met  # 4 of 6 owners = 2/3
    assert result.outcome == "rejected"  # 2 of 4 participants is not more than half


def test_explanations_read_like_the_notice():
    electorate = Electorate(people=4, area=D("3000.00"))
    result = tally(Rule.CIVIL_CODE_ORDINARY, electorate,
                   ballots((APPROVE, "2000.00"), (APPROVE, "345.67"), (ABSTAIN, "0.01")))
    assert result.quorum[0].describe() == (
        "Area taking part: 2,345.68 m² of 3,000.00 m² = 78.19 % ≥ 2/3 ✓ holds")
    assert result.quorum[1].describe() == "People taking part: 3 of 4 = 75.00 % ≥ 2/3 ✓ holds"
    assert result.option(APPROVE).conditions[1].describe() == (
        "People in favour, of those taking part: 2 of 3 = 66.67 % > 1/2 ✓ holds")


# --- Other rules ----------------------------------------------------------------------------

def test_simple_majority_and_its_optional_turnout_quorum():
    electorate = Electorate(people=10)
    assert tally(Rule.SIMPLE_MAJORITY, electorate, owners(approve=2, oppose=2)).outcome == \
        "rejected"
    assert tally(Rule.SIMPLE_MAJORITY, electorate, owners(approve=3, oppose=2)).outcome == \
        "passed"
    quorum = Fraction(1, 2)
    assert tally(Rule.SIMPLE_MAJORITY, electorate, owners(approve=4),
                 turnout_quorum=quorum).outcome == "no_quorum"
    assert tally(Rule.SIMPLE_MAJORITY, electorate, owners(approve=5),
                 turnout_quorum=quorum).outcome == "passed"


def test_two_thirds_includes_the_boundary():
    electorate = Electorate(people=30)
    assert tally(Rule.TWO_THIRDS, electorate, owners(approve=2, oppose=1)).outcome == "passed"
    assert tally(Rule.TWO_THIRDS, electorate, owners(approve=3, oppose=2)).outcome == \
        "rejected"


def test_party_branch_needs_more_than_half_of_all_voting_members():
    """支部工作条例 Art. 11: half of the voting members present is enough to vote
    (inclusive); the decision needs more than half of them (exclusive)."""
    branch = Electorate(people=10)
    present_but_short = tally(Rule.PARTY_BRANCH, branch, owners(approve=5, oppose=1))
    assert present_but_short.quorum_met and present_but_short.outcome == "rejected"
    assert tally(Rule.PARTY_BRANCH, branch, owners(approve=6)).outcome == "passed"
    exactly_half_present = tally(Rule.PARTY_BRANCH, branch, owners(approve=5))
    assert exactly_half_present.quorum_met and exactly_half_present.outcome == "rejected"
    assert tally(Rule.PARTY_BRANCH, branch, owners(approve=4)).outcome == "no_quorum"


def test_committee_needs_more_than_half_present_and_half_of_all_approving():
    """指导规则 Art. 38: more than half present; half of ALL members or more approving."""
    committee = Electorate(people=7)
    assert tally(Rule.COMMITTEE, committee, owners(approve=3)).outcome == "no_quorum"
    assert tally(Rule.COMMITTEE, committee, owners(approve=3, oppose=1)).outcome == "rejected"
    assert tally(Rule.COMMITTEE, committee, owners(approve=4)).outcome == "passed"


def test_committee_of_six_passes_with_exactly_three():
    committee = Electorate(people=6)
    assert tally(Rule.COMMITTEE, committee, owners(approve=3, oppose=1)).outcome == "passed"
    assert tally(Rule.COMMITTEE, committee, owners(approve=2, oppose=2)).outcome == "rejected"
    assert tally(Rule.COMMITTEE, committee, owners(approve=3)).outcome == "no_quorum"


def test_conditions_in_words_for_documents():
    condition = tally(Rule.CIVIL_CODE_ORDINARY, Electorate(people=3, area=D("300")),
                      owners(approve=1)).quorum[0]
    assert condition.describe(in_words=True) == \
        "Area taking part: 100.00 square metres of 300.00 square metres = 33.33 % ≥ 2/3 " \
        "does not hold"


def test_advisory_gives_the_distribution_only():
    result = tally(Rule.ADVISORY, Electorate(people=5), owners(approve=1, oppose=3))
    assert result.outcome == "advisory" and result.option(OPPOSE).people == 3


# --- Multi-option questions ----------------------------------------------------------------

def choose(*specs):
    return [Ballot(f"v{n}", frozenset(picks), D(area)) for n, (picks, area) in enumerate(specs)]


def test_seats_go_to_the_strongest_passing_options():
    electorate = Electorate(people=5, area=D("500"))
    result = tally(Rule.CIVIL_CODE_ORDINARY, electorate, choose(
        ({"A", "B"}, "100"), ({"A", "B"}, "100"), ({"A", "C"}, "100"), ({"B"}, "100"),
        ({"C"}, "100")), options=["A", "B", "C"], seats=2)
    assert set(result.winners) == {"A", "B"} and result.tied == ()


def test_ties_are_broken_by_area_then_reported():
    electorate = Electorate(people=4, area=D("400"))
    by_area = tally(Rule.SIMPLE_MAJORITY, electorate, choose(
        ({"A", "B"}, "120"), ({"A", "B"}, "100"), ({"A"}, "90"), ({"B"}, "91")),
        options=["A", "B"], seats=1)
    assert by_area.winners == ("B",)
    dead_heat = tally(Rule.SIMPLE_MAJORITY, electorate, choose(
        ({"A", "B"}, "100"), ({"A", "B"}, "100"), ({"A"}, "90"), ({"B"}, "90")),
        options=["A", "B"], seats=1)
    assert dead_heat.outcome == "tie"
    assert dead_heat.winners == () and set(dead_heat.tied) == {"A", "B"}


def test_bad_ballots_are_refused():
    with pytest.raises(ValueError):
        tally(Rule.SIMPLE_MAJORITY, Electorate(people=2),
              [Ballot("v1", frozenset({APPROVE})), Ballot("v1", frozenset({OPPOSE}))])
    with pytest.raises(ValueError):
        tally(Rule.SIMPLE_MAJORITY, Electorate(people=2), [Ballot("v1", frozenset({"Z"}))])


# --- Properties --------------------------------------------------------------------------

CHOICE = st.sampled_from([APPROVE, OPPOSE, ABSTAIN])
AREA = st.decimals(min_value=D("0.01"), max_value=D("500"), places=2)
BALLOT_SPECS = st.lists(st.tuples(CHOICE, AREA), max_size=30)
RULES = st.sampled_from(list(Rule))


def _electorate(specs, extra_people, extra_area):
    return Electorate(people=len(specs) + 1 + extra_people,
                      area=sum((D(a) for _, a in specs), D("0")) + D("500") + extra_area)


@settings(max_examples=300)
@given(RULES, BALLOT_SPECS, AREA, st.integers(0, 20), AREA)
def test_an_extra_approving_ballot_never_turns_a_pass_into_a_fail(rule, specs, area, extra,
                                                                  extra_area):
    electorate = _electorate(specs, extra, extra_area)
    before = tally(rule, electorate, ballots(*specs))
    after = tally(rule, electorate, ballots(*specs, (APPROVE, area)))
    if before.outcome == "passed":
        assert after.outcome == "passed"


@settings(max_examples=200)
@given(RULES, BALLOT_SPECS, st.randoms(use_true_random=False), st.integers(0, 20), AREA)
def test_ballot_order_does_not_matter(rule, specs, rng, extra, extra_area):
    electorate = _electorate(specs, extra, extra_area)
    cast = ballots(*specs)
    shuffled = list(cast)
    rng.shuffle(shuffled)
    assert tally(rule, electorate, cast) == tally(rule, electorate, shuffled)


@given(st.integers(1, 60))
def test_exactly_half_approval_fails_every_majority_rule(n):
    electorate = Electorate(people=2 * n, area=D(200 * n))
    for rule in (Rule.SIMPLE_MAJORITY, Rule.CIVIL_CODE_ORDINARY):
        assert tally(rule, electorate, owners(approve=n, oppose=n)).outcome != "passed"


@given(st.integers(1, 40))
def test_two_thirds_turnout_is_a_quorum_and_one_owner_fewer_is_not(n):
    electorate = Electorate(people=3 * n, area=D(300 * n))
    assert tally(Rule.CIVIL_CODE_MAJOR, electorate, owners(approve=2 * n)).quorum_met
    assert not tally(Rule.CIVIL_CODE_MAJOR, electorate, owners(approve=2 * n - 1)).quorum_met
