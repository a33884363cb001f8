from decimal import Decimal

import pytest

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


def test_owners_linked_through_shared_units_form_one_entry():
    # A and B co-own unit 1; A alone owns unit 2: A, B and both units are one voter.
    roll = owner_roll([unit(1, "100", 10, 11), unit(2, "50", 10), unit(3, "70", 12)])
    assert [(e.owner_ids, e.area) for e in roll] == [({10, 11}, D("150")), ({12}, D("70"))]


def test_a_unit_without_an_owner_is_an_error():
    with pytest.raises(ValueError):
        owner_roll([unit(1, "100")])
