from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from forum.articles.page import render_article_page
from forum.articles.services import get_article, list_articles

bp = Blueprint("articles", __name__)


@bp.get("/")
def index():
    """List the articles with their vote and comment counts."""
    return render_template("articles/index.html", summaries=list_articles())


@bp.get("/articles/<slug>")
def show(slug: str):
    """Show the article, its poll and one page of its discussion."""
    article = get_article(slug) or abort(404)
    args = request.args
    return render_article_page(
        article,
        show_results="resultats" in args,
        discussion_page=args.get("page", 1, type=int),
        sort=args.get("sort", "recent"),
        stance=args.get("stance") or None,
        reply_to=args.get("repondre", type=int),
        after=args.get("apres", type=int),
    )
