"""Two-node check: two gunicorn nodes on two ports share one PostgreSQL database, one Redis
database and one S3-compatible bucket (moto's server), and nothing else. A ballot cast
through node 1 is seen through node 2 (turnout and the voter's receipt); a photo uploaded
through node 1 is served by node 2, byte for byte. Each node has an instance folder of its
own, which must stay without uploads. Prints the cold start of each node (process start to
its first 200) and the resident memory of each worker. Run by ``.ci/run``:

    PYTHONPATH=. .venv/bin/python bench/two_nodes.py --workers 1

The database "twonodes" is created afresh and dropped at the end; Redis db 8 is emptied.
Exits 1 with the reason when any check fails.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import boto3
import redis
import requests
from flask_migrate import upgrade
from PIL import Image
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.auth.models import User
from app.community.models import Building, Community, Grid, Owner, Ownership, Role, Unit
from app.community.services import grant_role
from app.extensions import db, utcnow
from app.proposals.models import Proposal, ProposalPhoto
from app.proposals.states import Status
from app.voting.matters import Matter
from app.voting.models import ElectorateKind
from app.voting.services import create_poll, open_poll
from bench.storm import fresh_database

ROOT = Path(__file__).resolve().parent.parent
SECRET = "two-nodes-check-not-secret"
PASSWORD = "two-nodes-password"
BUCKET = "gongzhi-two-nodes"
OWNERS = 3


class CheckFailed(Exception):
    pass


def check(condition: bool, reason: str) -> None:
    if not condition:
        raise CheckFailed(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float) -> float:
    """Seconds until ``url`` first answers 200."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return time.monotonic() - start
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    raise CheckFailed(f"{url} gave no 200 within {seconds:.0f} s")


def build(database_url: str) -> dict:
    """Migrate, then a community of OWNERS owners (owner 1 may log in), an open poll and a
    draft proposal of owner 1's to put a photo on."""
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": database_url,
                                    "SECRET_KEY": SECRET})
    with app.app_context():
        upgrade()
        now = utcnow()
        community = Community(name="双节点小区", notice_days=0)
        db.session.add(community)
        db.session.flush()
        grid = Grid(community=community, name="第一网格")
        db.session.add(grid)
        db.session.flush()
        building = Building(community_id=community.id, grid_id=grid.id, name="1栋")
        db.session.add(building)
        users = [User(phone=f"1390000{n:04d}", name=f"业主{n}", password_hash="!",
                      privacy_accepted_at=now) for n in range(1, OWNERS + 2)]
        users[0].set_password(PASSWORD)
        db.session.add_all(users)
        db.session.flush()
        for n, user in enumerate(users[:OWNERS], start=1):
            unit = Unit(building_id=building.id, number=f"{n:04d}", area=90)
            owner = Owner(community_id=community.id, name=user.name, user_id=user.id)
            db.session.add_all([unit, owner])
            db.session.flush()
            db.session.add(Ownership(unit_id=unit.id, owner_id=owner.id))
            grant_role(user, community, Role.VERIFIED_OWNER, actor=None)
        chair = users[OWNERS]
        voted_on = Proposal(community=community, author=chair, title="加装电梯", body="",
                            body_html="", category="facilities", status=Status.DELIBERATION,
                            published_at=now)
        draft = Proposal(community=community, author=users[0], title="修补路面", body="",
                         body_html="", category="facilities", status=Status.DRAFT)
        db.session.add_all([voted_on, draft])
        db.session.flush()
        poll = create_poll(voted_on, actor=chair, question="是否同意？",
                           rule="civil_code_ordinary", electorate=ElectorateKind.OWNERS,
                           matter=Matter.OTHER, opens_at=now, closes_at=now + timedelta(days=7))
        open_poll(poll)
        db.session.commit()
        ids = {"poll": poll.id, "draft": draft.id, "phone": users[0].phone}
    with app.app_context():
        db.engine.dispose()
    return ids


def draft_photo_id(database_url: str, draft_id: int) -> int:
    engine = create_engine(make_url(database_url))
    with engine.connect() as connection:
        photo_id = connection.execute(
            text(f"SELECT id FROM {ProposalPhoto.__tablename__} WHERE proposal_id = :p"),
            {"p": draft_id}).scalar()
    engine.dispose()
    check(photo_id is not None, "the photo uploaded through node 1 was not saved")
    return photo_id


def start_moto(port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                                "-p", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    wait_for(f"http://127.0.0.1:{port}/moto-api/", 30)
    return process


def start_node(port: int, env: dict, instance: Path, workers: int) -> tuple:
    node_env = {**env, "GONGZHI_INSTANCE_PATH": str(instance), "GUNICORN_WORKERS": str(workers),
                "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_ACCESSLOG": ""}
    log = (instance.parent / f"{instance.name}.log").open("wb")
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
        cwd=ROOT, env=node_env, stdout=log, stderr=subprocess.STDOUT)
    return process, started


def memory_kb(pid: int | str) -> tuple[int, int]:
    """Resident memory (RSS) and its proportional share (PSS: pages shared with the master
    after preload_app count by half) of one process, in kB, from /proc."""
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    return tuple(int(re.search(rf"^{name}:\s+(\d+) kB", rollup, re.M).group(1))
                 for name in ("Rss", "Pss"))


