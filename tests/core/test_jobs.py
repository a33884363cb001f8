"""The job queue: eager in the caller's transaction, or on Redis (RQ) after it commits,
run by a real worker process.

The Redis tests use their own database (``TEST_REDIS_URL``, by default db 5), which they
empty; they are skipped without Redis locally and fail without it on CI."""

import os
import subprocess
import sys

import pytest

from app.auth.models import User
from app.core.jobs import enqueue
from app.extensions import db
from config import PROJECT_ROOT
from tests.conftest import TEST_REDIS_URL
from tests.core import jobs_for_tests as jobs

QUEUE = "gongzhi-test"


def name_of(user_id: int) -> str:
    db.session.expire_all()
    return db.session.get(User, user_id).name


def test_an_eager_job_runs_at_once_in_the_callers_transaction(app, make_user):
    user, other = make_user(), make_user(name="别人")
    other.name = "调用者改的"
    db.session.flush()  # as a caller does before it enqueues: SQLite has begun now

    enqueue(jobs.rename, user.id, "改了")
    assert db.session.get(User, user.id).name == "改了"
    db.session.rollback()

    assert name_of(user.id) == "测试用户"  # committed by the caller, or not at all
    assert name_of(other.id) == "别人"


def test_an_eager_job_that_fails_leaves_the_caller_standing(app, make_user, tmp_path, caplog):
    user, other = make_user(), make_user(name="别人")
    other.name = "调用者改的"

    enqueue(jobs.rename_then_fail, user.id, str(tmp_path / "tally"))
    db.session.commit()

    assert name_of(user.id) == "测试用户"
    assert name_of(other.id) == "调用者改的"
    assert "job tests.core.jobs_for_tests:rename_then_fail failed" in caplog.text


def test_a_job_a_worker_could_not_run_is_refused_at_once(app, make_user):
    user = make_user()

    def local_job(user_id):
        jobs.rename(user_id, "改了")

    with pytest.raises(TypeError, match="module-level"):
        enqueue(local_job, user.id)
    with pytest.raises(TypeError, match="JSON"):
        enqueue(jobs.rename, user, "改了")
    assert name_of(user.id) == "测试用户"


@pytest.fixture
def queue(redis_job_queue):
    return redis_job_queue(QUEUE, JOBS_RETRY_INTERVALS=[0, 0])


def queued(queue) -> list[tuple]:
    return [tuple(job.args) for job in queue.get_jobs()]


def test_a_job_is_queued_only_when_the_callers_transaction_commits(queue, make_user):
    user = make_user()

    enqueue(jobs.rename, user.id, "改了")
    assert queued(queue) == []
    db.session.commit()

    assert queued(queue) == [("tests.core.jobs_for_tests:rename", [user.id, "改了"], {})]
    assert name_of(user.id) == "测试用户"  # the worker has not run it yet


def test_a_rolled_back_transaction_takes_its_jobs_with_it(queue, make_user):
    user = make_user()

    enqueue(jobs.rename, user.id, "改了")
    db.session.rollback()
    db.session.commit()
    with db.session.begin_nested():
        enqueue(jobs.rename, user.id, "保存点里")
    try:
        with db.session.begin_nested():
            enqueue(jobs.rename, user.id, "回滚的保存点里")
            raise RuntimeError("the savepoint is rolled back")
    except RuntimeError:
        pass
    db.session.commit()

    assert queued(queue) == [("tests.core.jobs_for_tests:rename", [user.id, "保存点里"], {})]


def test_a_request_that_committed_stands_when_redis_cannot_take_its_job(
        app, make_user, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:9/5")  # nobody listens
    monkeypatch.setitem(app.config, "JOBS_EAGER", False)
    user = make_user()
    user.name = "请求改的"

    enqueue(jobs.rename, user.id, "改了")
    db.session.commit()

    assert name_of(user.id) == "请求改的"
    assert "job tests.core.jobs_for_tests:rename could not be queued" in caplog.text


def run_worker(app, tmp_path) -> subprocess.CompletedProcess:
    """``flask jobs work --burst`` in a process of its own, on the test's database. No
    timeout: under faketime a timed wait may never end; --burst ends the worker."""
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "GONGZHI_ENV": "production",
        "GONGZHI_INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": TEST_REDIS_URL,
        "JOBS_EAGER": "0",
        "GONGZHI_JOBS_QUEUE": QUEUE,
        "GONGZHI_JOBS_RETRY_INTERVALS": "[0, 0]",
    }
    db.session.commit()  # SQLite: no transaction of ours in the worker's way
    finished = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "jobs", "work", "--burst"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    return finished


def test_a_worker_process_runs_the_jobs_and_commits_them(app, queue, make_user, tmp_path):
    user, other = make_user(), make_user(name="别人")
    enqueue(jobs.rename, user.id, "改了")
    enqueue(jobs.rename_and_enqueue_another, other.id)
    db.session.commit()

    run_worker(app, tmp_path)

    assert name_of(user.id) == "改了"
    assert name_of(other.id) == "又改了"  # a job's own job went out when the first committed
    assert queue.count == 0 and queue.failed_job_registry.count == 0


def test_a_failed_job_is_retried_unless_its_failure_is_permanent(
        app, queue, make_user, runner, tmp_path):
    recovers, keeps_failing, refused = make_user(), make_user(), make_user()
    tallies = {name: tmp_path / name for name in ("recovers", "keeps_failing", "refused")}
    enqueue(jobs.rename_failing_first, recovers.id, str(tallies["recovers"]))
    enqueue(jobs.rename_then_fail, keeps_failing.id, str(tallies["keeps_failing"]))
    enqueue(jobs.rename_then_fail_permanently, refused.id, str(tallies["refused"]))
    db.session.commit()

    run_worker(app, tmp_path)

    attempts = {name: int(path.read_text()) for name, path in tallies.items()}
    assert attempts == {"recovers": 2, "keeps_failing": 3, "refused": 1}
    assert name_of(recovers.id) == "改了"
    assert name_of(keeps_failing.id) == "测试用户"  # each failed attempt rolled back
    assert name_of(refused.id) == "测试用户"
    status = runner.invoke(args=["jobs", "status"])
    assert status.output == (f"queue {QUEUE}: 0 waiting, 0 waiting to be retried, "
                             "0 running, 2 failed\n")


def test_status_counts_the_waiting_jobs(app, queue, make_user, runner):
    user = make_user()
    enqueue(jobs.rename, user.id, "改了")
    db.session.commit()

    status = runner.invoke(args=["jobs", "status"])

    assert status.exit_code == 0
    assert status.output.startswith(f"queue {QUEUE}: 1 waiting, ")
