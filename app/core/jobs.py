"""Work done apart from the request that asked for it: sending messages, mostly.

The contract every feature uses is ``enqueue(func, *args, **kwargs)`` with a module-level
function and JSON-friendly arguments (ids, strings). A job function does its database work
in the current session and only flushes: whoever runs it commits.

With ``JOBS_EAGER`` (tests, development without Redis) the job runs at once, inside a
savepoint of the caller's transaction; an exception is logged and its work rolled back, as a
worker would, without failing the caller.

Otherwise jobs go to an RQ queue on Redis (``REDIS_URL``, queue ``JOBS_QUEUE``), but only
once the caller's transaction has committed: a job enqueued in a transaction (or savepoint)
that rolls back is dropped, so a worker never acts on rows that do not exist.
``flask jobs work`` runs a worker; each job runs through ``run``, in its own app context,
and is committed on success. A failed job is retried after the waits in
``JOBS_RETRY_INTERVALS``, unless it raised ``JobFailedPermanently``.

RQ rather than Celery: the app already needs Redis and nothing else; RQ is a small, well-kept
library built on Redis alone, its worker runs in-process (no fork: the app's database engine
stays safe) and its failed jobs can be inspected and requeued with ``rq`` itself. Celery's
brokers, result backends and beat are more machinery than sending messages needs.
"""

import importlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

import click
from flask import current_app
from redis import Redis
from rq import Queue, Retry, SimpleWorker
from rq.job import get_current_job
from rq.serializers import JSONSerializer
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db

logger = logging.getLogger(__name__)

PENDING = "gongzhi_pending_jobs"  # key in Session.info


class JobFailedPermanently(Exception):
    """Raised by a job when trying again cannot help (a phone number the service refuses):
    the job fails at once, without the retries other exceptions get."""


@dataclass(frozen=True)
class _Pending:
    transaction: SessionTransaction
    path: str
    args: list
    kwargs: dict


def enqueue(func: Callable, *args, **kwargs) -> None:
    """Run ``func(*args, **kwargs)`` as a job: now (``JOBS_EAGER``) or on a worker after the
    caller's transaction commits. Refuses at once what a worker could not run: a function
    it cannot import, arguments that are not JSON."""
    path = _path_of(func)
    try:
        json.dumps([args, kwargs])
    except TypeError as error:
        raise TypeError(f"job {path}: arguments must be JSON-friendly ({error})") from None
    if current_app.config["JOBS_EAGER"]:
        _run_eagerly(func, path, args, kwargs)
        return
    session = db.session()
    transaction = (session.get_nested_transaction() or session.get_transaction()
                   or session.begin())
    session.info.setdefault(PENDING, []).append(
        _Pending(transaction, path, list(args), dict(kwargs)))


def _path_of(func: Callable) -> str:
    path = f"{func.__module__}:{func.__qualname__}"
    if "." in func.__qualname__ or "<" in func.__qualname__ or _load(path) is not func:
        raise TypeError(f"job {path}: only a module-level function can be a job")
    return path


def _load(path: str) -> Callable:
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name, None)


def _run_eagerly(func: Callable, path: str, args, kwargs) -> None:
    try:
        with db.session.begin_nested():
            func(*args, **kwargs)
    except Exception:
        logger.exception("job %s failed", path)


def run(path: str, args: list, kwargs: dict) -> None:
    """What a worker runs for every job: the function in an app context of its own,
    committed when it returns, rolled back when it raises (RQ then retries it, unless the
    failure is permanent)."""
    func = _load(path)
    with current_app.app_context():
        try:
            func(*args, **kwargs)
            db.session.commit()
        except JobFailedPermanently:
            db.session.rollback()
            job = get_current_job()
            if job is not None:
                job.retries_left = 0
            raise
        except Exception:
            db.session.rollback()
            raise


def job_queue() -> Queue:
    """The app's RQ queue (``JOBS_QUEUE`` on ``REDIS_URL``)."""
    config = current_app.config
    if not config["REDIS_URL"]:
        raise RuntimeError("Jobs need REDIS_URL unless JOBS_EAGER is on.")
    connections = current_app.extensions.setdefault("gongzhi_jobs_redis", {})
    if config["REDIS_URL"] not in connections:
        # A request that has committed must not hang on an unreachable Redis.
        connections[config["REDIS_URL"]] = Redis.from_url(config["REDIS_URL"],
                                                          socket_connect_timeout=5)
    return Queue(config["JOBS_QUEUE"], connection=connections[config["REDIS_URL"]],
                 serializer=JSONSerializer)


def _retry() -> Retry | None:
    intervals = list(current_app.config["JOBS_RETRY_INTERVALS"])
    return Retry(max=len(intervals), interval=intervals) if intervals else None


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_commit")
def _push_committed_jobs(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: its jobs wait for the rest
        return
    pending = session.info.pop(PENDING, [])
    if not pending:
        return
    queue = job_queue()
    for job in pending:
        try:
            queue.enqueue(run, job.path, job.args, job.kwargs, retry=_retry(),
                          description=job.path)
        except Exception:  # the caller's work is committed; say loudly what was lost
            logger.exception("job %s could not be queued; args %r %r",
                             job.path, job.args, job.kwargs)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back_jobs(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(PENDING)
    if pending:
        pending[:] = [job for job in pending
                      if not _within(job.transaction, previous_transaction)]


@event.listens_for(Session, "after_transaction_end")
def _forget_jobs_of_ended_transaction(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ended without committing (rolled back, closed) takes its jobs."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)


@click.group("jobs")
def jobs_group() -> None:
    """The job queue on Redis: run a worker, see how it is doing."""


@jobs_group.command("work")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def work_command(burst: bool) -> None:
    """Run jobs from the queue until stopped (or, with --burst, until it is empty)."""
    queue = job_queue()
    worker = SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer)
    # The scheduler puts jobs whose retry wait has passed back on the queue.
    worker.work(burst=burst, with_scheduler=True, logging_level="INFO")


@jobs_group.command("status")
def status_command() -> None:
    """How many jobs wait, wait to be retried, run, and have failed for good."""
    queue = job_queue()
    click.echo(f"queue {queue.name}: {queue.count} waiting, "
               f"{queue.scheduled_job_registry.count} waiting to be retried, "
               f"{queue.started_job_registry.count} running, "
               f"{queue.failed_job_registry.count} failed")
