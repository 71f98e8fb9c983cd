"""What the forum holds about one reader, and erasing it in one transaction."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, delete, func, select, union, update
from sqlalchemy.orm import aliased

from forum.extensions import db
from forum.models import (
    Article,
    ArticleReason,
    AuditEntry,
    Ban,
    ChangedMindMark,
    Comment,
    CommentVote,
    Flag,
    NoticeMail,
    PollChoice,
    PollQuestion,
    Reader,
    Vote,
    VoteChange,
    VoteReason,
    utcnow,
)
from forum.notices.services import erase_notices, reader_feed, replies_received
from forum.page_cache import changes_pages

EXCERPT = 160


@dataclass(frozen=True)
class VoteRecord:
    article_slug: str
    article_title: str
    question: str
    choice: str
    cast_at: datetime
    changed_at: datetime
    marked_as_burst: bool
    # "counted", or "held" (beyond its address's allowance, not counted until staff release
    # it), "released" or "discarded" (never counted): forum.polls.ballot.
    status: str


@dataclass(frozen=True)
class VoteChangeRecord:
    """One changed answer: the results count the readers who changed their mind."""

    article_slug: str
    article_title: str
    question: str
    from_choice: str
    to_choice: str
    changed_at: datetime


@dataclass(frozen=True)
class VoteReasonRecord:
    """A reason ticked with a vote (forum.polls.reasons); `offered` is False once staff
    took it off the article's list (kept, no longer shown in the figures)."""

    article_slug: str
    article_title: str
    question: str
    reason: str
    offered: bool


@dataclass(frozen=True)
class CommentRecord:
    id: int
    article_slug: str
    article_title: str
    in_reply_to: int | None
    pseudonym: str
    body_source: str
    language: str  # the interface language it was written in
    status: str
    created_at: datetime
    # When it became public (None while it waits for moderation, or refused before).
    published_at: datetime | None
    edited_at: datetime | None
    deleted_at: datetime | None
    useful_count: int

    @property
    def excerpt(self) -> str:
        text = " ".join(self.body_source.split())
        return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


@dataclass(frozen=True)
class MarkRecord:
    """A reader's mark on a comment: "utile", or "m'a fait changer d'avis"."""

    comment_id: int
    article_slug: str
    article_title: str
    marked_at: datetime


@dataclass(frozen=True)
class FlagRecord:
    comment_id: int
    article_slug: str
    article_title: str
    reason: str
    note: str
    filed_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class BanRecord:
    reason: str
    created_at: datetime
    expires_at: datetime | None
    lifted_at: datetime | None


@dataclass(frozen=True)
class ModerationRecord:
    action: str
    comment_id: int | None
    reason: str
    at: datetime


@dataclass(frozen=True)
class ReplyRecord:
    """A reply to one of the reader's comments they are told about (forum.notices); its
    author's name and text are theirs, not this reader's: the permalink has them."""

    comment_id: int
    article_slug: str
    article_title: str
    told_at: datetime


@dataclass(frozen=True)
class MailRecord:
    """The address reply notices go to (forum.notices.mail)."""

    address: str
    confirmed_at: datetime | None
    created_at: datetime
    language: str  # the e-mails' language


