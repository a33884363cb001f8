"""Ballots in milliseconds (issue 14, item 3): owners already signed in cast their ballots over
HTTP, through gunicorn with the settings of bench/pages.py (2 workers, 1 thread each).

Run by hand (not part of the suite), with PostgreSQL:

    PYTHONPATH=. .venv/bin/python bench/cast.py
    PYTHONPATH=. .venv/bin/python bench/cast.py postgresql+psycopg://postgres@127.0.0.1/bench_cast

The database named in the URL is dropped and built afresh: the roster of bench/close_poll.py
(exactly 10,000 roll entries), the first owners with accounts (VOTERS of them on distinct
entries, then STORM_VOTERS more), and an open secret owners' poll. The first VOTERS get a
signed-in session and its form token before the clock starts, so that nothing but the
ballot is measured. Three runs follow, each by different voters, each ballot a first ballot
(``POST /polls/ID/vote``; in the first two the answer is the redirect to the poll page,
which is not followed):

- throughput: CLIENTS clients, each on its own keep-alive connection, send ballots one
  after another as fast as the answers come (closed loop); ballots per second over the run;
- latency at a fixed arrival rate: RATE ballots a second for SECONDS seconds, each sent at
  its scheduled time whatever the earlier ones are doing (open loop: a slow answer does not
  hold back the next ballot, so queueing shows in the figures); p50, p95 and p99 of the time
  from the scheduled send to the answer;
- the storm of voting morning: STORM_CLIENTS browsers (50) take STORM_VOTERS owners (2,000)
  through the whole journey, each from a fresh browser: the login page and the login (a
  full password check), the poll page, the ballot and the page with its receipt; p50, p95
  and p99 of the journey and of each step, and how many failed.

Then every ballot must be in the database exactly once and ``flask audit verify`` must find
the poll's chain whole. It prints the goals of the issue, met or missed. The load generator
runs on the same cores as the app and the database: on a shared machine, read the figures
with the load average it prints.
"""

import hashlib
import http.client
import os
import queue
import re
import secrets
import signal
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import requests
from flask_migrate import upgrade
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, insert, select, update
from werkzeug.security import generate_password_hash

from app import create_app
from app.auth.models import PASSWORD_HASH_METHOD, User
from app.auth.sessions import Lifetimes, open_session
from app.community.models import Community, Owner, Role, RoleGrant
from app.extensions import db, utcnow
from app.proposals.models import Proposal
from app.proposals.states import Status
from app.voting.matters import Matter
from app.voting.models import Ballot, ElectorateKind, Poll, RollEntry
from app.voting.services import create_poll, open_poll
from bench.close_poll import build_roster
from bench.pages import serve
from bench.storm import fresh_database

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_cast"
SECRET = "bench-cast-not-secret"
PORT = 5111
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 8))
THROUGHPUT_BALLOTS = int(os.environ.get("BENCH_BALLOTS", 1500))
RATE = 20              # ballots a second, the arrival rate
SECONDS = int(os.environ.get("BENCH_SECONDS", 30))
VOTERS = THROUGHPUT_BALLOTS + RATE * SECONDS
STORM_VOTERS = int(os.environ.get("BENCH_STORM", 2000))
STORM_CLIENTS = int(os.environ.get("BENCH_STORM_CLIENTS", 50))
# Co-owners share an entry, so some accounts do not vote.
ACCOUNTS = (VOTERS + STORM_VOTERS) * 21 // 20 + 10
PASSWORD = "bench-storm-password"
THROUGHPUT_GOAL = 100  # ballots a second on 2 cores
P95_GOAL = 0.150       # seconds, at RATE ballots a second
FIRST_USER = 100_000
CHOICES = ["approve"] * 6 + ["oppose"] * 3 + ["abstain"]


