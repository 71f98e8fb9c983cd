from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models.time import utcnow


class Notice(db.Model):
    """A published reply, to be told to the reader whose comment it answers.

    Written when the reply becomes public (posted approved, approved or restored by staff):
    ids then follow publication order, so "new" is one id past the reader's last seen one,
    even for a reply held by pre-moderation for hours.
    """

    __tablename__ = "notices"
    __table_args__ = (
        # A reader's notices, newest first: the article page's one query and the feed.
        Index("ix_notices_recipient", "recipient_hash", "id"),
        # Ids are never reused (SQLite reuses the highest one after a delete otherwise).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_hash: Mapped[str] = mapped_column(String(64))
    # A reply answers one comment: one notice at most, however often it is re-approved.
    reply_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set once the reply e-mail went out: a task run again after a crash sends no second one.
    mailed_at: Mapped[datetime | None]


class NoticeFeed(db.Model):
    """A reader's private Atom feed of replies: its address holds a token only they know.

    The token is a keyed hash of the reader hash and `nonce` (shown again on every visit,
    never stored); `token_hash` finds the feed from the address. A new nonce revokes it.
    """

    __tablename__ = "notice_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    reader_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(43))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NoticeMail(db.Model):
    """A reader's e-mail address for reply notices: stored only for this, never shown to
    anyone else, used once confirmed (double opt-in), deleted on unsubscribing."""

    __tablename__ = "notice_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    reader_hash: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(254))
    # The interface language the reader subscribed in: their e-mails are written in it.
    language: Mapped[str] = mapped_column(String(12), default="fr", server_default="fr")
    confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
