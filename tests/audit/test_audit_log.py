from sqlalchemy import select, text, update

from app.audit.models import AuditEvent
from app.audit.services import record, verify_chain
from app.extensions import db


def _three_events(user):
    for role in ("member", "staff", "chair"):
        record("membership.grant", actor=user, community_id=None, target=f"user:{user.id}",
               details={"role": role})
    db.session.commit()


def test_events_chain_to_each_other(make_user):
    user = make_user()
    _three_events(user)
    events = db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    count, broken, head = verify_chain()
    assert (count, broken, head) == (3, None, events[2].hash)


def test_verify_passes_on_an_intact_log(runner, make_user):
    _three_events(make_user())
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact: 3 entries" in result.output


def test_verify_names_a_row_altered_in_the_database(runner, make_user):
    _three_events(make_user())
    db.session.execute(update(AuditEvent).where(AuditEvent.seq == 2)
                       .values(details={"role": "chair"}))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at entry 2" in result.output and "altered" in result.output


def test_verify_names_the_gap_left_by_a_deleted_row(runner, make_user):
    _three_events(make_user())
    db.session.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "BROKEN at entry 3" in result.output


def test_verify_catches_a_row_slipped_in_at_the_end(runner, make_user):
    _three_events(make_user())
    db.session.add(AuditEvent(seq=4, created_at=db.session.execute(
        select(AuditEvent.created_at).where(AuditEvent.seq == 3)).scalar_one(),
        action="role.grant", target="user:1", details={}, prev_hash="f" * 64, hash="e" * 64))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "BROKEN at entry 4" in result.output


def test_the_log_page_lists_events_newest_first(client, world, login, count_queries):
    login(world.users["platform_admin"])
    client.post(f"/c/{world.community.id}/grids", data={"name": "第九网格"})
    client.post(f"/c/{world.community.id}/grids", data={"name": "第十网格"})
    page = client.get("/audit/").get_data(as_text=True)
    assert page.index("第十网格") < page.index("第九网格")
    community_page = client.get(f"/audit/?community={world.other_community.id}")
    assert "第九网格" not in community_page.get_data(as_text=True)


def test_concurrent_writers_never_fork_the_chain(app, make_user):
    """Many requests appending at once all succeed and leave one unbroken chain: PostgreSQL
    serialises them with an advisory lock, SQLite with its write lock, taken before the head
    is read."""
    import threading

    from sqlalchemy.exc import IntegrityError, OperationalError

    user_id = make_user().id
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def append(n: int):
        with app.app_context():
            start.wait()
            try:
                record("test.concurrent", community_id=None, target=f"n:{n}",
                       details={"actor": user_id})
                db.session.commit()
                outcomes.append("ok")
            except (IntegrityError, OperationalError):
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    count, broken, _ = verify_chain()
    assert outcomes == ["ok"] * 8
    assert broken is None and count == 8


def test_no_other_writer_can_commit_between_reading_the_head_and_appending(app, backend,
                                                                            monkeypatch):
    """The race the fuzzing audit hit on SQLite (a 500 on audit_events.seq): a request that
    has only read held no lock there, so another could append between its read of the head
    and its insert. At the moment the head is read, no other connection may write the chain."""
    from sqlalchemy import func
    from sqlalchemy.exc import OperationalError

    from app.audit import services

    def another_writer_is_locked_out() -> bool:
        with db.engine.connect() as other:
            if backend == "postgresql":
                return not other.execute(
                    select(func.pg_try_advisory_xact_lock(services._CHAIN_LOCK_KEY))).scalar()
            waits = other.exec_driver_sql("PRAGMA busy_timeout").scalar()
            other.exec_driver_sql("PRAGMA busy_timeout = 0")
            try:
                other.exec_driver_sql("UPDATE audit_events SET seq = seq WHERE 0 = 1")
                return False
            except OperationalError:
                return True
            finally:
                other.rollback()
                other.exec_driver_sql(f"PRAGMA busy_timeout = {waits}")

    seen: list[bool] = []
    real_next_link = services.next_link

    def next_link_while_another_tries(head, **fields):
        seen.append(another_writer_is_locked_out())
        return real_next_link(head, **fields)

    monkeypatch.setattr(services, "next_link", next_link_while_another_tries)
    record("test.race", target="n:1")
    db.session.commit()
    assert seen == [True]