@dataclass(frozen=True)
class ReaderData:
    """Everything stored under one reader hash (never other readers' hashes or addresses)."""

    pseudonym: str | None
    first_seen: datetime | None
    votes: list[VoteRecord] = field(default_factory=list)
    vote_changes: list[VoteChangeRecord] = field(default_factory=list)
    vote_reasons: list[VoteReasonRecord] = field(default_factory=list)
    comments: list[CommentRecord] = field(default_factory=list)
    useful_marks: list[MarkRecord] = field(default_factory=list)
    changed_mind_marks: list[MarkRecord] = field(default_factory=list)
    flags: list[FlagRecord] = field(default_factory=list)
    bans: list[BanRecord] = field(default_factory=list)
    moderation: list[ModerationRecord] = field(default_factory=list)
    replies_received: list[ReplyRecord] = field(default_factory=list)
    # Since when the reader has a private feed of replies (its address is not repeated).
    private_feed_since: datetime | None = None
    notice_mail: MailRecord | None = None

    @property
    def empty(self) -> bool:
        return not (
            self.pseudonym
            or self.votes
            or self.vote_changes
            or self.vote_reasons
            or self.comments
            or self.useful_marks
            or self.changed_mind_marks
            or self.flags
            or self.bans
            or self.moderation
            or self.replies_received
            or self.private_feed_since
            or self.notice_mail
        )

    def as_json(self) -> dict:
        """Plain JSON data; times are UTC in ISO 8601."""
        return _jsonable(asdict(self))


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def load_reader_data(reader_hash: str) -> ReaderData:
    """Read what is held about this reader: one query per kind, whatever their activity."""
    reader = db.session.execute(
        select(Reader.pseudonym, Reader.created_at).where(Reader.reader_hash == reader_hash)
    ).first()
    return ReaderData(
        pseudonym=reader.pseudonym if reader else None,
        first_seen=reader.created_at if reader else None,
        votes=_votes(reader_hash),
        vote_changes=_vote_changes(reader_hash),
        vote_reasons=_vote_reasons(reader_hash),
        comments=_comments(reader_hash),
        useful_marks=_marks(CommentVote, reader_hash),
        changed_mind_marks=_marks(ChangedMindMark, reader_hash),
        flags=_flags(reader_hash),
        bans=_bans(reader_hash),
        moderation=_moderation(reader_hash),
        replies_received=_replies_received(reader_hash),
        private_feed_since=feed.created_at if (feed := reader_feed(reader_hash)) else None,
        notice_mail=_notice_mail(reader_hash),
    )


def _records(record_type, statement) -> list:
    return [record_type(*row) for row in db.session.execute(statement).all()]


def _votes(reader_hash: str) -> list[VoteRecord]:
    return _records(
        VoteRecord,
        select(
            Article.slug,
            Article.title,
            PollQuestion.prompt,
            PollChoice.label,
            Vote.created_at,
            Vote.updated_at,
            Vote.burst,
            Vote.status,
        )
        .join(PollQuestion, PollQuestion.id == Vote.question_id)
        .join(Article, Article.id == PollQuestion.article_id)
        .join(PollChoice, PollChoice.id == Vote.choice_id)
        .where(Vote.reader_hash == reader_hash)
        .order_by(Vote.created_at, PollQuestion.position),
    )


def _vote_changes(reader_hash: str) -> list[VoteChangeRecord]:
    before, after = aliased(PollChoice), aliased(PollChoice)
    return _records(
        VoteChangeRecord,
        select(
            Article.slug,
            Article.title,
            PollQuestion.prompt,
            before.label,
            after.label,
            VoteChange.changed_at,
        )
        .join(PollQuestion, PollQuestion.id == VoteChange.question_id)
        .join(Article, Article.id == PollQuestion.article_id)
        .join(before, before.id == VoteChange.from_choice_id)
        .join(after, after.id == VoteChange.to_choice_id)
        .where(VoteChange.reader_hash == reader_hash)
        .order_by(VoteChange.changed_at, VoteChange.id),
    )


def _vote_reasons(reader_hash: str) -> list[VoteReasonRecord]:
    return _records(
        VoteReasonRecord,
        select(
            Article.slug,
            Article.title,
            PollQuestion.prompt,
            ArticleReason.label,
            ~ArticleReason.retired,
        )
        .select_from(VoteReason)
        .join(PollQuestion, PollQuestion.id == VoteReason.question_id)
        .join(Article, Article.id == PollQuestion.article_id)
        .join(ArticleReason, ArticleReason.id == VoteReason.reason_id)
        .where(VoteReason.reader_hash == reader_hash)
        .order_by(Article.id, ArticleReason.position, ArticleReason.id),
    )


