"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be overridden from the environment (FORUM_BIND, FORUM_WORKERS, ...).
"""

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
# restarting together. A restart costs about a second of CPU (imports and create_app): at
# high traffic, raise FORUM_MAX_REQUESTS; 0 turns recycling off.
max_requests = int(os.environ.get("FORUM_MAX_REQUESTS", 5000))
max_requests_jitter = max_requests // 10

# The app is imported in each worker, not in the master: each worker then opens its own
# database pool, and a worker killed mid-request leaves nothing shared behind.
preload_app = False

# One JSON line per request, on stdout ("-", the default) or in the file FORUM_ACCESS_LOG
# names. No client address: the access log format has no %(h)s and
# forum.observability.JsonFormatter picks only method, path, status, size, time and the
# request id.
accesslog = os.environ.get("FORUM_ACCESS_LOG", "-")
access_log_format = '%(m)s %(U)s %(s)s %(B)s %(D)s %({x-request-id}o)s'
errorlog = "-"
loglevel = os.environ.get("FORUM_LOG_LEVEL", "info").lower()
if accesslog == "-":
    _access_handler = {"class": "logging.StreamHandler", "formatter": "json",
                       "stream": "ext://sys.stdout"}
else:
    _access_handler = {"class": "logging.FileHandler", "formatter": "json",
                       "filename": accesslog}
# gunicorn merges this over its defaults key by key, so the handler names are its own.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "forum.observability.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json",
                    "stream": "ext://sys.stdout"},
        "error_console": {"class": "logging.StreamHandler", "formatter": "json",
                          "stream": "ext://sys.stderr"},
        "access": _access_handler,
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"handlers": ["error_console"], "level": loglevel.upper(),
                           "propagate": False, "qualname": "gunicorn.error"},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO",
                            "propagate": False, "qualname": "gunicorn.access"},
    },
}
