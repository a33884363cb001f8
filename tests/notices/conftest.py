"""Notifications written directly, with the times a test needs."""

from datetime import timedelta

import pytest

from app.extensions import db, utcnow
from app.notices.models import Notification, NotificationKind


@pytest.fixture
def make_notification(app):
    def make(user, kind: str = NotificationKind.STATUS_CHANGE, *, proposal=None, comment_id=None,
             actor=None, details=None, minutes_ago: int = 0, read: bool = False):
        created = utcnow() - timedelta(minutes=minutes_ago)
        note = Notification(
            user_id=user.id, kind=kind, actor_id=actor.id if actor else None,
            proposal_id=proposal.id if proposal else None, comment_id=comment_id,
            details=details if details is not None else {
                "title": proposal.title if proposal else "", "from": "collecting",
                "to": "deliberation"},
            created_at=created, read_at=created if read else None)
        db.session.add(note)
        db.session.commit()
        return note

    return make
