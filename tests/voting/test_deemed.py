"""Deemed consent as the rules of procedure allow it: only served owners who did not vote are
added, to the side the clause names, by area and headcount; the raw count stands first.

The boundary cases go through ``flask tally`` with and without ``--deemed`` and are checked
against a reference written here from the law's words, in integer arithmetic."""

import json
import random
from decimal import Decimal

import pytest

from app.voting.rules import (
    ABSTAIN,
    APPROVE,
    OPPOSE,
    Ballot,
    DeemedSide,
    Electorate,
    Rule,
    Voter,
    tally_with_deemed_consent,
)

D = Decimal


def voters(*specs):
    """(key, choice or None, area, served) → the ballots and the served voters."""
    ballots = [Ballot(key, frozenset() if choice == "invalid" else frozenset({choice}), D(area))
               for key, choice, area, _served in specs if choice]
    served = [Voter(key, D(area)) for key, _choice, area, is_served in specs if is_served]
    electorate = Electorate(len(specs), sum((D(area) for _k, _c, area, _s in specs), D("0")))
    return electorate, ballots, served


def count(specs, side=DeemedSide.APPROVE, rule=Rule.CIVIL_CODE_ORDINARY):
    electorate, ballots, served = voters(*specs)
    return tally_with_deemed_consent(rule, electorate, ballots, served=served, side=side)


def test_one_approving_ballot_among_a_thousand_owners_passes_nothing_when_none_was_served():
    specs = [("v0", APPROVE, "100", True)] + [(f"s{n}", None, "100", False) for n in range(999)]
    result = count(specs)
    assert result.raw.outcome == result.deemed.outcome == "no_quorum"
    assert (result.people, result.area, result.side) == (0, D("0"), None)


def test_only_served_silent_owners_are_added_and_participation_can_still_fail():
    # 3 voters + 2 served silent = 5 of 9 owners: under two thirds, even with the clause.
    specs = ([(f"v{n}", APPROVE, "100", True) for n in range(3)]
             + [(f"s{n}", None, "100", True) for n in range(2)]
             + [(f"u{n}", None, "100", False) for n in range(4)])
    result = count(specs)
    assert (result.people, result.area, result.side) == (2, D("200"), APPROVE)
    assert result.deemed.participants == 5 and result.deemed.outcome == "no_quorum"
    # One more served owner reaches exactly two thirds (6 of 9, 600 of 900 m²): inclusive.
    specs[5] = ("u0", None, "100", True)
    result = count(specs)
    assert result.deemed.participants == 6 and result.deemed.outcome == "passed"
    assert result.raw.outcome == "no_quorum"


def test_a_voter_listed_as_served_keeps_the_ballot_and_is_not_added():
    specs = [("v0", OPPOSE, "100", True), ("v1", OPPOSE, "100", True),
             ("s0", None, "100", True)]
    result = count(specs)
    assert result.people == 1 and result.deemed.option(OPPOSE).people == 2
    assert result.deemed.option(APPROVE).people == 1 and result.deemed.outcome == "rejected"


def test_area_and_headcount_both_count_for_the_deemed():
    # Two small served silent flats approve by headcount but not by area.
    specs = [("v0", OPPOSE, "300", True), ("v1", APPROVE, "10", True),
             ("s0", None, "10", True), ("s1", None, "10", True)]
    result = count(specs)
    assert result.deemed.option(APPROVE).people == 3 and result.deemed.option(APPROVE).area == 30
    assert result.deemed.outcome == "rejected"  # 30 of 330 m² is not more than half


def test_majority_adds_to_the_side_that_won_by_both_area_and_headcount():
    specs = [("v0", OPPOSE, "100", True), ("v1", OPPOSE, "100", True),
             ("v2", APPROVE, "100", True), ("s0", None, "100", True)]
    result = count(specs, DeemedSide.MAJORITY)
    assert result.side == OPPOSE and result.deemed.option(OPPOSE).people == 3
    assert result.deemed.outcome == "rejected" and not result.split


def test_majority_adds_nobody_when_area_and_headcount_disagree_and_says_so():
    specs = [("v0", OPPOSE, "300", True), ("v1", APPROVE, "100", True),
             ("v2", APPROVE, "100", True), ("s0", None, "100", True)]
    result = count(specs, DeemedSide.MAJORITY)
    assert result.split and result.side is None and result.people == 0
    assert result.deemed.participants == result.raw.participants == 3


