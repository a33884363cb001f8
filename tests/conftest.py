"""Fixtures shared by every test.

Each test that asks for ``app`` (or anything built on it) runs once on SQLite and once on
PostgreSQL when ``TEST_DATABASE_URL`` is set. The schema comes from the migrations, so every
run also proves that they apply. Rows are deleted after each test.

``GONGZHI_REQUIRE_ALL=1`` (set by ``.ci/run``) turns a missing PostgreSQL or browser into
a failure instead of a skip, and selects the Hypothesis profile "ci" (no deadline). A run
without PostgreSQL says so at the end.
"""

import contextvars
import os
import re
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from hypothesis import settings
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import event, text

from app import create_app
from app.core.jobs import job_queue
from app.extensions import db, limiter

pytest_plugins = ["tests.factories"]

REQUIRE_ALL = os.environ.get("GONGZHI_REQUIRE_ALL") == "1"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
# The statement that takes the audit chain's lock, on either database (see count_queries).
CHAIN_LOCK = re.compile(
    r"pg_advisory_xact_lock|^UPDATE audit_events SET seq=audit_events\.seq WHERE 0 = 1")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
# The Redis database the queue tests empty: db 5 unless told (a run beside CI takes another).
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def hypothesis_profile(environ) -> str:
    """``HYPOTHESIS_PROFILE`` if given, else "ci" on CI (``CI`` or ``GONGZHI_REQUIRE_ALL``)."""
    if environ.get("HYPOTHESIS_PROFILE"):
        return environ["HYPOTHESIS_PROFILE"]
    return "ci" if environ.get("CI") or environ.get("GONGZHI_REQUIRE_ALL") else "default"


# A shared CI machine (or a faked clock) may pause any example: no deadline there.
settings.register_profile("ci", deadline=None)
settings.load_profile(hypothesis_profile(os.environ))


def pytest_sessionstart(session):
    if REQUIRE_ALL and not POSTGRES_URL:
        raise pytest.UsageError("GONGZHI_REQUIRE_ALL=1 needs TEST_DATABASE_URL (PostgreSQL).")


def pytest_terminal_summary(terminalreporter):
    if not POSTGRES_URL:
        terminalreporter.write_line(
            "PostgreSQL: not run (SQLite only); set TEST_DATABASE_URL to run every database "
            "test on PostgreSQL too.", yellow=True, bold=True)


def skip_or_fail(reason: str):
    if REQUIRE_ALL:
        pytest.fail(f"required but unavailable: {reason}")
    pytest.skip(reason)


class CSRFClient(FlaskClient):
    """A test client that sends the CSRF token with every form, as a browser would.

    Each request runs in an empty context, so that it gets its own app context (its own
    ``g`` and database session) instead of reusing the test's, as in production.
    """

    _token: str | None = None

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)

    def csrf_token(self) -> str:
        if self._token is None:
            page = self.get("/privacy").get_data(as_text=True)
            self._token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return self._token

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)):
            kwargs["data"] = {"csrf_token": self.csrf_token(), **(data or {})}
        return super().post(*args, **kwargs)


def _empty_database(app):
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
        upgrade()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def _session_app(backend, tmp_path_factory):
    if backend == "sqlite":
        uri = f"sqlite:///{tmp_path_factory.mktemp('sqlite')}/test.db"
    else:
        uri = POSTGRES_URL
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": uri})
    app.test_client_class = CSRFClient
    try:
        _empty_database(app)
    except Exception as exc:  # an unreachable server, a missing driver
        if backend == "postgresql":
            pytest.fail(f"PostgreSQL at TEST_DATABASE_URL is not usable: {exc}")
        raise
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_session_app):
    with _session_app.app_context():
        yield _session_app
        db.session.rollback()
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        limiter.reset()


@pytest.fixture
def client(app) -> CSRFClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def redis_job_queue(app, monkeypatch):
    """``redis_job_queue(name, **config)``: the app's job queue on Redis under ``name``, jobs
    queued after commit instead of run at once, with the settings ``config`` gives; the
    Redis database is emptied before and after. Skipped without Redis, failed on CI."""
    clients = []

    def on_redis(name: str, **config):
        redis = Redis.from_url(TEST_REDIS_URL)
        try:
            redis.ping()
        except RedisConnectionError:
            skip_or_fail(f"Redis at {TEST_REDIS_URL} is not reachable")
        redis.flushdb()
        clients.append(redis)
        settings = {"REDIS_URL": TEST_REDIS_URL, "JOBS_EAGER": False, "JOBS_QUEUE": name,
                    **config}
        for key, value in settings.items():
            monkeypatch.setitem(app.config, key, value)
        return job_queue()

    yield on_redis
    for redis in clients:
        redis.flushdb()
        redis.close()


@pytest.fixture
def count_queries(app):
    """``with count_queries() as queries: ...`` collects the SQL statements run inside.

    The lock that serialises audit-chain writers (an advisory lock on PostgreSQL, a write
    that changes nothing on SQLite; app/audit/services.py) is left out, so that a page that
    audits its reading costs the same on both databases."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def listen(conn, cursor, statement, *args):
            if not CHAIN_LOCK.search(statement):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)

    return counting
