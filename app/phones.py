"""Mainland mobile numbers: one normal form, and the masked form shown to most people."""

import re

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(raw: str) -> str | None:
    """Return the 11-digit number, or None if empty; raise ValueError if it is not one.

    People type spaces, dashes and the +86 prefix; all of those name the same number.
    """
    digits = re.sub(r"[\s\-()]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not digits:
        return None
    if not _MOBILE_RE.match(digits):
        raise ValueError(raw)
    return digits


def mask_phone(phone: str | None) -> str:
    """138****5678: enough for its owner to recognise, too little to call."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"
