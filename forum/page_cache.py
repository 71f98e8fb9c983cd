"""A short-lived shared cache of what every reader of an article sees alike.

Each article carries a `cache_version`, bumped in the same transaction as any change a
reader could see (a comment, an edit, a "utile" mark, a moderation action, a settings
change, a vote by a commenter). Cache keys include it, so the first page view after the
commit misses the cache and reads the new state, on every worker, whatever the cache
backend (each worker's bounded in-process cache, forum.memory_cache, or a shared Redis).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from flask import current_app
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from forum.extensions import cache
from forum.models import Article, Comment

T = TypeVar("T")
TOUCHED = "forum.touched_articles"


def touch_article(article_id: int, session: Session | None = None) -> None:
    """Mark the article's shared page data as changed once this transaction commits."""
    from forum.extensions import db

    (session or db.session()).info.setdefault(TOUCHED, set()).add(article_id)


def cached(key: str, compute: Callable[[], T]) -> T:
    """Return the cached value under key, computing and storing it on a miss."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=current_app.config["FORUM_PAGE_CACHE_SECONDS"])
    return value


# Per-request values in cached HTML are stored as NUL-delimited slot names: NUL never
# reaches the database (forum.input_guard refuses it), so no reader's text can fake a slot.
SLOT = "\x00"


def slot(name: str) -> str:
    return f"{SLOT}{name}{SLOT}"


def with_slots(html: str, values: dict[str, str]) -> list[bytes]:
    """Cut html around these per-request values: text and slot names, alternately, as
    UTF-8 bytes (encoding a large page with non-Latin-1 characters costs more than the rest
    of a cache hit, so it is done once, when storing)."""
    for name, value in values.items():
        html = html.replace(value, slot(name))
    return [part.encode() for part in html.split(SLOT)]


def fill_slots(parts: list[bytes], values: dict[str, str]) -> bytes:
    """The cached page with this request's values in its slots."""
    return b"".join(
        values[part.decode()].encode() if index % 2 else part for index, part in enumerate(parts)
    )


class Versioned(Protocol):
    """An article as cache keys need it: an ORM Article or an articles.services.ArticleHead."""

    id: int
    cache_version: int


def article_key(article: Versioned, *parts: object) -> str:
    return ":".join(["forum", str(article.id), str(article.cache_version), *map(str, parts)])


@event.listens_for(Session, "before_flush")
def _collect_changed_articles(session: Session, _context, _instances) -> None:
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, Comment) and instance.article_id is not None:
            touch_article(instance.article_id, session)
        elif (
            isinstance(instance, Article)
            and instance.id is not None
            and session.is_modified(instance, include_collections=False)
        ):
            touch_article(instance.id, session)


@event.listens_for(Session, "before_commit")
def _bump_versions(session: Session) -> None:
    session.flush()  # so that before_flush sees what the commit is about to write
    touched = session.info.pop(TOUCHED, None)
    if touched:
        session.execute(
            update(Article)
            .where(Article.id.in_(sorted(touched)))
            .values(cache_version=Article.cache_version + 1)
            .execution_options(synchronize_session=False)
        )


@event.listens_for(Session, "after_transaction_end")
def _forget_touched(session: Session, transaction) -> None:
    if transaction.parent is None:  # a rolled-back savepoint keeps the outer transaction's
        session.info.pop(TOUCHED, None)
