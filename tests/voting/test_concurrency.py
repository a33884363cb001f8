"""Nothing after close, and time moves a poll on once (issue 11, H2 and the 30 page views):
real concurrent transactions, each thread with its own app context and database session.

On PostgreSQL the poll's row lock serialises them and every request succeeds or is refused
for a reason a person understands; SQLite allows one writer at a time and may turn a
request away as busy instead, but never lets one write after the close either.
"""

import threading
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from app.audit.models import AuditEvent
from app.auth.models import User
from app.extensions import db, utcnow
from app.notices.models import Notice
from app.voting.models import BallotEvent, Channel, Poll, PollStatus, RollEntry
from app.voting.services import VotingRefused, cast, close_poll, enter_offline, entry_for
from app.voting.verification import verify_poll
from tests.voting.conftest import cast_all, make_poll


def _run_together(app, jobs) -> list[str]:
    """Start every job at the same moment, each in its own app context; return outcomes."""
    start = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def run(job):
        with app.app_context():
            start.wait()
            try:
                job()
                db.session.commit()
                outcomes.append("ok")
            except VotingRefused as refused:
                db.session.rollback()
                outcomes.append(refused.code)
            except OperationalError:
                db.session.rollback()
                outcomes.append("busy")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_no_ballot_nor_paper_entry_is_written_after_an_early_close(app, backend, make_estate):
    estate = make_estate(owners=20)
    poll = make_poll(estate, allow_early_close=True)
    cast_all(poll, estate.owners[:10], ["approve"] * 10)  # these ten change their minds
    poll_id, chair_id, staff_id = poll.id, estate.chair.id, estate.staff.id
    voter_ids = [user.id for user in estate.owners]
    db.session.remove()

    def vote(user_id):
        def job():
            for choice in ("oppose", "abstain", "oppose"):
                voting = db.session.get(Poll, poll_id)
                user = db.session.get(User, user_id)
                cast(voting, entry_for(voting, user), [choice], user=user)
                db.session.commit()
        return job

    def paper(user_id, number):
        def job():
            voting = db.session.get(Poll, poll_id)
            enter_offline(voting, entry_for(voting, db.session.get(User, user_id)), ["oppose"],
                          staff=db.session.get(User, staff_id), channel=Channel.PAPER,
                          reference=f"纸质票 {number}", paper_number=str(number))
        return job

    def close():
        close_poll(db.session.get(Poll, poll_id), actor=db.session.get(User, chair_id))

    jobs = [vote(uid) for uid in voter_ids[:15]] + [
        paper(uid, n) for n, uid in enumerate(voter_ids[15:], start=1)]
    outcomes = _run_together(app, jobs + [close])
    poll = db.session.get(Poll, poll_id)
    assert poll.status == PollStatus.CLOSED
    assert set(outcomes) <= {"ok", "poll.not_open", "busy"}
    if backend == "postgresql":
        assert "busy" not in outcomes
    # Every ballot write appends to the chain in its own transaction: nothing after the
    # close event means nothing was stored after the close.
    actions = db.session.execute(select(BallotEvent.action).where(BallotEvent.poll_id == poll_id)
                                 .order_by(BallotEvent.seq)).scalars().all()
    assert actions[-1] == "close" and actions.count("close") == 1
    assert verify_poll(poll) == []


def _views_at_once(clients, poll_id: int) -> list[int]:
    statuses: list[int] = []
    start = threading.Barrier(len(clients))

    def view(client):
        start.wait()
        statuses.append(client.get(f"/polls/{poll_id}").status_code)

    threads = [threading.Thread(target=view, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_thirty_page_views_open_a_due_poll_once(app, backend, make_estate, login):
    estate = make_estate(owners=5)
    poll = make_poll(estate, open_now=False)
    poll_id = poll.id
    clients = [login(estate.owners[0], app.test_client()) for _ in range(30)]
    db.session.remove()
    statuses = _views_at_once(clients, poll_id)
    assert statuses == [200] * 30
    poll = db.session.get(Poll, poll_id)
    assert poll.status == PollStatus.OPEN
    assert db.session.execute(select(func.count(RollEntry.id)).where(
        RollEntry.poll_id == poll_id)).scalar_one() == 5
    opened = db.session.execute(select(BallotEvent.action).where(
        BallotEvent.poll_id == poll_id)).scalars().all()
    assert opened == ["open"]
    assert verify_poll(poll) == []


def test_thirty_page_views_close_a_due_poll_once(app, backend, make_estate, login):
    estate = make_estate(owners=5)
    poll = make_poll(estate)
    cast_all(poll, estate.owners[:3], ["approve", "approve", "oppose"])
    db.session.execute(update(Poll).where(Poll.id == poll.id)
                       .values(closes_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    poll_id = poll.id
    clients = [login(estate.owners[0], app.test_client()) for _ in range(30)]
    db.session.remove()
    statuses = _views_at_once(clients, poll_id)
    assert statuses == [200] * 30
    poll = db.session.get(Poll, poll_id)
    assert poll.status == PollStatus.CLOSED
    closes = db.session.execute(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "poll.close", AuditEvent.target == f"poll:{poll_id}")).scalar_one()
    notices = db.session.execute(select(func.count(Notice.id)).where(
        Notice.poll_id == poll_id)).scalar_one()
    assert (closes, notices) == (1, 1)
    assert verify_poll(poll) == []
