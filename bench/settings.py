"""The app as the benchmark runs it, and where its databases are."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from forum import ROOT, create_app

SLUG = "anthropic-coupe-acces-openai-api-claude"
# Fixed so the seeding, the in-process counts and the served workers sign alike.
SECRET = "bench-secret-key-not-for-production-0123456789abcdef"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/forum_bench"
SQLITE_DIR = ROOT / "instance" / "bench"

# The load generator must reach the code paths, not the abuse defences: no rate limits, no
# minimum delay before a comment; X-Forwarded-For from one trusted proxy so each vote can
# come from its own address, as votes from many readers do.
OVERRIDES = {
    "RATELIMIT_ENABLED": False,
    "FORUM_MIN_POST_SECONDS": 0,
    "FORUM_TRUSTED_PROXIES": 1,
    "SECRET_KEY": SECRET,
}


def make_app(url: str, **extra) -> Flask:
    return create_app({**OVERRIDES, "SQLALCHEMY_DATABASE_URI": url, **extra})


def postgresql_url() -> str:
    return os.environ.get("FORUM_BENCH_DATABASE_URL", DEFAULT_PG_URL)


def sqlite_url(size: int, directory: Path = SQLITE_DIR) -> str:
    return f"sqlite:///{directory / f'forum-{size}.sqlite3'}"


def database_url(backend: str, size: int) -> str:
    return postgresql_url() if backend == "postgresql" else sqlite_url(size)


def unreachable(url: str) -> str | None:
    """Return why the database cannot be used, or None when it answers. A PostgreSQL
    server that answers gets the benchmark database created if it lacks it."""
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        if engine.dialect.name == "postgresql":
            ensure_postgresql_database(url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any driver error means: skip this backend
        return str(error).splitlines()[0]
    finally:
        engine.dispose()
    return None


def ensure_postgresql_database(url: str) -> None:
    """Create the database named in `url` through the `postgres` maintenance database."""
    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
            ).first()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        engine.dispose()
