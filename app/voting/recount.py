"""The independent recount: a roster and a ballot list as CSV files, counted under a rule,
with no Flask and no database. Its input formats are fixed and documented in the README, so
that anyone can check a poll's official result on their own machine.

ROSTER.csv  ``unit,building,area_m2,owner``: one row per unit; ``owner`` is the key of the
            ballot the unit belongs to (shared by a multi-unit owner's units, by the
            developer's unsold units and by co-owners). An optional fifth column ``served``
            (1 or 0, the same on all of one owner's rows) says whether the owner was served
            the notice of the vote (送达); deemed consent counts only served owners.
BALLOTS.csv ``owner,choice``: ``choice`` is approve, oppose, abstain or invalid (废票: takes
            part, approves nothing).
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
    INVALID,
    OPPOSE,
    Ballot,
    Condition,
    DeemedCount,
    DeemedSide,
    Electorate,
    Result,
    Rule,
    Voter,
    tally,
    tally_with_deemed_consent,
)

RECOUNT_RULES = {
    "simple-majority": Rule.SIMPLE_MAJORITY,
    "two-thirds": Rule.TWO_THIRDS,
    "civil-code-ordinary": Rule.CIVIL_CODE_ORDINARY,
    "civil-code-major": Rule.CIVIL_CODE_MAJOR,
}
ROSTER_HEADER = ["unit", "building", "area_m2", "owner"]
SERVED_HEADER = [*ROSTER_HEADER, "served"]
BALLOTS_HEADER = ["owner", "choice"]
DEEMED_SIDES = {"approve": DeemedSide.APPROVE, "majority": DeemedSide.MAJORITY}
_AREA = re.compile(r"^\d+(\.\d{1,2})?$")


class RecountError(Exception):
    """A problem in one of the files, with where it is."""

    def __init__(self, filename: str, line: int, message: str):
        super().__init__(f"{filename}, line {line}: {message}")


@dataclass(frozen=True)
class Recount:
    electorate: Electorate
    ballots: list[Ballot]
    served: list[Voter] | None  # None: the roster has no ``served`` column


def _rows(text: str, filename: str, *headers: list[str]):
    """The rows of a CSV file whose header is one of ``headers`` (first: the one named in
    errors), each with its line number."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    first = next(reader, None)
    header = next((h for h in headers if first and [c.strip() for c in first] == h), None)
    if header is None:
        raise RecountError(filename, 1, f"the header must be {','.join(headers[0])}")
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
    served: dict[str, bool] = {}
    units: set[tuple[str, str]] = set()
    for line, (unit, building, area, owner, *flag) in _rows(roster_text, roster_name,
                                                            ROSTER_HEADER, SERVED_HEADER):
        if flag:
            if flag[0] not in ("1", "0"):
                raise RecountError(roster_name, line, f"served must be 1 or 0, not {flag[0]!r}")
            if served.setdefault(owner, flag[0] == "1") != (flag[0] == "1"):
                raise RecountError(roster_name, line,
                                   f"owner {owner!r} is marked both served and not served")
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
        if choice not in (APPROVE, OPPOSE, ABSTAIN, INVALID):
            raise RecountError(ballots_name, line, f"unknown choice {choice!r}")
        seen.add(owner)
        choices = frozenset() if choice == INVALID else frozenset({choice})
        ballots.append(Ballot(owner, choices, areas[owner]))
    electorate = Electorate(people=len(areas), area=sum(areas.values(), Decimal("0")))
    served_voters = ([Voter(owner, areas[owner]) for owner, flag in served.items() if flag]
                     if served else None)
    return Recount(electorate, ballots, served_voters)


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
        "invalid_owners": result.participants - sum(o.people for o in result.options),
        "invalid_area": _money(result.participating_area - sum(o.area for o in result.options)),
        "conditions": [_condition(c) for c in (*result.quorum, *approve.conditions)],
    }


def deemed_summary(count: DeemedCount, side_name: str) -> dict:
    """The keys ``--deemed`` adds; ``passed`` stays the raw verdict."""
    deemed = count.deemed
    return {
        "deemed": side_name,
        "deemed_side": count.side,
        "deemed_split": count.split,
        "deemed_owners": count.people,
        "deemed_area": _money(count.area),
        "passed_with_deemed": deemed.outcome == "passed",
        "outcome_with_deemed": deemed.outcome,
        "conditions_with_deemed": [_condition(c) for c in (
            *deemed.quorum, *deemed.option(APPROVE).conditions)],
    }


def recount(roster_text: str, ballots_text: str, rule_name: str, *, deemed: str | None = None,
            **names) -> dict:
    """The JSON of ``flask tally``; with ``deemed`` ("approve" or "majority") also the count
    with the served owners who did not vote added as the clause names."""
    recounted = read_recount(roster_text, ballots_text, **names)
    rule = RECOUNT_RULES[rule_name]
    if deemed is None:
        return summary(tally(rule, recounted.electorate, recounted.ballots),
                       recounted.electorate)
    if recounted.served is None:
        raise RecountError(names.get("roster_name", "ROSTER.csv"), 1,
                           "--deemed needs a served column: only served owners can be deemed")
    count = tally_with_deemed_consent(rule, recounted.electorate, recounted.ballots,
                                      served=recounted.served, side=DEEMED_SIDES[deemed])
    return {**summary(count.raw, recounted.electorate), **deemed_summary(count, deemed)}
