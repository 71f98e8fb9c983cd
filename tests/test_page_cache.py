"""The shared page cache: never stale after a change, never one reader's page for another."""

from __future__ import annotations

import re

import pytest

from forum.config import IN_PROCESS_CACHE
from tests.comment_helpers import (
    change_behind_the_apps_back,
    last_comment,
    mark_useful,
    post_comment,
)
from tests.conftest import act

ACTION_TOKEN_RE = re.compile(
    r'data-enhance="mark">\s*<input name="csrf_token"'
    r' type="hidden" value="([^"]+)"'
)


@pytest.fixture
def app_config(cache_config: dict) -> dict:
    return cache_config


def first_visit(reader_factory) -> str:
    """The page as a first-time visitor (no cookie at all) sees it."""
    return reader_factory().open_article().get_data(as_text=True)


def test_redis_is_the_cache_when_configured(app, app_config):
    expected = "RedisCache" if "CACHE_REDIS_URL" in app_config else IN_PROCESS_CACHE
    assert app.config["CACHE_TYPE"] == expected


def test_anonymous_page_shows_each_change_at_once(app, make_reader, moderator):
    author, other = make_reader(), make_reader()
    assert "Premier avis" not in first_visit(make_reader)
    post_comment(author, body="Premier avis", pseudonym="Aline")
    comment_id = last_comment(app).id
    page = first_visit(make_reader)
    assert "Premier avis" in page and "juge crédible" not in page
    change_behind_the_apps_back(app, comment_id)
    assert "Premier avis" in first_visit(make_reader)  # so the page did come from the cache

    author.vote({"credibility": 3, "relevance": 2})
    assert "juge crédible" in first_visit(make_reader)

    assert mark_useful(other, comment_id).status_code == 302
    page = first_visit(make_reader)
    assert "(1)" in page and "Choix de la rédaction" not in page

    assert act(moderator, comment_id, "feature").status_code == 303
    assert "Choix de la rédaction" in first_visit(make_reader)

    assert act(moderator, comment_id, "reject", reason="spam").status_code == 303
    assert "Aline" not in first_visit(make_reader)


def test_one_readers_marks_and_tokens_never_reach_another(app, make_reader):
    author, marker = make_reader(), make_reader()
    post_comment(author, body="Avis de l'autrice", pseudonym="Aline")
    comment_id = last_comment(app).id
    assert mark_useful(marker, comment_id).status_code == 302

    own = author.open_article().get_data(as_text=True)
    assert "Modifier ou supprimer" in own and 'value="Aline"' in own
    marked = marker.open_article().get_data(as_text=True)
    assert 'aria-pressed="true"' in marked

    for _ in range(2):  # the second view comes from the cache
        visitor = make_reader()
        page = visitor.open_article().get_data(as_text=True)
        assert "Modifier ou supprimer" not in page and 'value="Aline"' not in page
        assert 'aria-pressed="true"' not in page
        # Readers' forms carry no per-visitor token (Fetch Metadata protects them).
        assert 'name="csrf_token"' not in page
        assert mark_useful(visitor, comment_id).status_code == 302
    assert "(3)" in first_visit(make_reader)
