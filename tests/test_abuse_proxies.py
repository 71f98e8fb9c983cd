"""X-Forwarded-For counts only through the configured number of trusted proxies."""

from __future__ import annotations

import pytest

from forum import create_app
from forum.config import ConfigurationError
from tests.conftest import TEST_SECRET

LIMITED = {"RATELIMIT_ENABLED": True, "FORUM_LIMIT_VOTE": "2 per minute"}
ANSWERS = {"credibility": 1, "relevance": 1}


def vote_from(make_reader, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return make_reader().vote(ANSWERS, headers=headers).status_code


@pytest.mark.parametrize("app_config", [{**LIMITED, "FORUM_TRUSTED_PROXIES": 0}])
def test_without_trusted_proxies_a_spoofed_header_does_not_reset_the_limit(make_reader):
    assert [vote_from(make_reader) for _ in range(2)] == [302, 302]
    assert vote_from(make_reader, "198.51.100.7") == 429
    assert vote_from(make_reader, "198.51.100.7, 203.0.113.5") == 429


@pytest.mark.parametrize("app_config", [{**LIMITED, "FORUM_TRUSTED_PROXIES": 1}])
def test_behind_one_proxy_the_last_hop_is_the_client(make_reader):
    assert [vote_from(make_reader, "198.51.100.7") for _ in range(2)] == [302, 302]
    # The client prepends a fake address; the proxy appends the real one.
    assert vote_from(make_reader, "203.0.113.5, 198.51.100.7") == 429
    assert vote_from(make_reader, "10.0.0.1, 203.0.113.99, 198.51.100.7") == 429
    # Another real client behind the same proxy has its own count.
    assert vote_from(make_reader, "198.51.100.8") == 302


@pytest.mark.parametrize("value", [-1, "two", 1.5, "-3", True])
def test_a_bad_proxy_count_stops_the_start(value):
    with pytest.raises(ConfigurationError, match="TRUSTED_PROXIES"):
        create_app({"SECRET_KEY": TEST_SECRET, "FORUM_TRUSTED_PROXIES": value})


def test_a_bad_proxy_count_from_the_environment_stops_the_start(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "-1")
    with pytest.raises(ConfigurationError, match="whole number"):
        create_app({"SECRET_KEY": TEST_SECRET})
    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    assert create_app({"SECRET_KEY": TEST_SECRET}).config["FORUM_TRUSTED_PROXIES"] == 2
