"""« Les deux camps »: the most useful comments of each side of the credibility question."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from forum.extensions import cache, db
from forum.models import Vote, utcnow
from tests.comment_helpers import reader_at, recorded_queries, seed_comments
from tests.conftest import ARTICLE_SLUG, add_comment

SIDES_URL = f"/articles/{ARTICLE_SLUG}/deux-camps"
# Positions of the credibility choices (forum/content): 0-1 not credible, 2-3 credible, 4 none.
CREDIBLE, NOT_CREDIBLE, NO_OPINION = 3, 0, 4


def voter_hash(app, number: int, position: int | None) -> str:
    """A reader who answered the credibility question (or not, with None): their hash."""
    reader = reader_at(app, f"198.51.100.{number}")
    if position is None:
        return f"nonvoter-{number}".ljust(64, "0")
    assert reader.vote({"credibility": position, "relevance": 2}).status_code == 302
    with app.app_context():
        return db.session.execute(
            select(Vote.reader_hash).order_by(Vote.id.desc()).limit(1)
        ).scalar_one()


def comment_by(app, reader_hash: str, useful: int, minutes_ago: int, **fields) -> int:
    return add_comment(
        app,
        reader_hash=reader_hash,
        useful_count=useful,
        created_at=utcnow() - timedelta(minutes=minutes_ago),
        **fields,
    )


def section_ids(html: str, heading_id: str) -> list[int]:
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    return [int(n) for n in re.findall(r'<article class="comment" id="c(\d+)"', html[start:end])]


def test_each_side_lists_its_most_useful_approved_comments(app, client):
    believer, doubter, undecided = (
        voter_hash(app, n, p) for n, p in ((1, CREDIBLE), (2, NOT_CREDIBLE), (3, NO_OPINION))
    )
    silent = voter_hash(app, 4, None)
    # Credible side: six comments; ties on "utile" go to the newest; only five are shown.
    usefuls = (0, 3, 5, 5, 1, 2)
    credible = [comment_by(app, believer, u, minutes_ago=60 - i) for i, u in enumerate(usefuls)]
    comment_by(app, believer, 50, 1, status="pending")
    comment_by(app, believer, 40, 1, status="rejected")
    comment_by(app, believer, 30, 1, deleted_at=utcnow())
    doubts = [comment_by(app, doubter, u, minutes_ago=30 + u) for u in (4, 9)]
    others = [comment_by(app, undecided, 2, 20), comment_by(app, silent, 7, 21)]

    response = client.get(SIDES_URL)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    expected_credible = [credible[3], credible[2], credible[1], credible[5], credible[4]]
    assert section_ids(html, "camp-credible") == expected_credible
    assert section_ids(html, "camp-peu-credible") == [doubts[1], doubts[0]]
    assert section_ids(html, "camp-autres") == [others[1], others[0]]
    credible_part = html[html.index('id="camp-credible"') : html.index('id="camp-peu-credible"')]
    assert credible_part.count("juge crédible") == 5
    assert f'href="/comments/{credible[3]}"' in credible_part
    assert "juge peu crédible" in html[html.index('id="camp-peu-credible"') :]


def test_the_article_page_links_to_both_sides(client):
    html = client.get(f"/articles/{ARTICLE_SLUG}").get_data(as_text=True)
    assert f'href="{SIDES_URL}"' in html


def test_an_unknown_article_has_no_sides(client):
    assert client.get("/articles/inconnu/deux-camps").status_code == 404


def sides_queries(app, client) -> int:
    with app.app_context():
        cache.clear()
    with recorded_queries(app) as statements:
        assert client.get(SIDES_URL).status_code == 200
    return len([s for s, _ in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))])


def test_query_count_does_not_grow_with_the_discussion(app, client):
    believer = voter_hash(app, 1, CREDIBLE)
    comment_by(app, believer, 1, 5)
    seed_comments(app, 5, reader_prefix="small")
    small = sides_queries(app, client)
    seed_comments(app, 300, replies_per_thread=1, reader_prefix="big")
    assert sides_queries(app, client) == small
    assert small <= 3


def test_the_view_is_cached_until_the_discussion_changes(app, client):
    doubter = voter_hash(app, 2, NOT_CREDIBLE)
    first = comment_by(app, doubter, 1, 5)
    assert section_ids(client.get(SIDES_URL).text, "camp-peu-credible") == [first]
    with recorded_queries(app) as statements:
        client.get(SIDES_URL)
    assert not any("row_number" in s.lower() for s, _ in statements)
    second = comment_by(app, doubter, 2, 1)  # the ORM insert moves the article's version
    assert section_ids(client.get(SIDES_URL).text, "camp-peu-credible") == [second, first]
