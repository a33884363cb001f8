"""How long the insights dashboard takes on a community of 10,000 households with 100,000
comments and 50 polls.

Run by hand (not part of the suite):

    .venv/bin/python bench/insights.py                                  # SQLite in a temp dir
    .venv/bin/python bench/insights.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench

It builds a fresh database, all in bulk inserts: 50 buildings of 200 units in 5 grids, one
owner per unit (6 in 10 with an account), 1,000 tenants, 240 proposals published over the
past year, 100,000 comments and 20,000 co-sponsorships spread over that year, 50 polls (10
owners' polls of the whole community, 40 of one building) with their rolls and ballots (about
half turnout; owners without an account, and one in ten of the others, vote on paper), 300
open reports and 400 follow-up actions. On PostgreSQL it first empties the given database
(drops the public schema): give it a database of its own.

It then times, with the cache off, ``dashboard()`` (every figure of the page) for the last
90 days and the last 12 months, the page itself as a logged-in community administrator's
browser gets it (template and charts included), hot topics (word segmentation of the newest
texts; loaded by the page after it shows), the street office's summary, and the page again
within the cache's 60 seconds. Each figure is the best of 3 runs on the same data; the first
run of hot topics also loads jieba's dictionary (about a second, once per process).
"""

import argparse
import random
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, text

from app import create_app
from app.auth.models import User
from app.auth.sessions import Lifetimes, open_session
from app.community.models import (
    Building,
    Community,
    Grid,
    MemberRole,
    Membership,
    Organisation,
    OrganisationKind,
    Owner,
    Ownership,
    Residency,
    Role,
    RoleGrant,
    Unit,
)
from app.discussion.models import Comment, Report, ReportReason
from app.extensions import db, utcnow
from app.followups.models import FollowUpAction
from app.insights import services
from app.insights.services import Period, Scope
from app.insights.topics import hot_topics
from app.proposals.models import Cosponsorship, Proposal
from app.voting.models import Ballot, Channel, ElectorateKind, Poll, PollStatus, RollEntry
from app.voting.sealing import seal
from app.voting.services import ballot_key

GRIDS, BUILDINGS, UNITS_PER_BUILDING = 5, 50, 200
HOUSEHOLDS = BUILDINGS * UNITS_PER_BUILDING
TENANTS = 1_000
PROPOSALS = 240
COMMENTS = 100_000
COSPONSORS = 20_000
POLLS, WHOLE_COMMUNITY_POLLS = 50, 10
REMARKS = ["支持尽快落实，希望公开费用明细。", "反对，停车费上涨太多，影响大家出行。",
           "电梯噪音问题一直没解决，请物业给个说法。", "建议先在一个楼栋试点充电桩，再推广。",
           "垃圾分类投放时间太早，上班族赶不上。", "绿化带裸露很久了，孩子们没地方玩。",
           "请问维修资金怎么分摊？顶楼渗漏什么时候修？", "门禁改人脸识别要注意个人信息保护。"]
CATEGORIES = ["facilities", "parking", "environment", "safety", "renovation",
              "maintenance_fund", "community_life", "other"]
STATUSES = ["collecting", "deliberation", "voting", "passed", "in_progress", "done"]


def bulk(model, rows: list[dict], chunk: int = 10_000) -> None:
    for start in range(0, len(rows), chunk):
        db.session.execute(insert(model), rows[start:start + chunk])


