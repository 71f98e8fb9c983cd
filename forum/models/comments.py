from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models.time import utcnow

FLAG_REASONS = ("spam", "harassment", "off_topic", "hate", "misinformation", "other")


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        # A page of threads, read in the page's order as one index range (first page and
        # deep pages alike). Partial: planners do not take "parent_id IS NULL" as an equality
        # that would let a (article_id, parent_id, created_at) index give the order. No index
        # may start with (article_id, parent_id): SQLite then takes "parent_id IS NULL" for
        # a selective equality and counts every thread through it instead of one range here.
        Index(
            "ix_comments_article_threads",
            "article_id",
            "created_at",
            "id",
            postgresql_where=text("parent_id IS NULL"),
            sqlite_where=text("parent_id IS NULL"),
        ),
        Index(
            "ix_comments_article_threads_useful",
            "article_id",
            "useful_count",
            "created_at",
            "id",
            postgresql_where=text("parent_id IS NULL"),
            sqlite_where=text("parent_id IS NULL"),
        ),
        Index(
            "ix_comments_article_threads_changed_minds",
            "article_id",
            "changed_minds_count",
            "created_at",
            "id",
            postgresql_where=text("parent_id IS NULL"),
            sqlite_where=text("parent_id IS NULL"),
        ),
        # The newsroom's picks, read first on every page: a handful among many comments.
        Index(
            "ix_comments_article_featured",
            "article_id",
            "featured_at",
            postgresql_where=text("featured_at IS NOT NULL"),
            sqlite_where=text("featured_at IS NOT NULL"),
        ),
        Index("ix_comments_status_created", "status", "created_at"),
        # The discussion's counts and stance summary, and the Atom feed, per article.
        Index("ix_comments_article_status", "article_id", "status", "created_at"),
        # A vote asks whether the voter has commented on this article. With an index on
        # reader_hash alone, SQLite planned that EXISTS on an article index instead and
        # scanned the whole discussion (206 ms per vote at 100,000 comments).
        Index("ix_comments_reader_article", "reader_hash", "article_id"),
        # The duplicate-text rule reads an address's comments of the last minutes.
        Index("ix_comments_address_created", "address_hash", "created_at"),
        # An open page asks for the comments published since it last asked.
        Index("ix_comments_article_published", "article_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    # The top-level comment of the thread (None for a top-level comment): a page loads
    # every reply of its threads with one IN query on this column.
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    # Set when a reply past the depth cap was attached higher up than the comment it answers.
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"))
    depth: Mapped[int] = mapped_column(default=0)
    reader_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(40))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # The interface language its author wrote it in: what the text is most likely in.
    language: Mapped[str] = mapped_column(String(12), default="fr", server_default="fr")
    status: Mapped[str] = mapped_column(String(10), default="approved")
    pending_reason: Mapped[str | None] = mapped_column(String(40))
    reject_reason: Mapped[str | None] = mapped_column(Text)
    featured_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When it first became public: at posting, or when staff approved it later. An open page
    # asks for what was published since it was shown (forum.article_pages.live).
    published_at: Mapped[datetime | None]
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    useful_count: Mapped[int] = mapped_column(default=0)
    # Readers who said this comment made them change their mind (ChangedMindMark).
    changed_minds_count: Mapped[int] = mapped_column(default=0, server_default="0")
    flag_count: Mapped[int] = mapped_column(default=0)
    address_hash: Mapped[str | None] = mapped_column(String(64))
    # Random token carried by the form: a double submission inserts one comment.
    submission_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    def publish(self) -> None:
        """Make the comment public; the first time, note when (a comment held by flags and
        approved again was public before: it is not new to readers)."""
        self.status = "approved"
        if self.published_at is None:
            self.published_at = utcnow()


class ReaderMark:
    """A mark a reader gives a comment once (columns shared by the kinds of mark)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reader_hash: Mapped[str] = mapped_column(String(64), index=True)
    # One address may give a comment only a few marks (FORUM_USEFUL_PER_ADDRESS).
    address_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommentVote(ReaderMark, db.Model):
    """A reader's "utile" mark on a comment."""

    __tablename__ = "comment_votes"
    __table_args__ = (UniqueConstraint("comment_id", "reader_hash"),)


class ChangedMindMark(ReaderMark, db.Model):
    """A reader's "m'a fait changer d'avis" on a comment: a reaction the reader claims, not
    inferred from their vote (a mind can move without the vote changing, and a changed
    vote cannot be traced to one comment)."""

    __tablename__ = "changed_mind_marks"
    __table_args__ = (UniqueConstraint("comment_id", "reader_hash"),)


class Flag(db.Model):
    __tablename__ = "flags"
    __table_args__ = (
        UniqueConstraint("comment_id", "reader_hash"),
        Index("ix_flags_address_created", "address_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reader_hash: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    address_hash: Mapped[str | None] = mapped_column(String(64))
    # Sent in a burst of flags from one address (forum.moderation.flags): shown on the desk.
    burst: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]


class SpentStamp(db.Model):
    """A comment form's stamp that has served: each form publishes one comment at most."""

    __tablename__ = "spent_stamps"

    stamp_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Past this the stamp is refused as too old anyway: `flask retention run` deletes the row.
    expires_at: Mapped[datetime] = mapped_column(index=True)
