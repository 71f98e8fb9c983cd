"""The benchmark's seeding: consistent data, the right proportions, a page the app serves."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.checks import CHECKS, failed_checks, table_counts
from bench.pages import ARTICLE_PATH
from bench.seed import seed
from bench.settings import ensure_postgresql_database, make_app, unreachable
from tests.conftest import PG_URL, skip_or_fail

SIZE = 200


@pytest.fixture(params=["sqlite", "postgresql"])
def bench_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    if not PG_URL:
        skip_or_fail("FORUM_TEST_DATABASE_URL is not set: PostgreSQL seeding not tested")
    # A database of its own: seeding drops and recreates its schema.
    url = make_url(PG_URL).set(database="forum_bench_test").render_as_string(hide_password=False)
    ensure_postgresql_database(url)
    return url


@pytest.fixture
def seeded(bench_url):
    summary = seed(bench_url, SIZE, progress=False)
    engine = create_engine(bench_url)
    yield bench_url, summary, engine
    engine.dispose()


def test_seeded_data_passes_every_check(seeded):
    _url, _summary, engine = seeded
    assert len(CHECKS) >= 16
    with engine.connect() as connection:
        assert failed_checks(connection) == {}


def test_seeded_discussion_has_threads_replies_marks_and_votes(seeded):
    _url, summary, engine = seeded
    with engine.connect() as connection:
        counts = table_counts(connection)
        threads = connection.execute(
            text("SELECT COUNT(*) FROM comments WHERE parent_id IS NULL")
        ).scalar_one()
        deep_replies = connection.execute(
            text("SELECT COUNT(*) FROM comments WHERE depth >= 2")
        ).scalar_one()
        marked = connection.execute(
            text("SELECT COUNT(*) FROM comments WHERE useful_count > 0")
        ).scalar_one()
        lengths = connection.execute(
            text("SELECT MIN(LENGTH(body_source)), MAX(LENGTH(body_source)) FROM comments")
        ).one()
    assert counts["comments"] == SIZE
    assert threads == SIZE // 4 == summary.threads
    assert deep_replies > 0
    assert 0.2 * SIZE < marked < 0.4 * SIZE
    assert counts["comment_votes"] == summary.marks
    assert counts["votes"] == 2 * counts["readers"] == summary.votes
    assert lengths[0] >= 40 and lengths[1] >= 300


def test_seeded_votes_have_times_a_history_and_reasons(seeded):
    # What the results over time and the reasons' shares (issue 19) are measured on.
    _url, _summary, engine = seeded
    with engine.connect() as connection:
        readers = table_counts(connection)["readers"]
        hours = connection.execute(
            text("SELECT COUNT(DISTINCT created_at) FROM votes")
        ).scalar_one()
        mismatched = connection.execute(
            text(
                "SELECT COUNT(*) FROM vote_changes c JOIN votes v"
                " ON v.question_id = c.question_id AND v.reader_hash = c.reader_hash"
                " WHERE v.choice_id != c.to_choice_id OR v.previous_choice_id != c.from_choice_id"
                " OR c.changed_at < v.created_at"
            )
        ).scalar_one()
        changes = connection.execute(text("SELECT COUNT(*) FROM vote_changes")).scalar_one()
        reasoned = connection.execute(
            text("SELECT COUNT(DISTINCT reader_hash) FROM vote_reasons")
        ).scalar_one()
    assert hours == readers, "each reader votes at a time of their own"
    assert 0 < changes < 0.25 * readers and mismatched == 0
    assert 0.3 * readers < reasoned < 0.7 * readers


def test_seeding_again_starts_from_an_empty_database(seeded):
    url, _summary, engine = seeded
    seed(url, 40, progress=False)
    with engine.connect() as connection:
        assert table_counts(connection)["comments"] == 40
        assert failed_checks(connection) == {}


def test_the_app_serves_the_seeded_discussion(seeded):
    url, _summary, engine = seeded
    with engine.connect() as connection:
        newest = connection.execute(
            text(
                "SELECT id, author_name FROM comments WHERE parent_id IS NULL "
                "ORDER BY created_at DESC LIMIT 1"
            )
        ).one()
    app = make_app(url, TESTING=True)
    response = app.test_client().get(ARTICLE_PATH)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="c{newest.id}"' in html
    assert newest.author_name in html
    # 50 threads a page: the seeded 50 threads and all their replies are on the first page,
    # the replies of long threads behind their "voir les N autres réponses" link.
    shown = len(set(re.findall(r'id="c(\d+)"', html)))
    behind_links = sum(map(int, re.findall(r"voir les (\d+) autres réponses", html)))
    assert behind_links and shown + behind_links == SIZE
    with app.app_context():
        from forum.extensions import db

        db.engine.dispose()


def test_a_broken_count_is_reported(seeded):
    _url, _summary, engine = seeded
    with engine.begin() as connection:
        connection.execute(text("UPDATE comments SET useful_count = useful_count + 1 WHERE id = 1"))
    with engine.connect() as connection:
        assert failed_checks(connection) == {"useful_count equals its marks": 1}


def test_a_missing_benchmark_database_is_created_and_an_absent_server_is_explained():
    if not PG_URL:
        skip_or_fail("FORUM_TEST_DATABASE_URL is not set: PostgreSQL not tested")
    url = make_url(PG_URL).set(database="forum_bench_created").render_as_string(hide_password=False)
    admin = create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text('DROP DATABASE IF EXISTS "forum_bench_created"'))
    try:
        assert unreachable(url) is None
        with admin.connect() as connection:
            assert connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = 'forum_bench_created'")
            ).first()
            connection.execute(text('DROP DATABASE "forum_bench_created"'))
    finally:
        admin.dispose()
    closed_port = make_url(url).set(port=1).render_as_string(hide_password=False)
    assert "connection" in unreachable(closed_port).lower()
