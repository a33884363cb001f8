"""The sealed link from a roll entry to its ballot (pure: no Flask, no database).

A secret ballot is stored without its voter; the roll entry keeps the ballot's id
encrypted with a pad that only the ballot key can produce. The pad depends on the poll
and the entry, and an entry's ballot id never changes (a change rewrites the ballot in
place), so each pad encrypts one value only: without the key a seal is a random number."""

import functools
import hashlib
import hmac
from collections.abc import Callable

PAD_BYTES = 8


def derive_key(secret: str, purpose: str = "gongzhi ballot seal") -> bytes:
    """A key for one purpose from a setting's text, so that the seal never reuses the
    session-signing key as it is."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


@functools.lru_cache(maxsize=4)
def _keyed(key: bytes) -> "hmac.HMAC":
    """The HMAC with the key already absorbed: a count opens thousands of seals, and copying
    this costs half of keying a new one each time."""
    return hmac.new(key, digestmod=hashlib.sha256)


def _pad_of(keyed: "hmac.HMAC", poll_id: int, entry_id: int) -> int:
    mac = keyed.copy()
    mac.update(f"{poll_id}:{entry_id}".encode())
    return int.from_bytes(mac.digest()[:PAD_BYTES], "big")


def _pad(key: bytes, poll_id: int, entry_id: int) -> int:
    return _pad_of(_keyed(key), poll_id, entry_id)


def seal(key: bytes, poll_id: int, entry_id: int, ballot_id: int) -> str:
    return f"{ballot_id ^ _pad(key, poll_id, entry_id):016x}"


def unseal(key: bytes, poll_id: int, entry_id: int, sealed: str) -> int:
    return int(sealed, 16) ^ _pad(key, poll_id, entry_id)


def opener(key: bytes, poll_id: int) -> Callable[[int, str], int]:
    """``unseal`` for the many seals of one poll, as a count opens them: the keyed hash is
    found once, not once a seal; the pad is the very one ``seal`` used."""
    keyed = _keyed(key)

    def open_seal(entry_id: int, sealed: str) -> int:
        return int(sealed, 16) ^ _pad_of(keyed, poll_id, entry_id)

    return open_seal
