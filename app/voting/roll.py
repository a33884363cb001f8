"""Who votes, and with what weight, in an owners' vote: the roster turned into roll entries,
with no Flask and no database.

SPC interpretation on building ownership, Art. 8–9: the number of owners is the number of
units, except that one buyer of several units counts as one, and the developer's unsold
units together count as one. Co-owners of a unit are one voter. An owner of several units
votes once, with the areas added up. Owners linked through shared units therefore form one
roll entry together.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class RosterUnit:
    unit_id: int
    area: Decimal
    owner_ids: frozenset[int]
    developer: bool = False  # the developer's unsold unit


@dataclass(frozen=True)
class RollEntry:
    owner_ids: frozenset[int]
    unit_ids: frozenset[int]
    area: Decimal
    developer: bool = False


def owner_roll(units: Iterable[RosterUnit]) -> list[RollEntry]:
    """Group the units into one entry per voting owner (see the module docstring)."""
    parent: dict[object, object] = {}

    def find(node):
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def join(a, b):
        parent[find(a)] = find(b)

    units = list(units)
    for unit in units:
        if not unit.owner_ids:
            raise ValueError(f"unit {unit.unit_id} has no owner on the roster")
        node = ("developer",) if unit.developer else ("unit", unit.unit_id)
        find(node)
        for owner_id in unit.owner_ids:
            join(("owner", owner_id), node)

    groups: dict[object, list[RosterUnit]] = {}
    for unit in units:
        node = ("developer",) if unit.developer else ("unit", unit.unit_id)
        groups.setdefault(find(node), []).append(unit)
    return sorted(
        (
            RollEntry(
                owner_ids=frozenset().union(*(u.owner_ids for u in members)),
                unit_ids=frozenset(u.unit_id for u in members),
                area=sum((u.area for u in members), Decimal("0")),
                developer=any(u.developer for u in members),
            )
            for members in groups.values()
        ),
        key=lambda entry: min(entry.unit_ids),
    )
