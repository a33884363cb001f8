"""Deleting personal records once they have served their purpose (PIPL art. 19: kept no
longer than needed).

Only records that nothing else depends on are purged: notifications and notice read
receipts. The hash-chained audit log and each poll's ballot chain are never touched:
deleting any entry would break every hash after it, and they are the evidence that votes
and privileged actions happened as recorded.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from app.extensions import db
from app.notices.models import NoticeRead, Notification


@dataclass(frozen=True)
class Purged:
    notifications: int
    notice_reads: int


def cutoff(now: datetime, days: int) -> datetime:
    if days < 1:
        raise ValueError("The retention period must be at least one day.")
    return now - timedelta(days=days)


def purge(before: datetime, *, dry_run: bool = False) -> Purged:
    """Delete notifications and read receipts created before ``before`` (or only count
    them); the caller commits."""
    targets = ((Notification, Notification.created_at), (NoticeRead, NoticeRead.read_at))
    counts = []
    for model, stamp in targets:
        if dry_run:
            counts.append(db.session.execute(
                select(func.count()).select_from(model).where(stamp < before)).scalar_one())
        else:
            counts.append(db.session.execute(delete(model).where(stamp < before)).rowcount)
    return Purged(*counts)
