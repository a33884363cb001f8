"""``flask tally``: the recount anyone can run from a poll's audit package."""

import json

import pytest

ROSTER = """unit,building,area_m2,owner
101,1栋,89.50,A
102,1栋,60.25,A
201,1栋,100.00,B
301,2栋,120.00,DEV
302,2栋,80.00,DEV
401,2栋,95.75,C
"""


@pytest.fixture
def files(tmp_path):
    def write(roster=ROSTER, ballots="owner,choice\nA,approve\nB,approve\nC,oppose\n"):
        roster_path, ballots_path = tmp_path / "ROSTER.csv", tmp_path / "BALLOTS.csv"
        roster_path.write_text(roster, encoding="utf-8")
        ballots_path.write_text(ballots, encoding="utf-8")
        return str(roster_path), str(ballots_path)

    return write


def test_the_recount_prints_the_fixed_json(runner, files):
    result = runner.invoke(args=["tally", *files(), "--rule", "civil-code-ordinary"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["eligible_owners"] == 4 and data["eligible_area"] == "545.50"
    assert data["participating_owners"] == 3 and data["participating_area"] == "345.50"
    assert data["approve_owners"] == 2 and data["approve_area"] == "249.75"
    assert data["quorum_met"] is False  # 345.50 of 545.50 m² is under 2/3
    assert data["passed"] is False
    explanations = [c["explanation"] for c in data["conditions"]]
    assert explanations[0] == (
        "Area taking part: 345.50 m² of 545.50 m² = 63.34 % ≥ 2/3 ✗ does not hold")


def test_the_developers_abstention_takes_part_but_does_not_approve(runner, files):
    ballots = "owner,choice\nA,approve\nB,approve\nC,oppose\nDEV,abstain\n"
    data = json.loads(runner.invoke(
        args=["tally", *files(ballots=ballots), "--rule", "civil-code-ordinary"]).output)
    assert data["quorum_met"] and data["passed"] is False  # 2 of 4 is not more than half
    data = json.loads(runner.invoke(
        args=["tally", *files(ballots=ballots), "--rule", "simple-majority"]).output)
    assert data["passed"] is False


@pytest.mark.parametrize(
    ("roster", "ballots", "message"),
    [
        (ROSTER, "owner,choice\nZ,approve\n",
         "BALLOTS.csv, line 2: owner 'Z' is not on the roster"),
        (ROSTER, "owner,choice\nA,approve\nA,oppose\n", "BALLOTS.csv, line 3: a second ballot"),
        (ROSTER, "owner,choice\nA,yes\n", "BALLOTS.csv, line 2: unknown choice 'yes'"),
        (ROSTER.replace("89.50", "89.505"), "owner,choice\n", "ROSTER.csv, line 2: malformed area"),
        (ROSTER.replace("60.25", "-1"), "owner,choice\n", "ROSTER.csv, line 3: malformed area"),
        ("unit,area\n", "owner,choice\n", "ROSTER.csv, line 1: the header must be"),
    ],
)
def test_bad_files_exit_2_naming_the_file_and_line(runner, files, roster, ballots, message):
    result = runner.invoke(args=["tally", *files(roster, ballots), "--rule", "two-thirds"])
    assert result.exit_code == 2
    assert message in result.output


def test_an_unknown_rule_is_refused(runner, files):
    result = runner.invoke(args=["tally", *files(), "--rule", "party-branch"])
    assert result.exit_code == 2