def _comments(reader_hash: str) -> list[CommentRecord]:
    return _records(
        CommentRecord,
        select(
            Comment.id,
            Article.slug,
            Article.title,
            func.coalesce(Comment.reply_to_id, Comment.parent_id),
            Comment.author_name,
            Comment.body_source,
            Comment.language,
            Comment.status,
            Comment.created_at,
            Comment.published_at,
            Comment.edited_at,
            Comment.deleted_at,
            Comment.useful_count,
        )
        .join(Article, Article.id == Comment.article_id)
        .where(Comment.reader_hash == reader_hash)
        .order_by(Comment.created_at, Comment.id),
    )


def _marks(mark, reader_hash: str) -> list[MarkRecord]:
    return _records(
        MarkRecord,
        select(mark.comment_id, Article.slug, Article.title, mark.created_at)
        .join(Comment, Comment.id == mark.comment_id)
        .join(Article, Article.id == Comment.article_id)
        .where(mark.reader_hash == reader_hash)
        .order_by(mark.created_at, mark.id),
    )


def _flags(reader_hash: str) -> list[FlagRecord]:
    return _records(
        FlagRecord,
        select(
            Flag.comment_id,
            Article.slug,
            Article.title,
            Flag.reason,
            Flag.note,
            Flag.created_at,
            Flag.resolved_at,
        )
        .join(Comment, Comment.id == Flag.comment_id)
        .join(Article, Article.id == Comment.article_id)
        .where(Flag.reader_hash == reader_hash)
        .order_by(Flag.created_at, Flag.id),
    )


def _bans(reader_hash: str) -> list[BanRecord]:
    return _records(
        BanRecord,
        select(Ban.reason, Ban.created_at, Ban.expires_at, Ban.lifted_at)
        .where(Ban.reader_hash == reader_hash)
        .order_by(Ban.created_at, Ban.id),
    )


def _moderation(reader_hash: str) -> list[ModerationRecord]:
    # The staff member who acted is left out: the entry is about the reader, not by them.
    return _records(
        ModerationRecord,
        select(AuditEntry.action, AuditEntry.comment_id, AuditEntry.reason, AuditEntry.created_at)
        .where(AuditEntry.reader_hash == reader_hash)
        .order_by(AuditEntry.created_at, AuditEntry.id),
    )


def _notice_mail(reader_hash: str) -> MailRecord | None:
    row = db.session.execute(
        select(
            NoticeMail.address,
            NoticeMail.confirmed_at,
            NoticeMail.created_at,
            NoticeMail.language,
        ).where(NoticeMail.reader_hash == reader_hash)
    ).first()
    return MailRecord(*row) if row else None


def _replies_received(reader_hash: str) -> list[ReplyRecord]:
    return [
        ReplyRecord(r.comment_id, r.article_slug, r.article_title, r.told_at)
        for r in replies_received(reader_hash, limit=None)
    ]


@dataclass(frozen=True)
class Erasure:
    """What an erasure changed, in figures."""

    comments: int
    votes: int
    useful_marks: int
    flags: int
    changed_mind_marks: int = 0

    @property
    def total(self) -> int:
        return self.comments + self.votes + self.useful_marks + self.changed_mind_marks + self.flags


def erase_reader(reader_hash: str, default_flag_threshold: int) -> Erasure:
    """Erase this reader's contributions; the caller commits once.

    Comments keep their place (replies of others stay in the thread) but lose their text,
    pseudonym, address hash and link to the reader. Votes, "utile" and "m'a fait changer
    d'avis" marks and flags are deleted and the counts they fed are decremented, the
    history of changed votes and the reasons ticked with them; the notices of replies and
    the private feed are deleted. Bans and the moderation log are kept.
    """
    pages = changes_pages(*_articles_touched_by(reader_hash))
    erasure = Erasure(
        comments=_blank_comments(reader_hash, pages),
        votes=db.session.execute(
            delete(Vote).where(Vote.reader_hash == reader_hash).execution_options(**pages)
        ).rowcount,
        useful_marks=_withdraw_marks(CommentVote, Comment.useful_count, reader_hash, pages),
        flags=_withdraw_flags(reader_hash, default_flag_threshold, pages),
        changed_mind_marks=_withdraw_marks(
            ChangedMindMark, Comment.changed_minds_count, reader_hash, pages
        ),
    )
    erase_notices(reader_hash)
    # Only the poll's figures read them ("changed minds", the reasons' shares), with the
    # results, never from a cached part: no page of their own to name.
    db.session.execute(delete(VoteChange).where(VoteChange.reader_hash == reader_hash))
    db.session.execute(delete(VoteReason).where(VoteReason.reader_hash == reader_hash))
    db.session.execute(delete(Reader).where(Reader.reader_hash == reader_hash))
    db.session.expire_all()  # loaded comments no longer match their rows
    return erasure


