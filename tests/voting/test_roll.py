from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.voting.roll import RosterUnit, owner_roll

D = Decimal


def unit(unit_id, area, *owners, developer=False):
    return RosterUnit(unit_id, D(area), frozenset(owners), developer)


def test_one_unit_one_owner_is_one_voter():
    roll = owner_roll([unit(1, "89.50", 10), unit(2, "60.00", 11)])
    assert [(e.owner_ids, e.area) for e in roll] == [({10}, D("89.50")), ({11}, D("60.00"))]


def test_an_owner_of_several_units_votes_once_with_the_areas_added():
    roll = owner_roll([unit(1, "89.50", 10), unit(2, "60.25", 10), unit(3, "70", 11)])
    assert len(roll) == 2
    assert roll[0].unit_ids == {1, 2} and roll[0].area == D("149.75")


def test_co_owners_are_one_voter():
    roll = owner_roll([unit(1, "100", 10, 11)])
    assert len(roll) == 1 and roll[0].owner_ids == {10, 11}


def test_the_developers_unsold_units_are_one_owner():
    roll = owner_roll([unit(1, "100", 99, developer=True), unit(2, "80", 98, developer=True),
                       unit(3, "90", 10)])
    developer = [e for e in roll if e.developer]
    assert len(roll) == 2 and developer[0].area == D("180") and developer[0].unit_ids == {1, 2}


def test_a_couple_and_one_of_them_alone_are_two_owners():
    """A and B co-own 101; A alone owns 102: the buyer of 101 is the couple, the buyer of
    102 is A, not "the same buyer" (SPC interpretation Art. 9): two owners, one vote each."""
    roll = owner_roll([unit(101, "100", 10, 11), unit(102, "50", 10), unit(103, "70", 12)])
    assert [(e.owner_ids, e.unit_ids, e.area) for e in roll] == [
        ({10, 11}, {101}, D("100")), ({10}, {102}, D("50")), ({12}, {103}, D("70"))]


def test_co_ownership_is_not_followed_from_unit_to_unit():
    """A+B own 1, B+C own 2, C+D own 3: three different buyers, three owners."""
    roll = owner_roll([unit(1, "100", 1, 2), unit(2, "90", 2, 3), unit(3, "80", 3, 4)])
    assert len(roll) == 3


def test_the_same_co_owners_of_two_units_are_one_owner():
    roll = owner_roll([unit(1, "100", 10, 11), unit(2, "50", 11, 10)])
    assert len(roll) == 1 and roll[0].area == D("150") and roll[0].unit_ids == {1, 2}


owner_sets = st.frozensets(st.integers(1, 6), min_size=1, max_size=3)
rosters = st.lists(st.tuples(owner_sets, st.decimals("0.01", "300", places=2),
                             st.booleans()), max_size=25)


def _units(rows):
    return [RosterUnit(number, area, owners, developer)
            for number, (owners, area, developer) in enumerate(rows, start=1)]


@given(rosters)
def test_the_roll_counts_owners_as_art_9_does(rows):
    """The number of entries is the number of units, less one for each further unit of the
    same title holders, with the developer's unsold units as one."""
    units = _units(rows)
    roll = owner_roll(units)
    holders = {"developer" if u.developer else u.owner_ids for u in units}
    assert len(roll) == len(holders)
    assert sum(e.area for e in roll) == sum(u.area for u in units)
    assert sorted(i for e in roll for i in e.unit_ids) == [u.unit_id for u in units]


@given(rosters)
def test_every_entry_holds_the_units_of_exactly_one_set_of_title_holders(rows):
    units = {u.unit_id: u for u in _units(rows)}
    for entry in owner_roll(units.values()):
        members = [units[i] for i in entry.unit_ids]
        if entry.developer:
            assert all(u.developer for u in members)
        else:
            assert {u.owner_ids for u in members} == {entry.owner_ids}


def test_a_unit_without_an_owner_is_an_error():
    with pytest.raises(ValueError):
        owner_roll([unit(1, "100")])
