"""Pooled connections cut by the database: checked before use after an idle spell, and
replaced after one styled failure when they were in use a moment before."""

from __future__ import annotations

import io
import time

import psycopg
import pytest

from forum.extensions import db
from tests.conftest import make_app

ARTICLE = "/articles/anthropic-coupe-acces-openai-api-claude"
# SQLite has no server connection to cut: these run on PostgreSQL only.
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def pg_url(app, database_url: str):
    yield database_url  # `app` has loaded the article into it
    with app.app_context():
        db.engine.dispose()  # its connections were cut too: it empties the tables next


def cut_other_connections(url: str) -> None:
    with psycopg.connect(
        url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def quiet_client(url: str, **overrides):
    app = make_app(url, **overrides)
    app.logger.handlers[0].setStream(io.StringIO())
    return app.test_client()


def test_a_connection_idle_past_the_threshold_is_checked_and_replaced(pg_url):
    client = quiet_client(pg_url, FORUM_DB_PING_AFTER_IDLE_SECONDS=0.2)
    assert client.get(ARTICLE).status_code == 200
    cut_other_connections(pg_url)
    time.sleep(0.3)
    assert client.get(ARTICLE).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_a_connection_cut_while_busy_costs_one_styled_503_then_the_pool_reconnects(pg_url):
    client = quiet_client(pg_url, FORUM_DB_PING_AFTER_IDLE_SECONDS=60)
    assert client.get("/healthz").status_code == 200
    cut_other_connections(pg_url)
    failed = client.get(ARTICLE)
    assert failed.status_code == 503
    assert "Réessayez dans un instant" in failed.get_data(as_text=True)
    assert client.get(ARTICLE).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_the_environment_sets_the_idle_time_before_a_check(pg_url, monkeypatch):
    monkeypatch.setenv("FORUM_DB_PING_AFTER_IDLE_SECONDS", "0.2")
    client = quiet_client(pg_url)
    assert client.get("/healthz").status_code == 200
    cut_other_connections(pg_url)
    time.sleep(0.3)
    assert client.get(ARTICLE).status_code == 200
