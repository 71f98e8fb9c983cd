"""Two real server processes with the same Redis storage share one rate-limit count."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from forum.models import Vote
from tests.conftest import REDIS_URL, TEST_SECRET, poll_field, skip_or_fail
from tests.http_client import HttpReader

ROOT = Path(__file__).resolve().parent.parent


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn_server(env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen]]:
    """One gunicorn process (one worker) serving wsgi:app; yields its base URL at once."""
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_serving(url: str, process: subprocess.Popen) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited: {process.stderr.read().decode()[-2000:]}")
        try:
            urllib.request.urlopen(url + "/", timeout=30).close()
            return url
        except OSError:  # refused until gunicorn binds
            time.sleep(0.1)
    pytest.fail("gunicorn did not start within 30 s")


def test_two_server_processes_share_one_count(app, database_url, redis_url, count_rows):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "RATELIMIT_STORAGE_URI": redis_url,
        "FORUM_LIMIT_VOTE": "3 per minute",
    }
    credibility, choice = poll_field(app, "credibility", 1)
    relevance, other = poll_field(app, "relevance", 1)
    with ExitStack() as stack:
        started = [stack.enter_context(gunicorn_server(env)) for _ in range(2)]
        servers = [_wait_until_serving(url, process) for url, process in started]
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
