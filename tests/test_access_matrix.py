"""Who may reach what: every route of the app × five personas → the expected status.

The table ACCESS in tests/access_table.py is the single place to edit: a new route without
an entry fails test_every_route_has_an_entry. CSRF tokens are switched off here to test
permissions alone (tests/test_moderation.py checks them on every staff form); every
state-changing route, whoever sends it, refuses a request a browser says came from another
site (forum.cross_origin), and changes nothing (tests/browser/test_cross_site.py sends
them from a real page of another origin).
"""

from __future__ import annotations

import pytest

from forum import create_app
from forum.extensions import db
from tests import access_table
from tests.access_table import ACCESS, PERSONAS
from tests.conftest import CROSS_SITE_HEADERS, CROSS_SITE_MESSAGE, TEST_SECRET


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


STATE_CHANGING = sorted(key for key in ACCESS if key[0] not in {"GET", "HEAD", "OPTIONS"})


def stored_state(app) -> dict[str, object]:
    """Every table's row count and the articles' versions: what any change would move."""
    with app.app_context():
        counts = {
            table.name: db.session.execute(db.select(db.func.count()).select_from(table)).scalar()
            for table in db.metadata.sorted_tables
        }
        versions = db.session.execute(db.text("SELECT id, cache_version FROM articles")).all()
        return {**counts, "versions": sorted(map(tuple, versions))}


@pytest.mark.parametrize("headers", [CROSS_SITE_HEADERS[0], CROSS_SITE_HEADERS[2]])
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("method, rule", STATE_CHANGING)
def test_every_state_changing_route_refuses_a_cross_site_request(
    app, persona_client, world, method, rule, persona, headers
):
    access = ACCESS[(method, rule)]
    url = (access.url or rule).format(**world)
    data = {key.format(**world): value.format(**world) for key, value in access.data.items()}
    client = persona_client(persona)
    before = stored_state(app)
    response = client.open(url, method=method, data=data, headers=headers)
    assert response.status_code == 403, f"{method} {url} as {persona}: {response.status_code}"
    assert CROSS_SITE_MESSAGE in response.get_data(as_text=True)
    assert stored_state(app) == before
