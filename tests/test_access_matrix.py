"""Who may reach what: every route of the app × five personas → the expected status.

The table ACCESS in tests/access_table.py is the single place to edit: a new route without
an entry fails test_every_route_has_an_entry. CSRF is switched off here to test permissions
alone (tests/test_moderation.py checks CSRF on every staff form).
"""

from __future__ import annotations

import pytest

from forum import create_app
from tests import access_table
from tests.access_table import ACCESS, PERSONAS
from tests.conftest import TEST_SECRET


def app_routes() -> set[tuple[str, str]]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": TEST_SECRET})
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_has_an_entry():
    routes = app_routes()
    missing = sorted(routes - ACCESS.keys())
    stale = sorted(ACCESS.keys() - routes)
    assert not missing, f"add these routes to ACCESS in {access_table.__file__}: {missing}"
    assert not stale, f"these ACCESS entries match no route any more: {stale}"


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": False}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("method, rule", sorted(ACCESS))
def test_access(persona_client, world, method, rule, persona):
    access = ACCESS[(method, rule)]
    url = (access.url or rule).format(**world)
    data = {key.format(**world): value.format(**world) for key, value in access.data.items()}
    client = persona_client(persona)
    response = client.open(url, method=method, data=data if method == "POST" else None)
    assert response.status_code == access.expected(persona), (
        f"{method} {url} as {persona}: {response.status_code}"
    )
    if response.status_code == 302 and access.expected("moderator") == 200:
        assert response.headers["Location"].startswith("/staff/login?next=")
