"""Storm and tamper check: 200 owners vote from 20 clients at once, some change their
ballots while the chair closes the poll early; ``flask audit verify`` must then find every
poll intact and the chains anchored; after one stored choice is flipped and the last audit
entries are deleted, it must fail and name both. Run by ``.ci/run`` on PostgreSQL:

    .venv/bin/python bench/storm.py postgresql+psycopg://postgres@127.0.0.1:5432/storm

The database named in the URL is dropped and created afresh. Each client is a thread with
its own app context and database session, casting through the same services as the pages.
Exits 1 with the reason when any check fails.
"""

import sys
import tempfile
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, delete, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app import create_app
from app.audit.models import AuditEvent
from app.auth.models import User
from app.community.models import Building, Community, Grid, Owner, Ownership, Unit
from app.extensions import db, utcnow
from app.proposals.models import Proposal
from app.proposals.states import Status
from app.voting.matters import Matter
from app.voting.models import Ballot, BallotEvent, ElectorateKind, Poll, PollStatus
from app.voting.services import VotingRefused, cast, close_poll, create_poll, entry_for, open_poll

OWNERS = 200
CLIENTS = 20
CHANGES = 40


def fresh_database(url: str) -> None:
    """Drop and create the database the URL names, from the server's maintenance database."""
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()


def build_poll() -> tuple[int, int, list[int]]:
    """A community of OWNERS owners, each with an account and one unit; an open poll."""
    now = utcnow()
    community = Community(name="风暴小区", notice_days=0)
    db.session.add(community)
    db.session.flush()
    grid = Grid(community=community, name="第一网格")
    db.session.add(grid)
    db.session.flush()
    building = Building(community_id=community.id, grid_id=grid.id, name="1栋")
    db.session.add(building)
    db.session.flush()
    db.session.execute(insert(User), [
        dict(id=n, phone=f"139{n:08d}", name=f"业主{n}", password_hash="!",
             privacy_accepted_at=now) for n in range(1, OWNERS + 2)])
    db.session.execute(insert(Unit), [
        dict(id=n, building_id=building.id, number=f"{n:04d}",
             area=Decimal(60 + n % 90) + Decimal("0.25")) for n in range(1, OWNERS + 1)])
    db.session.execute(insert(Owner), [
        dict(id=n, community_id=community.id, name=f"业主{n}", user_id=n)
        for n in range(1, OWNERS + 1)])
    db.session.execute(insert(Ownership), [dict(unit_id=n, owner_id=n)
                                           for n in range(1, OWNERS + 1)])
    chair = db.session.get(User, OWNERS + 1)
    proposal = Proposal(community=community, author=chair, title="风暴议题", body="",
                        body_html="", category="facilities", status=Status.DELIBERATION,
                        published_at=now)
    db.session.add(proposal)
    db.session.flush()
    poll = create_poll(proposal, actor=chair, question="是否同意？", rule="civil_code_ordinary",
                       electorate=ElectorateKind.OWNERS, matter=Matter.OTHER, opens_at=now,
                       closes_at=now + timedelta(days=7), allow_early_close=True)
    open_poll(poll)  # by the clock
    db.session.commit()
    return poll.id, chair.id, list(range(1, OWNERS + 1))


def run_clients(app, jobs) -> list[str]:
    """Run the jobs on CLIENTS threads started together; return each job's outcome."""
    outcomes: list[str] = []
    queue = list(jobs)
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client():
        start.wait()
        while True:
            with lock:
                if not queue:
                    return
                job = queue.pop()
            with app.app_context():
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

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def vote(poll_id: int, user_id: int, choice: str):
    def job():
        poll = db.session.get(Poll, poll_id)
        user = db.session.get(User, user_id)
        cast(poll, entry_for(poll, user), [choice], user=user)
    return job


def verify(app, *args) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "verify", *args])
    return result.exit_code, result.output


def fail(message: str) -> None:
    print(f"FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def main() -> None:
    url = sys.argv[1]
    started = time.perf_counter()
    fresh_database(url)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        poll_id, chair_id, voters = build_poll()

    choices = ["approve"] * 6 + ["oppose"] * 3 + ["abstain"]
    outcomes = run_clients(app, [vote(poll_id, uid, choices[uid % 10]) for uid in voters])
    if outcomes != ["ok"] * OWNERS:
        fail(f"{OWNERS} ballots from {CLIENTS} clients: {sorted(set(outcomes))}")

    def close():
        close_poll(db.session.get(Poll, poll_id), actor=db.session.get(User, chair_id))

    changes = [vote(poll_id, uid, "oppose") for uid in voters[:CHANGES]]
    late = run_clients(app, changes[:CHANGES // 2] + [close] + changes[CHANGES // 2:])
    if not set(late) <= {"ok", "poll.not_open"}:
        fail(f"changes during the close: {sorted(set(late))}")

    with tempfile.TemporaryDirectory() as folder, app.app_context():
        key, anchor = Path(folder) / "anchor.pem", Path(folder) / "heads.json"
        app.config["AUDIT_ANCHOR_KEY"] = str(key)
        runner = app.test_cli_runner()
        runner.invoke(args=["audit", "keygen", "--output", str(key)])
        poll = db.session.get(Poll, poll_id)
        # Every ballot write appends to the poll's chain in the same transaction.
        last_action = db.session.execute(
            select(BallotEvent.action).where(BallotEvent.poll_id == poll_id)
            .order_by(BallotEvent.seq.desc()).limit(1)).scalar_one()
        if poll.status != PollStatus.CLOSED or last_action != "close":
            fail(f"a ballot was written after the close (last chain event: {last_action})")
        code, output = verify(app)
        if code != 0:
            fail(f"audit verify after the storm:\n{output}")
        runner.invoke(args=["audit", "anchor", "--output", str(anchor)])
        print(output.strip())

        flipped = db.session.execute(select(Ballot).where(Ballot.poll_id == poll_id)
                                     .order_by(Ballot.id).limit(1)).scalar_one()
        db.session.execute(update(Ballot).where(Ballot.id == flipped.id).values(
            choices=["approve" if flipped.choices != ["approve"] else "oppose"]))
        last = db.session.execute(select(AuditEvent.seq).order_by(AuditEvent.seq.desc())
                                  .limit(5)).scalars().all()
        db.session.execute(delete(AuditEvent).where(AuditEvent.seq.in_(last)))
        db.session.commit()
        code, output = verify(app, "--anchor", str(anchor))
        if code != 1 or flipped.receipt not in output or "anchored head" not in output:
            fail(f"audit verify after tampering did not name both edits:\n{output}")
        db.engine.dispose()
    print(f"Storm: {OWNERS} ballots from {CLIENTS} clients, {late.count('ok') - 1} changes "
          f"before and {late.count('poll.not_open')} refused after the early close; verify "
          f"intact, then caught the tampering. {time.perf_counter() - started:.1f} s.")


if __name__ == "__main__":
    main()
