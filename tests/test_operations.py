"""What an operator relies on: the health check, request ids, JSON logs, gunicorn's config."""

from __future__ import annotations

import io
import json
import os
import runpy
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask_migrate import upgrade

from bench.pages import CSRF_RE, vote_form
from bench.serve import private_mb, rss_mb, worker_pids
from forum import create_app
from forum.extensions import db
from tests.conftest import TEST_SECRET, gunicorn_site, load_content, make_app, skip_or_fail
from tests.http_client import fetch

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "/articles/anthropic-coupe-acces-openai-api-claude"


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_healthz_reports_an_unreachable_database_and_logs_it():
    app = make_app("postgresql+psycopg://postgres@127.0.0.1:1/absent")
    log = io.StringIO()
    (handler,) = app.logger.handlers
    handler.setStream(log)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}
    (warning,) = [json.loads(line) for line in log.getvalue().splitlines()]
    assert warning["level"] == "warning"
    assert warning["request_id"] == response.headers["X-Request-ID"]
    assert warning["path"] == "/healthz"
    assert "OperationalError" in warning["exception"]


def test_every_response_carries_a_request_id_shown_on_error_pages(client):
    first, second = client.get("/"), client.get("/")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    missing = client.get("/articles/inconnu")
    assert missing.status_code == 404
    assert missing.headers["X-Request-ID"] in missing.get_data(as_text=True)


# --- gunicorn with the shipped configuration ---------------------------------------------


@pytest.fixture
def sqlite_site(tmp_path) -> str:
    url = "sqlite:///" + str(tmp_path / "forum.sqlite3")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": TEST_SECRET})
    with app.app_context():
        upgrade()
        load_content()
        db.engine.dispose()
    return url


@pytest.mark.live
def test_gunicorn_config_serves_and_logs_json_without_client_addresses(sqlite_site, tmp_path):
    access_log = tmp_path / "access.log"
    logs = tmp_path / "gunicorn.log"
    # As behind one proxy: its X-Request-ID is kept and its X-Forwarded-For believed.
    with gunicorn_site(
        sqlite_site,
        logs,
        FORUM_ACCESS_LOG=str(access_log),
        FORUM_LOG_LEVEL="info",
        TRUSTED_PROXIES="1",
    ) as (base, _master):
        assert fetch(base + "/") == 200
        assert fetch(base + ARTICLE) == 200
        assert fetch(base + "/nulle-part", **{"X-Request-ID": "probe-0001"}) == 404
        assert fetch(base + "/", **{"X-Forwarded-For": "198.51.100.23"}) == 200

    console = [json.loads(line) for line in logs.read_text().splitlines() if line.strip()]
    assert not [r for r in console if r["logger"] == "gunicorn.access"], "access log in its file"
    access = [json.loads(line) for line in access_log.read_text().splitlines() if line.strip()]
    assert {r["logger"] for r in access} == {"gunicorn.access"}
    assert {r["path"] for r in access} >= {"/", "/healthz", "/nulle-part"}
    probe = next(r for r in access if r["request_id"] == "probe-0001")
    assert probe["status"] == 404 and probe["method"] == "GET"
    assert all(r["request_id"] for r in access), "every request is logged with its id"
    for record in access:
        assert "127.0.0.1" not in json.dumps(record), record
        assert "198.51.100.23" not in json.dumps(record), record
    assert "198.51.100.23" not in logs.read_text() + access_log.read_text()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:1/absent",
        "sqlite:////nonexistent-directory/forum.sqlite3",
    ],
    ids=["postgresql-down", "sqlite-unopenable"],
)
def test_an_unreachable_database_gives_the_styled_503_with_retry_after(url):
    app = make_app(url)
    app.logger.handlers[0].setStream(io.StringIO())
    response = app.test_client().get(ARTICLE)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    html = response.get_data(as_text=True)
    assert 'lang="fr"' in html and "Réessayez dans un instant" in html
    assert "Traceback" not in html


WORKER_MODULES = """
import runpy, sys
runpy.run_path("gunicorn.conf.py")  # what the gunicorn master reads before forking
import wsgi
print(sorted(name for name in ("alembic", "flask_migrate", "huey", "redis") if name in sys.modules))
"""


