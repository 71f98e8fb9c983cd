"""What changed on an article page while a reader has it open: "anything new?", polled.

Sync workers and thousands of open pages: no connection is held per reader. Each open page
asks every FORUM_LIVE_POLL_SECONDS with the ETag of its last answer. The ETag is the
article's cache version (forum.page_cache: every change a reader can see moves it), plus a
digest of the poll's figures when the page shows them (a vote by a reader who has not
commented does not move the version). When nothing changed the answer is 304, at the cost
of a cached page view: one indexed read of the article's head, nothing else from the
database. Otherwise the comments published since `depuis` come as JSON, each rendered by
the page's own macro, cached per version: a thousand pages asking at once render it once.
"""

from __future__ import annotations

import time
import zlib
from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from flask_babel import get_locale
from sqlalchemy import select

from forum.articles.services import ArticleHead, get_article, get_article_head
from forum.comments.page import SharedUsefulForm, discussion_settings, fill_token_fields
from forum.comments.thread import Viewer, build_threads
from forum.extensions import db
from forum.languages.numbers import counted
from forum.limits import rate_limit
from forum.models import Article, Comment
from forum.models.articles import CREDIBILITY_QUESTION_KEY
from forum.page_cache import article_key, cached
from forum.parsing import bounded_int
from forum.polls.services import load_questions, poll_results
from forum.templating import percent

bp = Blueprint("live", __name__)

# `depuis` is in seconds since the epoch (UTC): ten digits at most.
EPOCH_SECONDS_MAX = 9_999_999_999

# A page asks from a little before it was shown: a comment approved in a transaction that
# commits while the page renders is not missed (the page skips those it already shows).
# Rounded down to the minute, so that pages shown in the same minute share one answer.
SINCE_MARGIN_SECONDS = 60
# At most this many new comments in one answer; a page left open longer is better reloaded.
MAX_NEW_COMMENTS = 50


@bp.get("/articles/<slug>/nouveautes")
@rate_limit("live", methods=("GET",))
def news(slug: str):
    """304 when the page is up to date; else its new comments and the poll's figures."""
    head = get_article_head(slug) or abort(404)
    since = bounded_int(request.args.get("depuis"), maximum=EPOCH_SECONDS_MAX)
    if since is None:
        abort(400)
    with_figures = "resultats" in request.args
    figures = poll_figures(head) if with_figures else None
    etag = live_etag(head.cache_version, figures)
    if request.if_none_match.contains_weak(etag):
        return _not_modified(etag)
    article = get_article(slug) or abort(404)
    new = cached(
        article_key(article, "live", rounded_since(since), get_locale()),
        lambda: _render_new_comments(article, since),
    )
    body = {
        "depuis": since_now(),
        "comments": [dict(c, html=fill_token_fields(c["html"])) for c in new],
        "figures": figures,
    }
    response = jsonify(body)
    response.set_etag(live_etag(article.cache_version, figures))
    response.headers["Cache-Control"] = "no-cache"
    return response


def live_etag(version: int, figures: dict | None) -> str:
    if figures is None:
        return str(version)
    return f"{version}.{figures['digest']}"


def since_now() -> int:
    """The `depuis` a page shown now asks from (seconds since the epoch, UTC)."""
    return rounded_since(int(time.time()) - SINCE_MARGIN_SECONDS)


def rounded_since(since: int) -> int:
    return since - since % 60


def poll_seconds() -> int:
    return current_app.config["FORUM_LIVE_POLL_SECONDS"]


def poll_figures(head: ArticleHead) -> dict:
    """The poll's figures as the results show them, recomputed once per poll interval
    (per cache): votes move them without moving the article's version."""
    interval = int(time.time() // max(1, poll_seconds()))
    return cached(
        article_key(head, "live-figures", interval, get_locale()),
        lambda: _figures(head.id),
    )


def _figures(article_id: int) -> dict:
    questions = load_questions(db.session.get(Article, article_id))
    results = poll_results(questions, None)
    shown = [
        {
            "id": q.id,
            "voters": counted("%(num)s votant", "%(num)s votants", q.voters),
            "headline": percent(q.positive_percent),
            "choices": [
                {
                    "id": c.id,
                    "percent": c.percent,
                    "figures": percent(c.percent)
                    + " ("
                    + counted("%(num)s vote", "%(num)s votes", c.count)
                    + ")",
                }
                for c in q.choices
            ],
        }
        for q in results.questions
    ]
    counts = [(q.id, [(c.id, c.count) for c in q.choices]) for q in results.questions]
    return {"digest": format(zlib.crc32(repr(counts).encode()), "x"), "questions": shown}


def _render_new_comments(article: Article, since: int) -> list[dict]:
    """The public comments published since then, oldest first, each as the page shows it
    to a reader without marks of their own (the page marks its reader's own threads)."""
    published_after = datetime.fromtimestamp(rounded_since(since), UTC).replace(tzinfo=None)
    comments = list(
        db.session.execute(
            select(Comment)
            .where(
                Comment.article_id == article.id,
                Comment.published_at > published_after,
                Comment.status == "approved",
                Comment.deleted_at.is_(None),
            )
            .order_by(Comment.published_at, Comment.id)
            .limit(MAX_NEW_COMMENTS)
        ).scalars()
    )
    if not comments:
        return []
    questions = load_questions(article)
    question_id = next((q.id for q in questions if q.key == CREDIBILITY_QUESTION_KEY), None)
    viewer = Viewer(None, question_id, discussion_settings(), 1, personal=False)
    nodes = build_threads(comments, [], viewer)
    return [
        {
            "id": node.comment.id,
            "parent": node.comment.parent_id,
            "html": render_template(
                "comments/_live_comment.html",
                article=article,
                node=node,
                action_form=SharedUsefulForm,
                # Its links lead to the first page in the default order, like a permalink.
                discussion={"page": 1, "sort": "recent", "stance": None},
            ),
        }
        for node in nodes
    ]


def _not_modified(etag: str):
    response = current_app.response_class(status=304)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response
