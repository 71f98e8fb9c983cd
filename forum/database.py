"""Per-connection database settings."""

from __future__ import annotations

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from forum.extensions import db

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection, _record):
        # Let SQLAlchemy emit BEGIN itself (see below) instead of pysqlite's lazy BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection):
        # A write request reads then writes; a deferred transaction would have to upgrade its
        # lock mid-way and can fail at once with "database is locked". IMMEDIATE takes the
        # write lock up front, so concurrent writers wait their turn (busy_timeout) instead.
        if has_request_context() and request.method in WRITE_METHODS:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")
