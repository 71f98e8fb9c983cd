"""Retention: address hashes are kept FORUM_RETENTION_DAYS, then cleared.

Rate-limit counters are not kept here: Flask-Limiter (limits, fixed-window strategy) stores
one counter per address hash and limit, and gives each an expiry equal to its window when
it is created (Redis EXPIRE; the in-process memory storage drops it the same way). They
never outlive the longest configured window; `limiter_report` checks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update

from forum.extensions import db
from forum.models import Ban, ChangedMindMark, Comment, CommentVote, Flag, SpentStamp, Vote, utcnow
from forum.page_cache import changes_pages


@dataclass(frozen=True)
class Purge:
    cutoff: datetime
    votes: int
    comments: int
    flags: int
    bans: int
    useful_marks: int
    changed_mind_marks: int
    spent_stamps: int


def purge_address_hashes(days: int, now: datetime | None = None) -> Purge:
    """Clear address hashes older than `days`; the caller commits.

    Votes count from their last change (a changed vote stores the address again). A ban
    keeps its address hash while it is in force (moderators chose to ban the address) and
    loses it once it has ended (expired or lifted): nothing needs it any more, nor the
    address it held for review. Spent form stamps past their expiry are deleted (a stamp
    that old is refused anyway).
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    ended = or_(Ban.lifted_at.is_not(None), Ban.expires_at <= now)
    return Purge(
        cutoff=cutoff,
        votes=_clear(Vote, Vote.updated_at < cutoff),
        comments=_clear(Comment, Comment.created_at < cutoff),
        flags=_clear(Flag, Flag.created_at < cutoff),
        bans=_clear(Ban, ended) + _clear(Ban, ended, Ban.held_address_hash),
        useful_marks=_clear(CommentVote, CommentVote.created_at < cutoff),
        changed_mind_marks=_clear(ChangedMindMark, ChangedMindMark.created_at < cutoff),
        spent_stamps=db.session.execute(
            delete(SpentStamp).where(SpentStamp.expires_at <= now)
        ).rowcount,
    )


def _clear(model, older, column=None) -> int:
    column = model.address_hash if column is None else column
    return db.session.execute(
        update(model)
        .where(column.is_not(None), older)
        .values({column: None})
        # Readers never see an address hash: no page changes.
        .execution_options(synchronize_session=False, **changes_pages())
    ).rowcount


@dataclass(frozen=True)
class LimiterReport:
    backend: str
    counters: int | None  # None: held in each server process's memory, not readable here
    without_expiry: int
    longest_ttl: int


def limiter_report(storage) -> LimiterReport:
    """Count the rate-limit counters in a shared storage; delete any without an expiry."""
    backend = type(storage).__name__
    connection = getattr(storage, "get_connection", None)
    if connection is None:
        return LimiterReport(backend, None, 0, 0)
    redis = connection()
    counters = without_expiry = longest = 0
    for key in redis.scan_iter(match=f"{storage.key_prefix}:*", count=500):
        counters += 1
        ttl = redis.ttl(key)
        if ttl < 0:  # never the case with the fixed window; removed rather than kept forever
            without_expiry += 1
            redis.delete(key)
        longest = max(longest, ttl)
    return LimiterReport(backend, counters, without_expiry, longest)
