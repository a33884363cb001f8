"""How long an owners' poll with 10,000 owners and 8,000 ballots takes to open, close and show.

Run by hand (not part of the suite):

    .venv/bin/python bench/close_poll.py                       # SQLite in a temp dir
    .venv/bin/python bench/close_poll.py postgresql+psycopg://postgres@127.0.0.1/bench

Each run builds a fresh database: a community whose roster makes exactly 10,000 roll entries
(units of 60–180 m², every 30th owner with two units, every 50th unit co-owned, 150 unsold
units of the developer), a proposal in deliberation and a civil-code-ordinary owners' poll.
It times ``open_poll`` (freezing the roll), inserts 8,000 ballots in bulk (setup, not
measured), then times ``close_poll`` with the official count, and ``results`` with
``bulletin`` (the data of the result page), then the result page and the bulletin page as a
logged-in chair's browser gets them. It prints the best of 3 runs.
"""

import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select, text, update

from app import create_app
from app.auth.services import register_user
from app.auth.sessions import Lifetimes, open_session
from app.community.models import (
    Building,
    Community,
    Grid,
    Owner,
    Ownership,
    Role,
    RoleGrant,
    Unit,
)
from app.extensions import db, utcnow
from app.proposals.models import Proposal
from app.proposals.states import Status
from app.voting.matters import Matter
from app.voting.models import Ballot, Channel, ElectorateKind, RollEntry
from app.voting.sealing import seal
from app.voting.services import (
    ballot_key,
    bulletin,
    close_poll,
    create_poll,
    official_result,
    open_poll,
    results,
)

OWNERS = 9_999          # ordinary roll entries; the developer makes the 10,000th
DEVELOPER_UNITS = 150
BALLOTS = 8_000
UNITS_PER_BUILDING = 200


def area(n: int) -> Decimal:
    return Decimal(60_00 + (n * 3_637) % 120_01) / 100  # 60.00 to 180.00 m²


def build_roster(community: Community) -> None:
    """Units, owners and ownerships written in bulk with explicit ids (a fresh database)."""
    units, owners, ownerships = [], [], []

    def unit(owner_ids: list[int]) -> None:
        n = len(units)
        building_id = n // UNITS_PER_BUILDING + 1
        floor, room = (n % UNITS_PER_BUILDING) // 8 + 1, n % 8 + 1
        units.append(dict(id=n + 1, building_id=building_id, number=f"{floor}{room:02d}",
                          area=area(n)))
        ownerships.extend(dict(unit_id=n + 1, owner_id=o) for o in owner_ids)

    def owner(name: str, developer: bool = False) -> int:
        owners.append(dict(id=len(owners) + 1, community_id=community.id, name=name,
                           phone=None if developer else f"139{len(owners):08d}",
                           is_developer=developer))
        return len(owners)

    for n in range(OWNERS):
        first = owner(f"业主{n}")
        if n % 50 == 1:      # co-owned: two owners, one ballot
            unit([first, owner(f"共有人{n}")])
        else:
            unit([first])
        if n % 30 == 0:      # a second unit of the same owner: areas added up
            unit([first])
    developer = owner("开发商", developer=True)
    for _ in range(DEVELOPER_UNITS):
        unit([developer])

    grid = Grid(community=community, name="第一网格")
    db.session.add(grid)
    db.session.flush()
    buildings = len(units) // UNITS_PER_BUILDING + 1
    db.session.execute(insert(Building), [
        dict(id=b, community_id=community.id, grid_id=grid.id, name=f"{b}栋")
        for b in range(1, buildings + 1)])
    db.session.execute(insert(Unit), units)
    db.session.execute(insert(Owner), owners)
    db.session.execute(insert(Ownership), ownerships)


