"""Read-only views for staff: the dashboard figures and the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Article, AuditEntry, Comment, Flag, PollQuestion, User, Vote, utcnow
from forum.moderation.queue import tab_counts

DASHBOARD_DAYS = 14
AUDIT_PAGE_SIZE = 100


@dataclass(frozen=True)
class DayFigures:
    day: date
    comments: int
    votes: int


@dataclass(frozen=True)
class VoteBursts:
    """Burst-marked votes of the last 24 hours; addresses only as keyed-hash prefixes."""

    per_article: list[tuple[Article, int]]
    top_addresses: list[tuple[str, int]]


@dataclass(frozen=True)
class FlagBursts:
    """Flags sent in a burst from one address in the last 24 hours (forum.moderation.policy):
    the comments they hit, and the addresses as keyed-hash prefixes."""

    per_comment: list[tuple[Comment, Article, int]]
    top_addresses: list[tuple[str, int]]


@dataclass(frozen=True)
class Dashboard:
    pending: int
    reported: int
    days: list[DayFigures]
    top_flagged: list[tuple[Article, int]]
    vote_bursts: VoteBursts | None = None
    flag_bursts: FlagBursts | None = None


def load_dashboard() -> Dashboard:
    counts = tab_counts()
    since = (utcnow() - timedelta(days=DASHBOARD_DAYS - 1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    comments = _per_day(Comment.created_at, since)
    votes = _per_day(Vote.created_at, since)
    days = [since.date() + timedelta(days=n) for n in range(DASHBOARD_DAYS)]
    figures = [DayFigures(d, comments.get(d, 0), votes.get(d, 0)) for d in reversed(days)]
    return Dashboard(
        counts["pending"],
        counts["reported"],
        figures,
        _top_flagged(),
        _vote_bursts(),
        _flag_bursts(),
    )


def _per_day(column, since) -> dict[date, int]:
    day = func.date(column)
    rows = db.session.execute(select(day, func.count()).where(column >= since).group_by(day)).all()
    # SQLite returns the day as text, PostgreSQL as a date.
    return {d if isinstance(d, date) else date.fromisoformat(d): n for d, n in rows}


def _top_flagged(limit: int = 5) -> list[tuple[Article, int]]:
    """Articles with the most unresolved flags on their comments. A comment its author
    deleted has no text left to judge: its flags wait for nothing (as in the queue)."""
    rows = db.session.execute(
        select(Article, func.count(Flag.id).label("flags"))
        .join(Comment, Comment.article_id == Article.id)
        .join(Flag, Flag.comment_id == Comment.id)
        .where(Flag.resolved_at.is_(None), Comment.deleted_at.is_(None))
        .group_by(Article.id)
        .order_by(func.count(Flag.id).desc())
        .limit(limit)
    ).all()
    return [(article, count) for article, count in rows]


BURST_HOURS = 24
ADDRESS_PREFIX = 12


def _vote_bursts(limit: int = 5) -> VoteBursts:
    recent = Vote.burst.is_(True) & (Vote.created_at >= utcnow() - timedelta(hours=BURST_HOURS))
    per_article = db.session.execute(
        select(Article, func.count(Vote.id))
        .join(PollQuestion, PollQuestion.article_id == Article.id)
        .join(Vote, Vote.question_id == PollQuestion.id)
        .where(recent)
        .group_by(Article.id)
        .order_by(func.count(Vote.id).desc())
    ).all()
    addresses = db.session.execute(
        # Past the retention period a vote's address hash is cleared: it has no address.
        select(Vote.address_hash, func.count(Vote.id))
        .where(recent, Vote.address_hash.is_not(None))
        .group_by(Vote.address_hash)
        .order_by(func.count(Vote.id).desc())
        .limit(limit)
    ).all()
    return VoteBursts(
        [(article, count) for article, count in per_article],
        [(address[:ADDRESS_PREFIX], count) for address, count in addresses],
    )


def _flag_bursts(limit: int = 10) -> FlagBursts:
    recent = Flag.burst.is_(True) & (Flag.created_at >= utcnow() - timedelta(hours=BURST_HOURS))
    per_comment = db.session.execute(
        select(Comment, Article, func.count(Flag.id))
        .join(Flag, Flag.comment_id == Comment.id)
        .join(Article, Article.id == Comment.article_id)
        .where(recent)
        .group_by(Comment.id, Article.id)
        .order_by(func.count(Flag.id).desc(), Comment.id)
        .limit(limit)
    ).all()
    addresses = db.session.execute(
        select(Flag.address_hash, func.count(Flag.id))
        .where(recent, Flag.address_hash.is_not(None))
        .group_by(Flag.address_hash)
        .order_by(func.count(Flag.id).desc())
        .limit(limit)
    ).all()
    return FlagBursts(
        [(comment, article, count) for comment, article, count in per_comment],
        [(address[:ADDRESS_PREFIX], count) for address, count in addresses],
    )


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor_id: int | None = None
    article_id: int | None = None
    comment_id: int | None = None
    reader_hash: str = ""


def load_audit(filters: AuditFilters, page: int = 1) -> tuple[list[AuditEntry], bool]:
    """One page of the audit log, newest first, narrowed by the filters."""
    query = select(AuditEntry)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor_id:
        query = query.where(AuditEntry.actor_id == filters.actor_id)
    if filters.article_id:
        query = query.where(AuditEntry.article_id == filters.article_id)
    if filters.comment_id:
        query = query.where(AuditEntry.comment_id == filters.comment_id)
    if filters.reader_hash:
        query = query.where(AuditEntry.reader_hash.startswith(filters.reader_hash))
    rows = list(
        db.session.execute(
            query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .offset((page - 1) * AUDIT_PAGE_SIZE)
            .limit(AUDIT_PAGE_SIZE + 1)
        ).scalars()
    )
    return rows[:AUDIT_PAGE_SIZE], len(rows) > AUDIT_PAGE_SIZE


def audit_choices() -> tuple[list[str], list[User], list[Article]]:
    """The values the audit filters offer: actions used so far, staff, articles."""
    actions = list(
        db.session.execute(
            select(AuditEntry.action).distinct().order_by(AuditEntry.action)
        ).scalars()
    )
    staff = list(db.session.execute(select(User).order_by(User.display_name)).scalars())
    articles = list(db.session.execute(select(Article).order_by(Article.title)).scalars())
    return actions, staff, articles
