"""Vote bursts: many readers voting from one address in a short window. Their votes are
kept and counted like any other, but marked so moderators can judge them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from forum.extensions import db
from forum.models import Vote, utcnow
from forum.page_cache import changes_pages


@dataclass(frozen=True)
class BurstRule:
    voters: int
    window: timedelta


def burst_rule() -> BurstRule:
    config = current_app.config
    return BurstRule(
        config["FORUM_VOTE_BURST_COUNT"], timedelta(minutes=config["FORUM_VOTE_BURST_MINUTES"])
    )


def mark_vote_burst(address_hash: str | None, rule: BurstRule) -> bool:
    """Mark every vote of this address in the window once it holds a burst; say if it does."""
    if not address_hash or rule.voters <= 0:
        return False
    since = utcnow() - rule.window
    in_window = (Vote.address_hash == address_hash) & (Vote.created_at >= since)
    voters = db.session.execute(
        select(func.count(func.distinct(Vote.reader_hash))).where(in_window)
    ).scalar_one()
    if voters < rule.voters:
        return False
    # The whole burst is marked, its first votes included, not only those past the count.
    # Readers never see the mark: no page changes.
    db.session.execute(
        update(Vote)
        .where(in_window, Vote.burst.is_(False))
        .values(burst=True)
        .execution_options(**changes_pages())
    )
    return True
