"""Every state-changing route has a named rate limit (forum/limits.py), or a reason here
why it needs none; the moderation limit refuses a flood of staff actions."""

from __future__ import annotations

import pytest

from forum import create_app
from forum.limits import DEFAULT_LIMITS, named_limits
from tests.conftest import ARTICLE_SLUG, TEST_SECRET, add_comment

READ_ONLY = {"GET", "HEAD", "OPTIONS"}
WITHOUT_LIMIT = {
    # It only ends the caller's own session: the next one needs a sign-in, which the login
    # limit counts, and without a session staff_required refuses it before any work.
    ("POST", "/staff/logout"),
}


def state_changing_routes():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": TEST_SECRET})
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - READ_ONLY):
            yield (method, rule.rule), app.view_functions[rule.endpoint]


def test_every_state_changing_route_has_a_named_limit():
    routes = dict(state_changing_routes())
    missing = sorted(route for route, view in routes.items() if not named_limits(view))
    assert missing == sorted(WITHOUT_LIMIT), (
        f"give these routes a named limit (forum.limits.rate_limit): {missing}"
    )
    for route, view in routes.items():
        for name in named_limits(view):
            assert f"FORUM_LIMIT_{name.upper()}" in DEFAULT_LIMITS, route


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "FORUM_LIMIT_MODERATION": "2 per minute"}]
)
def test_moderation_actions_past_the_limit_are_refused(app, moderator):
    comments = [add_comment(app, status="pending") for _ in range(3)]
    for comment in comments[:2]:
        response = moderator.post_form(f"/moderation/comments/{comment}/approve", {})
        assert response.status_code == 303
    response = moderator.post_form(f"/moderation/comments/{comments[2]}/approve", {})
    assert response.status_code == 429


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "FORUM_LIMIT_LIVE": "2 per minute"}]
)
def test_an_open_page_asking_too_often_is_told_to_wait(client):
    url = f"/articles/{ARTICLE_SLUG}/nouveautes?depuis=1"
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    assert client.get(url).status_code == 429
