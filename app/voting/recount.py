"""The independent recount: a roster and a ballot list as CSV files, counted under a rule,
with no Flask and no database. Its input formats are fixed and documented in the README, so
that anyone can check a poll's official result on their own machine.

ROSTER.csv  ``unit,building,area_m2,owner``: one row per unit; ``owner`` is the key of the
            ballot the unit belongs to (shared by a multi-unit owner's units, by the
            developer's unsold units and by co-owners).
BALLOTS.csv ``owner,choice``: ``choice`` is approve, oppose or abstain.
"""

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from app.core.text import percent
from app.voting.rules import (
    ABSTAIN,
    APPROVE,
    OPPOSE,
    Ballot,
    Condition,
    Electorate,
    Result,
    Rule,
    tally,
)

RECOUNT_RULES = {
    "simple-majority": Rule.SIMPLE_MAJORITY,
    "two-thirds": Rule.TWO_THIRDS,
    "civil-code-ordinary": Rule.CIVIL_CODE_ORDINARY,
    "civil-code-major": Rule.CIVIL_CODE_MAJOR,
}
ROSTER_HEADER = ["unit", "building", "area_m2", "owner"]
BALLOTS_HEADER = ["owner", "choice"]
_AREA = re.compile(r"^\d+(\.\d{1,2})?$")


class RecountError(Exception):
    """A problem in one of the files, with where it is."""

    def __init__(self, filename: str, line: int, message: str):
        super().__init__(f"{filename}, line {line}: {message}")


@dataclass(frozen=True)
class Recount:
    electorate: Electorate
    ballots: list[Ballot]


def _rows(text: str, filename: str, header: list[str]):
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    first = next(reader, None)
    if first is None or [cell.strip() for cell in first] != header:
        raise RecountError(filename, 1, f"the header must be {','.join(header)}")
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise RecountError(filename, reader.line_num,
                               f"expected {len(header)} columns, found {len(cells)}")
        yield reader.line_num, [cell.strip() for cell in cells]


def read_recount(roster_text: str, ballots_text: str, *, roster_name: str = "ROSTER.csv",
                 ballots_name: str = "BALLOTS.csv") -> Recount:
    areas: dict[str, Decimal] = {}
    units: set[tuple[str, str]] = set()
    for line, (unit, building, area, owner) in _rows(roster_text, roster_name, ROSTER_HEADER):
        if not owner:
            raise RecountError(roster_name, line, "the owner key is empty")
        if not _AREA.match(area) or Decimal(area) <= 0:
            raise RecountError(roster_name, line, f"malformed area {area!r}")
        if (building, unit) in units:
            raise RecountError(roster_name, line, f"unit {building} {unit} appears twice")
        units.add((building, unit))
        areas[owner] = areas.get(owner, Decimal("0")) + Decimal(area)

    ballots: list[Ballot] = []
    seen: set[str] = set()
    for line, (owner, choice) in _rows(ballots_text, ballots_name, BALLOTS_HEADER):
        if owner not in areas:
            raise RecountError(ballots_name, line, f"owner {owner!r} is not on the roster")
        if owner in seen:
            raise RecountError(ballots_name, line, f"a second ballot for owner {owner!r}")
        if choice not in (APPROVE, OPPOSE, ABSTAIN):
            raise RecountError(ballots_name, line, f"unknown choice {choice!r}")
        seen.add(owner)
        ballots.append(Ballot(owner, frozenset({choice}), areas[owner]))
    electorate = Electorate(people=len(areas), area=sum(areas.values(), Decimal("0")))
    return Recount(electorate, ballots)


def _money(value) -> str:
    return f"{Decimal(value):.2f}"


def _condition(condition: Condition) -> dict:
    return {
        "kind": condition.kind,
        "measure": str(condition.measure),
        "basis": str(condition.basis),
        "actual": _money(condition.actual) if condition.measure == "area" else condition.actual,
        "of": _money(condition.of) if condition.measure == "area" else condition.of,
        "ratio": percent(condition.ratio),
        "threshold": f"{condition.threshold.numerator}/{condition.threshold.denominator}",
        "comparison": ">=" if condition.inclusive else ">",
        "holds": condition.holds,
        "explanation": condition.describe(),
    }


def summary(result: Result, electorate: Electorate) -> dict:
    """The JSON the recount prints: fixed keys, areas as strings with two decimals."""
    approve = result.option(APPROVE)
    return {
        "rule": str(result.rule),
        "quorum_met": result.quorum_met,
        "passed": result.outcome == "passed",
        "outcome": result.outcome,
        "eligible_owners": electorate.people,
        "eligible_area": _money(electorate.area),
        "participating_owners": result.participants,
        "participating_area": _money(result.participating_area),
        "approve_owners": approve.people,
        "approve_area": _money(approve.area),
        "oppose_owners": result.option(OPPOSE).people,
        "oppose_area": _money(result.option(OPPOSE).area),
        "abstain_owners": result.option(ABSTAIN).people,
        "abstain_area": _money(result.option(ABSTAIN).area),
        "conditions": [_condition(c) for c in (*result.quorum, *approve.conditions)],
    }


def recount(roster_text: str, ballots_text: str, rule_name: str, **names) -> dict:
    recounted = read_recount(roster_text, ballots_text, **names)
    result = tally(RECOUNT_RULES[rule_name], recounted.electorate, recounted.ballots)
    return summary(result, recounted.electorate)
