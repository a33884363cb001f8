"""The pure rule that decides when approving a home link needs a reasoned replace."""

from app.community.link_risk import (
    REPLACE_REASON_MIN,
    Person,
    assess_link,
    reason_problem,
    same_name,
    same_phone,
)

ROSTER = Person("王伟", "13900000001")


def _assess(requester: Person, roster_user_id=None, requester_id=7):
    return assess_link(requester_id=requester_id, requester=requester, roster=ROSTER,
                       roster_user_id=roster_user_id)


def test_the_roster_owner_asking_for_an_unlinked_unit_is_no_risk():
    risk = _assess(Person("王伟", "13900000001"))
    assert not risk.needs_replace


def test_an_owner_linked_to_another_account_needs_a_replace():
    risk = _assess(Person("王伟", "13900000001"), roster_user_id=3)
    assert risk.needs_replace and risk.linked_user_id == 3
    assert not risk.differs_from_roster


def test_an_owner_linked_to_the_requester_already_is_no_risk():
    assert not _assess(Person("王伟", "13900000001"), roster_user_id=7).needs_replace


def test_name_and_phone_both_differing_needs_a_replace_but_one_matching_does_not():
    assert _assess(Person("李娜", "13700000009")).differs_from_roster
    assert not _assess(Person("李娜", "13900000001")).needs_replace  # same phone
    assert not _assess(Person("王伟", "13700000009")).needs_replace  # same name


def test_names_compare_without_spaces_and_phones_by_their_digits():
    assert same_name("王 伟", "王伟") and same_name("Li Na", "li na")
    assert same_phone("139-0000-0001", "13900000001")
    assert same_phone("+86 139 0000 0001", "13900000001")


def test_a_roster_owner_without_a_phone_matches_by_name_only():
    roster = Person("王伟", None)
    assert not same_phone(None, None) and not same_name("", "")
    differs = assess_link(requester_id=1, requester=Person("李娜", "13700000009"),
                          roster=roster, roster_user_id=None)
    assert differs.differs_from_roster
    same = assess_link(requester_id=1, requester=Person("王伟", "13700000009"),
                       roster=roster, roster_user_id=None)
    assert not same.needs_replace


def test_a_replace_reason_must_say_enough():
    assert reason_problem("   ") == "missing"
    assert reason_problem("x" * (REPLACE_REASON_MIN - 1)) == "too_short"
    assert reason_problem(" " + "x" * REPLACE_REASON_MIN + " ") is None
