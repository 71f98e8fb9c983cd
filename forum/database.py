"""Per-connection database settings."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import Session

from forum.extensions import db

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE


def init_app(app: Flask) -> None:
    # Runs before Flask-SQLAlchemy's own teardown (teardowns run in reverse order).
    app.teardown_appcontext(close_session_quietly)
    with app.app_context():
        engine = db.engine
        _ping_after_idle(engine, float(app.config["FORUM_DB_PING_AFTER_IDLE_SECONDS"]))
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine, app.config["FORUM_SQLITE_BUSY_TIMEOUT_MS"])


def single_statement_connection() -> Connection:
    """A connection for one statement that needs no transaction around it.

    On PostgreSQL it runs in autocommit: one statement is atomic on its own, and a
    transaction would cost a BEGIN and a COMMIT or ROLLBACK round trip. SQLite's BEGIN is a
    function call, and this module manages its transactions.
    """
    connection = db.engine.connect()
    if connection.dialect.name == "postgresql":
        return connection.execution_options(isolation_level="AUTOCOMMIT")
    return connection


@contextmanager
def autocommit_connection() -> Iterator[Connection]:
    """A connection for writes whose statements are each complete on their own.

    On PostgreSQL, a pooled connection in autocommit, outside the session: each statement
    commits as it runs, without the BEGIN and COMMIT round trips nor the session's
    bookkeeping (forum.page_cache still sees what each statement declares). On SQLite, the
    session's own connection, whose transaction the caller commits: SQLite has one writer at
    a time, and a second connection of the same request would wait for the session's lock.
    """
    if db.engine.dialect.name != "postgresql":
        yield db.session.connection()
        return
    with single_statement_connection() as connection:
        yield connection


def commit_if_used() -> None:
    """Commit the request's session, if the request used it: a write that ran outside it
    (autocommit_connection) may have left nothing to commit, or only pages to mark changed."""
    if db.session.registry.has():
        db.session.commit()


def is_deadlock(error: DBAPIError) -> bool:
    """PostgreSQL cancelled the statement to break a lock cycle: running it again succeeds."""
    return getattr(error.orig, "sqlstate", None) == DEADLOCK_DETECTED


def close_session_quietly(_error: BaseException | None) -> None:
    """End the request's session even if the database dropped the connection meanwhile.

    The response is already built (and a write already committed): a connection that died
    after the last query must not turn it into the server's bare 500 page.
    """
    try:
        db.session.remove()
    except SQLAlchemyError:
        current_app.logger.warning("Session closed on a dead connection", exc_info=True)
        db.session.registry.clear()


@event.listens_for(Session, "after_commit")
def _note_commit(_session: Session) -> None:
    if has_request_context():
        g.forum_committed = True


def _ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use when it has been idle for idle_seconds.

    SQLAlchemy's pool_pre_ping checks every checkout: one more round trip per request,
    which under load costs a busy worker as much as a vote's own statement. A connection
    used a moment ago is very likely alive; if the database went away meanwhile, the
    request fails with the styled 503 and SQLAlchemy discards the whole pool, so the next
    requests reconnect. After a quiet spell (a restart during the night) the check still
    spares the first reader that error.
    """
    if idle_seconds < 0:
        return

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def note_idle_since(_dbapi_connection, record, *_args) -> None:
        record.info["forum_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get("forum_idle_since", 0.0)
        if time.monotonic() - idle_since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool replaces the connection and tries again with a fresh one.
            raise DisconnectionError(str(error)) from error


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection, _record):
        # Let SQLAlchemy emit BEGIN itself (see below) instead of pysqlite's lazy BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection):
        # A write request reads then writes; a deferred transaction would have to upgrade its
        # lock mid-way and can fail at once with "database is locked". IMMEDIATE takes the
        # write lock up front, so concurrent writers wait their turn (busy_timeout) instead.
        # Once the request has committed, what it reads next (where to redirect) must not
        # take the lock again and queue behind other writers.
        if (
            has_request_context()
            and request.method in WRITE_METHODS
            and not g.get("forum_committed")
        ):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")
