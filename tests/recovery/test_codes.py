"""The shape, lifetime and storage of reset codes (pure rules)."""

import pytest

from app.recovery import codes


def test_what_people_type_is_read_forgivingly_and_tells_the_kind():
    assert codes.read_code(" 012345 ") == (codes.SMS, "012345")
    assert codes.read_code("abcd-efgh") == (codes.STAFF, "ABCDEFGH")
    assert codes.read_code("ABCD EFGH") == (codes.STAFF, "ABCDEFGH")


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "ABCD-EFG0", "ABCDEFGI", "ABCD-EFGHJ",
                                   "１２３４５６", "ABCDEFG1"])
def test_a_code_of_neither_shape_is_not_read(typed):
    assert codes.read_code(typed) is None


def test_new_codes_have_their_kinds_shape():
    for _ in range(200):
        assert codes.read_code(codes.new_sms_code())[0] == codes.SMS
        staff = codes.new_staff_code()
        assert codes.read_code(staff) == (codes.STAFF, staff)
        assert codes.read_code(codes.printed(staff)) == (codes.STAFF, staff)
    assert not set("01OIL") & set(codes.STAFF_ALPHABET)


def test_the_stored_hash_is_bound_to_the_key_the_account_and_the_kind():
    stored = codes.code_hash(b"key", 7, codes.SMS, "123456")
    assert "123456" not in stored
    assert codes.matches(b"key", 7, codes.SMS, "123456", stored)
    assert not codes.matches(b"key", 8, codes.SMS, "123456", stored)
    assert not codes.matches(b"other", 7, codes.SMS, "123456", stored)
    assert not codes.matches(b"key", 7, codes.STAFF, "123456", stored)
    assert not codes.matches(b"key", 7, codes.SMS, "123457", stored)


def test_the_slip_shows_the_first_character_of_the_name_only():
    assert codes.masked_name("王小明") == "王**"
    assert codes.masked_name("王") == "王*"
