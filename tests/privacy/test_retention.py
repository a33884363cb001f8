"""`flask retention purge`: old notifications and read receipts go, the chains stay."""

from datetime import timedelta

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.audit.services import record, verify_chain
from app.extensions import db, utcnow
from app.notices.models import Notice, NoticeRead, Notification, NotificationKind


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _old_and_new(world, days_old: int, monkeypatch):
    reader = world.users["resident"]
    now = utcnow()
    notice = Notice(community_id=world.community.id, organisation_id=world.owners_committee.id,
                    title="停水通知")
    db.session.add(notice)
    db.session.flush()
    db.session.add_all([
        Notification(user_id=reader.id, kind=NotificationKind.REPLY,
                     created_at=now - timedelta(days=days_old)),
        Notification(user_id=reader.id, kind=NotificationKind.REPLY,
                     created_at=now - timedelta(days=1)),
        NoticeRead(notice_id=notice.id, user_id=reader.id,
                   read_at=now - timedelta(days=days_old)),
        NoticeRead(notice_id=notice.id, user_id=world.users["oc_staff"].id,
                   read_at=now - timedelta(days=1)),
    ])
    monkeypatch.setattr("app.audit.services.utcnow", lambda: now - timedelta(days=days_old))
    record("test.old", community_id=world.community.id)
    monkeypatch.undo()
    db.session.commit()


def test_purge_deletes_only_records_past_the_retention(app, world, runner, monkeypatch):
    _old_and_new(world, days_old=31, monkeypatch=monkeypatch)
    monkeypatch.setitem(app.config, "RETENTION_DAYS", 30)
    audit_before = _count(AuditEvent)

    dry = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would delete 1 notifications and 1 read receipts" in dry.output
    assert (_count(Notification), _count(NoticeRead)) == (2, 2)

    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 notifications and 1 read receipts older than 30 days" in result.output
    db.session.expire_all()
    assert (_count(Notification), _count(NoticeRead)) == (1, 1)
    assert db.session.execute(select(NoticeRead.user_id)).scalar_one() == \
        world.users["oc_staff"].id
    # The old audit entry is still there, and the purge itself is on the record.
    assert _count(AuditEvent) == audit_before + 1
    assert db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "retention.purge")).scalar_one().details["notifications"] == 1
    assert verify_chain()[1] is None


def test_records_just_inside_the_retention_are_kept(app, world, runner, monkeypatch):
    _old_and_new(world, days_old=29, monkeypatch=monkeypatch)
    monkeypatch.setitem(app.config, "RETENTION_DAYS", 30)
    assert runner.invoke(args=["retention", "purge"]).exit_code == 0
    db.session.expire_all()
    assert (_count(Notification), _count(NoticeRead)) == (2, 2)


def test_a_retention_below_one_day_is_refused(app, world, runner, monkeypatch):
    _old_and_new(world, days_old=31, monkeypatch=monkeypatch)
    monkeypatch.setitem(app.config, "RETENTION_DAYS", 0)
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code != 0 and "at least one day" in result.output
    db.session.expire_all()
    assert _count(Notification) == 2
