"""X-Forwarded-For counts only through the configured number of trusted proxies."""

from __future__ import annotations

import pytest

from forum import create_app
from forum.config import ConfigurationError
from tests.conftest import TEST_SECRET

LIMITED = {"RATELIMIT_ENABLED": True, "FORUM_LIMIT_VOTE": "2 per minute"}
ANSWERS = {"credibility": 1, "relevance": 1}


def vote_from(make_reader, forwarded_for: str | None = None, peer: str = "127.0.0.1") -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    reply = make_reader().vote(ANSWERS, headers=headers, environ_base={"REMOTE_ADDR": peer})
    return reply.status_code


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


PROXY = "10.231.0.1"


@pytest.mark.parametrize(
    "app_config", [{**LIMITED, "FORUM_TRUSTED_PROXIES": 1, "FORUM_PROXY_ADDRESSES": PROXY}]
)
def test_a_forged_header_sent_straight_to_an_app_host_is_not_believed(make_reader):
    # The client reaches the app host itself, not through the proxy: its header is ignored
    # and every vote counts on its own address.
    assert vote_from(make_reader, "198.51.100.7", peer="10.231.1.9") == 302
    assert vote_from(make_reader, "198.51.100.8", peer="10.231.1.9") == 302
    assert vote_from(make_reader, "198.51.100.9", peer="10.231.1.9") == 429
    # Through the proxy, the address it appended is the client's: another one here.
    assert vote_from(make_reader, "10.231.1.10", peer=PROXY) == 302


@pytest.mark.parametrize(
    "app_config",
    [{"FORUM_TRUSTED_PROXIES": 1, "FORUM_PROXY_ADDRESSES": "10.231.0.0/30, 2001:db8::1"}],
)
def test_a_request_id_is_kept_only_from_the_proxy(client):
    direct = client.get(
        "/", headers={"X-Request-ID": "chosen"}, environ_base={"REMOTE_ADDR": "10.231.0.9"}
    )
    assert direct.headers["X-Request-ID"] != "chosen"
    proxied = client.get(
        "/", headers={"X-Request-ID": "lb-7f3a9c2e"}, environ_base={"REMOTE_ADDR": PROXY}
    )
    assert proxied.headers["X-Request-ID"] == "lb-7f3a9c2e"


@pytest.mark.parametrize("value", ["10.0.0.300", "proxy.example", ["10.0.0.1", "x"]])
def test_a_bad_proxy_address_stops_the_start(value):
    with pytest.raises(ConfigurationError, match="FORUM_PROXY_ADDRESSES"):
        create_app(
            {"SECRET_KEY": TEST_SECRET, "FORUM_TRUSTED_PROXIES": 1, "FORUM_PROXY_ADDRESSES": value}
        )


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