def _articles_touched_by(reader_hash: str) -> list[int]:
    marked = [
        select(Comment.article_id)
        .join(mark, mark.comment_id == Comment.id)
        .where(mark.reader_hash == reader_hash)
        for mark in (CommentVote, ChangedMindMark)
    ]
    flagged = (
        select(Comment.article_id)
        .join(Flag, Flag.comment_id == Comment.id)
        .where(Flag.reader_hash == reader_hash)
    )
    return list(
        db.session.execute(
            union(
                select(Comment.article_id).where(Comment.reader_hash == reader_hash),
                select(PollQuestion.article_id)
                .join(Vote, Vote.question_id == PollQuestion.id)
                .where(Vote.reader_hash == reader_hash),
                *marked,
                flagged,
            )
        ).scalars()
    )


def _blank_comments(reader_hash: str, pages: dict) -> int:
    # One fresh random value replaces the reader hash: the erased comments no longer lead
    # to the reader (nor to their bans or moderation log entries).
    return db.session.execute(
        update(Comment)
        .where(Comment.reader_hash == reader_hash)
        .values(
            reader_hash=secrets.token_hex(32),
            author_name="",
            body_source="",
            body_html="",
            address_hash=None,
            featured_at=None,
            submission_token=None,
            deleted_at=func.coalesce(Comment.deleted_at, utcnow()),
        )
        .execution_options(synchronize_session=False, **pages)
    ).rowcount


def _withdraw_marks(mark, count, reader_hash: str, pages: dict) -> int:
    marked = list(
        db.session.execute(
            delete(mark).where(mark.reader_hash == reader_hash).returning(mark.comment_id)
        ).scalars()
    )
    if marked:
        db.session.execute(
            update(Comment)
            .where(Comment.id.in_(marked), count > 0)
            .values({count: count - 1})
            .execution_options(synchronize_session=False, **pages)
        )
    return len(marked)


def _withdraw_flags(reader_hash: str, default_threshold: int, pages: dict) -> int:
    """Delete the reader's flags; unresolved ones no longer count towards hiding a comment.

    A comment held only by flags (pending, reason "flags", no moderator decision yet) is
    published again when the flags left fall below the threshold, by the same rule that
    held it; it stays in the "reported" tab while any flag is left.
    """
    rows = db.session.execute(
        delete(Flag)
        .where(Flag.reader_hash == reader_hash)
        .returning(Flag.comment_id, Flag.resolved_at)
    ).all()
    open_ids = [comment_id for comment_id, resolved_at in rows if resolved_at is None]
    if open_ids:
        threshold = (
            select(func.coalesce(Article.flag_threshold, default_threshold))
            .where(Article.id == Comment.article_id)
            .scalar_subquery()
        )
        left = Comment.flag_count - 1
        held_by_flags = and_(Comment.status == "pending", Comment.pending_reason == "flags")
        released = held_by_flags & (left < threshold)
        db.session.execute(
            update(Comment)
            .where(Comment.id.in_(open_ids), Comment.flag_count > 0)
            .values(
                flag_count=left,
                status=case((released, "approved"), else_=Comment.status),
                pending_reason=case((released, None), else_=Comment.pending_reason),
            )
            .execution_options(synchronize_session=False, **pages)
        )
    return len(rows)
