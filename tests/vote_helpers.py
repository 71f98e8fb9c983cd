"""Votes sent through the real poll form from a given address, and the hash it is stored as."""

from __future__ import annotations

import hashlib
import hmac
import threading
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import ARTICLE_SLUG, TEST_SECRET, poll_field

ANSWERS = {"credibility": 3, "relevance": 1}


def address_hash(address: str) -> str:
    return hmac.new(TEST_SECRET.encode(), f"address:{address}".encode(), hashlib.sha256).hexdigest()


def vote_from(make_reader, address: str = "127.0.0.1"):
    reader = make_reader()
    reader.client.environ_base["REMOTE_ADDR"] = address
    assert reader.vote(ANSWERS).status_code == 302
    return reader


def vote_form(app, token: str) -> dict:
    credibility, credible = poll_field(app, "credibility", 2)
    relevance, relevant = poll_field(app, "relevance", 3)
    return {"csrf_token": token, credibility: credible, relevance: relevant}


def fire_at_once(count: int, send) -> list[int]:
    """Run send(i) in `count` threads released together; return the HTTP statuses."""
    barrier = threading.Barrier(count)

    def run(index: int) -> int:
        barrier.wait()
        return send(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def reason_ids(app, slug: str = ARTICLE_SLUG) -> dict[str, int]:
    """The reasons the article's vote form offers, label → id, in their order."""
    from forum.extensions import db
    from forum.models import Article, ArticleReason

    with app.app_context():
        rows = db.session.execute(
            db.select(ArticleReason.label, ArticleReason.id)
            .join(Article, Article.id == ArticleReason.article_id)
            .where(Article.slug == slug, ArticleReason.retired.is_(False))
            .order_by(ArticleReason.position)
        ).all()
    return dict(rows)


def vote_with_reasons(reader, credibility: int, reasons: list, send: bool = True):
    """Answer both questions (relevance: "plutôt pertinente") and tick these reasons (ids,
    or raw values to send); the response, or with send=False the form's data."""
    question, choice = reader.poll_field("credibility", credibility)
    relevance, relevant = reader.poll_field("relevance", 2)
    data = {
        "csrf_token": reader.token(),
        question: choice,
        relevance: relevant,
        "reason": [str(reason) for reason in reasons],
    }
    if not send:
        return data
    return reader.client.post(f"{reader.article_url}/vote", data=data)