def build(url: str) -> dict:
    """The roster, VOTERS owners with accounts and signed-in sessions, STORM_VOTERS more who
    will log in with PASSWORD, the open poll; returns the poll's id, per signed-in voter the
    cookie and form token to send, and the storm's voters' mobile numbers."""
    fresh_database(url)
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parents[1] / "migrations"))
        now = utcnow()
        community = Community(name="投票小区", notice_days=0)
        db.session.add(community)
        db.session.flush()
        build_roster(community)
        # One hash for all (hashing thousands would take minutes): logins check it in full.
        password_hash = generate_password_hash(PASSWORD, method=PASSWORD_HASH_METHOD)
        db.session.execute(insert(User), [
            dict(id=FIRST_USER + n, phone=_phone(FIRST_USER + n), name=f"业主{n}",
                 password_hash=password_hash, privacy_accepted_at=now)
            for n in range(ACCOUNTS + 1)])
        # Owner n + 1 (every co-owned unit has its second owner next) gets account n.
        owners = db.session.execute(select(Owner.id).where(Owner.is_developer.is_(False))
                                    .order_by(Owner.id).limit(ACCOUNTS)).scalars().all()
        db.session.execute(update(Owner), [dict(id=owner_id, user_id=FIRST_USER + n)
                                           for n, owner_id in enumerate(owners)])
        db.session.execute(insert(RoleGrant), [
            dict(user_id=FIRST_USER + n, community_id=community.id, role=Role.VERIFIED_OWNER)
            for n in range(ACCOUNTS)])
        chair = db.session.get(User, FIRST_USER + ACCOUNTS)
        proposal = Proposal(community=community, author=chair, title="投票议题", body="",
                            body_html="", category="facilities", status=Status.DELIBERATION,
                            published_at=now)
        db.session.add(proposal)
        db.session.flush()
        poll = create_poll(proposal, actor=chair, question="是否同意？",
                           rule="civil_code_ordinary", electorate=ElectorateKind.OWNERS,
                           matter=Matter.OTHER, opens_at=now, closes_at=now + timedelta(days=7))
        open_poll(poll)
        db.session.commit()
        poll_id = poll.id
        # A co-owner's account shares the entry of the owner before it: one ballot each.
        firsts = _first_per_entry(poll_id)
        signed_in = _signed_in(app, firsts[:VOTERS], now)
        db.engine.dispose()
    return dict(poll_id=poll_id, voters=[signed_in[user_id] for user_id in firsts[:VOTERS]],
                storm=[_phone(user_id) for user_id in firsts[VOTERS:VOTERS + STORM_VOTERS]])


def _phone(user_id: int) -> str:
    return f"137{user_id - FIRST_USER:08d}"


def _signed_in(app, user_ids: list[int], now) -> dict[int, tuple[str, str]]:
    """Per account: the session cookie (signed in, with a form token's secret) and the
    form token, as the login and the poll page would have given them."""
    lifetimes = Lifetimes.from_config(app.config)
    cookies = app.session_interface.get_signing_serializer(app)
    tokens = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    voters = {}
    for user in db.session.execute(select(User).where(User.id.in_(user_ids))).scalars():
        open_session(user, remember=False, user_agent="bench", address="127.0.0.1", now=now,
                     lifetimes=lifetimes)
        raw = hashlib.sha1(secrets.token_bytes(32)).hexdigest()
        cookie = cookies.dumps({"_user_id": user.get_id(), "_fresh": True, "csrf_token": raw})
        voters[user.id] = (f"session={cookie}", tokens.dumps(raw))
    db.session.commit()
    return voters


def _first_per_entry(poll_id: int) -> list[int]:
    entries = db.session.execute(select(RollEntry.user_ids).where(
        RollEntry.poll_id == poll_id)).scalars()
    return sorted(user_ids[0] for user_ids in entries if user_ids)


