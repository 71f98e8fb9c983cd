"""Faults under load: database connections cut and a gunicorn worker killed mid-traffic.

Every write the app acknowledged must be in the database afterwards, every failure must be
a styled page (or a dropped connection from the killed worker), and the app must recover
without a restart. On PostgreSQL the database backends are terminated too.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from forum.extensions import db
from forum.models import Comment, Vote
from forum.readers import COOKIE_SALT, keyed_hash
from tests.conftest import ARTICLE_SLUG, TEST_SECRET, gunicorn_site, poll_field
from tests.http_client import CSRF_RE, HttpReader

pytestmark = pytest.mark.live
ROOT = Path(__file__).resolve().parent.parent
ARTICLE = f"/articles/{ARTICLE_SLUG}"
PHASE_SECONDS = 1.5  # load, cut, load, kill, load, cut, load
THREADS = 6


@dataclass
class Ledger:
    """What the load saw: acknowledged writes and every failure."""

    votes: dict[str, dict[str, int]] = field(default_factory=dict)  # reader hash → form
    comments: list[str] = field(default_factory=list)  # markers
    failures: list[str] = field(default_factory=list)
    dropped: int = 0
    sent: int = 0
    acknowledged_after_faults: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def gunicorn(app, database_url, tmp_path):
    settings = {
        "FORUM_LIMIT_VOTE": "100000 per minute",
        "FORUM_LIMIT_COMMENT": "100000 per minute",
        "FORUM_MIN_POST_SECONDS": "0",
        "FORUM_ACCESS_LOG": "/dev/null",
    }
    with gunicorn_site(database_url, tmp_path / "gunicorn.log", **settings) as (base, server):
        yield server, base


def workers_of(master: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text()
    return [int(pid) for pid in children.split()]


def terminate_backends(database_url: str) -> int:
    """Cut every other connection to this test's own database (and only that database)."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as connection:
        return len(
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
        )


def one_reader_session(app, base: str, forms: list[dict], ledger: Ledger, faults_done) -> None:
    reader_id = secrets.token_urlsafe(24)
    reader = HttpReader(base)
    reader.set_cookie(
        app.config["FORUM_READER_COOKIE"],
        URLSafeSerializer(TEST_SECRET, salt=COOKIE_SALT).dumps(reader_id),
    )
    with app.app_context():
        reader_hash = keyed_hash("reader", reader_id)
    marker = f"témoin-{secrets.token_hex(6)}"
    form = forms[len(ledger.votes) % len(forms)]
    steps = [
        ("vote", f"{ARTICLE}/vote", form),
        (
            "comment",
            f"{ARTICLE}/comments",
            {
                "pseudonym": f"Lecteur {marker[-8:]}",
                "submit": "1",
                "body": f"Avis {marker} : la coupure de l'accès me paraît crédible.",
            },
        ),
    ]
    try:
        page = reader.get(ARTICLE)
        ledger.sent += 1
        if page.status != 200:
            record_failure(ledger, "GET", page)
            return
        token = match.group(1) if (match := CSRF_RE.search(page.body)) else ""
        for kind, url, data in steps:
            reply = reader.post(url, {"csrf_token": token, **data})
            with ledger.lock:
                ledger.sent += 1
                if reply.status in {302, 303}:
                    if kind == "vote":
                        ledger.votes[reader_hash] = form
                    else:
                        ledger.comments.append(marker)
                    if faults_done.is_set():
                        ledger.acknowledged_after_faults += 1
                else:
                    record_failure(ledger, kind, reply)
    except OSError:
        with ledger.lock:
            ledger.dropped += 1  # the killed worker's connections


def record_failure(ledger: Ledger, kind: str, reply) -> None:
    assert reply.status >= 500, f"{kind}: unexpected {reply.status}"
    assert 'lang="fr"' in reply.body and "Traceback" not in reply.body, f"{kind}: unstyled"
    ledger.failures.append(f"{kind} {reply.status}")


def test_acknowledged_writes_survive_cut_connections_and_a_killed_worker(
    app, database_url, gunicorn
):
    server, base = gunicorn
    forms = [
        dict([poll_field(app, "credibility", c), poll_field(app, "relevance", r)])
        for c in range(5)
        for r in range(5)
    ]
    ledger, stop, faults_done = Ledger(), threading.Event(), threading.Event()

    errors: list[str] = []

    def load() -> None:
        while not stop.is_set():
            try:
                one_reader_session(app, base, forms, ledger, faults_done)
            except Exception as error:  # reported below: a thread cannot fail the test
                errors.append(repr(error))
                return

    threads = [threading.Thread(target=load) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    postgresql = database_url.startswith("postgresql")
    terminated = 0
    time.sleep(PHASE_SECONDS)
    if postgresql:
        terminated += terminate_backends(database_url)
    time.sleep(PHASE_SECONDS)
    killed = workers_of(server)[0]
    os.kill(killed, signal.SIGKILL)
    time.sleep(PHASE_SECONDS)
    if postgresql:
        terminated += terminate_backends(database_url)
    faults_done.set()
    time.sleep(2 * PHASE_SECONDS)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    print(
        f"\nfaults: sent {ledger.sent}, acknowledged {len(ledger.votes)} votes and "
        f"{len(ledger.comments)} comments, {len(ledger.failures)} styled 5xx "
        f"({sorted(set(ledger.failures))}), {ledger.dropped} dropped by the killed worker, "
        f"{terminated} backends terminated, {ledger.acknowledged_after_faults} "
        "acknowledged after the last fault"
    )
    assert errors == []
    assert server.poll() is None, "gunicorn's master is still the same process"
    assert killed not in workers_of(server), "the killed worker was replaced"
    assert len(workers_of(server)) == 2
    assert ledger.acknowledged_after_faults > 0, "writes went on after the faults"
    assert len(ledger.failures) + ledger.dropped <= ledger.sent // 5
    if postgresql:
        assert terminated > 0

    with app.app_context():
        db.session.remove()
        stored_comments = set(db.session.execute(select(Comment.body_source)).scalars())
        stored_votes = {
            (v.reader_hash, v.question_id, v.choice_id)
            for v in db.session.execute(select(Vote)).scalars()
        }
    for marker in ledger.comments:
        assert any(marker in body for body in stored_comments), f"lost comment {marker}"
    question_of = {name: int(name.removeprefix("q_")) for name in forms[0]}
    for reader_hash, form in ledger.votes.items():
        for field_name, choice in form.items():
            assert (reader_hash, question_of[field_name], choice) in stored_votes, "lost vote"

    fresh = HttpReader(base)
    token = fresh.csrf_token(ARTICLE)
    assert fresh.post(f"{ARTICLE}/vote", {"csrf_token": token, **forms[0]}).status == 302