def test_web_workers_leave_migrations_and_the_mail_queue_out_and_flask_db_still_migrates(
    sqlite_site,
):
    # Without FORUM_SMTP_URL or CACHE_REDIS_URL, neither Huey nor the redis client (10 MB
    # per worker) is imported.
    env = {**os.environ, "DATABASE_URL": sqlite_site, "SECRET_KEY": TEST_SECRET}
    env.pop("FORUM_MIGRATIONS", None)
    worker = subprocess.run(
        [sys.executable, "-c", WORKER_MODULES],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert worker.returncode == 0, worker.stderr
    assert worker.stdout.strip().splitlines()[-1] == "[]"
    flask = Path(sys.executable).with_name("flask")
    current = subprocess.run(
        [str(flask), "--app", "wsgi", "db", "current"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert current.returncode == 0, current.stderr
    assert "(head)" in current.stdout


@pytest.mark.parametrize(("value", "expected"), [(None, 5000), ("20000", 20000), ("0", 0)])
def test_worker_recycling_is_set_from_the_environment(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("FORUM_MAX_REQUESTS", raising=False)
    else:
        monkeypatch.setenv("FORUM_MAX_REQUESTS", value)
    # The file sets FORUM_MIGRATIONS in the process it runs in; undone after the test.
    monkeypatch.setenv("FORUM_MIGRATIONS", "false")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["max_requests"] == expected
    assert settings["max_requests_jitter"] == expected // 10


@pytest.mark.live
def test_workers_share_the_app_the_master_loaded_before_forking(sqlite_site, tmp_path):
    if not Path("/proc/self/smaps_rollup").exists():
        skip_or_fail("needs Linux's /proc/<pid>/smaps_rollup to read a worker's memory")
    with gunicorn_site(sqlite_site, tmp_path / "gunicorn.log") as (base, master):
        for _ in range(20):
            assert fetch(base + ARTICLE) == 200
        workers = worker_pids(master.pid)
        assert len(workers) == 2
        for worker in workers:
            private, resident = private_mb(worker), rss_mb(worker)
            # Each importing the app itself, a worker's private pages are about 80% of its
            # resident ones; sharing the master's, about half.
            assert private < 0.65 * resident, (private, resident)


@pytest.mark.live
def test_the_master_renders_the_first_pages_before_forking(sqlite_site, tmp_path):
    log = tmp_path / "gunicorn.log"
    with gunicorn_site(sqlite_site, log, FORUM_LOG_LEVEL="info") as (base, _master):
        assert fetch(base + ARTICLE) == 200
    assert "Warm-up: 2 first pages rendered before forking" in log.read_text()


@pytest.mark.live
def test_a_master_that_cannot_warm_up_still_starts_and_serves(sqlite_site, tmp_path):
    log = tmp_path / "gunicorn.log"
    unopenable = "sqlite:////nonexistent-directory/forum.sqlite3"
    with gunicorn_site(
        unopenable, log, health_path="/static/css/forum.css", FORUM_LOG_LEVEL="info"
    ) as (base, _master):
        assert fetch(base + ARTICLE) == 503
    text = log.read_text()
    assert "Warm-up skipped" in text and "Warm-up: 0 first pages" in text


@pytest.mark.live
def test_workers_without_docstrings_and_asserts_serve_a_readers_whole_visit(
    app, database_url, tmp_path
):
    """PYTHONOPTIMIZE=2, the memory option of README's Production section, on both databases."""
    with gunicorn_site(
        database_url, tmp_path / "gunicorn.log", PYTHONOPTIMIZE="2", FORUM_MIN_POST_SECONDS="0"
    ) as (base, _master):
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        page = browser.open(base + ARTICLE, timeout=10).read().decode()
        # A reader's page carries no token (Fetch Metadata protects its forms).
        token = match.group(1) if (match := CSRF_RE.search(page)) else ""
        voted = (
            browser.open(base + ARTICLE + "/vote", data=vote_form(page, token).encode(), timeout=10)
            .read()
            .decode()
        )
        assert "Votre vote est enregistré" in voted
        comment = {
            "csrf_token": token,
            "pseudonym": "Lectrice optimisée",
            "website": "",
            "body": "Un avis publié par un worker lancé avec PYTHONOPTIMIZE=2.",
        }
        commented = (
            browser.open(base + ARTICLE + "/comments", data=urlencode(comment).encode(), timeout=10)
            .read()
            .decode()
        )
        assert "Votre commentaire est publié" in commented
        assert "lancé avec PYTHONOPTIMIZE=2" in commented
        assert fetch(base + "/nulle-part") == 404
