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


@pytest.fixture
def make_notice(app):
    """A notice written directly, with the scope, flags and times a test needs."""
    from app.core.text import render_markdown
    from app.notices.models import Notice

    def make(organisation, title: str = "停水通知", *, body: str = "明天 9:00–12:00 停水。",
             scope_kind: str = "community", grids=(), buildings=(), pinned: bool = False,
             expires_in_hours: float | None = None, withdrawn: bool = False,
             minutes_ago: int = 0, kind: str = "announcement", author=None):
        published = utcnow() - timedelta(minutes=minutes_ago)
        notice = Notice(
            community_id=organisation.community_id, organisation_id=organisation.id,
            author_id=author.id if author else None, kind=kind, title=title, body=body,
            body_html=render_markdown(body), scope_kind=scope_kind, pinned=pinned,
            scope_grids=list(grids), scope_buildings=list(buildings),
            expires_at=(utcnow() + timedelta(hours=expires_in_hours)
                        if expires_in_hours is not None else None),
            withdrawn_at=utcnow() if withdrawn else None,
            published_at=published, created_at=published)
        db.session.add(notice)
        db.session.commit()
        return notice

    return make


@pytest.fixture
def neighbours(world, make_unit, resident_of):
    """Verified residents with homes: six in 1栋 (grid 1) and two in 2栋 (grid 2)."""
    first, second = world.community.buildings
    people = {"1栋": [], "2栋": []}
    for building, count in ((first, 6), (second, 2)):
        for index in range(count):
            unit = make_unit(world.community, f"{index + 3}01", building=building)
            people[building.name].append(
                resident_of(unit, name=f"{building.name}居民{index + 1}"))
    return people


@pytest.fixture(autouse=True)
def uploads(app, tmp_path, monkeypatch):
    """Store attachments under a temporary instance folder, never the real one."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path / "uploads" / "notices"
