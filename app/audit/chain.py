"""The hash chain of the audit log, with no Flask and no database.

Each entry's hash covers its own fields and the previous entry's hash, so changing,
removing or inserting any entry breaks every link after it.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64
HASHED_FIELDS = ("seq", "created_at", "actor_id", "action", "community_id", "target",
                 "details", "prev_hash")


@dataclass(frozen=True)
class ChainEntry:
    seq: int
    created_at: datetime
    actor_id: int | None
    action: str
    community_id: int | None
    target: str
    details: dict
    prev_hash: str
    hash: str


def canonical_payload(
    *,
    seq: int,
    created_at: datetime,
    actor_id: int | None,
    action: str,
    community_id: int | None,
    target: str,
    details: dict,
    prev_hash: str,
) -> bytes:
    """The exact bytes that are hashed: sorted keys, UTC time to the microsecond."""
    record = {
        "seq": seq,
        "created_at": created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": actor_id,
        "action": action,
        "community_id": community_id,
        "target": target,
        "details": details,
        "prev_hash": prev_hash,
    }
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(**fields) -> str:
    return hashlib.sha256(canonical_payload(**fields)).hexdigest()


def next_link(head: tuple[int, str] | None, **fields) -> dict:
    """The entry that follows ``head`` (the chain's last (seq, hash), or None for the first):
    ``fields`` with its sequence number, the previous hash and its own hash added."""
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    linked = {**fields, "seq": seq, "prev_hash": prev_hash}
    return {**linked, "hash": compute_hash(**linked)}


def hashed_fields(record) -> dict:
    """The fields of an entry (or anything with the same attributes) that its hash covers."""
    return {name: getattr(record, name) for name in HASHED_FIELDS}


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str  # "altered", "missing_before", "inserted_or_reordered"


def find_break(entries: Iterable[ChainEntry]) -> ChainBreak | None:
    """Return the first entry at which the chain no longer holds, or None if it is whole.

    ``entries`` must come in ``seq`` order.
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainBreak(entry.seq, "missing_before")
        if entry.prev_hash != expected_prev:
            return ChainBreak(entry.seq, "inserted_or_reordered")
        recomputed = compute_hash(**hashed_fields(entry))
        if recomputed != entry.hash:
            return ChainBreak(entry.seq, "altered")
        expected_prev = entry.hash
        expected_seq += 1
    return None
