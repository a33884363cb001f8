"""What a new password must be: long enough and not one of the passwords everybody tries
first (a list shipped beside this file; see its header for where it comes from)."""

from functools import cache
from pathlib import Path

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
_COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    lines = _COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def is_common(password: str, phone: str | None = None) -> bool:
    """True for a password on the list (in any case) or one containing the mobile number."""
    candidate = password.strip().lower()
    return candidate in common_passwords() or bool(phone and phone in candidate)
