"""The whole article page as a visitor without identity sees it, cached per article version.

A first-time visitor (no reader cookie, no staff session, nothing flashed) sees what every
other such visitor sees, except for four per-request values: the session's CSRF token, the
comment form's submission token and signed render time, and the poll form's ballot token.
The page is stored with slots in their place and filled for each response, so a cache hit
costs one query (the article, for its version) and a string join. Only the first page of
threads in each order and side is kept: it is where readers arrive, and the in-process cache
stays a few pages large.
"""

from __future__ import annotations

import secrets

from flask import request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from forum.article_pages.assembly import render_article_page
from forum.articles.services import get_article, get_article_head
from forum.comments.forms import CommentForm
from forum.comments.spam import render_stamp
from forum.comments.thread import known_order_and_side
from forum.extensions import cache
from forum.models import Article
from forum.page_cache import Versioned, article_key, cached, fill_slots, slot, with_slots
from forum.readers import ballot_token, current_reader_hash


def is_anonymous_view(
    *,
    page: int,
    after: int | None,
    reply_to: int | None,
    whole_thread: int | None,
    show_results: bool,
) -> bool:
    """Whether this request may get the page every visitor without identity gets."""
    return (
        page == 1
        and after is None
        and reply_to is None
        and whole_thread is None
        and not show_results
        and current_reader_hash() is None
        and "_flashes" not in session
        and not current_user.is_authenticated
    )


def anonymous_page(slug: str, *, sort: str, stance: str | None) -> bytes | None:
    """The first page of the discussion in this order and side, from the cache.

    None when there is no such page: an unknown article, or a closed poll (its page shows
    the counts, which votes do not version).
    """
    head = get_article_head(slug)
    if head is None or not head.poll_open:
        return None
    sort, stance = known_order_and_side(sort, stance)
    parts = cache.get(_page_key(head, sort, stance))
    if parts is None:
        article = get_article(slug)
        # Keyed on the version the page was rendered from, which may be newer than head's.
        parts = cached(
            _page_key(article, sort, stance), lambda: _render_with_slots(article, sort, stance)
        )
    return fill_slots(parts, _request_values())


def _page_key(article: Versioned, sort: str, stance: str | None) -> str:
    # The page names its own address (canonical link) from the request's host and scheme:
    # each has its own entry, so a forged Host header cannot reach other visitors.
    return article_key(article, "anonymous-page", sort, stance, get_locale(), request.host_url)


def _render_with_slots(article: Article, sort: str, stance: str | None) -> list[bytes]:
    form = CommentForm(formdata=None)
    form.submission_token.data, form.rendered_at.data = slot("submission"), slot("stamp")
    page, _status = render_article_page(article, comment_form=form, sort=sort, stance=stance)
    return with_slots(page, {"csrf": generate_csrf(), "ballot": ballot_token()})


def _request_values() -> dict[str, str]:
    return {
        "csrf": generate_csrf(),
        "submission": secrets.token_urlsafe(24),
        "stamp": render_stamp(),
        "ballot": ballot_token(),
    }
