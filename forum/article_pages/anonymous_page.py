"""The whole article page as a visitor without identity sees it, cached per article version.

A first-time visitor (no reader cookie, no staff session, no notice waiting) sees what every
other such visitor sees. Nothing in it names the visitor: readers' forms carry no CSRF
token (forum.cross_origin), and the one per-request value, the page's stamp (when it was
shown, in the comment form and the poll form: forum.comments.spam), is the same for
everyone who gets this copy. The page is stored with a slot in its place and filled for
each response, so a cache hit costs one query (the article, for its version) and a string
join. Only the first page of threads in each order and side is kept: it is where readers
arrive, and the in-process cache stays a few pages large.

A request that sends none of the cookies a page depends on gets it with
`Cache-Control: public, max-age=0, s-maxage=FORUM_SHARED_CACHE_SECONDS` and no cookie set:
a shared cache in front (nginx, deploy/nginx/forum.conf) may give that copy to every such
visitor for those seconds.
"""

from __future__ import annotations

from flask import Response, current_app, request, session
from flask_babel import get_locale
from flask_login import current_user

from forum.article_pages.assembly import render_article_page
from forum.articles.services import get_article, get_article_head
from forum.comments.forms import CommentForm
from forum.comments.spam import page_stamp
from forum.comments.thread import known_order_and_side
from forum.extensions import cache
from forum.languages.selection import COOKIE as LANGUAGE_COOKIE
from forum.models import Article
from forum.next_page_notice import COOKIE as NOTICE_COOKIE
from forum.next_page_notice import has_pending_notice
from forum.page_cache import Versioned, article_key, cached, fill_slots, slot, with_slots
from forum.readers import current_reader_hash


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
        and not has_pending_notice()
        and not current_user.is_authenticated
    )


def anonymous_page(slug: str, *, sort: str, stance: str | None) -> Response | None:
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
    response = current_app.response_class(fill_slots(parts, _request_values()))
    if not sent_cookies_the_page_depends_on():
        seconds = current_app.config["FORUM_SHARED_CACHE_SECONDS"]
        response.headers["Cache-Control"] = f"public, max-age=0, s-maxage={seconds}"
    return response


def sent_cookies_the_page_depends_on() -> bool:
    """Whether the request carries a cookie that could change this page: the session (a
    message, a sign-in), the next page's notice, the reader's, the language's, Flask-Login's.
    A copy for a shared cache is given only without them, so it cannot hold anything of
    theirs."""
    config = current_app.config
    names = {
        config["SESSION_COOKIE_NAME"],
        NOTICE_COOKIE,
        config["FORUM_READER_COOKIE"],
        config.get("REMEMBER_COOKIE_NAME", "remember_token"),
        LANGUAGE_COOKIE,
    }
    return any(name in request.cookies for name in names)


def _page_key(article: Versioned, sort: str, stance: str | None) -> str:
    # The page names its own address (canonical link) from the request's host and scheme:
    # each has its own entry, so a forged Host header cannot reach other visitors.
    return article_key(article, "anonymous-page", sort, stance, get_locale(), request.host_url)


def _render_with_slots(article: Article, sort: str, stance: str | None) -> list[bytes]:
    form = CommentForm(formdata=None)
    # No submission token of its own: a form sent twice is known by its stamp, address
    # and text (forum.comments.spam.submission_key).
    form.submission_token.data = slot("submission")
    page, _status = render_article_page(article, comment_form=form, sort=sort, stance=stance)
    return with_slots(page, {"stamp": page_stamp()})


def _request_values() -> dict[str, str]:
    return {"submission": "", "stamp": page_stamp()}
