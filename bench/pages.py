"""Pages against the floor: each page of the app under load, interleaved with a bare Flask app
that returns the same bytes, on the same gunicorn settings; prints the ratios and the goals.

Run by hand (not part of the suite), with PostgreSQL and Debian's `wrk` installed:

    PYTHONPATH=. .venv/bin/python bench/pages.py
    PYTHONPATH=. .venv/bin/python bench/pages.py postgresql+psycopg://postgres@127.0.0.1/bench_pages

The database named in the URL is dropped and built afresh: a community whose roster makes
10,000 roll entries (as bench/close_poll.py), 900 proposals by 40 authors, one of them with
500 comments by those authors, and an owners' poll with 8,000 ballots that the chair closes
(timed: close + count + commit, then the first render of its result page over HTTP). Then both
apps run under gunicorn (2 workers, 1 thread each, as the issue measured; preloaded, so the
app's templates are compiled before the workers fork, as deploy/gunicorn.conf.py does) and
`wrk -c 8` loads each page of the app and the same bytes from the bare app, in turn, for
ROUNDS rounds. The ratio is app req/s over bare req/s in the same round; the table shows the
median.
"""

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert, text, update

from app import create_app
from app.auth.models import User
from app.auth.sessions import Lifetimes, open_session
from app.community.models import Community, Owner, Role, RoleGrant
from app.discussion.models import Comment
from app.extensions import db, utcnow
from app.proposals.models import Proposal
from app.proposals.states import Status
from app.voting.matters import Matter
from app.voting.models import ElectorateKind
from app.voting.services import close_poll, create_poll, official_result, open_poll
from bench.close_poll import build_roster, cast_in_bulk
from bench.storm import fresh_database

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_pages"
SECRET = "bench-pages-not-secret"
PROPOSALS = 900
AUTHORS = 40
COMMENTS = 500
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))
SECONDS = int(os.environ.get("BENCH_SECONDS", 5))
CONNECTIONS = 8
# Other ports when another run of this script shares the machine.
APP_PORT = int(os.environ.get("BENCH_APP_PORT", 5101))
BARE_PORT = int(os.environ.get("BENCH_BARE_PORT", 5102))
# (label, goal as a ratio to the bare route, or None where the issue sets none)
GOALS = {
    "privacy notice, anonymous (lightest page)": None,
    "privacy notice, signed-in owner (what every signed-in page costs)": None,
    "home, signed-in owner": 0.25,
    "proposal list, 900 proposals": 0.20,
    "proposal page, 500 comments": 0.20,
    "closed poll result, 10,000 roll, 8,000 ballots": 0.30,
    "bulletin of that poll": 0.30,
}
CLOSE_GOAL_SECONDS = 0.250
WARM_UP_VIEWS = 10  # of each page, before the close: both workers serve some


def build(url: str) -> dict:
    """The data, in bulk; returns the paths to load and the signed-in cookies."""
    fresh_database(url)
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parents[1] / "migrations"))
        now = utcnow()
        community = Community(name="基准小区", notice_days=0)
        db.session.add(community)
        db.session.flush()
        build_roster(community)
        first_user = 100_000
        db.session.execute(insert(User), [
            dict(id=first_user + n, phone=f"136{n:08d}", name=f"作者{n}", password_hash="!",
                 privacy_accepted_at=now) for n in range(AUTHORS)])
        chair, owner = db.session.get(User, first_user), db.session.get(User, first_user + 1)
        db.session.execute(update(Owner).where(Owner.id == 1).values(user_id=owner.id))
        db.session.add_all([
            RoleGrant(user_id=chair.id, community_id=community.id, role=Role.COMMUNITY_ADMIN),
            RoleGrant(user_id=owner.id, community_id=community.id, role=Role.VERIFIED_OWNER)])
        db.session.execute(insert(Proposal), [
            dict(id=p, community_id=community.id, author_id=first_user + p % AUTHORS,
                 title=f"议题{p}：电梯维修与停车位", body="请大家讨论。" * 20,
                 body_html="<p>" + "请大家讨论。" * 20 + "</p>", category="facilities",
                 status=Status.DELIBERATION, published_at=now - timedelta(minutes=p),
                 created_at=now - timedelta(minutes=p), updated_at=now)
            for p in range(1, PROPOSALS + 1)])
        db.session.execute(insert(Comment), [
            dict(proposal_id=1, author_id=first_user + c % AUTHORS, body=f"第{c}条意见：" +
                 "支持尽快落实，希望公开费用明细。" * 3, stance="support" if c % 3 else None,
                 created_at=now - timedelta(seconds=COMMENTS - c))
            for c in range(COMMENTS)])
        proposal = db.session.get(Proposal, 2)
        poll = create_poll(proposal, actor=chair, question="是否同意？",
                           rule="civil_code_ordinary", electorate=ElectorateKind.OWNERS,
                           matter=Matter.OTHER, opens_at=now, closes_at=now + timedelta(days=7))
        db.session.commit()
        open_poll(poll)
        db.session.commit()
        cast_in_bulk(poll, now)
        db.session.commit()
        db.session.expire_all()
        lifetimes = Lifetimes.from_config(app.config)
        cookies = {}
        for name, user in (("chair", chair), ("owner", owner)):
            open_session(user, remember=False, user_agent="bench", address="127.0.0.1",
                         now=now, lifetimes=lifetimes)
            serializer = app.session_interface.get_signing_serializer(app)
            cookies[name] = "session=" + serializer.dumps({"_user_id": user.get_id(),
                                                          "_fresh": True})
        db.session.commit()
        # What autovacuum does a minute after bulk loads like these: without statistics the
        # planner takes the 900 proposals for a handful and joins them all before sorting.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
        return dict(app=app, poll_id=poll.id, chair_id=chair.id, cookies=cookies,
                    community_id=community.id)


