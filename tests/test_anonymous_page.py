"""The whole article page cached for visitors without identity: every change shows on the
next view on every worker, each visitor gets their own tokens, and anyone with an identity
(a reader's marks or vote, a staff session, a message to show) gets their own page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from forum.extensions import db
from tests.comment_helpers import (
    TOKEN_RE,
    change_behind_the_apps_back,
    last_comment,
    mark_useful,
    post_comment,
)
from tests.conftest import Reader, act, make_app

STAMP_RE = re.compile(r'name="rendered_at" type="hidden" value="([^"]+)"')
BALLOT_RE = re.compile(r'name="ballot" value="([^"]+)"')


@pytest.fixture
def app_config(cache_config: dict) -> dict:
    """With the in-process cache of each worker, and with Redis shared by all."""
    return cache_config


@pytest.fixture
def other_worker(app, app_config):
    """A second app on the same database and settings, as a second gunicorn worker is."""
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], **app_config)


def visit(app, language: str | None = None) -> str:
    headers = {"Accept-Language": language} if language else {}
    reader = Reader(app)
    return reader.client.get(reader.article_url, headers=headers).get_data(as_text=True)


def test_a_change_on_one_worker_shows_on_the_next_view_on_the_other(app, other_worker, moderator):
    assert "Premier avis" not in visit(app)
    author = Reader(other_worker)
    post_comment(author, body="Premier avis", pseudonym="Aline")
    comment_id = last_comment(app).id
    assert "Premier avis" in visit(app)
    change_behind_the_apps_back(app, comment_id)
    assert "Premier avis" in visit(app)  # the page does come from the cache

    assert author.vote({"credibility": 3, "relevance": 2}).status_code == 302
    assert "juge crédible" in visit(app)  # the stance of a commenter who voted
    assert mark_useful(Reader(other_worker), comment_id).status_code == 302
    assert "(1)" in visit(app)
    assert act(moderator, comment_id, "reject", reason="spam").status_code == 303
    assert "Aline" not in visit(app) and "Aline" not in visit(other_worker)


def test_every_visitor_without_cookies_gets_the_same_page_and_no_cookie(app, make_reader):
    """Nothing per visitor in it (no CSRF token, no submission token, no cookie set): a
    shared cache may give one copy to everyone. The one value that differs from one
    response to the next is the form's stamp, which names no one."""
    pages = [r.open_article() for r in (make_reader(), make_reader(), make_reader())]
    htmls = [p.get_data(as_text=True) for p in pages]
    for response in pages:
        assert response.headers.getlist("Set-Cookie") == []
    assert not any('name="csrf_token"' in h for h in htmls)
    assert {TOKEN_RE.search(h).group(1) for h in htmls} == {""}
    stamps = [STAMP_RE.search(h).group(1) for h in htmls]
    for html, stamp in zip(htmls, stamps, strict=True):
        assert BALLOT_RE.search(html).group(1) == stamp and "\x00" not in html
    same = [h.replace(s, "") for h, s in zip(htmls, stamps, strict=True)]
    assert same[0] == same[1] == same[2]

    # One copy of the form, sent by two visitors: each comment is published.
    form = {"csrf_token": "", "submission_token": "", "rendered_at": stamps[0]}
    first, second = make_reader(), make_reader()
    assert post_comment(first, body="Un premier avis", form=form).status_code == 302
    assert post_comment(second, body="Un autre avis", form=form).status_code in (302, 409)


