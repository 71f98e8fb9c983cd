"""bench.vote_instructions: a process's instructions counted by callgrind, its votes posted."""

from __future__ import annotations

import shutil

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.bare_schema import BARE_VOTES_TABLE, CREATE_BARE_VOTES
from bench.seed import seed
from bench.settings import ensure_postgresql_database
from bench.vote_instructions import WARM_UP, instructions
from tests.conftest import PG_URL, skip_or_fail

VOTES = 3


def test_a_counted_process_posts_its_votes(monkeypatch):
    if shutil.which("valgrind") is None:
        skip_or_fail("valgrind is not installed: instruction counts not tested")
    if not PG_URL:
        skip_or_fail("FORUM_TEST_DATABASE_URL is not set: instruction counts not tested")
    # A database of its own: seeding drops and recreates its schema.
    database = f"{make_url(PG_URL).database}_instructions"
    url = make_url(PG_URL).set(database=database).render_as_string(hide_password=False)
    ensure_postgresql_database(url)
    seed(url, 100, progress=False)
    monkeypatch.setenv("FORUM_BENCH_DATABASE_URL", url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(CREATE_BARE_VOTES))
    try:
        counted = instructions("bare", VOTES, first_address=1)
        with engine.connect() as connection:
            rows = connection.execute(text(f"SELECT COUNT(*) FROM {BARE_VOTES_TABLE}")).scalar()
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP TABLE {BARE_VOTES_TABLE}"))
        engine.dispose()
    # Python, the app and its page, then the votes: far more than nothing, all of it posted.
    assert counted > 100_000_000
    assert rows == 2 * (WARM_UP + VOTES)
