"""Job functions for tests/core/test_jobs.py: module-level, so that a worker process can
import them. Attempts are counted in a file, which outlives a rolled-back transaction and
is seen by the test that started the worker."""

from pathlib import Path

from app.auth.models import User
from app.core.jobs import JobFailedPermanently, enqueue
from app.extensions import db


def _attempt(tally: str) -> int:
    path = Path(tally)
    count = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(count))
    return count


def rename(user_id: int, name: str) -> None:
    db.session.get(User, user_id).name = name
    db.session.flush()


def rename_then_fail(user_id: int, tally: str) -> None:
    _attempt(tally)
    rename(user_id, "改了")
    raise RuntimeError("the service is down")


def rename_failing_first(user_id: int, tally: str) -> None:
    rename(user_id, "改了")
    if _attempt(tally) == 1:
        raise RuntimeError("the service is down, this once")


def rename_then_fail_permanently(user_id: int, tally: str) -> None:
    _attempt(tally)
    rename(user_id, "改了")
    raise JobFailedPermanently("the service refuses this number")


def rename_and_enqueue_another(user_id: int) -> None:
    rename(user_id, "改了")
    enqueue(rename, user_id, "又改了")
