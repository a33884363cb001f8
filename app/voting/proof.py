"""What a poll's ballot chain proves on its own, with no Flask and no database.

A poll's chain opens with the hash of its frozen roll, then records every ballot event with
the roll entry it counts for, its receipt, choices and weight, and ends with the result
published at close. Replaying it gives the ballots that count without reading the
``ballots`` table; comparing the replay with the tables shows any edit made behind it.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from app.voting.rules import Ballot, Result

OPEN_ACTION = "open"
CLOSE_ACTION = "close"


def _two_decimals(value) -> str:
    return f"{Decimal(str(value)):.2f}"


def canonical_roll(entries: Iterable[tuple[str, object, Sequence]]) -> bytes:
    """The bytes the roll hash covers: entries ``(key, area, units)`` sorted by key, areas
    with two decimals, each unit as ``[building, number, area]``."""
    rows = [
        [key, _two_decimals(area),
         [[str(building), str(number), _two_decimals(unit_area)]
          for building, number, unit_area in units]]
        for key, area, units in sorted(entries, key=lambda entry: entry[0])
    ]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()


def roll_hash(entries: Iterable[tuple[str, object, Sequence]]) -> str:
    return hashlib.sha256(canonical_roll(entries)).hexdigest()


def result_summary(result: Result) -> dict:
    """The published figures of a count, as plain JSON: what a recount must reproduce."""
    return {
        "outcome": result.outcome,
        "participants": result.participants,
        "participating_area": _two_decimals(result.participating_area),
        "options": {o.option: {"people": o.people, "area": _two_decimals(o.area)}
                    for o in result.options},
        "winners": list(result.winners),
    }


@dataclass(frozen=True)
class ChainBallot:
    receipt: str
    entry: str | None  # None in a secret poll, whose chain names no voter
    choices: tuple[str, ...]
    weight: Decimal


@dataclass
class Replay:
    """The chain read back: the roll it committed to, the ballots that count (one per roll
    entry, the last event wins) and the result it published at close."""

    roll_hash: str | None = None
    people: int = 0
    area: Decimal = Decimal("0")
    # By roll entry key; in a secret poll by receipt (a change keeps its receipt).
    ballots: dict[str, ChainBallot] = field(default_factory=dict)
    closed_result: dict | None = None
    problems: list[tuple[str | None, str]] = field(default_factory=list)  # (receipt, what)

    def counted(self) -> list[Ballot]:
        return [Ballot(key, frozenset(b.choices), b.weight)
                for key, b in self.ballots.items()]


def replay(events: Iterable, weights: Mapping[str, Decimal] | None = None) -> Replay:
    """Read a poll's chain (objects with ``action``, ``target``, ``details``, in order).

    An open-roll poll's events name their roll entry and weight. A secret poll's carry the
    receipt and choices only: ``weights`` (receipt -> area, which only the holder of the
    ballot key can say) then supplies what each receipt weighs."""
    result = Replay()
    for event in events:
        details = event.details or {}
        if event.action == OPEN_ACTION:
            result.roll_hash = details.get("roll_hash")
            result.people = int(details.get("people", 0))
            result.area = Decimal(str(details.get("area", "0")))
            continue
        if event.action == CLOSE_ACTION:
            result.closed_result = details.get("result")
            continue
        if result.closed_result is not None:
            result.problems.append((event.target, "ballot event after the close"))
        entry = details.get("entry")
        if entry is None and weights is None:
            result.problems.append((event.target, "ballot event names no roll entry"))
            continue
        if entry is None and event.target not in weights:
            result.problems.append((event.target, "ballot in the chain belongs to no voter "
                                                  "on the roll"))
            continue
        weight = (Decimal(str(details.get("weight", "0"))) if entry is not None
                  else weights[event.target])
        result.ballots[entry or event.target] = ChainBallot(
            receipt=event.target, entry=entry, choices=tuple(details.get("choices", ())),
            weight=weight)
    return result
