"""Proxy holders named by their resident ID number (pure: no Flask, no database).

A proxy holder without an account is known by the 18-character number of their resident
identity card (GB 11643-1999): it has a check character, so a typing slip is caught, and
it is the same however the name is written, so the limit of proxies per holder holds."""

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"


def normalise_id_number(text: str) -> str:
    return "".join(text.split()).upper()


def valid_id_number(number: str) -> bool:
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], WEIGHTS, strict=True))
    return number[17] == CHECK_CHARACTERS[total % 11]


def masked_id_number(number: str) -> str:
    """Enough to recognise a number one holds, not enough to use it: 110105********123X."""
    return f"{number[:6]}{'*' * 8}{number[14:]}"
