"""A short-lived shared cache of what every reader of an article sees alike.

Each article carries a `cache_version`; cache keys include it, so the first page view after
a change misses the cache and reads the new state, on every worker, whatever the cache
backend (each worker's bounded in-process cache, forum.memory_cache, or a shared Redis).

One mechanism moves the version, here, on the session: when a transaction commits, every
article whose page data it changed gets version + 1, in the same transaction. The session
learns which articles changed from what it writes:
- comments, articles and the reasons an article offers (its vote form shows them) changed
  through the ORM, seen when they are flushed;
- statements (UPDATE, INSERT, DELETE) on the tables the page shows (PAGE_TABLES), which
  must name the articles whose pages they change: `.execution_options(**changes_pages(id))`,
  or `changes_pages()` for none. One that does not is refused (UndeclaredPageChange), so a
  service cannot forget. They are checked on the engine, so a statement is seen whether it
  runs in the session or on a connection of its own (the vote's, on PostgreSQL: its marks
  wait in the session for its commit, forum.database.commit_if_used); only raw SQL text is
  not.
tests/test_page_versions.py posts every state-changing form and checks the version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from forum.extensions import cache, db
from forum.models import Article, ArticleReason, Comment, Vote

T = TypeVar("T")
CHANGED = "forum.changed_articles"
# What the article page shows: comments; the article, its settings and the reasons its vote
# form offers; the votes, which make a commenter's stance badge and the summary per side.
PAGE_TABLES = frozenset(model.__tablename__ for model in (Article, ArticleReason, Comment, Vote))
_DECLARATION = "changes_pages"
# Set in the session while it flushes: the statements of a flush are seen as objects first.
_FLUSHING = "forum.flushing"


def init_app(app: Flask) -> None:
    with app.app_context():
        event.listen(db.engine, "before_execute", _collect_declared_changes)


class UndeclaredPageChange(RuntimeError):
    """A statement writes what the article page shows without naming the articles."""


def changes_pages(*article_ids: int) -> dict[str, tuple[int, ...]]:
    """Execution options naming the articles whose pages a statement changes (maybe none)."""
    return {_DECLARATION: article_ids}


def changed_page(article_id: int) -> None:
    """Name an article whose page changed, when only a statement's result tells (a vote
    whose RETURNING says the voter has commented): the statement itself named none."""

    _mark_changed_in_request((article_id,))


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


def _mark_changed(session: Session, article_ids) -> None:
    if article_ids:
        session.info.setdefault(CHANGED, set()).update(article_ids)


def _mark_changed_in_request(article_ids) -> None:
    """Mark in the app context's session, whichever connection the statement ran on: its
    commit moves the versions."""
    if article_ids:
        _mark_changed(db.session(), article_ids)


@event.listens_for(Session, "before_flush")
def _collect_changed_objects(session: Session, _context, _instances) -> None:
    session.info[_FLUSHING] = True
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, Comment | ArticleReason) and instance.article_id is not None:
            _mark_changed(session, [instance.article_id])
        elif (
            isinstance(instance, Article)
            and instance.id is not None
            and session.is_modified(instance, include_collections=False)
        ):
            _mark_changed(session, [instance.id])


@event.listens_for(Session, "after_flush_postexec")
def _flushed(session: Session, _context) -> None:
    session.info.pop(_FLUSHING, None)


def _collect_declared_changes(
    _connection: Connection, statement, _multiparams, _params, execution_options
) -> None:
    if not (statement.is_dml and statement.table.name in PAGE_TABLES):
        return
    if _DECLARATION in execution_options:
        _mark_changed_in_request(execution_options[_DECLARATION])
        return
    flushing = has_app_context() and db.session.registry.has() and db.session.info.get(_FLUSHING)
    if not flushing:
        raise UndeclaredPageChange(
            f"a statement on {statement.table.name} must name the articles whose pages"
            " it changes: .execution_options(**changes_pages(...))"
        )


@event.listens_for(Session, "before_commit")
def _bump_versions(session: Session) -> None:
    session.flush()  # so that before_flush sees what the commit is about to write
    changed = session.info.pop(CHANGED, None)
    if changed:
        session.execute(
            update(Article)
            .where(Article.id.in_(sorted(changed)))
            .values(cache_version=Article.cache_version + 1)
            .execution_options(synchronize_session=False, **changes_pages())
        )


@event.listens_for(Session, "after_transaction_end")
def _forget_changes(session: Session, transaction) -> None:
    session.info.pop(_FLUSHING, None)  # a flush that failed ends its own transaction
    if transaction.parent is None:  # a rolled-back savepoint keeps the outer transaction's
        session.info.pop(CHANGED, None)