@pytest.mark.parametrize("approve, oppose", [(2, 2), (0, 0)])
def test_majority_adds_nobody_on_an_even_split(approve, oppose):
    specs = ([(f"a{n}", APPROVE, "100", True) for n in range(approve)]
             + [(f"o{n}", OPPOSE, "100", True) for n in range(oppose)]
             + [("s0", None, "100", True)])
    result = count(specs, DeemedSide.MAJORITY)
    assert result.split and result.people == 0


def test_invalid_and_abstaining_ballots_take_part_but_approve_nothing():
    specs = [("v0", "invalid", "100", True), ("v1", ABSTAIN, "100", True),
             ("v2", APPROVE, "100", True)]
    result = count(specs)
    assert result.raw.participants == 3 and result.raw.option(APPROVE).people == 1
    assert result.raw.outcome == "rejected"  # 1 of 3 is not more than half


# --- flask tally, against a reference ---------------------------------------------------------


def reference(rule: str, roster: dict, votes: dict, deemed: str | None = None) -> dict:
    """The law's words, in integers (areas in cents): quorum ≥ 2/3 of owners and of area;
    ordinary > 1/2, major ≥ 3/4 of the participants, by owners and by area; simple majority
    > 1/2 and two thirds ≥ 2/3 of ballots, by owners. Deemed: served non-voters join the
    side the clause names (majority: approve/oppose won by both measures, else nobody)."""
    owners_total, area_total = len(roster), sum(area for area, _served in roster.values())

    def verdict(people, area, yes_people, yes_area):
        if rule.startswith("civil-code"):
            if not (3 * people >= 2 * owners_total and 3 * area >= 2 * area_total):
                return False
            if rule == "civil-code-ordinary":
                return 2 * yes_people > people and 2 * yes_area > area
            return 4 * yes_people >= 3 * people and 4 * yes_area >= 3 * area
        if rule == "simple-majority":
            return people > 0 and 2 * yes_people > people
        return people > 0 and 3 * yes_people >= 2 * people

    def side_total(choice):
        keys = [k for k, c in votes.items() if c == choice]
        return len(keys), sum(roster[k][0] for k in keys)

    people, area = len(votes), sum(roster[k][0] for k in votes)
    yes, no = side_total("approve"), side_total("oppose")
    out = {"passed": verdict(people, area, *yes)}
    if deemed is None:
        return out
    silent = [k for k, (_a, served) in roster.items() if served and k not in votes]
    if deemed == "approve" or yes[0] > no[0] and yes[1] > no[1]:
        side = "approve"
    elif no[0] > yes[0] and no[1] > yes[1]:
        side = "oppose"
    else:
        side = None
    added = len(silent) if side else 0
    added_area = sum(roster[k][0] for k in silent) if side else 0
    yes_people = yes[0] + (added if side == "approve" else 0)
    yes_area = yes[1] + (added_area if side == "approve" else 0)
    out.update(deemed_owners=added, deemed_area=added_area,
               passed_with_deemed=verdict(people + added, area + added_area,
                                          yes_people, yes_area))
    return out


def boundary_cases(seed: int, how_many: int):
    """Rosters of 3 to 12 owners, equal areas (so area and headcount sit on the same
    boundary) or a few different ones, and every way of voting near the thresholds."""
    rng = random.Random(seed)
    for _ in range(how_many):
        size = rng.randint(3, 12)
        areas = ([10000] * size if rng.random() < 0.5
                 else [rng.choice([5000, 7525, 10000, 12050, 20000]) for _ in range(size)])
        keys = [f"O{n}" for n in range(size)]
        voting = rng.sample(keys, rng.choice([size * 2 // 3, -(-size * 2 // 3), size // 2 + 1,
                                              size, rng.randint(0, size)]))
        votes = {k: rng.choice(["approve", "approve", "oppose", "abstain", "invalid"])
                 for k in voting}
        served = {k: k in votes or rng.random() < 0.6 for k in keys}
        yield {k: (a, served[k]) for k, a in zip(keys, areas, strict=True)}, votes