class Client:
    """One keep-alive connection to the app that casts ballots."""

    def __init__(self, poll_id: int):
        self.path = f"/polls/{poll_id}/vote"
        self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)

    def cast(self, voter: tuple[str, str], choice: str) -> bool:
        cookie, token = voter
        body = urlencode({"csrf_token": token, "choice": choice})
        self.connection.request("POST", self.path, body=body, headers={
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        response = self.connection.getresponse()
        response.read()
        return response.status == 302 and "my-ballot" in response.getheader("Location", "")


def closed_loop(jobs: list[tuple], clients: int, connect, work) -> float:
    """``clients`` threads, each with its own ``connect()``, start together and take the
    jobs one after another as fast as each is done (closed loop); ``work(connection, *job)``
    does one. Returns the seconds from the start to the end of the last job."""
    pending: queue.SimpleQueue = queue.SimpleQueue()
    for job in jobs:
        pending.put(job)
    start = threading.Barrier(clients + 1)

    def client():
        connection = connect()
        start.wait()
        while True:
            try:
                job = pending.get_nowait()
            except queue.Empty:
                return
            work(connection, *job)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def throughput(poll_id: int, voters: list) -> tuple[float, int]:
    """CLIENTS clients cast the voters' ballots as fast as they are answered: ballots a
    second, and how many were refused or failed."""
    failed = []

    def cast_one(connection: Client, voter: tuple[str, str], choice: str) -> None:
        if not connection.cast(voter, choice):
            failed.append(voter)

    seconds = closed_loop([(voter, CHOICES[n % 10]) for n, voter in enumerate(voters)],
                          CLIENTS, lambda: Client(poll_id), cast_one)
    return len(voters) / seconds, len(failed)


def fixed_rate(poll_id: int, voters: list) -> tuple[list[float], int]:
    """The voters' ballots sent at RATE a second, each at its own scheduled time (open
    loop); returns each ballot's time from its scheduled send to the answer, and failures."""
    started = time.perf_counter() + 0.5
    schedule: queue.SimpleQueue = queue.SimpleQueue()
    for n, voter in enumerate(voters):
        schedule.put((started + n / RATE, voter, CHOICES[n % 10]))
    latencies, failed = [], []
    # Enough senders that one is always free at the scheduled time, even if answers stall.
    senders = RATE * 3

    def sender():
        connection = Client(poll_id)
        while True:
            try:
                due, voter, choice = schedule.get_nowait()
            except queue.Empty:
                return
            time.sleep(max(0.0, due - time.perf_counter()))
            ok = connection.cast(voter, choice)
            latencies.append(time.perf_counter() - due)
            if not ok:
                failed.append(voter)

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, len(failed)


STEPS = ("login", "poll page", "ballot", "receipt")
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
RECEIPT = re.compile(r'class="receipt-code">([^<]+)<')


def journey(http: requests.Session, poll_id: int, phone: str, choice: str) -> list[float]:
    """One owner's voting morning from a fresh browser: the login page and the login, the
    poll page, the ballot, and the page that shows its receipt; the seconds each step
    took, or an empty list if one failed."""
    base = f"http://127.0.0.1:{PORT}"
    http.cookies.clear()
    times, started = [], time.perf_counter()

    def lap() -> None:
        nonlocal started
        now = time.perf_counter()
        times.append(now - started)
        started = now

    page = http.get(f"{base}/auth/login")
    token = FORM_TOKEN.search(page.text)
    if page.status_code != 200 or token is None:
        return []
    answer = http.post(f"{base}/auth/login", allow_redirects=False, data={
        "phone": phone, "password": PASSWORD, "csrf_token": token.group(1)})
    if answer.status_code != 302:
        return []
    lap()
    page = http.get(f"{base}/polls/{poll_id}")
    token = FORM_TOKEN.search(page.text)
    if page.status_code != 200 or token is None:
        return []
    lap()
    answer = http.post(f"{base}/polls/{poll_id}/vote", allow_redirects=False, data={
        "choice": choice, "csrf_token": token.group(1)})
    if answer.status_code != 302 or "my-ballot" not in answer.headers.get("Location", ""):
        return []
    lap()
    receipt = http.get(f"{base}{answer.headers['Location']}")
    if receipt.status_code != 200 or RECEIPT.search(receipt.text) is None:
        return []
    lap()
    return times


def storm(poll_id: int, phones: list[str]) -> tuple[list[list[float]], int, float]:
    """STORM_CLIENTS browsers at once take the owners through their journeys, each starting
    the next as soon as one ends: each journey's step times, the failures, the seconds."""
    journeys, failed = [], []

    def take(http: requests.Session, phone: str, choice: str) -> None:
        times = journey(http, poll_id, phone, choice)
        if times:
            journeys.append(times)
        else:
            failed.append(phone)

    seconds = closed_loop([(phone, CHOICES[n % 10]) for n, phone in enumerate(phones)],
                          STORM_CLIENTS, requests.Session, take)
    return journeys, len(failed), seconds


def percentiles(values: list[float]) -> str:
    return ", ".join(f"p{p} {percentile(values, p) * 1000:,.0f} ms" for p in (50, 95, 99))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def check(url: str, poll_id: int, expected: int) -> str:
    """Every answered ballot stored once, the turnout counter agreeing, and ``flask audit
    verify`` finding the chains whole; returns its output."""
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        ballots = db.session.execute(select(func.count(Ballot.id)).where(
            Ballot.poll_id == poll_id)).scalar_one()
        poll = db.session.get(Poll, poll_id)
        if ballots != expected or poll.voted_people != expected:
            raise SystemExit(f"FAILED: {expected} ballots sent, {ballots} stored, "
                             f"turnout counter {poll.voted_people}")
        result = app.test_cli_runner().invoke(args=["audit", "verify"])
        db.engine.dispose()
    if result.exit_code != 0:
        raise SystemExit(f"FAILED: audit verify after the ballots:\n{result.output}")
    return result.output.strip()


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_URL
    print(f"building the data ({VOTERS:,} voters signed in) …", flush=True)
    data = build(url)
    poll_id, voters = data["poll_id"], data["voters"]
    if len(voters) < THROUGHPUT_BALLOTS + RATE * SECONDS:
        raise SystemExit(f"only {len(voters)} voters on distinct roll entries")
    env = {**os.environ, "GONGZHI_ENV": "production", "DATABASE_URL": url,
           "SECRET_KEY": SECRET, "SESSION_COOKIE_SECURE": "0", "REDIS_URL": ""}
    server = serve("app.wsgi:application", PORT, env, "/privacy")
    try:
        load_before = os.getloadavg()[0]
        rate, refused = throughput(poll_id, voters[:THROUGHPUT_BALLOTS])
        print(f"throughput: {THROUGHPUT_BALLOTS:,} ballots from {CLIENTS} clients: "
              f"{rate:.1f} ballots/s, {refused} refused or failed", flush=True)
        latencies, late_refused = fixed_rate(
            poll_id, voters[THROUGHPUT_BALLOTS:THROUGHPUT_BALLOTS + RATE * SECONDS])
        journeys, lost_journeys, storm_seconds = storm(poll_id, data["storm"])
        load_after = os.getloadavg()[0]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    p50, p95, p99 = (percentile(latencies, p) for p in (50, 95, 99))
    print(f"fixed rate: {len(latencies):,} ballots at {RATE}/s: p50 {p50 * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max "
          f"{max(latencies) * 1000:.0f} ms, mean {statistics.mean(latencies) * 1000:.0f} ms, "
          f"{late_refused} refused or failed")
    print(f"storm: {len(data['storm']):,} owners from {STORM_CLIENTS} browsers, each logging "
          f"in, opening the poll, casting and reading the receipt, in {storm_seconds:.1f} s "
          f"({len(journeys) / storm_seconds:.1f} journeys/s), {lost_journeys} failed")
    print(f"  whole journey: {percentiles([sum(times) for times in journeys])}")
    for step, times in zip(STEPS, zip(*journeys, strict=True), strict=True):
        print(f"  {step}: {percentiles(list(times))}")
    verified = check(url, poll_id, THROUGHPUT_BALLOTS + len(latencies) - refused - late_refused
                     + len(journeys))
    print(verified)
    print(f"load average {load_before:.1f} before, {load_after:.1f} after (2 cores)")
    print(f"throughput {rate:.1f} ballots/s (goal ≥ {THROUGHPUT_GOAL}: "
          f"{'met' if rate >= THROUGHPUT_GOAL else 'missed'}); p95 at {RATE}/s "
          f"{p95 * 1000:.0f} ms (goal < {P95_GOAL * 1000:.0f} ms: "
          f"{'met' if p95 < P95_GOAL else 'missed'}); lost or double: none")


if __name__ == "__main__":
    main()
