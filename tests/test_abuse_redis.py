"""Two real server processes with the same Redis storage share one rate-limit count."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from forum.models import Vote
from tests.conftest import REDIS_URL, gunicorn_site, poll_field, skip_or_fail
from tests.http_client import HttpReader


@pytest.fixture
def redis_url() -> str:
    if not REDIS_URL:
        skip_or_fail("FORUM_TEST_REDIS_URL is not set: shared rate limits not tested")
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.flushdb()
    except redis.RedisError as error:
        skip_or_fail(f"Redis at FORUM_TEST_REDIS_URL is unreachable: {error}")
    return REDIS_URL


def test_two_server_processes_share_one_count(app, database_url, redis_url, count_rows, tmp_path):
    settings = {"RATELIMIT_STORAGE_URI": redis_url, "FORUM_LIMIT_VOTE": "3 per minute"}
    credibility, choice = poll_field(app, "credibility", 1)
    relevance, other = poll_field(app, "relevance", 1)
    with ExitStack() as stack:
        servers = [
            stack.enter_context(
                gunicorn_site(database_url, tmp_path / f"gunicorn{n}.log", 1, **settings)
            )[0]
            for n in range(2)
        ]
        statuses = []
        for number in range(4):
            reader = HttpReader(servers[number % 2])
            path = "/articles/anthropic-coupe-acces-openai-api-claude"
            token = reader.csrf_token(path)
            statuses.append(
                reader.post(
                    path + "/vote", {"csrf_token": token, credibility: choice, relevance: other}
                ).status
            )
    # Alone, each process would allow three votes: together they allow three in all.
    assert statuses == [302, 302, 302, 429]
    assert count_rows(Vote) == 6

    import redis

    keys = b" ".join(redis.Redis.from_url(redis_url).keys("*")).decode()
    assert "LIMITER" in keys and "127.0.0.1" not in keys
