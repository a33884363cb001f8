"""One-time reset codes: how they are made, typed back and stored. Pure: no Flask, no
database, so that the rules are tested on their own.

An SMS code is six digits; a staff code is eight characters from an alphabet without the
look-alikes (0/O, 1/I/L), printed in two groups of four. The shape of what someone types
says which kind it is. Only a keyed hash is stored: the key is the app's secret, so a copy
of the database does not let anyone try the million six-digit codes offline.
"""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

SMS = "sms"
STAFF = "staff"
LIFETIMES = {SMS: timedelta(minutes=10), STAFF: timedelta(hours=24)}
# Wrong tries one code survives; the next wrong one ends it.
MAX_ATTEMPTS = 5
STAFF_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
STAFF_LENGTH = 8

_SEPARATORS = re.compile(r"[\s\-–—_]+")


def new_sms_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def new_staff_code() -> str:
    return "".join(secrets.choice(STAFF_ALPHABET) for _ in range(STAFF_LENGTH))


def printed(code: str) -> str:
    """A staff code as it is printed: ABCD-EFGH."""
    return f"{code[:4]}-{code[4:]}" if len(code) == STAFF_LENGTH else code


def read_code(typed: str) -> tuple[str, str] | None:
    """(kind, code) for what someone typed, forgiving spaces, dashes and lower case; None
    when it has the shape of neither kind."""
    code = _SEPARATORS.sub("", typed or "").upper()
    if len(code) == 6 and code.isascii() and code.isdigit():
        return SMS, code
    if len(code) == STAFF_LENGTH and all(c in STAFF_ALPHABET for c in code):
        return STAFF, code
    return None


def code_hash(key: bytes, user_id: int, kind: str, code: str) -> str:
    """The stored form of a code, bound to its account and kind."""
    return hmac.new(key, f"{user_id}:{kind}:{code}".encode(), hashlib.sha256).hexdigest()


def matches(key: bytes, user_id: int, kind: str, code: str, stored: str) -> bool:
    return hmac.compare_digest(code_hash(key, user_id, kind, code), stored)


def masked_name(name: str) -> str:
    """王** for 王小明: enough for the person to recognise the slip as theirs."""
    return name[:1] + "*" * max(1, len(name) - 1)
