"""The article page through nginx with the shipped site (deploy/nginx/forum.conf): its
micro-cache serves visitors without cookies, never a reader with cookies, shows a change
within the copy's lifetime, keeps one copy per language, and compresses."""

from __future__ import annotations

import gzip
import shutil
import time
import urllib.error
import urllib.request

import pytest

from bench.proxy import NGINX, nginx_in_front
from tests.comment_helpers import post_comment
from tests.conftest import ARTICLE_SLUG, Reader, skip_or_fail

ARTICLE = f"/articles/{ARTICLE_SLUG}"
LIFETIME = 2  # FORUM_SHARED_CACHE_SECONDS here: short, so that the test is


@pytest.fixture
def app_config() -> dict:
    return {"FORUM_SHARED_CACHE_SECONDS": LIFETIME}


@pytest.fixture
def proxy(live_server, tmp_path):
    if not shutil.which(NGINX):
        skip_or_fail("nginx is not installed (Debian's nginx package)")
    upstream = live_server.url.removeprefix("http://")
    with nginx_in_front(upstream, tmp_path) as proxy:
        yield proxy


def get(url: str, **headers: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_a_second_anonymous_view_is_served_by_nginx_alone(proxy):
    status, first_headers, first = get(proxy.url + ARTICLE)
    assert status == 200 and first_headers["X-Cache-Status"] in {"MISS", "EXPIRED"}
    assert "Set-Cookie" not in first_headers
    status, headers, again = get(proxy.url + ARTICLE)
    assert status == 200 and headers["X-Cache-Status"] == "HIT"
    assert again == first  # byte for byte: nothing in it belongs to one visitor
    assert "public" in headers["Cache-Control"] and "Set-Cookie" not in headers


def test_a_reader_with_cookies_never_gets_the_cached_page(app, proxy):
    get(proxy.url + ARTICLE)  # a copy in the cache
    assert get(proxy.url + ARTICLE)[1]["X-Cache-Status"] == "HIT"
    reader = Reader(app)
    reader.vote({"credibility": 0, "relevance": 0})
    cookie = reader.client.get_cookie(app.config["FORUM_READER_COOKIE"])
    header = f"{cookie.key}={cookie.value}"
    for _ in range(2):
        status, headers, body = get(proxy.url + ARTICLE, Cookie=header)
        assert status == 200 and headers["X-Cache-Status"] == "BYPASS"
        assert "private" in headers["Cache-Control"]
        assert "(votre réponse)" in body.decode()  # their own page: their answers shown
    # Nor did their page take the place of the shared copy.
    status, headers, body = get(proxy.url + ARTICLE)
    assert headers["X-Cache-Status"] == "HIT" and "(votre réponse)" not in body.decode()


def test_a_new_approved_comment_shows_within_the_copys_lifetime(app, proxy):
    get(proxy.url + ARTICLE)
    assert get(proxy.url + ARTICLE)[1]["X-Cache-Status"] == "HIT"
    assert post_comment(Reader(app), body="Vu à travers le cache.").status_code == 302
    posted = time.monotonic()
    while "Vu à travers le cache." not in get(proxy.url + ARTICLE)[2].decode():
        assert time.monotonic() - posted <= LIFETIME + 1, "still the old copy"
        time.sleep(0.2)


def test_english_and_french_readers_get_their_own_language(proxy):
    for _ in range(2):  # filled, then from the cache
        _status, english_headers, english = get(proxy.url + ARTICLE, **{"Accept-Language": "en"})
        _status, french_headers, french = get(proxy.url + ARTICLE, **{"Accept-Language": "fr"})
        assert '<html lang="en">' in english.decode() and "Skip to content" in english.decode()
        assert '<html lang="fr">' in french.decode() and "Aller au contenu" in french.decode()
    assert english_headers["X-Cache-Status"] == french_headers["X-Cache-Status"] == "HIT"


def test_nginx_compresses_the_page_for_clients_that_ask(proxy):
    _status, _headers, plain = get(proxy.url + ARTICLE)
    _status, headers, packed = get(proxy.url + ARTICLE, **{"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in headers["Vary"]
    assert gzip.decompress(packed) == plain and len(packed) < len(plain) / 2
