"""Who votes, and with what weight, in an owners' vote: the roster turned into roll entries,
with no Flask and no database.

SPC interpretation on building ownership (法释〔2009〕7号), Art. 8–9, as read in
docs/owners-as-counted.md: the number of owners is the number of exclusive parts (units),
except that one owner of several units counts once and the developer's unsold units together
count once. An owner is whoever holds title to a unit: one person, or the co-owners of it
together. So the entries are the distinct sets of title holders: units held by exactly the
same people form one entry with their areas added up; a couple who co-own 101 while one of
them alone owns 102 are two owners (the couple, and that spouse), each with one vote, and
co-ownership is never followed from unit to unit (no transitive merging).
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
    """One entry per owner as the law counts them (see the module docstring), ordered by
    their first unit."""
    groups: dict[object, list[RosterUnit]] = {}
    for unit in units:
        if not unit.owner_ids:
            raise ValueError(f"unit {unit.unit_id} has no owner on the roster")
        title_holders = "developer" if unit.developer else unit.owner_ids
        groups.setdefault(title_holders, []).append(unit)
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
