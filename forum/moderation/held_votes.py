"""Held votes: what staff see of them and decide (a vote is held by forum.polls.ballot).

A vote beyond its address's allowance is kept with the status "held": not counted until a
moderator releases it ("released", counted from then on) or discards it ("discarded",
never counted, kept as part of the reader's data). Staff see held votes grouped by address
(as a keyed-hash prefix) and by allowance window, and decide for a whole group at once;
each decision is one audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from forum.extensions import db
from forum.models import Article, AuditEntry, PollQuestion, User, Vote
from forum.moderation.services import record
from forum.page_cache import changes_pages
from forum.polls.ballot import BurstRule

ADDRESS_PREFIX = 12
DECISIONS = {"release": "released", "discard": "discarded"}
AUDIT_ACTIONS = tuple(f"votes_{decision}" for decision in DECISIONS)
DECISIONS_SHOWN = 50
WINDOW_CODE = "%Y-%m-%dT%H:%M"  # a window's bounds in the audit details (UTC)


@dataclass(frozen=True)
class HeldGroup:
    address_hash: str
    window_start: datetime
    window_end: datetime
    voters: int
    votes: int

    @property
    def address_prefix(self) -> str:
        return self.address_hash[:ADDRESS_PREFIX]


@dataclass(frozen=True)
class HourRow:
    hour: datetime
    held: int
    released: int
    discarded: int


def _article_votes(article_id: int):
    questions = select(PollQuestion.id).where(PollQuestion.article_id == article_id)
    return Vote.question_id.in_(questions.scalar_subquery())


def window_start(at: datetime, rule: BurstRule) -> datetime:
    """The start of the allowance window `at` falls in, counted from the hour."""
    size = int(rule.window.total_seconds()) or 3600
    hour = at.replace(minute=0, second=0, microsecond=0)
    return hour + timedelta(seconds=(int((at - hour).total_seconds()) // size) * size)


def window_end(start: datetime, rule: BurstRule) -> datetime:
    """The end of the window starting at `start` (windows never cross the hour)."""
    next_hour = start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return min(start + (rule.window or timedelta(hours=1)), next_hour)


def held_groups(article_id: int, rule: BurstRule) -> list[HeldGroup]:
    """The article's held votes by address and window, the largest groups first."""
    rows = db.session.execute(
        select(Vote.address_hash, Vote.created_at, Vote.reader_hash).where(
            _article_votes(article_id), Vote.status == "held"
        )
    ).all()
    votes: dict[tuple[str, datetime], int] = {}
    voters: dict[tuple[str, datetime], set[str]] = {}
    for address, created_at, reader in rows:
        key = (address or "", window_start(created_at, rule))
        votes[key] = votes.get(key, 0) + 1
        voters.setdefault(key, set()).add(reader)
    groups = [
        HeldGroup(address, start, window_end(start, rule), len(voters[key]), votes[key])
        for key in votes
        for address, start in [key]
    ]
    return sorted(groups, key=lambda g: (-g.voters, g.window_start, g.address_hash))


def timeline(article_id: int) -> list[HourRow]:
    """Per hour of voting, how many of the article's votes are held, released, discarded."""
    rows = db.session.execute(
        select(Vote.created_at, Vote.status).where(
            _article_votes(article_id), Vote.status.in_(("held", "released", "discarded"))
        )
    ).all()
    hours: dict[datetime, dict[str, int]] = {}
    for created_at, status in rows:
        hour = created_at.replace(minute=0, second=0, microsecond=0)
        counts = hours.setdefault(hour, {"held": 0, "released": 0, "discarded": 0})
        counts[status] += 1
    return [HourRow(hour, **counts) for hour, counts in sorted(hours.items(), reverse=True)]


def parse_window(raw: str) -> datetime | None:
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=None)
    except ValueError:
        return None


def decisions(article_id: int) -> list[tuple[AuditEntry, str | None]]:
    """Staff's latest decisions on the article's held votes, newest first, with who took
    them (None: the console)."""
    return list(
        db.session.execute(
            select(AuditEntry, User.display_name)
            .outerjoin(User, User.id == AuditEntry.actor_id)
            .where(AuditEntry.article_id == article_id, AuditEntry.action.in_(AUDIT_ACTIONS))
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(DECISIONS_SHOWN)
        ).all()
    )


def held_voters(article_id: int) -> int:
    return db.session.execute(
        select(func.count(func.distinct(Vote.reader_hash))).where(
            _article_votes(article_id), Vote.status == "held"
        )
    ).scalar_one()


def decide(
    article: Article,
    decision: str,
    actor: User,
    rule: BurstRule,
    *,
    address_hash: str | None = None,
    window: datetime | None = None,
) -> int:
    """Release or discard the article's held votes (of one address and window, or all);
    return how many changed. Released votes count from now on: the page's version moves."""
    condition = _article_votes(article.id) & (Vote.status == "held")
    if address_hash is not None:
        condition &= Vote.address_hash == address_hash
    if window is not None:
        condition &= (Vote.created_at >= window) & (Vote.created_at < window_end(window, rule))
    changed = db.session.execute(
        update(Vote)
        .where(condition)
        .values(status=DECISIONS[decision])
        .execution_options(**changes_pages(article.id)),
    ).rowcount
    if changed:
        released = decision == "release"
        record(
            actor,
            "votes_release" if released else "votes_discard",
            article_id=article.id,
            details=_decision_detail(changed, address_hash, window, rule),
        )
    return changed


def _decision_detail(
    count: int, address_hash: str | None, window: datetime | None, rule: BurstRule
) -> str:
    """The decision as audit codes: forum.moderation.audit_text puts them in words, in the
    language of whoever reads the log."""
    codes = [f"count={count}"]
    if address_hash is not None:
        codes.append(f"address={address_hash[:ADDRESS_PREFIX]}")
    if window is not None:
        codes.append(f"window={window:{WINDOW_CODE}}/{window_end(window, rule):{WINDOW_CODE}}")
    return "; ".join(codes)
