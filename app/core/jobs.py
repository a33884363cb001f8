"""Work done apart from the request that asked for it: sending messages, mostly.

The contract every feature uses is ``enqueue(func, *args, **kwargs)`` with a module-level
function. A job function does its database work in the current session and only flushes:
whoever runs it commits (the worker after the job, or the request that enqueued it when
jobs run eagerly). With ``JOBS_EAGER`` (tests, development without Redis) the job runs at
once, inside a savepoint of the caller's transaction; an exception is logged and its work
rolled back, as a worker would, without failing the caller.
"""

import logging
from collections.abc import Callable

from flask import current_app

from app.extensions import db

logger = logging.getLogger(__name__)


def enqueue(func: Callable, *args, **kwargs) -> None:
    if not current_app.config["JOBS_EAGER"]:
        raise RuntimeError("Only eager jobs are available yet; set JOBS_EAGER.")
    try:
        with db.session.begin_nested():
            func(*args, **kwargs)
    except Exception:
        logger.exception("job %s.%s failed", func.__module__, func.__qualname__)
