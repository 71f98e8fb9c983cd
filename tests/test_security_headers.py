"""Security headers on every response: every route of the access matrix, error pages too."""

from __future__ import annotations

import pytest

from tests.access_table import ACCESS
from tests.conftest import csrf_token

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def assert_hardened(response, what: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp, what
    assert "script-src 'self'" in csp and "style-src 'self'" in csp, what
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, what
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, f"{what}: {name}"
    assert "camera=()" in response.headers.get("Permissions-Policy", ""), what
    assert "Strict-Transport-Security" not in response.headers, what


@pytest.mark.parametrize("persona", ["anonymous", "moderator"])
@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": False}])
def test_every_route_sends_the_security_headers(persona_client, world, persona, app_config):
    client = persona_client(persona)
    for (method, rule), access in sorted(ACCESS.items()):
        url = (access.url or rule).format(**world)
        response = client.open(url, method=method)
        assert_hardened(response, f"{method} {url} as {persona} ({response.status_code})")


def test_error_pages_are_hardened_too(client):
    for response in (client.get("/nulle-part"), client.delete("/")):
        assert response.status_code in {404, 405}
        assert_hardened(response, f"error {response.status_code}")


def test_pages_that_depend_on_the_reader_vary_on_cookie(client):
    assert "Cookie" in client.get("/").vary
    assert "Cookie" in client.get("/articles/anthropic-coupe-acces-openai-api-claude").vary


@pytest.mark.parametrize("app_config", [{"FORUM_HTTPS": True}])
def test_https_setting_adds_hsts_and_secure_cookies(reader, app_config):
    reader.client = reader.app.test_client()
    # Flask-WTF checks the Referer of HTTPS posts, as a browser would send it.
    https = {
        "base_url": "https://localhost",
        "headers": {"Referer": f"https://localhost{reader.article_url}"},
    }
    page = reader.client.get(reader.article_url, **https)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    answers = dict(reader.poll_field(key, 1) for key in ("credibility", "relevance"))
    response = reader.client.post(
        f"{reader.article_url}/vote",
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), **answers},
        **https,
    )
    assert response.status_code == 302
    cookies = page.headers.getlist("Set-Cookie") + response.headers.getlist("Set-Cookie")
    assert any(c.startswith("forum_reader=") for c in cookies), "the vote gives a reader cookie"
    stored = [cookie for cookie in cookies if "Max-Age=0" not in cookie]
    assert all("Secure" in cookie and "HttpOnly" in cookie for cookie in stored), stored
