from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from forum.article_pages.anonymous_page import anonymous_page, is_anonymous_view
from forum.article_pages.assembly import render_article_page
from forum.articles.services import get_article, list_articles
from forum.parsing import bounded_int

bp = Blueprint("articles", __name__)


@bp.get("/")
def index():
    """List the articles with their vote and comment counts."""
    return render_template("articles/index.html", summaries=list_articles())


@bp.get("/articles/<slug>")
def show(slug: str):
    """Show the article, its poll and one page of its discussion."""
    args = request.args
    view = {
        "show_results": "resultats" in args,
        # A page number that is not one names no page: 0 makes the discussion answer 404.
        "discussion_page": bounded_int(args.get("page", "1"), default=0),
        "sort": args.get("sort", "recent"),
        "stance": args.get("stance") or None,
        "reply_to": bounded_int(args.get("repondre")),
        "after": bounded_int(args.get("apres")),
    }
    if is_anonymous_view(
        page=view["discussion_page"],
        after=view["after"],
        reply_to=view["reply_to"],
        show_results=view["show_results"],
    ):
        page = anonymous_page(slug, sort=view["sort"], stance=view["stance"])
        if page is not None:
            return page
    article = get_article(slug) or abort(404)
    return render_article_page(article, **view)