def close_and_render(data: dict) -> tuple[float, float]:
    """Close + count + commit, then the result page's first render over HTTP (seconds), by
    workers that have served pages (the open poll's among them), as on voting day."""
    for _ in range(WARM_UP_VIEWS):
        for path in ("/", f"/polls/{data['poll_id']}"):
            fetch(f"http://127.0.0.1:{APP_PORT}{path}", data["cookies"]["chair"])
    app = data["app"]
    with app.app_context():
        from app.voting.models import Poll

        poll, chair = db.session.get(Poll, data["poll_id"]), db.session.get(User, data["chair_id"])
        started = time.perf_counter()
        close_poll(poll, actor=chair)
        official_result(poll)
        db.session.commit()
        closed = time.perf_counter() - started
    started = time.perf_counter()
    fetch(f"http://127.0.0.1:{APP_PORT}/polls/{data['poll_id']}", data["cookies"]["chair"])
    return closed, time.perf_counter() - started


def fetch(url: str, cookie: str | None) -> bytes:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request) as response:
        assert response.status == 200, (url, response.status)
        return response.read()


def serve(target: str, port: int, env: dict, ready: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "1", "--preload",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", target],
        env=env, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{ready}")
            return process
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{target} did not start on port {port}")


def wrk(url: str, cookie: str | None) -> float:
    command = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{SECONDS}s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"{url} answered errors under load:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    url = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_URL
    print("building the data …", flush=True)
    data = build(url)
    poll_id, cookies = data["poll_id"], data["cookies"]
    env = {**os.environ, "GONGZHI_ENV": "production", "DATABASE_URL": url,
           "SECRET_KEY": SECRET, "SESSION_COOKIE_SECURE": "0", "REDIS_URL": ""}
    pages_dir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    app_server = serve("app.wsgi:application", APP_PORT, env, "/privacy")
    bare_server = None
    try:
        closed, first_render = close_and_render(data)
        pages = [
            ("privacy notice, anonymous (lightest page)", "/privacy", None),
            ("privacy notice, signed-in owner (what every signed-in page costs)", "/privacy",
             cookies["owner"]),
            ("home, signed-in owner", "/", cookies["owner"]),
            ("proposal list, 900 proposals", f"/c/{data['community_id']}/proposals",
             cookies["owner"]),
            ("proposal page, 500 comments", "/p/1", cookies["owner"]),
            ("closed poll result, 10,000 roll, 8,000 ballots", f"/polls/{poll_id}",
             cookies["chair"]),
            ("bulletin of that poll", f"/polls/{poll_id}/bulletin", cookies["chair"]),
        ]
        sizes = {}
        for index, (label, path, cookie) in enumerate(pages):
            body = fetch(f"http://127.0.0.1:{APP_PORT}{path}", cookie)
            (pages_dir / str(index)).write_bytes(body)
            sizes[label] = len(body)
        bare_server = serve("bench.bare:create_app()", BARE_PORT,
                            {**env, "BENCH_PAGES_DIR": str(pages_dir)}, "/ready")
        ratios = {label: [] for label, _, _ in pages}
        rates = {label: [] for label, _, _ in pages}
        for round_number in range(1, ROUNDS + 1):
            for index, (label, path, cookie) in enumerate(pages):
                app_rate = wrk(f"http://127.0.0.1:{APP_PORT}{path}", cookie)
                bare_rate = wrk(f"http://127.0.0.1:{BARE_PORT}/page/{index}", None)
                ratios[label].append(app_rate / bare_rate)
                rates[label].append((app_rate, bare_rate))
                print(f"round {round_number}: {label}: {app_rate:.1f} / {bare_rate:.1f} req/s",
                      flush=True)
    finally:
        for server in (app_server, bare_server):
            if server is not None:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait()
        shutil.rmtree(pages_dir, ignore_errors=True)

    print()
    print("| page | app req/s | bare req/s | ratio (median) | goal | | HTML bytes |")
    print("|---|---|---|---|---|---|---|")
    for label, _, _ in pages:
        ratio = statistics.median(ratios[label])
        app_rate = statistics.median(r[0] for r in rates[label])
        bare_rate = statistics.median(r[1] for r in rates[label])
        goal = GOALS[label]
        verdict = "–" if goal is None else ("met" if ratio >= goal else "missed")
        goal_text = "–" if goal is None else f"≥ {goal:.2f}"
        print(f"| {label} | {app_rate:.1f} | {bare_rate:.1f} | {ratio:.3f} | {goal_text} | "
              f"{verdict} | {sizes[label]:,} |")
    verdict = "met" if closed + first_render < CLOSE_GOAL_SECONDS else "missed"
    print(f"\nclose + count + commit {closed * 1000:.0f} ms, first render of the result "
          f"{first_render * 1000:.0f} ms: total {(closed + first_render) * 1000:.0f} ms "
          f"(goal < {CLOSE_GOAL_SECONDS * 1000:.0f} ms: {verdict})")


if __name__ == "__main__":
    main()
