"""Issue 16, production rows: a weak SECRET_KEY stops the start; a client cannot choose
its request id unless a trusted proxy set it."""

from __future__ import annotations

import pytest

from forum import create_app
from forum.config import ConfigurationError
from tests.conftest import TEST_SECRET


@pytest.mark.parametrize(
    "weak_key", ["x", "password", "CHANGE-ME", "0123456789abcdef0123456789abcde", "0" * 64]
)
def test_production_refuses_a_short_or_well_known_secret_key(database_url, weak_key):
    with pytest.raises(ConfigurationError, match="32 characters"):
        create_app(
            {
                "FORUM_ENV": "production",
                "SECRET_KEY": weak_key,
                "SQLALCHEMY_DATABASE_URI": database_url,
            }
        )


def test_production_starts_with_a_long_random_secret_key(database_url):
    app = create_app(
        {
            "FORUM_ENV": "production",
            "SECRET_KEY": TEST_SECRET,
            "SQLALCHEMY_DATABASE_URI": database_url,
        }
    )
    assert app.config["SECRET_KEY"] == TEST_SECRET


def test_a_client_cannot_choose_its_request_id_without_trusted_proxies(client):
    response = client.get("/", headers={"X-Request-ID": "chosen-by-client"})
    assert response.headers["X-Request-ID"] != "chosen-by-client"
    assert len(response.headers["X-Request-ID"]) == 32


@pytest.mark.parametrize("app_config", [{"FORUM_TRUSTED_PROXIES": 1}])
def test_a_trusted_proxy_request_id_is_kept_when_it_is_safe(client):
    kept = client.get("/", headers={"X-Request-ID": "lb-7f3a9c2e"})
    assert kept.headers["X-Request-ID"] == "lb-7f3a9c2e"
    forged = 'x", "level": "fake'
    hostile = client.get("/", headers={"X-Request-ID": forged})
    assert hostile.headers["X-Request-ID"] != forged
    assert len(hostile.headers["X-Request-ID"]) == 32
