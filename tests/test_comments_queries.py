"""The article page issues the same number of queries whatever the size of the discussion."""

from __future__ import annotations

import re

from sqlalchemy import exists, select, text

from forum.extensions import cache, db
from forum.models import Comment
from tests.comment_helpers import next_page_params, post_comment, recorded_queries, seed_comments
from tests.conftest import Reader, make_migrated_sqlite_app

MAIN_TABLES = ("comments", "comment_votes", "flags", "votes", "notices")


def page_queries(app, reader, **params) -> list[tuple[str, object]]:
    """The page's queries on a cold shared cache (the most it can take)."""
    with app.app_context():
        cache.clear()
    with recorded_queries(app) as statements:
        assert reader.open_article(**params).status_code == 200
    return [s for s in statements if s[0].lstrip().upper().startswith(("SELECT", "WITH"))]


def test_query_count_is_the_same_for_10_and_1000_comments(app, make_reader):
    reader = make_reader()
    reader.vote({"credibility": 3, "relevance": 2})
    post_comment(reader, body="Mon avis")
    seed_comments(app, 9, reader_prefix="small")
    small = len(page_queries(app, reader))
    seed_comments(app, 490, replies_per_thread=1, reader_prefix="big", start_minutes_ago=5000)
    big = page_queries(app, reader)
    assert reader.open_article().text.count('class="comment"') >= 50
    assert len(big) == small
    sorted_useful = len(page_queries(app, reader, sort="useful", stance="credible", page=1))
    assert sorted_useful == small
    deep = page_queries(app, reader, **next_page_params(reader, page=9))
    assert len(deep) == small


def test_every_discussion_query_uses_an_index(app, make_reader):
    """No query of the page scans a whole discussion table, on either database's planner."""
    reader = make_reader()
    reader.vote({"credibility": 3, "relevance": 2})
    post_comment(reader, body="Mon avis")
    seed_comments(app, 30, replies_per_thread=1)
    app.config["FORUM_COMMENTS_PER_PAGE"] = 5
    statements = page_queries(app, reader)
    assert len(statements) > 10
    for params in ({"sort": "useful"}, {"sort": "oldest"}, next_page_params(reader, page=3)):
        statements += page_queries(app, reader, **params)
    with app.app_context(), db.engine.connect() as connection:
        for statement, parameters in statements:
            for table, detail in _full_scans(connection, statement, parameters):
                assert table not in MAIN_TABLES, (statement, detail)


def _full_scans(connection, statement: str, parameters):
    """(table, plan line) for every full table scan the planner chooses."""
    if connection.dialect.name == "postgresql":
        # Tiny test tables make a sequential scan the cheapest plan; forbid it so the planner
        # shows whether an index could serve the query at all.
        connection.exec_driver_sql("SET enable_seqscan = off")
        plan = connection.exec_driver_sql("EXPLAIN " + statement, parameters or {}).all()
        lines = [row[0] for row in plan]
        return [
            (m.group(1), line) for line in lines if (m := re.search(r"Seq Scan on (\w+)", line))
        ]
    plan = connection.execute(
        text("EXPLAIN QUERY PLAN " + _inline(statement)), _named(parameters)
    ).all()
    return [
        (row[-1].split()[1], row[-1])
        for row in plan
        if re.match(r"SCAN (\w+)", row[-1]) and "USING" not in row[-1]
    ]


def _inline(statement: str) -> str:
    count = iter(range(10_000))
    return re.sub(r"\?", lambda _m: f":p{next(count)}", statement)


def _named(parameters) -> dict:
    return {f"p{i}": value for i, value in enumerate(parameters or ())}


def test_a_vote_checks_the_voters_comments_through_the_reader_index(tmp_path):
    """The "has this voter commented here" check is one index lookup on a migrated database,
    not a scan of the article's comments (which made votes crawl at 100,000 comments)."""
    app = make_migrated_sqlite_app(tmp_path / "plan.sqlite3")
    with app.app_context():
        check = select(exists().where(Comment.reader_hash == "r", Comment.article_id == 1))
        sql = str(check.compile(db.engine, compile_kwargs={"literal_binds": True}))
        plan = " ".join(row[3] for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))
    assert "ix_comments_reader_article (reader_hash=? AND article_id=?)" in plan


def test_a_comments_page_is_counted_on_the_thread_indexes(tmp_path):
    """Finding the page of a comment (every permalink and every redirect after a post) counts
    the threads before it on the partial thread indexes: one range, not every thread."""
    app = make_migrated_sqlite_app(tmp_path / "plan.sqlite3")
    newest = seed_comments(app, 40, replies_per_thread=2)[-1]
    with app.app_context():
        # Statistics as an operator's ANALYZE (or PRAGMA optimize) leaves them: on average a
        # parent has few replies, which made "parent_id IS NULL" look selective.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    with recorded_queries(app) as statements:
        assert Reader(app).client.get(f"/comments/{newest}").status_code == 302
    count, parameters = next(
        (s, p) for s, p in statements if "count(" in s and "featured_at IS NULL" in s
    )
    with app.app_context():
        plan = [
            row[3]
            for row in db.session.execute(
                text("EXPLAIN QUERY PLAN " + _inline(count)), _named(parameters)
            )
        ]
    searches = [line for line in plan if line.startswith("SEARCH comments USING")]
    assert any(
        "ix_comments_article_threads (article_id=? AND created_at>?)" in line for line in searches
    ), plan
    assert any("ix_comments_article_featured" in line for line in searches), plan
