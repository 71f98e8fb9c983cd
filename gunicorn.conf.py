"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be overridden from the environment (FORUM_BIND, FORUM_WORKERS, ...).
"""

import ctypes
import ctypes.util
import gc
import multiprocessing
import os

# Web workers never migrate: without Flask-Migrate and Alembic each one is 11 MB smaller.
# Set in the master before it forks, so every worker's create_app reads it.
os.environ.setdefault("FORUM_MIGRATIONS", "false")

bind = os.environ.get("FORUM_BIND", "127.0.0.1:8000")

# Sync workers: each request is short (a page render or one upsert) and the database is
# the shared state, so processes scale with cores; 2×CPU+1 is gunicorn's advice, capped so
# a large host does not open more database connections than PostgreSQL allows by default.
workers = int(os.environ.get("FORUM_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 12)))
worker_class = "sync"
timeout = int(os.environ.get("FORUM_WORKER_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5

# Recycle workers now and then so a slow leak cannot grow for ever; jitter keeps them from
# restarting together. A replacement is forked from the master (no imports) but starts
# with empty caches; 0 turns recycling off.
max_requests = int(os.environ.get("FORUM_MAX_REQUESTS", 5000))
max_requests_jitter = max_requests // 10

# The app is imported once, in the master, before it forks: the workers share those pages
# (copy-on-write) instead of each importing its own, and a replaced worker starts at once.
# Code changes then need a restart of the master (not HUP); see README, Production.
preload_app = True


def _return_large_blocks_to_the_system() -> None:
    """glibc raises its mmap threshold each time a large block is freed, so that after a
    few pages every rendered page (a 100-300 KB string) lands on the heap, whose freed top
    is kept: about 9 MB per worker after the benchmark's deep pages. A fixed threshold keeps
    such blocks in their own mappings, given back when freed (FORUM_MALLOC_MMAP_THRESHOLD,
    bytes; 0 leaves glibc's default). Set in the master: the workers inherit it."""
    threshold = int(os.environ.get("FORUM_MALLOC_MMAP_THRESHOLD", 128 * 1024))
    libc_name = ctypes.util.find_library("c")
    if not threshold or not libc_name:
        return
    mallopt = getattr(ctypes.CDLL(libc_name), "mallopt", None)
    if mallopt is None:  # not glibc (musl has no mallopt)
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, threshold)
    mallopt(m_trim_threshold, threshold)


_return_large_blocks_to_the_system()


def when_ready(server):
    # Before the first fork: the workers then share what the first pages build.
    from forum.ops.warm_up import warm_up

    app = server.app.callable
    if "sqlalchemy" in app.extensions:  # not the benchmark's bare Flask app
        server.log.info("Warm-up: %d first pages rendered before forking", warm_up(app))


def pre_fork(_server, _worker):
    # Objects the master made before forking are left out of the workers' collections, which
    # would otherwise write to their pages and copy them into each worker.
    gc.freeze()


def post_fork(server, _worker):
    # Connections belong to one process: a pool the master may have opened is dropped unused,
    # and each worker connects on its own.
    from forum.extensions import db

    app = server.app.callable
    if "sqlalchemy" not in app.extensions:
        return  # an app without a database: the benchmark's bare Flask app
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


# One JSON line per request, on stdout ("-", the default) or in the file FORUM_ACCESS_LOG
# names. No client address: the access log format has no %(h)s and
# forum.observability.JsonFormatter picks only method, path, status, size, time and the
# request id.
accesslog = os.environ.get("FORUM_ACCESS_LOG", "-")
access_log_format = "%(m)s %(U)s %(s)s %(B)s %(D)s %({x-request-id}o)s"
errorlog = "-"
loglevel = os.environ.get("FORUM_LOG_LEVEL", "info").lower()
if accesslog == "-":
    _access_handler = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "stream": "ext://sys.stdout",
    }
else:
    _access_handler = {"class": "logging.FileHandler", "formatter": "json", "filename": accesslog}
# gunicorn merges this over its defaults key by key, so the handler names are its own.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "forum.observability.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        },
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
        "access": _access_handler,
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {
            "handlers": ["error_console"],
            "level": loglevel.upper(),
            "propagate": False,
            "qualname": "gunicorn.error",
        },
        "gunicorn.access": {
            "handlers": ["access"],
            "level": "INFO",
            "propagate": False,
            "qualname": "gunicorn.access",
        },
    },
}
