"""Where a comment is shown: the redirect after posting and the permalink land on the page
and anchor that show it, with one count however long the discussion; a locked SQLite
database gives the styled 503, never a 500."""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event

from forum.extensions import db
from forum.models import Comment, Vote, utcnow
from tests.comment_helpers import (
    discussion_html,
    last_comment,
    post_comment,
    seed_comments,
    shown_ids,
    update_comment,
)
from tests.conftest import ARTICLE_SLUG, Reader, make_migrated_sqlite_app

ARTICLE_URL = f"/articles/{ARTICLE_SLUG}"
PER_PAGE = 4


@pytest.fixture
def app_config():
    return {"FORUM_COMMENTS_PER_PAGE": PER_PAGE, "FORUM_SQLITE_BUSY_TIMEOUT_MS": 300}


def shown_on(reader: Reader, page: int) -> list[int]:
    return shown_ids(discussion_html(reader, page=page))


def landing(reader: Reader, location: str) -> tuple[int, int]:
    """The page number and comment id a redirect points to, checked against the page."""
    path, _, anchor = location.partition("#c")
    page = int(parse_qs(urlsplit(path).query).get("page", ["1"])[0])
    assert path.split("?")[0].endswith(ARTICLE_URL)
    return page, int(anchor)


def test_every_permalink_lands_on_the_page_that_shows_it(app, reader):
    ids = seed_comments(app, 11, replies_per_thread=1)
    update_comment(app, ids[2], featured_at=utcnow())
    update_comment(app, ids[7], featured_at=utcnow())
    pages = {n: [i for i in shown_on(reader, n) if i in ids] for n in (1, 2, 3)}
    threads = [i for n in (1, 2, 3) for i in pages[n]]
    assert sorted(threads) == sorted(ids) and threads[:2] == [ids[7], ids[2]]
    for page, shown in pages.items():
        for top in shown:
            reply = top + 11  # seeded after every top-level comment, in the same order
            for comment_id in (top, reply):
                location = reader.client.get(f"/comments/{comment_id}").headers["Location"]
                assert landing(reader, location) == (page, comment_id)
                html = discussion_html(reader, page=page)
                assert f'id="c{comment_id}"' in html


def test_a_reply_deep_in_the_discussion_redirects_to_its_thread_page(app, make_reader):
    ids = seed_comments(app, 10)
    reader = make_reader()
    response = post_comment(
        reader, body="Une réponse tardive", pseudonym="Tardive", parent_id=ids[1]
    )
    reply = last_comment(app)
    # The thread of ids[1] is the 9th newest: page 3 with 4 threads a page.
    assert response.status_code == 302
    assert landing(reader, response.headers["Location"]) == (3, reply.id)
    assert "Une réponse tardive" in discussion_html(reader, page=3)
    response = post_comment(reader, body="Un nouvel avis", pseudonym="Tardive")
    assert landing(reader, response.headers["Location"]) == (1, last_comment(app).id)


def test_a_hidden_thread_has_no_page_for_others_but_its_author_sees_it(app, make_reader):
    ids = seed_comments(app, 3)
    update_comment(app, ids[0], status="pending")
    assert make_reader().client.get(f"/comments/{ids[0]}").status_code == 404
    author = make_reader()
    update_comment(app, ids[1], deleted_at=utcnow())
    assert author.client.get(f"/comments/{ids[1]}").status_code == 410


def test_the_redirect_counts_once_instead_of_reading_every_thread(app, make_reader):
    ids = seed_comments(app, 30)
    reader = make_reader()
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = reader.client.get(f"/comments/{ids[0]}")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert landing(reader, response.headers["Location"]) == (8, ids[0])
    counting = [s for s in statements if "count(" in s.lower()]
    assert len(counting) == 1
    # No statement returns the ids of every thread any more.
    assert not [s for s in statements if re.match(r"select comments\.id\s+from", s.lower())]


@pytest.fixture
def sqlite_app(tmp_path):
    """A SQLite app of its own (a write lock on a whole database is SQLite's alone)."""
    path = tmp_path / "locked.sqlite3"
    app = make_migrated_sqlite_app(path, FORUM_SQLITE_BUSY_TIMEOUT_MS=300)
    yield app, path
    with app.app_context():
        db.engine.dispose()


def test_a_locked_database_gives_the_styled_503_and_nothing_half_done(sqlite_app):
    app, path = sqlite_app
    reader = Reader(app)
    assert "submission_token" in reader.open_article().get_data(as_text=True)
    holder = sqlite3.connect(path, timeout=0, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert reader.open_article().status_code == 200  # readers are not blocked (WAL)
        for response in (
            post_comment(reader, body="Pendant le verrou"),
            reader.vote({"credibility": 1, "relevance": 1}),
        ):
            assert response.status_code == 503
            assert response.headers["Retry-After"] == "5"
            html = response.get_data(as_text=True)
            assert 'lang="fr"' in html and "Réessayez dans un instant" in html
            assert "Traceback" not in html and "locked" not in html
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert rows(app, Comment) == 0 and rows(app, Vote) == 0
    assert post_comment(reader, body="Après le verrou").status_code == 302
    assert rows(app, Comment) == 1


def rows(app, model) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def test_after_its_commit_a_post_reads_where_to_go_without_the_write_lock(sqlite_app):
    app, _path = sqlite_app
    reader = Reader(app)
    form_page = reader.open_article()
    assert form_page.status_code == 200
    begins: list[str] = []

    def record(conn, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            begins.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = post_comment(reader, body="Un avis", form=None)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 302
    # The GET of the form, then the POST: one write transaction, then reads only.
    post_begins = begins[begins.index("BEGIN IMMEDIATE") :]
    assert post_begins.count("BEGIN IMMEDIATE") == 1 and post_begins[-1] == "BEGIN"
