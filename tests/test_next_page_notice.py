"""The vote's notice travels to the next page in a cookie of its own, not in the session."""

from __future__ import annotations

from tests.conftest import Reader
from tests.vote_helpers import ANSWERS

NOTICE = "Votre vote est enregistré"


def set_cookies(response) -> dict[str, str]:
    return {cookie.split("=", 1)[0]: cookie for cookie in response.headers.getlist("Set-Cookie")}


def test_the_vote_notice_shows_on_the_next_page_only_and_writes_no_session(app, reader):
    response = reader.vote(ANSWERS)
    assert response.status_code == 302
    # The vote signs one cookie, the reader's: no session cookie to serialise and sign.
    assert app.config["SESSION_COOKIE_NAME"] not in set_cookies(response)
    shown = reader.client.get(response.headers["Location"])
    assert NOTICE in shown.get_data(as_text=True)
    assert "forum_notice=;" in set_cookies(shown)["forum_notice"]  # deleted once shown
    assert NOTICE not in reader.open_article().get_data(as_text=True)


def test_a_notice_is_shown_even_where_visitors_get_the_cached_page(app):
    Reader(app).open_article()  # the page every visitor without identity gets, now cached
    visitor = Reader(app)
    visitor.client.set_cookie("forum_notice", "vote-recorded")
    page = visitor.open_article()
    assert NOTICE in page.get_data(as_text=True)
    assert "public" not in page.headers["Cache-Control"]


def test_a_notice_cookie_that_names_no_notice_shows_nothing(app):
    visitor = Reader(app)
    visitor.client.set_cookie("forum_notice", "<script>alert(1)</script>")
    page = visitor.open_article()
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'class="flashes"' not in html and "alert(1)" not in html
    assert "forum_notice=;" in set_cookies(page)["forum_notice"]