def build(rng: random.Random) -> tuple[int, int]:
    """The community, in bulk; returns (community id, administrator's user id)."""
    now = utcnow()
    admin = User(name="管理员", phone="13800000000", password_hash="x",
                 privacy_accepted_at=now)
    community = Community(name="基准小区")
    db.session.add_all([admin, community])
    db.session.flush()
    db.session.add(RoleGrant(user_id=admin.id, community_id=community.id,
                             role=Role.COMMUNITY_ADMIN))
    cid = community.id
    bulk(Grid, [dict(id=g, community_id=cid, name=f"第{g}网格") for g in range(1, GRIDS + 1)])
    bulk(Building, [dict(id=b, community_id=cid, grid_id=(b - 1) % GRIDS + 1, name=f"{b}栋")
                    for b in range(1, BUILDINGS + 1)])
    units = [dict(id=u, building_id=(u - 1) // UNITS_PER_BUILDING + 1,
                  number=f"{(u - 1) % UNITS_PER_BUILDING // 4 + 1}{(u - 1) % 4 + 1:02d}",
                  area=Decimal(60 + u % 90)) for u in range(1, HOUSEHOLDS + 1)]
    bulk(Unit, units)
    account_of = {u: u + 1 for u in range(1, HOUSEHOLDS + 1) if u % 10 < 6}
    tenants = {HOUSEHOLDS + 1 + n: rng.randint(1, HOUSEHOLDS) for n in range(TENANTS)}
    bulk(User, [dict(id=uid, name=f"居民{uid}", phone=f"139{uid:08d}", password_hash="x",
                     privacy_accepted_at=now)
                for uid in [*account_of.values(), *(t + 1 for t in tenants)]])
    bulk(Owner, [dict(id=u, community_id=cid, name=f"业主{u}", phone=f"139{u:08d}",
                      user_id=account_of.get(u)) for u in range(1, HOUSEHOLDS + 1)])
    bulk(Ownership, [dict(unit_id=u, owner_id=u) for u in range(1, HOUSEHOLDS + 1)])
    bulk(Residency, [dict(unit_id=unit, user_id=t + 1) for t, unit in tenants.items()])
    people = [*account_of.values(), *(t + 1 for t in tenants)]
    bulk(Organisation, [dict(id=1, community_id=cid, kind=OrganisationKind.OWNERS_COMMITTEE,
                             name="业委会"),
                        dict(id=2, community_id=cid, kind=OrganisationKind.PROPERTY_COMPANY,
                             name="物业"),
                        dict(id=3, community_id=cid, kind=OrganisationKind.STREET_OFFICE,
                             name="街道办")])
    bulk(Membership, [dict(organisation_id=3, user_id=admin.id, role=MemberRole.STAFF)])

    proposals = []
    for p in range(1, PROPOSALS + 1):
        published = now - timedelta(days=365 * p / PROPOSALS)
        proposals.append(dict(
            id=p, community_id=cid, author_id=rng.choice(people), title=f"议题{p}：电梯与停车",
            body=rng.choice(REMARKS), body_html="", category=CATEGORIES[p % len(CATEGORIES)],
            status=STATUSES[p % len(STATUSES)], published_at=published,
            created_at=published, updated_at=published,
            deliberation_at=published + timedelta(days=2), report_count=0,
            first_official_answer_at=None if p % 7 == 0 else published + timedelta(days=5)))
    bulk(Proposal, proposals)
    comments = []
    for n in range(1, COMMENTS + 1):
        p = rng.randint(1, PROPOSALS)
        at = proposals[p - 1]["published_at"] + timedelta(hours=rng.uniform(1, 24 * 30))
        official = n % 200 == 0
        comments.append(dict(
            id=n, proposal_id=p, author_id=admin.id if official else rng.choice(people),
            organisation_id=(n // 200) % 2 + 1 if official else None,
            stance=rng.choice(["support", "oppose", "neutral", "question"]),
            body=rng.choice(REMARKS), created_at=min(at, now)))
    bulk(Comment, comments)
    pairs = {(rng.randint(1, PROPOSALS), rng.choice(people)) for _ in range(COSPONSORS)}
    bulk(Cosponsorship, [dict(proposal_id=p, user_id=u,
                              created_at=proposals[p - 1]["published_at"] + timedelta(days=1))
                         for p, u in pairs])
    bulk(Report, [dict(community_id=cid, reporter_id=people[n], comment_id=rng.randint(1, COMMENTS),
                       reason=ReportReason.SPAM) for n in range(300)])
    bulk(FollowUpAction, [dict(community_id=cid, proposal_id=rng.randint(1, PROPOSALS),
                               organisation_id=n % 2 + 1, description="跟进",
                               due_on=(now + timedelta(days=rng.randint(-60, 60))).date(),
                               status="open" if n % 3 else "done", created_by_id=admin.id)
                          for n in range(400)])

    polls, entries, ballots = [], [], []
    entry_id = 0
    for poll_id in range(1, POLLS + 1):
        opens = now - timedelta(days=360 * poll_id / POLLS)
        closes = opens + timedelta(days=14)
        in_scope = (range(1, HOUSEHOLDS + 1) if poll_id <= WHOLE_COMMUNITY_POLLS else
                    range((poll_id % BUILDINGS) * UNITS_PER_BUILDING + 1,
                          (poll_id % BUILDINGS + 1) * UNITS_PER_BUILDING + 1))
        polls.append(dict(
            id=poll_id, proposal_id=poll_id, community_id=cid, question=f"表决{poll_id}",
            rule="civil_code_ordinary", electorate=ElectorateKind.OWNERS, opens_at=opens,
            closes_at=closes, opened_at=opens, status=PollStatus.OPEN if closes > now
            else PollStatus.FINAL, total_people=len(in_scope),
            total_area=sum(units[u - 1]["area"] for u in in_scope), created_by_id=admin.id))
        for u in in_scope:
            entry_id += 1
            unit = units[u - 1]
            entry = dict(id=entry_id, poll_id=poll_id, key=f"R{u:05d}",
                         label=f"{unit['building_id']}栋-{unit['number']}",
                         area=unit["area"], user_ids=[account_of[u]] if u in account_of
                         else [], units=[[f"{unit['building_id']}栋", unit["number"],
                                          str(unit["area"])]],
                         voted_at=None, voted_channel="", voted_by_id=None, entered_by_id=None,
                         ballot_seal=None)
            if rng.random() < 0.5:
                online = u in account_of and rng.random() < 0.9
                ballots.append(dict(id=len(ballots) + 1, poll_id=poll_id, choices=["approve"],
                                    receipt=f"{entry_id:012d}"))
                entry.update(
                    voted_at=opens + timedelta(hours=rng.randint(0, 24 * 13)),
                    voted_channel=Channel.ONLINE if online else Channel.PAPER,
                    voted_by_id=account_of[u] if online else None,
                    entered_by_id=None if online else admin.id,
                    ballot_seal=seal(ballot_key(), poll_id, entry_id, len(ballots)))
            entries.append(entry)
    bulk(Poll, polls)
    bulk(RollEntry, entries)
    bulk(Ballot, ballots)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # As autovacuum would leave freshly loaded tables: statistics and visibility maps.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    return cid, admin.id


def best_of(runs: int, job) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        job()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url,
                                     "INSIGHTS_CACHE_SECONDS": 0})
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
            db.create_all()
            started = time.perf_counter()
            cid, admin_id = build(random.Random(20261129))
            built = time.perf_counter() - started
            community = db.session.get(Community, cid)
            scope = Scope((cid,))
            figures = {}
            for days in (90, 365):
                figures[days] = best_of(3, lambda d=days: services.dashboard(
                    community, scope, Period.last_days(d)))
            first_topics = best_of(1, lambda: hot_topics(scope, utcnow()))
            topics = best_of(3, lambda: hot_topics(scope, utcnow()))
            summary = best_of(3, lambda: services.overview([community], Period.last_days(90)))
            total = services.dashboard(community, scope, Period.last_days(365))[
                "participation"]["total"]
            admin = db.session.get(User, admin_id)
            open_session(admin, remember=False, user_agent="", address="127.0.0.1",
                         now=utcnow(), lifetimes=Lifetimes.from_config(app.config))
            db.session.commit()
            token = admin.get_id()
            db.session.remove()

        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = token
        pages = {}
        for path in (f"/c/{cid}/insights", f"/c/{cid}/insights?period=12m",
                     f"/c/{cid}/insights/topics", "/insights"):
            def get(p=path):
                response = client.get(p)
                assert response.status_code == 200, (p, response.status_code)
            pages[path] = best_of(3, get)
        # The same page again within the cache's lifetime (the cache is in-process here).
        app.config["INSIGHTS_CACHE_SECONDS"] = 60
        client.get(f"/c/{cid}/insights")
        pages["cached"] = best_of(3, lambda: client.get(f"/c/{cid}/insights"))
        with app.app_context():
            db.engine.dispose()

    database = (args.database_url or "sqlite").split(":")[0].split("+")[0]
    print(f"database: {database}; data built in {built:.1f} s; "
          f"{total['took_part']:,} of {total['households']:,} households took part in 12 months")
    print(f"{'measure':44} | {'best of 3':>9}")
    print(f"{'dashboard() figures, last 90 days':44} | {figures[90]:8.3f}s")
    print(f"{'dashboard() figures, last 12 months':44} | {figures[365]:8.3f}s")
    print(f"{'hot_topics(), first call (loads jieba)':44} | {first_topics:8.3f}s")
    print(f"{'hot_topics()':44} | {topics:8.3f}s")
    print(f"{'overview() (street office)':44} | {summary:8.3f}s")
    for path, seconds in pages.items():
        label = f"GET /c/{cid}/insights, from the cache" if path == "cached" else f"GET {path}"
        print(f"{label:44} | {seconds:8.3f}s")


if __name__ == "__main__":
    main()