def files(tmp_path, roster: dict, votes: dict, with_served: bool = True):
    lines = ["unit,building,area_m2,owner" + (",served" if with_served else "")]
    for n, (key, (cents, served)) in enumerate(roster.items()):
        row = f"{n + 1}01,1栋,{cents // 100}.{cents % 100:02d},{key}"
        lines.append(row + (f",{int(served)}" if with_served else ""))
    roster_path, ballots_path = tmp_path / "ROSTER.csv", tmp_path / "BALLOTS.csv"
    roster_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ballots_path.write_text("owner,choice\n" + "".join(f"{k},{c}\n" for k, c in votes.items()),
                            encoding="utf-8")
    return str(roster_path), str(ballots_path)


def cents(text: str) -> int:
    whole, fraction = text.split(".")
    return int(whole) * 100 + int(fraction)


@pytest.mark.parametrize("rule, seed", [("civil-code-ordinary", 1), ("civil-code-major", 2),
                                        ("simple-majority", 3), ("two-thirds", 4)])
def test_flask_tally_agrees_with_the_reference_with_and_without_deemed(runner, tmp_path, rule,
                                                                       seed):
    for roster, votes in boundary_cases(seed, how_many=40):
        paths = files(tmp_path, roster, votes)
        plain = json.loads(runner.invoke(args=["tally", *paths, "--rule", rule]).output)
        assert "passed_with_deemed" not in plain
        assert plain["passed"] == reference(rule, roster, votes)["passed"], (roster, votes)
        for side in ("approve", "majority"):
            result = runner.invoke(args=["tally", *paths, "--rule", rule, "--deemed", side])
            data = json.loads(result.output)
            expected = reference(rule, roster, votes, side)
            assert data["passed"] == expected["passed"], (roster, votes, side)
            assert data["passed_with_deemed"] == expected["passed_with_deemed"], (
                roster, votes, side)
            assert data["deemed_owners"] == expected["deemed_owners"]
            assert cents(data["deemed_area"]) == expected["deemed_area"]


def test_deemed_consent_needs_the_served_column(runner, tmp_path):
    roster = {"A": (10000, True), "B": (10000, False)}
    paths = files(tmp_path, roster, {"A": "approve"}, with_served=False)
    result = runner.invoke(args=["tally", *paths, "--rule", "civil-code-ordinary",
                                 "--deemed", "approve"])
    assert result.exit_code == 2 and "--deemed needs a served column" in result.output
    plain = runner.invoke(args=["tally", *paths, "--rule", "civil-code-ordinary"])
    assert plain.exit_code == 0


@pytest.mark.parametrize("roster_text, message", [
    ("unit,building,area_m2,owner,served\n101,1栋,90.00,A,yes\n", "served must be 1 or 0"),
    ("unit,building,area_m2,owner,served\n101,1栋,90.00,A,1\n102,1栋,80.00,A,0\n",
     "owner 'A' is marked both served and not served"),
])
def test_a_bad_served_column_is_refused_with_its_line(runner, tmp_path, roster_text, message):
    (tmp_path / "ROSTER.csv").write_text(roster_text, encoding="utf-8")
    (tmp_path / "BALLOTS.csv").write_text("owner,choice\n", encoding="utf-8")
    result = runner.invoke(args=["tally", str(tmp_path / "ROSTER.csv"),
                                 str(tmp_path / "BALLOTS.csv"), "--rule", "two-thirds"])
    assert result.exit_code == 2 and message in result.output


def test_the_deemed_json_keeps_the_raw_keys_and_adds_its_own(runner, tmp_path):
    roster = {"A": (10000, True), "B": (10000, True), "C": (10000, True), "D": (10000, False)}
    paths = files(tmp_path, roster, {"A": "approve", "B": "invalid"})
    data = json.loads(runner.invoke(args=["tally", *paths, "--rule", "civil-code-ordinary",
                                          "--deemed", "approve"]).output)
    assert data["passed"] is False and data["outcome"] == "no_quorum"
    assert data["invalid_owners"] == 1 and data["participating_owners"] == 2
    assert (data["deemed_owners"], data["deemed_area"], data["deemed_side"]) == (1, "100.00",
                                                                                "approve")
    # 3 of 4 take part; 2 of the 3 approve (the invalid ballot approves nothing).
    assert data["passed_with_deemed"] is True and data["outcome_with_deemed"] == "passed"
