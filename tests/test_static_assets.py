"""Our CSS, JS and icon are addressed by their content: a returning reader's browser keeps
them instead of asking again on every page, and a changed file is fetched afresh."""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

from forum import ROOT

STATIC_RE = re.compile(r'"(/static/([^"?]+)\?v=([0-9a-f]+))"')


def static_links(page: str) -> list[tuple[str, str, str]]:
    return [(html.unescape(url), name, version) for url, name, version in STATIC_RE.findall(page)]


def digest(name: str) -> str:
    return hashlib.sha256(Path(ROOT, "static", name).read_bytes()).hexdigest()[:12]


def test_pages_link_each_static_file_by_its_content(reader):
    links = static_links(reader.open_article().get_data(as_text=True))
    names = {name for _url, name, _version in links}
    assert {"css/forum.css", "js/forum.js", "js/comments.js", "favicon.svg"} <= names
    for _url, name, version in links:
        assert version == digest(name), name


def test_a_linked_file_is_kept_for_a_year_and_the_same_for_everyone(reader):
    links = static_links(reader.open_article().get_data(as_text=True))  # sets the session
    assert len(links) >= 4
    for url, _name, _version in links:
        response = reader.client.get(url)
        assert response.status_code == 200
        assert response.cache_control.max_age == 365 * 24 * 3600
        assert response.cache_control.public and response.cache_control.immutable
        assert "Cookie" not in response.headers.get("Vary", "")
        assert response.headers.getlist("Set-Cookie") == []


def test_an_old_or_missing_version_is_checked_again_each_time(client):
    for url in ("/static/css/forum.css", "/static/css/forum.css?v=0123456789ab"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.cache_control.no_cache
        assert not response.cache_control.immutable


def test_an_unknown_static_file_is_a_styled_404(client):
    response = client.get("/static/css/absent.css?v=0123456789ab")
    assert response.status_code == 404
    assert 'lang="fr"' in response.get_data(as_text=True)
