"""Writing and reading in-app notifications."""

from collections.abc import Iterable

from sqlalchemy import func, select, update

from app.extensions import db, utcnow
from app.notices.models import Notification


def notify(
    user_ids: Iterable[int],
    kind: str,
    *,
    actor=None,
    proposal_id: int | None = None,
    comment_id: int | None = None,
    details: dict | None = None,
) -> None:
    """One notification for each user, never for the person who caused it."""
    actor_id = actor.id if actor is not None else None
    rows = [
        Notification(user_id=user_id, kind=kind, actor_id=actor_id, proposal_id=proposal_id,
                     comment_id=comment_id, details=details or {})
        for user_id in sorted(set(user_ids))
        if user_id != actor_id
    ]
    db.session.add_all(rows)


def unread_count(user) -> int:
    return db.session.execute(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None))
    ).scalar_one()


def mark_all_read(user) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount
