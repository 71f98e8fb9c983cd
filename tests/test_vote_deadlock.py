"""Readers of one address voting at the same moment on PostgreSQL: when their statements
lock each other's rows while marking a burst, PostgreSQL cancels one, and the vote is
recorded all the same instead of showing the reader an error page."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Vote
from tests.vote_helpers import ANSWERS, address_hash, vote_from

# SQLite serialises writers: there is no lock cycle to break. PostgreSQL only.
pytestmark = [
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
    pytest.mark.parametrize(
        "app_config", [{"FORUM_VOTE_BURST_COUNT": 3, "FORUM_VOTE_BURST_MINUTES": 10}]
    ),
]
ADDRESS = "203.0.113.7"


def reader_hashes(app) -> set[str]:
    """The keyed hashes the votes so far are stored under."""
    with app.app_context():
        return set(db.session.execute(select(Vote.reader_hash)).scalars())


def deadlocks_detected(url: str) -> int:
    """The database's count of statements PostgreSQL cancelled to break a lock cycle."""
    with psycopg.connect(url, autocommit=True) as connection:
        return connection.execute(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()[0]


def deadlocks_grow_past(url: str, count: int, timeout: float = 15) -> bool:
    # A server process reports its statistics once idle, within a second or so.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if deadlocks_detected(url) > count:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def app_warnings(app) -> Iterator[list[str]]:
    """The app's warnings while the test runs (its logger does not propagate)."""
    messages: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: messages.append(record.getMessage())
    app.logger.addHandler(handler)
    yield messages
    app.logger.removeHandler(handler)


def a_vote_waits_for_a_lock(url: str, own_pid: int, timeout: float = 5) -> bool:
    with psycopg.connect(url, autocommit=True) as watcher:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> %s",
                (own_pid,),
            ).fetchone()[0]
            if waiting:
                return True
            time.sleep(0.02)
    return False


def test_a_vote_cancelled_by_a_deadlock_is_recorded_on_its_second_attempt(
    app, make_reader, database_url, app_warnings
):
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    deadlocks_before = deadlocks_detected(url)
    vote_from(make_reader, ADDRESS)
    (first_hash,) = reader_hashes(app)
    vote_from(make_reader, ADDRESS)
    (second_hash,) = reader_hashes(app) - {first_hash}

    # Another transaction (a moderator's correction, a concurrent vote) holds the second
    # reader's rows, so the third vote, the one that makes the burst, waits while marking.
    other = psycopg.connect(url)
    other.execute("UPDATE votes SET updated_at = updated_at WHERE reader_hash = %s", (second_hash,))
    third = make_reader()
    third.client.environ_base["REMOTE_ADDR"] = ADDRESS
    outcome = {}

    def vote() -> None:
        outcome["response"] = third.vote(ANSWERS)

    voting = threading.Thread(target=vote)
    voting.start()
    try:
        assert a_vote_waits_for_a_lock(url, other.info.backend_pid)
        # Now the other transaction reaches for the rows the vote holds: a lock cycle.
        # PostgreSQL cancels the vote, which waited first; the other transaction goes on.
        other.execute(
            "UPDATE votes SET updated_at = updated_at WHERE reader_hash = %s", (first_hash,)
        )
        # Run again, the vote waits for the rows the other transaction now holds.
        a_vote_waits_for_a_lock(url, other.info.backend_pid)
    finally:
        other.commit()
        other.close()
        voting.join(timeout=30)

    # PostgreSQL did break a lock cycle, by cancelling the vote, which then ran again.
    assert deadlocks_grow_past(url, deadlocks_before)
    assert app_warnings == ["Vote cancelled by a deadlock, attempt 1 of 3"]
    response = outcome["response"]
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#sondage")
    with app.app_context():
        rows = db.session.execute(select(Vote.reader_hash, Vote.burst, Vote.address_hash)).all()
    assert len(rows) == 6  # three readers, two questions each
    assert all(burst for _, burst, _ in rows)
    assert {address for _, _, address in rows} == {address_hash(ADDRESS)}