def workers_of(master: int) -> list[str]:
    return Path(f"/proc/{master}/task/{master}/children").read_text().split()


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def photo_bytes() -> bytes:
    out = BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def exercise(one: str, two: str, ids: dict, database_url: str) -> None:
    """Sign in and act through node 1, look through node 2 (same session cookie)."""
    browser = requests.Session()
    browser.cookies.set("lang", "en")
    login = browser.get(f"{one}/auth/login")
    answer = browser.post(f"{one}/auth/login", allow_redirects=False, data={
        "csrf_token": csrf_token(login.text), "phone": ids["phone"], "password": PASSWORD})
    check(answer.status_code == 302, f"login through node 1 answered {answer.status_code}")

    poll_url = f"/polls/{ids['poll']}"
    page = browser.get(f"{one}{poll_url}")
    before = browser.get(f"{two}{poll_url}/turnout")
    check("0 of 3 people" in before.text,
          f"node 2 does not show an empty turnout before the ballot: {before.status_code} "
          f"{' '.join(before.text.split())[:300]}")
    cast = browser.post(f"{one}{poll_url}/vote", allow_redirects=False,
                        data={"csrf_token": csrf_token(page.text), "choice": "approve"})
    check(cast.status_code == 302, f"casting through node 1 answered {cast.status_code}")
    receipt = re.search(r'class="receipt-code">([^<]+)<', browser.get(f"{one}{poll_url}").text)
    check(receipt is not None, "node 1 shows no receipt after the ballot")
    check("1 of 3 people" in browser.get(f"{two}{poll_url}/turnout").text,
          "node 2 does not count the ballot cast through node 1")
    check(receipt.group(1) in browser.get(f"{two}{poll_url}").text,
          "node 2 does not show the voter the receipt node 1 gave")

    edit_url = f"/p/{ids['draft']}/edit"
    form = browser.get(f"{one}{edit_url}")
    saved = browser.post(f"{one}{edit_url}", allow_redirects=False, data={
        "csrf_token": csrf_token(form.text), "title": "修补路面", "body": "",
        "category": "facilities", "scope_kind": "community", "organisation": ""},
        files={"photos": ("road.jpg", photo_bytes(), "image/jpeg")})
    check(saved.status_code == 302, f"the photo upload through node 1 answered "
                                    f"{saved.status_code}")
    photo_url = f"/p/{ids['draft']}/photos/{draft_photo_id(database_url, ids['draft'])}"
    from_one, from_two = browser.get(f"{one}{photo_url}"), browser.get(f"{two}{photo_url}")
    check(from_two.status_code == 200, f"node 2 answered {from_two.status_code} for the photo")
    check(from_two.headers["Content-Type"] == "image/jpeg"
          and from_two.content == from_one.content, "node 2 served other bytes than node 1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/"
                                              "twonodes")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per node")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker")
    options = parser.parse_args()

    fresh_database(options.database)
    redis.Redis.from_url(options.redis).flushdb()
    work = Path(tempfile.mkdtemp(prefix="two-nodes-"))
    processes: list[subprocess.Popen] = []
    try:
        s3_port, ports = free_port(), (free_port(), free_port())
        processes.append(start_moto(s3_port))
        s3 = {"STORAGE_BACKEND": "s3", "S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
              "S3_BUCKET": BUCKET, "S3_REGION": "us-east-1", "S3_ACCESS_KEY_ID": "test",
              "S3_SECRET_ACCESS_KEY": "test", "S3_ADDRESSING_STYLE": "path"}
        boto3.client("s3", endpoint_url=s3["S3_ENDPOINT_URL"], region_name="us-east-1",
                     aws_access_key_id="test", aws_secret_access_key="test"
                     ).create_bucket(Bucket=BUCKET)
        ids = build(options.database)

        env = {**os.environ, **s3, "GONGZHI_ENV": "production", "SECRET_KEY": SECRET,
               "DATABASE_URL": options.database, "REDIS_URL": options.redis,
               "SESSION_COOKIE_SECURE": "0", "GUNICORN_THREADS": str(options.threads),
               "PYTHONPATH": str(ROOT)}
        nodes, cold = [], []
        for n, port in enumerate(ports, start=1):  # one after the other: each has the CPUs
            process, started = start_node(port, env, work / f"instance-{n}", options.workers)
            processes.append(process)
            nodes.append((process, started))
            wait_for(f"http://127.0.0.1:{port}/auth/login", 60)
            cold.append((time.monotonic() - started) * 1000)
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        exercise(*urls, ids, options.database)
        check(not any((work / f"instance-{n}" / "uploads").exists() for n in (1, 2)),
              "a node wrote an upload to its own folder instead of the bucket")
        print(f"two nodes, {options.workers} worker(s) x {options.threads} threads each: "
              "ballot through node 1 seen on node 2, photo from node 1 served by node 2")
        for n, ((process, _), ms) in enumerate(zip(nodes, cold, strict=True), start=1):
            sizes = [memory_kb(pid) for pid in workers_of(process.pid)]
            print(f"node {n}: cold start to first 200 {ms:.0f} ms; per worker RSS (PSS) "
                  + ", ".join(f"{rss / 1024:.0f} MB ({pss / 1024:.0f} MB)" for rss, pss in sizes)
                  + f"; master RSS {memory_kb(process.pid)[0] / 1024:.0f} MB")
        return 0
    except CheckFailed as failed:
        print(f"FAILED: {failed}", file=sys.stderr)
        for log in sorted(work.glob("*.log")):
            print(f"--- {log.name} (last lines)", file=sys.stderr)
            print("\n".join(log.read_text(errors="replace").splitlines()[-30:]), file=sys.stderr)
        return 1
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)
        server = create_engine(make_url(options.database).set(database="postgres"),
                               isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.execute(text(
                f'DROP DATABASE IF EXISTS "{make_url(options.database).database}" WITH (FORCE)'))
        server.dispose()


if __name__ == "__main__":
    sys.exit(main())
