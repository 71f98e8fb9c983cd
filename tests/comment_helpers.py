"""Helpers for the discussion tests: real comment forms, and comments seeded in bulk."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

from flask import Flask
from sqlalchemy import event, select, text, update

from forum.extensions import db
from forum.markdown import render_comment
from forum.models import Article, Comment, Flag, Vote, utcnow
from forum.page_cache import changes_pages
from tests.conftest import ARTICLE_SLUG, Reader, csrf_token

# Empty in the page a shared cache may serve (forum.article_pages.anonymous_page).
STAMP_RE = re.compile(r'name="rendered_at" type="hidden" value="([^"]+)"')
TOKEN_RE = re.compile(r'name="submission_token" type="hidden" value="([^"]*)"')
COMMENTS_URL = f"/articles/{ARTICLE_SLUG}/comments"


def comment_form(reader: Reader, **params) -> dict:
    """The hidden fields of the comment form as the article page renders it."""
    html = reader.open_article(**params).get_data(as_text=True)
    return {
        "csrf_token": csrf_token(html),
        "submission_token": TOKEN_RE.search(html).group(1),
        "rendered_at": STAMP_RE.search(html).group(1),
    }


def post_comment(
    reader: Reader,
    body: str = "Un avis argumenté.",
    pseudonym: str = "Lectrice",
    parent_id: int | None = None,
    button: str = "submit",
    form: dict | None = None,
    **kwargs,
):
    data = {**(form or comment_form(reader)), "pseudonym": pseudonym, "body": body, button: "x"}
    if parent_id is not None:
        data["parent_id"] = str(parent_id)
    return reader.client.post(COMMENTS_URL, data=data, **kwargs)


def comments(app: Flask) -> list[Comment]:
    with app.app_context():
        rows = db.session.execute(select(Comment).order_by(Comment.id)).scalars().all()
        db.session.expunge_all()
        return rows


def last_comment(app: Flask) -> Comment:
    return comments(app)[-1]


def seed_comments(
    app: Flask,
    count: int,
    *,
    replies_per_thread: int = 0,
    reader_prefix: str = "seed",
    start_minutes_ago: int = 10_000,
) -> list[int]:
    """Insert `count` top-level comments (and replies) directly; return the top-level ids."""
    with app.app_context():
        article = db.session.execute(
            select(Article).where(Article.slug == ARTICLE_SLUG)
        ).scalar_one()
        start = utcnow() - timedelta(minutes=start_minutes_ago)
        tops = [
            _comment(article, f"{reader_prefix}-{i}", start + timedelta(seconds=i))
            for i in range(count)
        ]
        db.session.add_all(tops)
        db.session.flush()
        for top in tops:
            for j in range(replies_per_thread):
                reply = _comment(
                    article, f"{reader_prefix}-r{j}", top.created_at + timedelta(milliseconds=j + 1)
                )
                reply.parent_id = reply.thread_id = top.id
                reply.depth = 1
                db.session.add(reply)
        db.session.commit()
        return [c.id for c in tops]


def _comment(article: Article, author: str, when) -> Comment:
    body = f"Avis de {author}"
    return Comment(
        article_id=article.id,
        reader_hash=author.ljust(64, "0")[:64],
        author_name=author[:40],
        body_source=body,
        body_html=render_comment(body),
        created_at=when,
        status="approved",
    )


def update_comment(app: Flask, comment_id: int, **values) -> None:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        for name, value in values.items():
            setattr(comment, name, value)
        db.session.commit()


def discussion_html(reader, **params) -> str:
    response = reader.open_article(**params)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html[html.index('id="discussion"') :]


def shown_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="comment[^"]*" id="c(\d+)"', html)]


NEXT_RE = re.compile(r'href="[^"]*\?([^"#]*)#discussion" rel="next"')


def next_page_params(reader, **params) -> dict:
    """The query of the page's "next page" link (which carries a keyset cursor)."""
    html = reader.open_article(**params).get_data(as_text=True)
    query = NEXT_RE.search(html).group(1).replace("&amp;", "&")
    pairs = dict(pair.split("=") for pair in query.split("&"))
    assert "apres" in pairs
    return pairs


def mark_useful(reader, comment_id=1, **kwargs):
    return reader.post_form(f"/comments/{comment_id}/useful", {}, **kwargs)


def change_behind_the_apps_back(app, comment_id: int) -> None:
    with app.app_context():
        db.session.execute(
            text("UPDATE comments SET body_html = '<p>Autre</p>' WHERE id = :id"),
            {"id": comment_id},
        )
        db.session.commit()


@contextmanager
def recorded_queries(app):
    """Collect the SQL statements (and their parameters) run while the block runs."""
    with app.app_context():
        engine = db.engine
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def reader_at(app: Flask, address: str) -> Reader:
    """A new reader whose requests come from `address`."""
    reader = Reader(app)
    reader.client.environ_base["REMOTE_ADDR"] = address
    return reader


def established_reader(app: Flask, address: str, hours_ago: float = 25) -> Reader:
    """A reader at `address` who answered the poll `hours_ago` hours ago (through the form,
    then dated back): a reader with some history, whose flags count."""
    reader = reader_at(app, address)
    assert reader.vote({"credibility": 3, "relevance": 1}).status_code == 302
    with app.app_context():
        voter = db.session.execute(
            select(Vote.reader_hash).order_by(Vote.id.desc()).limit(1)
        ).scalar_one()
        db.session.execute(
            update(Vote)
            .where(Vote.reader_hash == voter)
            .values(created_at=utcnow() - timedelta(hours=hours_ago))
            .execution_options(**changes_pages())  # a vote's age shows on no page
        )
        db.session.commit()
    return reader


def response_text(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')


def add_flags(app, comment_id: int, *reasons: str, note: str = "") -> None:
    with app.app_context():
        for number, reason in enumerate(reasons):
            db.session.add(
                Flag(comment_id=comment_id, reader_hash=f"{number:064d}", reason=reason, note=note)
            )
        db.session.get(Comment, comment_id).flag_count += len(reasons)
        db.session.commit()
