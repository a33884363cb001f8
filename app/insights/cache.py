"""A short-lived cache of the dashboard's figures.

In Redis when ``REDIS_URL`` is set (several workers share it, like the rate limits), else in
this process. A small helper rather than Flask-Caching: one get and one set-with-expiry of
JSON is all the dashboard needs. ``INSIGHTS_CACHE_SECONDS`` sets the lifetime (0 switches
the cache off, as the tests do).
"""

import json
import threading
import time
from collections.abc import Callable

import redis
from flask import current_app

PREFIX = "gongzhi:insights:"
_local: dict[str, tuple[float, str]] = {}
_lock = threading.Lock()
_clients: dict[str, redis.Redis] = {}


def _seconds() -> int:
    return int(current_app.config["INSIGHTS_CACHE_SECONDS"])


def _client(url: str) -> redis.Redis:
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url)
    return _clients[url]


def cached(key: str, compute: Callable[[], object]):
    """``compute()``'s value, from the cache while it is fresh. Values round-trip through
    JSON, so a cached value looks exactly like a fresh one."""
    seconds = _seconds()
    if seconds <= 0:
        return json.loads(json.dumps(compute()))
    key = f"{PREFIX}{key}"
    url = current_app.config.get("REDIS_URL")
    if url:
        client = _client(url)
        stored = client.get(key)
        if stored is None:
            stored = json.dumps(compute())
            client.setex(key, seconds, stored)
        return json.loads(stored)
    now = time.monotonic()
    with _lock:
        hit = _local.get(key)
    if hit is not None and hit[0] > now:
        return json.loads(hit[1])
    stored = json.dumps(compute())
    with _lock:
        for old in [k for k, (expires, _) in _local.items() if expires <= now]:
            del _local[old]
        _local[key] = (now + seconds, stored)
    return json.loads(stored)


def clear() -> None:
    """Forget every cached figure, in Redis too: the next view computes afresh."""
    url = current_app.config.get("REDIS_URL")
    if url:
        client = _client(url)
        keys = list(client.scan_iter(match=f"{PREFIX}*"))
        if keys:
            client.delete(*keys)
    with _lock:
        _local.clear()
