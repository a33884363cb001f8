"""Gunicorn settings for one app node: ``gunicorn -c deploy/gunicorn.conf.py``.

Every figure can be overridden from the environment (``GUNICORN_WORKERS=3``), so that the
same file serves a 2-core and a 16-core host, and the two-node check (bench/two_nodes.py).
See docs/production.md for why these numbers.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


wsgi_app = "app.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Requests spend most of their time waiting on PostgreSQL and Redis, so threads are cheap
# concurrency; processes give the CPU-bound parts (photo re-encoding, PDF and spreadsheet
# rendering, password hashing) every core. 2 * cores + 1 is gunicorn's own rule of thumb;
# each worker holds ~120-150 MB (see BENCHMARKS.md), so lower it on a small host.
workers = _int("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1)
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)

# A request that takes a minute is stuck (the slowest pages, exports of a whole poll, take
# seconds); nginx's proxy_read_timeout is a little longer, so gunicorn answers first.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
# nginx keeps its upstream connections open (keepalive in deploy/nginx.conf).
keepalive = 75

# Load the app once in the master, so workers share its code pages and compiled templates
# (app/wsgi.py), and a broken release, a broken template included, fails before the old
# workers are replaced. create_app() opens no database or Redis connection, so no socket is
# shared across the fork.
preload_app = True
# Recycle workers now and then (a slow leak in a library cannot grow forever); the jitter
# keeps them from all restarting at the same moment.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# The heartbeat file lives in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Only nginx on this host may set X-Forwarded-*; the app itself believes TRUSTED_PROXIES
# hops of them (config.py), so set GONGZHI_TRUSTED_PROXIES=1 behind one nginx.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None  # empty: no access log
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