def cast_in_bulk(poll, now) -> None:
    """BALLOTS ballots on the first roll entries, six in ten for, three against, one
    abstaining, sealed to their entries and counted in the turnout counters, in bulk (setup
    of a benchmark, not a way to vote)."""
    entries = db.session.execute(select(RollEntry.id, RollEntry.area).where(
        RollEntry.poll_id == poll.id).order_by(RollEntry.id)).all()[:BALLOTS]
    choices = ["approve"] * 6 + ["oppose"] * 3 + ["abstain"]
    db.session.execute(insert(Ballot), [
        dict(id=n + 1, poll_id=poll.id, choices=[choices[n % 10]],
             receipt=f"{n:05d}-{n * 7_919 % 100_000:05d}") for n in range(BALLOTS)])
    key = ballot_key()
    db.session.execute(update(RollEntry), [
        dict(id=entry_id, voted_at=now, voted_channel=Channel.ONLINE,
             ballot_seal=seal(key, poll.id, entry_id, n + 1))
        for n, (entry_id, _area) in enumerate(entries)])
    poll.voted_people = len(entries)
    poll.voted_area = sum(area for _id, area in entries)


def announce_poll(**settings):
    """In an empty database (the schema created afresh): the chair, the community with its
    roster and an owners' poll on an ordinary matter, announced, opening now; returns the
    three. ``settings`` go to ``create_poll``."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
    db.create_all()
    chair = register_user(name="业委会主任", phone="13800000001", password="bench-only")
    community = Community(name="基准小区", notice_days=0)
    db.session.add(community)
    db.session.flush()
    build_roster(community)
    proposal = Proposal(community=community, author=chair, title="基准议题", body="",
                        body_html="", category="facilities", status=Status.DELIBERATION,
                        published_at=utcnow())
    db.session.add(proposal)
    db.session.flush()
    now = utcnow()
    poll = create_poll(proposal, actor=chair, question="是否同意？",
                       rule="civil_code_ordinary", electorate=ElectorateKind.OWNERS,
                       matter=Matter.OTHER, opens_at=now, closes_at=now + timedelta(days=7),
                       **settings)
    return chair, community, poll


def one_run(url: str) -> tuple:
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        chair, community, poll = announce_poll()
        db.session.commit()

        started = time.perf_counter()
        open_poll(poll)  # as at opens_at, by the clock
        db.session.commit()
        opened_at = time.perf_counter()
        assert poll.total_people == OWNERS + 1, poll.total_people

        cast_in_bulk(poll, poll.opens_at)
        db.session.commit()
        db.session.expire_all()

        before_close = time.perf_counter()
        close_poll(poll, actor=chair)
        official = official_result(poll)
        db.session.commit()
        closed_at = time.perf_counter()

        raw, _deemed = results(poll)
        rows = bulletin(poll)
        shown_at = time.perf_counter()
        assert raw.participants == BALLOTS and len(rows) == BALLOTS
        poll_id, chair_id = poll.id, chair.id
        db.session.add(RoleGrant(user_id=chair_id, community_id=community.id,
                                 role=Role.COMMUNITY_ADMIN))
        open_session(chair, remember=False, user_agent="", address="127.0.0.1", now=utcnow(),
                     lifetimes=Lifetimes.from_config(app.config))
        db.session.commit()
        token = chair.get_id()
        db.session.remove()

    # The pages as a browser gets them: the result page and the 8,000-row bulletin.
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
    page_times = []
    for path in (f"/polls/{poll_id}", f"/polls/{poll_id}/bulletin"):
        before = time.perf_counter()
        response = client.get(path)
        page_times.append(time.perf_counter() - before)
        assert response.status_code == 200, (path, response.status_code)
    with app.app_context():
        db.engine.dispose()
    return (opened_at - started, closed_at - before_close, shown_at - closed_at,
            *page_times, official.participants, official.outcome)


def main() -> None:
    given = sys.argv[1] if len(sys.argv) > 1 else None
    best = None
    for _ in range(3):
        with tempfile.TemporaryDirectory() as folder:
            url = given or f"sqlite:///{Path(folder) / 'bench.db'}"
            *timings, ballots, outcome = one_run(url)
        best = timings if best is None else list(map(min, best, timings))
    database = (given or "sqlite").split(":")[0].split("+")[0]
    print(f"{'database':12} | {'open (freeze roll)':>18} | {'close + count':>13} | "
          f"{'results + bulletin':>18} | {'result page':>11} | {'bulletin page':>13}")
    print(f"{database:12} | {best[0]:17.2f}s | {best[1]:12.2f}s | {best[2]:17.2f}s | "
          f"{best[3]:10.2f}s | {best[4]:12.2f}s")
    print(f"10,000 owners on the roll, {ballots:,} ballots, outcome: {outcome}")


if __name__ == "__main__":
    main()
