"""Telling readers about replies: recording a published reply, reading a reader's replies,
and the private feed's token. Every read is bounded by the reader's own notices."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, Integer, delete, func, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forum.extensions import db
from forum.models import Article, Comment, Notice, NoticeFeed, NoticeMail, utcnow
from forum.notices.mail_queue import send_after_commit
from forum.readers import keyed_hash

NEW_SHOWN = 5  # links in the article page's notice; the reader's page lists them all
FEED_ENTRIES = 50
PAGE_ENTRIES = 200


@dataclass(frozen=True)
class Reply:
    """A published reply to one of the reader's comments."""

    notice_id: int
    comment_id: int
    author_name: str
    by_staff: bool
    article_slug: str
    article_title: str
    body_html: str
    created_at: datetime
    told_at: datetime


@dataclass(frozen=True)
class NewReplies:
    total: int
    shown: list[Reply]

    @property
    def newest_id(self) -> int:
        return self.shown[0].notice_id if self.shown else 0


def record_reply_notice(reply: Comment) -> None:
    """Tell the author of the comment a published reply answers (once per reply).

    Called by every service that publishes a comment: posting one approved, and the
    moderators' approve and restore. No one is told of a pending or rejected reply, of a
    reply to their own comment, or of one to a comment deleted since.
    """
    answered_id = reply.reply_to_id or reply.parent_id
    if reply.status != "approved" or answered_id is None:
        return
    recipient = select(
        Comment.reader_hash, literal(reply.id, Integer), literal(utcnow(), DateTime)
    ).where(
        Comment.id == answered_id,
        Comment.reader_hash != reply.reader_hash,
        Comment.deleted_at.is_(None),
    )
    dialect_insert = (
        pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    )
    notice_id = db.session.execute(
        dialect_insert(Notice)
        .from_select(["recipient_hash", "reply_id", "created_at"], recipient)
        .on_conflict_do_nothing(index_elements=["reply_id"])
        .returning(Notice.id)
    ).scalar()
    if notice_id is not None:
        send_after_commit("reply", notice_id)


def _replies(reader_hash: str):
    return (
        select(
            Notice.id,
            Comment.id,
            Comment.author_name,
            Comment.user_id.is_not(None),
            Article.slug,
            Article.title,
            Comment.body_html,
            Comment.created_at,
            Notice.created_at,
        )
        .join(Comment, Comment.id == Notice.reply_id)
        .join(Article, Article.id == Comment.article_id)
        .where(
            Notice.recipient_hash == reader_hash,
            Comment.status == "approved",
            Comment.deleted_at.is_(None),
        )
        .order_by(Notice.id.desc())
    )


def new_replies(reader_hash: str, seen_up_to: int) -> NewReplies:
    """The replies published since the reader's last seen notice: one query."""
    rows = db.session.execute(
        _replies(reader_hash)
        .add_columns(func.count().over())
        .where(Notice.id > seen_up_to)
        .limit(NEW_SHOWN)
    ).all()
    return NewReplies(total=rows[0][-1] if rows else 0, shown=[Reply(*row[:-1]) for row in rows])


def replies_received(reader_hash: str, limit: int | None = PAGE_ENTRIES) -> list[Reply]:
    """The reader's replies, newest first."""
    return [Reply(*row) for row in db.session.execute(_replies(reader_hash).limit(limit)).all()]


def feed_token(feed: NoticeFeed) -> str:
    return keyed_hash("notice-feed", f"{feed.reader_hash}:{feed.nonce}")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def reader_feed(reader_hash: str) -> NoticeFeed | None:
    return db.session.execute(
        select(NoticeFeed).where(NoticeFeed.reader_hash == reader_hash)
    ).scalar_one_or_none()


def renew_feed(reader_hash: str) -> NoticeFeed:
    """Give the reader a feed address, or a new one: the previous address stops working."""
    feed = reader_feed(reader_hash) or NoticeFeed(reader_hash=reader_hash)
    feed.nonce = secrets.token_urlsafe(32)
    feed.token_hash = _token_hash(feed_token(feed))
    db.session.add(feed)
    return feed


def feed_reader(token: str) -> str | None:
    """The reader whose feed this token opens, or None."""
    if not 32 <= len(token) <= 128:
        return None
    return db.session.execute(
        select(NoticeFeed.reader_hash).where(NoticeFeed.token_hash == _token_hash(token))
    ).scalar_one_or_none()


def erase_notices(reader_hash: str) -> int:
    """Delete the reader's notices, feed and e-mail address (their erasure); the caller
    commits."""
    db.session.execute(delete(NoticeFeed).where(NoticeFeed.reader_hash == reader_hash))
    db.session.execute(delete(NoticeMail).where(NoticeMail.reader_hash == reader_hash))
    return db.session.execute(delete(Notice).where(Notice.recipient_hash == reader_hash)).rowcount
