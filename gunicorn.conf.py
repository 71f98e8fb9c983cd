"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be overridden from the environment (FORUM_BIND, FORUM_WORKERS, ...).
"""

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
