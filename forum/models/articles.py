from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.time import utcnow

PREMODERATION_MODES = ("none", "first", "all")
# The question whose answer is the reader's stance, and which the reasons explain.
CREDIBILITY_QUESTION_KEY = "credibility"


class Article(db.Model):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    standfirst: Mapped[str] = mapped_column(Text, default="")
    editor_note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    poll_prompt: Mapped[str] = mapped_column(String(300), default="")
    discussion_prompt: Mapped[str] = mapped_column(String(300), default="")
    # The language the article, its prompts and its poll are written in (its file says).
    language: Mapped[str] = mapped_column(String(12), default="fr", server_default="fr")
    published_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    poll_open: Mapped[bool] = mapped_column(default=True)
    discussion_open: Mapped[bool] = mapped_column(default=True)
    premoderation: Mapped[str] = mapped_column(String(10), default="none")
    flag_threshold: Mapped[int | None]
    # Bumped by every change readers can see; part of the shared page cache keys.
    cache_version: Mapped[int] = mapped_column(default=0, server_default="0")

    questions: Mapped[list[PollQuestion]] = relationship(
        back_populates="article", order_by="PollQuestion.position"
    )


# On an article's list of reasons: a short list is read; a long one is skipped.
REASONS_PER_ARTICLE_MAX = 8


class ArticleReason(db.Model):
    """A reason readers may tick with their answer to the credibility question.

    Staff edit the list (forum.polls.reasons); a reason taken off the list is retired, not
    deleted: the readers' ticks stay theirs (shown, exported, erased), out of the form and
    the shares, and count again if the reason comes back.
    """

    __tablename__ = "article_reasons"
    __table_args__ = (UniqueConstraint("article_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(60))
    retired: Mapped[bool] = mapped_column(default=False, server_default=false())


class PollQuestion(db.Model):
    __tablename__ = "poll_questions"
    __table_args__ = (UniqueConstraint("article_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    prompt: Mapped[str] = mapped_column(String(300))
    headline: Mapped[str] = mapped_column(String(200), default="")

    article: Mapped[Article] = relationship(back_populates="questions")
    choices: Mapped[list[PollChoice]] = relationship(
        back_populates="question", order_by="PollChoice.position"
    )


class PollChoice(db.Model):
    __tablename__ = "poll_choices"
    __table_args__ = (UniqueConstraint("question_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("poll_questions.id", ondelete="CASCADE"))
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(120))
    stance: Mapped[str] = mapped_column(String(10), default="neutral")

    question: Mapped[PollQuestion] = relationship(back_populates="choices")


VOTE_STATUSES = ("counted", "held", "released", "discarded")
COUNTED_VOTE_STATUSES = ("counted", "released")


class Vote(db.Model):
    """One reader's current answer to one question; changing it updates the row."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("question_id", "reader_hash"),
        Index("ix_votes_question_choice", "question_id", "choice_id"),
        Index("ix_votes_address_created", "address_hash", "created_at"),
        Index("ix_votes_burst_created", "burst", "created_at"),
        Index("ix_votes_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("poll_questions.id", ondelete="CASCADE"))
    choice_id: Mapped[int] = mapped_column(ForeignKey("poll_choices.id", ondelete="CASCADE"))
    reader_hash: Mapped[str] = mapped_column(String(64), index=True)
    address_hash: Mapped[str | None] = mapped_column(String(64))
    # Cast in a burst of votes from one address (forum.polls.ballot); counted all the same.
    burst: Mapped[bool] = mapped_column(default=False)
    # Beyond its address's allowance a new reader's vote is held: kept, not counted, until
    # staff release it (then counted) or discard it (never counted). See VOTE_STATUSES.
    status: Mapped[str] = mapped_column(String(10), default="counted", server_default="counted")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The choice this row held before its last upsert (forum.polls.ballot): what tells a
    # changed vote, to be kept in vote_changes, from the same answer sent again.
    previous_choice_id: Mapped[int | None]


class VoteChange(db.Model):
    """A reader's changed answer to one question: from one choice to another."""

    __tablename__ = "vote_changes"
    __table_args__ = (
        # The results count the readers who changed their mind, per question.
        Index("ix_vote_changes_question_reader", "question_id", "reader_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("poll_questions.id", ondelete="CASCADE"))
    # The export and the erasure find a reader's history by their hash.
    reader_hash: Mapped[str] = mapped_column(String(64), index=True)
    from_choice_id: Mapped[int] = mapped_column(ForeignKey("poll_choices.id", ondelete="CASCADE"))
    to_choice_id: Mapped[int] = mapped_column(ForeignKey("poll_choices.id", ondelete="CASCADE"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class VoteReason(db.Model):
    """A reason a reader ticked with their vote, keyed like the vote (question, reader):
    changing the vote replaces them (forum.polls.ballot)."""

    __tablename__ = "vote_reasons"
    __table_args__ = (UniqueConstraint("question_id", "reader_hash", "reason_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("poll_questions.id", ondelete="CASCADE"))
    # The export and the erasure find a reader's reasons by their hash.
    reader_hash: Mapped[str] = mapped_column(String(64), index=True)
    reason_id: Mapped[int] = mapped_column(ForeignKey("article_reasons.id", ondelete="CASCADE"))
