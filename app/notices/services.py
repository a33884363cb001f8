"""Writing and reading in-app notifications."""

from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from app.extensions import db, utcnow
from app.notices.models import Notification

PER_PAGE = 30


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


def notifications_page(user, page: int):
    """One page of the user's notifications, newest first, with who caused each: two
    queries (the total and the page) however many there are."""
    query = (
        select(Notification).where(Notification.user_id == user.id)
        .options(joinedload(Notification.actor))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def unread_count(user) -> int:
    """One COUNT over the (user_id, read_at) index: cheap enough for every page's header."""
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