def test_a_reader_with_marks_a_voter_staff_and_a_message_get_their_own_page(
    app, make_reader, moderator
):
    post_comment(make_reader(), body="Un avis", pseudonym="Aline")
    comment_id = last_comment(app).id
    visit(app)  # cached for visitors without identity
    marker = make_reader()
    assert mark_useful(marker, comment_id).status_code == 302
    assert 'aria-pressed="true"' in marker.open_article().get_data(as_text=True)

    voter = make_reader()
    response = voter.vote({"credibility": 1, "relevance": 1})
    # The message shown once after the vote, then the reader's own answers.
    flashed = voter.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Votre vote est enregistré" in flashed
    assert "(votre réponse)" in voter.open_article(resultats=1).get_data(as_text=True)
    assert "Votre vote est enregistré" not in voter.open_article().get_data(as_text=True)

    staff_page = moderator.client.get(Reader(app).article_url).get_data(as_text=True)
    assert "Vous publiez en tant que" in staff_page
    assert "Vous publiez en tant que" not in visit(app)
    assert 'aria-pressed="true"' not in visit(app)


def test_only_a_page_for_no_cookies_is_offered_to_shared_caches(app, make_reader):
    for response in (make_reader().open_article(), make_reader().open_article(sort="oldest")):
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=5"
        assert {"Cookie", "Accept-Language"} <= set(response.vary)
    reader = make_reader()
    reader.vote({"credibility": 0, "relevance": 0})
    language = make_reader()
    language.client.get("/langue/en?next=/")
    for response in (
        make_reader().open_article(resultats=1),
        reader.open_article(),
        language.open_article(),
    ):
        assert response.status_code == 200
        assert "Cookie" in response.headers["Vary"]
        assert response.headers["Cache-Control"] == "private, no-cache"


def test_results_stay_exact_after_each_vote(app, make_reader):
    for expected in (1, 2, 3):
        make_reader().vote({"credibility": 0, "relevance": 0})
        html = make_reader().open_article(resultats=1).get_data(as_text=True)
        assert f"{expected} votant" in html


def test_a_forged_host_never_reaches_another_visitors_page(app):
    forged = Reader(app).client.get(Reader(app).article_url, headers={"Host": "evil.example"})
    assert "http://evil.example/" in forged.get_data(as_text=True)
    page = visit(app)
    assert "evil.example" not in page and 'href="http://localhost/articles/' in page


def test_a_visitor_served_from_the_cache_costs_one_statement_outside_a_transaction(app):
    """A cache hit reads only the article's version; on PostgreSQL in autocommit, so no
    BEGIN and ROLLBACK round trips are spent on it."""
    visit(app)  # fills the cache
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        dbapi = conn.connection.dbapi_connection
        in_transaction = (
            dbapi.info.transaction_status != dbapi.info.transaction_status.IDLE
            if conn.dialect.name == "postgresql"
            else None
        )
        statements.append((statement, in_transaction))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", record)
    try:
        assert "Quel est votre avis" in visit(app)
    finally:
        event.remove(engine, "after_cursor_execute", record)
    queries = [s for s in statements if s[0].lstrip().upper().startswith("SELECT")]
    assert len(queries) == 1 and "cache_version" in queries[0][0]
    if engine.dialect.name == "postgresql":
        assert statements == queries and queries[0][1] is False


def test_a_returning_reader_is_sent_no_cookie_again(reader):
    first = reader.open_article()
    assert first.headers.getlist("Set-Cookie") == []
    reader.vote({"credibility": 0, "relevance": 0})  # the reader cookie, once
    reader.open_article()  # the message flashed after the vote, shown once
    for _ in range(2):
        again = reader.open_article()
        assert again.status_code == 200
        assert again.headers.getlist("Set-Cookie") == []


def test_the_anonymous_page_cache_keeps_one_page_per_language(app):
    post_comment(Reader(app), body="Premier avis", pseudonym="Aline")
    english = visit(app, "en")
    french = visit(app, "fr")
    change_behind_the_apps_back(app, last_comment(app).id)  # from now on, only the cache
    for _ in range(2):
        again_in_english, again_in_french = visit(app, "en"), visit(app, "fr")
        assert '<html lang="en">' in again_in_english and "Skip to content" in again_in_english
        assert '<html lang="fr">' in again_in_french and "Aller au contenu" in again_in_french
        assert "Premier avis" in again_in_english and "Premier avis" in again_in_french
    assert "Premier avis" in english and "Premier avis" in french
