"""A closed 10,000-owner poll: close + count + first render, then its result and bulletin pages
against a bare route of the same app (issue 14, item 2).

Run by hand (not part of the suite), from the repository root:

    PYTHONPATH=. .venv/bin/python bench/results.py postgresql+psycopg://postgres@127.0.0.1/bench_g
    PYTHONPATH=. .venv/bin/python bench/results.py          # SQLite in a temp dir

The database named in the URL is emptied first. It builds the roster of bench/close_poll.py
(exactly 10,000 roll entries), opens a civil-code-ordinary owners' poll, inserts 8,000
ballots in bulk (setup, not measured) and then times, for a secret and an open-roll poll:

- "close + count + render": ``close_poll`` and its commit, then the first ``GET /polls/ID``
  as the chair's browser gets it;
- the result page, the bulletin page, a receipt search and a bare route (a view of the same
  app that returns two bytes to the same logged-in chair), each the mean of ROUNDS requests
  through Flask's test client, and each page as a fraction of the bare route (1.0: as fast);
- the size of the bulletin page in bytes.

It uses only services that existed before results were stored, so the same script run on an
older checkout gives the "before" figures.
"""

import sys
import tempfile
import time
from pathlib import Path

from app import create_app
from app.auth.models import User
from app.auth.sessions import Lifetimes, open_session
from app.community.models import Role, RoleGrant
from app.extensions import db, utcnow
from app.voting.models import Poll
from app.voting.services import close_poll, open_poll
from bench.close_poll import BALLOTS, announce_poll, cast_in_bulk

ROUNDS = 50


def build(app, secrecy: str) -> tuple[int, int, str]:
    """The open poll with its ballots; returns its id, the chair's id and session token."""
    with app.app_context():
        chair, community, poll = announce_poll(secrecy=secrecy, allow_early_close=True)
        open_poll(poll)
        cast_in_bulk(poll, poll.opens_at)
        db.session.add(RoleGrant(user_id=chair.id, community_id=community.id,
                                 role=Role.COMMUNITY_ADMIN))
        open_session(chair, remember=False, user_agent="", address="127.0.0.1", now=utcnow(),
                     lifetimes=Lifetimes.from_config(app.config))
        db.session.commit()
        ids = poll.id, chair.id, chair.get_id()
        db.session.remove()
        return ids


def mean_time(client, path: str) -> tuple[float, int]:
    size = 0
    started = time.perf_counter()
    for _ in range(ROUNDS):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        size = len(response.data)
    return (time.perf_counter() - started) / ROUNDS, size


def one_run(url: str, secrecy: str) -> dict:
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})

    @app.route("/bench-bare")
    def bare():
        return "ok"

    poll_id, chair_id, token = build(app, secrecy)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
    with app.app_context():
        poll = db.session.get(Poll, poll_id)
        chair = db.session.get(User, chair_id)
        started = time.perf_counter()
        close_poll(poll, actor=chair)
        db.session.commit()
        closed = time.perf_counter() - started
        db.session.remove()
    started = time.perf_counter()
    assert client.get(f"/polls/{poll_id}").status_code == 200
    first_render = time.perf_counter() - started
    figures = {"close + count": closed, "close + count + render": closed + first_render}
    bare_time, _ = mean_time(client, "/bench-bare")
    pages = {"result page": f"/polls/{poll_id}", "bulletin page": f"/polls/{poll_id}/bulletin",
             "receipt search": f"/polls/{poll_id}/bulletin?receipt=00000-00000"}
    figures["bare route"] = bare_time
    for name, path in pages.items():
        seconds, size = mean_time(client, path)
        figures[name] = seconds
        figures[f"{name} / bare"] = bare_time / seconds
        figures[f"{name} bytes"] = size
    with app.app_context():
        db.engine.dispose()
    return figures


def main() -> None:
    given = sys.argv[1] if len(sys.argv) > 1 else None
    database = (given or "sqlite").split(":")[0].split("+")[0]
    for secrecy in ("secret", "open_roll"):
        with tempfile.TemporaryDirectory() as folder:
            figures = one_run(given or f"sqlite:///{Path(folder) / 'bench.db'}", secrecy)
        print(f"{database}, {secrecy} poll, 10,000 owners, {BALLOTS:,} ballots:")
        for name, value in figures.items():
            shown = (f"{value:,d}" if isinstance(value, int) else
                     f"{value:.3f}" if name.endswith("/ bare") else f"{value * 1000:.1f} ms")
            print(f"  {name:28} {shown}")


if __name__ == "__main__":
    main()
