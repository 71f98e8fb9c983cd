"""An open article page asks "anything new?" (forum.article_pages.live): 304 while nothing
changed, the new public comments as the page shows them once something did."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest

from forum.extensions import db
from forum.models import Article, utcnow
from tests.comment_helpers import last_comment, post_comment, recorded_queries
from tests.conftest import ARTICLE_SLUG, act, add_comment

NEWS_URL = f"/articles/{ARTICLE_SLUG}/nouveautes"
VERSION_RE = re.compile(r'data-live-version="(\d+)"')
SINCE_RE = re.compile(r'data-live-since="(\d+)"')


class OpenPage:
    """An article page as a reader's browser holds it, asking what is new the way live.js does."""

    def __init__(self, reader, **params):
        html = reader.open_article(**params).get_data(as_text=True)
        self.reader = reader
        self.etag = f'"{VERSION_RE.search(html)[1]}"'
        self.since = SINCE_RE.search(html)[1]
        self.params = params

    def ask(self, **params):
        response = self.reader.client.get(
            NEWS_URL,
            query_string={"depuis": self.since, **params},
            headers={"If-None-Match": self.etag},
        )
        if response.status_code == 200:
            self.etag = response.headers["ETag"]
        return response


def new_bodies(response) -> list[str]:
    return [c["html"] for c in response.get_json()["comments"]]


def test_an_unchanged_page_gets_304_at_the_cost_of_one_read(app, reader):
    page = OpenPage(reader)
    with recorded_queries(app) as statements:
        response = page.ask()
    assert response.status_code == 304
    assert response.get_data() == b""
    reads = [s for s, _ in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1, reads  # the article's version, as a cached page reads it


def test_a_comment_posted_while_the_page_is_open_arrives_with_its_stance(app, reader, make_reader):
    page = OpenPage(reader)
    author = make_reader()
    assert author.vote({"credibility": 3, "relevance": 1}).status_code == 302
    post_comment(author, body="Un avis tout frais.")
    response = page.ask()
    assert response.status_code == 200
    (html,) = new_bodies(response)
    assert "Un avis tout frais." in html
    assert "juge crédible" in html
    assert page.ask().status_code == 304


def test_a_comment_approved_later_is_new_when_approved(app, reader, moderator):
    written = utcnow() - timedelta(hours=2)
    held = add_comment(
        app,
        body="Relu puis publié.",
        status="pending",
        pending_reason="premoderation",
        created_at=written,
    )
    page = OpenPage(reader)
    act(moderator, held, "approve")
    assert any("Relu puis publié." in html for html in new_bodies(page.ask()))


def test_pending_and_rejected_comments_never_arrive(app, reader, make_reader, moderator):
    page = OpenPage(reader)
    author = make_reader()
    post_comment(author, body="Publié puis refusé.")
    published = last_comment(app).id
    assert act(moderator, published, "reject", reason="off_topic").status_code == 303
    set_premoderation(app, "all")
    post_comment(make_reader(), body="À relire d'abord.")
    answer = page.ask()
    assert answer.status_code == 200  # the page changed: nothing in it is for readers
    assert new_bodies(answer) == []


def set_premoderation(app, mode: str) -> None:
    with app.app_context():
        article = db.session.execute(
            db.select(Article).where(Article.slug == ARTICLE_SLUG)
        ).scalar_one()
        article.premoderation = mode
        db.session.commit()


@pytest.mark.parametrize("app_config", [{"FORUM_LIVE_POLL_SECONDS": 1}])
def test_a_vote_moves_the_etag_of_a_page_showing_the_results(app, reader, make_reader):
    assert reader.vote({"credibility": 1, "relevance": 1}).status_code == 302
    page = OpenPage(reader, resultats=1)
    first = page.ask(resultats=1)
    assert first.status_code == 200  # the page learns the figures' ETag
    assert page.ask(resultats=1).status_code == 304
    assert make_reader().vote({"credibility": 0, "relevance": 1}).status_code == 302
    time.sleep(1.1)  # the figures are read again once per poll interval
    moved = page.ask(resultats=1)
    assert moved.status_code == 200
    assert moved.headers["ETag"] != first.headers["ETag"]
    figures = moved.get_json()["figures"]["questions"]
    assert any(q["voters"] == "2 votants" for q in figures)


def test_a_request_without_a_time_is_refused_with_a_page(client):
    response = client.get(NEWS_URL, query_string={"depuis": "hier"})
    assert response.status_code == 400
    assert b"<html" in response.get_data()
    assert client.get("/articles/inconnu/nouveautes?depuis=0").status_code == 404
