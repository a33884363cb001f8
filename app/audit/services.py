"""Writing to and checking the audit log."""

from collections.abc import Iterator

from sqlalchemy import false, func, select, update
from sqlalchemy.orm import joinedload

from app.audit.chain import (
    GENESIS_HASH,
    ChainBreak,
    ChainEntry,
    find_break,
    hashed_fields,
    next_link,
)
from app.audit.models import AuditEvent
from app.extensions import db, utcnow

# Any constant works; it only has to be the same for every writer of the chain.
_CHAIN_LOCK_KEY = 0x6A0B2C


def record(
    action: str,
    *,
    actor=None,
    community_id: int | None = None,
    target: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """Append an event to the chain in the caller's transaction.

    Two requests must never both extend the same head. On PostgreSQL a transaction-scoped
    advisory lock serialises writers. On SQLite the driver opens a transaction only at the
    first write, so a request that has only read could read a head that another commits past
    before this insert; a write that changes nothing takes SQLite's write lock first.
    """
    session = db.session
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_CHAIN_LOCK_KEY)))
    elif dialect == "sqlite":
        session.execute(update(AuditEvent.__table__).where(false()).values(seq=AuditEvent.seq))
    head = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    event = AuditEvent(**next_link(
        head,
        created_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        community_id=community_id,
        target=target,
        details=details or {},
    ))
    session.add(event)
    session.flush()
    return event


def _as_entry(event: AuditEvent) -> ChainEntry:
    return ChainEntry(**hashed_fields(event), hash=event.hash)


def verify_chain(batch_size: int = 1000) -> tuple[int, ChainBreak | None, str]:
    """Check the whole log, streaming it in batches; return the number of entries checked,
    the first break (or None) and the hash at the head."""
    count = 0
    head = GENESIS_HASH
    result = db.session.execute(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch_size)
    )

    def counted() -> Iterator[ChainEntry]:
        nonlocal count, head
        for event in result.scalars():
            count += 1
            head = event.hash
            yield _as_entry(event)

    try:
        broken = find_break(counted())
    finally:
        result.close()
    return count, broken, head


def audit_events_page(community_id: int | None, *, page: int, per_page: int):
    """The log, newest first, with each entry's actor: all of it, or one community's part."""
    query = (select(AuditEvent).options(joinedload(AuditEvent.actor))
             .order_by(AuditEvent.seq.desc()))
    if community_id is not None:
        query = query.where(AuditEvent.community_id == community_id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def head() -> tuple[int, str] | None:
    """The log's last (seq, hash), or None while it is empty."""
    row = db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (row.seq, row.hash) if row else None


def hash_at(seq: int) -> str | None:
    return db.session.execute(select(AuditEvent.hash).where(AuditEvent.seq == seq)
                              ).scalar_one_or_none()
