"""A closed poll's count as stored once at close (``poll_results``), with no Flask and no
database: the count to JSON and back, exactly, and the digest that the chain's close event
carries, so that an edit of the stored figures or bulletin rows shows in ``flask audit
verify``.

Areas travel as strings with two decimals, thresholds as "n/d": reading a count back gives
the very ``Result`` the tally made, conditions and all, so pages show it unchanged.
"""

import hashlib
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

from app.voting.rules import (
    Basis,
    Condition,
    DeemedCount,
    Measure,
    OptionResult,
    Result,
    Rule,
)


def _area(value) -> str:
    return f"{Decimal(value):.2f}"


def _figure(measure: Measure, value) -> str | int:
    return _area(value) if measure == Measure.AREA else int(value)


def _read_figure(measure: Measure, value) -> Decimal | int:
    return Decimal(value) if measure == Measure.AREA else int(value)


def _condition(c: Condition) -> dict:
    return {"kind": c.kind, "measure": str(c.measure), "basis": str(c.basis),
            "actual": _figure(c.measure, c.actual), "of": _figure(c.measure, c.of),
            "threshold": f"{c.threshold.numerator}/{c.threshold.denominator}",
            "inclusive": c.inclusive}


def _read_condition(data: dict) -> Condition:
    measure = Measure(data["measure"])
    return Condition(data["kind"], measure, Basis(data["basis"]),
                     _read_figure(measure, data["actual"]), _read_figure(measure, data["of"]),
                     Fraction(data["threshold"]), data["inclusive"])


def result_to_json(result: Result) -> dict:
    return {
        "rule": str(result.rule), "participants": result.participants,
        "participating_area": _area(result.participating_area),
        "quorum": [_condition(c) for c in result.quorum],
        "options": [{"option": o.option, "people": o.people, "area": _area(o.area),
                     "conditions": [_condition(c) for c in o.conditions]}
                    for o in result.options],
        "outcome": result.outcome, "winners": list(result.winners),
        "tied": list(result.tied), "deemed": result.deemed,
    }


def result_from_json(data: dict) -> Result:
    return Result(
        Rule(data["rule"]), data["participants"], Decimal(data["participating_area"]),
        tuple(_read_condition(c) for c in data["quorum"]),
        tuple(OptionResult(o["option"], o["people"], Decimal(o["area"]),
                           tuple(_read_condition(c) for c in o["conditions"]))
              for o in data["options"]),
        data["outcome"], tuple(data["winners"]), tuple(data["tied"]), data["deemed"])


def count_to_json(raw: Result, count: DeemedCount | None) -> dict:
    """The raw count and, for a poll with a deemed-consent clause, the count with it."""
    deemed = None if count is None else {
        "result": result_to_json(count.deemed), "side": count.side, "people": count.people,
        "area": _area(count.area), "split": count.split}
    return {"raw": result_to_json(raw), "deemed": deemed}


def count_from_json(data: dict) -> tuple[Result, DeemedCount | None]:
    raw = result_from_json(data["raw"])
    deemed = data.get("deemed")
    if deemed is None:
        return raw, None
    return raw, DeemedCount(raw, result_from_json(deemed["result"]), deemed["side"],
                            deemed["people"], Decimal(deemed["area"]), deemed["split"])


def bulletin_row(receipt: str, rooms: str | None, area, choices: Sequence[str]) -> list:
    """One bulletin row as the digest covers it."""
    return [receipt, rooms, None if area is None else _area(area), list(choices)]


def digest(count: dict, people: int, area, rows: Iterable[Sequence]) -> str:
    """SHA-256 over the stored count, the turnout and the bulletin rows (sorted by receipt):
    what the close event of the chain commits the stored result to."""
    payload = {"count": count, "turnout": [people, _area(area)],
               "bulletin": sorted(bulletin_row(*row) for row in rows)}
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True,
                                     separators=(",", ":")).encode()).hexdigest()
