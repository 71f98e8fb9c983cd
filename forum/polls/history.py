"""The poll's results over time: each choice's share at the end of each period.

The periods (buckets) run from the article's publication: hours for its first
HOURLY_HOURS, then days. A vote counts from its creation for the choice it first held; a
changed answer (vote_changes) moves it to its new choice when it was changed. Only counted
votes are drawn (held and discarded ones are marked apart, forum.article_pages.over_time).
Every figure comes from a fixed number of queries, aggregated by bucket in SQL, whatever the
number of votes: the same SQL on SQLite and PostgreSQL but for the seconds of a timestamp.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from forum.extensions import db
from forum.models import PollQuestion, Vote, VoteChange
from forum.models.articles import COUNTED_VOTE_STATUSES
from forum.polls.services import largest_remainder_percents

HOURLY_HOURS = 72
HOUR, DAY = 3600, 86400
EPOCH = datetime(1970, 1, 1)


class epoch_seconds(FunctionElement):
    """Whole seconds since 1970 of a naive UTC timestamp."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_seconds_sqlite(element, compiler, **kw) -> str:
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(epoch_seconds)
def _epoch_seconds_postgresql(element, compiler, **kw) -> str:
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})) AS BIGINT)"


def bucket_index(column, published_at: datetime):
    """SQL: the bucket a timestamp falls in (0 for anything before publication)."""
    since = epoch_seconds(column) - literal(_seconds(published_at), BigInteger)
    hourly = HOURLY_HOURS * HOUR
    return case(
        (since < 0, 0),
        (since < hourly, since // HOUR),
        else_=HOURLY_HOURS + (since - hourly) // DAY,
    )


def _seconds(at: datetime) -> int:
    return int((at - EPOCH).total_seconds() // 1)


@dataclass(frozen=True)
class Bucket:
    index: int
    start: datetime
    end: datetime

    @property
    def hourly(self) -> bool:
        return self.index < HOURLY_HOURS


def bucket_start(published_at: datetime, index: int) -> datetime:
    start = published_at.replace(microsecond=0)
    if index <= HOURLY_HOURS:
        return start + timedelta(hours=index)
    return start + timedelta(hours=HOURLY_HOURS, days=index - HOURLY_HOURS)


def buckets_until(published_at: datetime, now: datetime) -> list[Bucket]:
    """The buckets from publication to the one `now` falls in (at least one)."""
    last = bucket_of(published_at, now)
    return [
        Bucket(i, bucket_start(published_at, i), bucket_start(published_at, i + 1))
        for i in range(last + 1)
    ]


def bucket_of(published_at: datetime, at: datetime) -> int:
    """The bucket of a time, as bucket_index says it in SQL."""
    since = _seconds(at) - _seconds(published_at)
    if since < 0:
        return 0
    if since < HOURLY_HOURS * HOUR:
        return since // HOUR
    return HOURLY_HOURS + (since - HOURLY_HOURS * HOUR) // DAY


@dataclass(frozen=True)
class ChoiceLine:
    id: int
    label: str
    stance: str
    counts: tuple[int, ...]  # votes held at the end of each bucket
    percents: tuple[int, ...]  # their share, whole percents adding up to 100


@dataclass(frozen=True)
class QuestionHistory:
    id: int
    key: str
    prompt: str
    choices: tuple[ChoiceLine, ...]
    voters: tuple[int, ...]  # counted voters at the end of each bucket
    changes: tuple[int, ...]  # answers changed during each bucket


@dataclass(frozen=True)
class PollHistory:
    buckets: tuple[Bucket, ...]
    questions: tuple[QuestionHistory, ...]


def poll_history(
    questions: list[PollQuestion], published_at: datetime, now: datetime
) -> PollHistory:
    """Each question's results at the end of each bucket (two queries)."""
    buckets = buckets_until(published_at, now)
    size = len(buckets)
    ids = [q.id for q in questions]
    # delta[question][choice][bucket]: votes a choice gained (or lost) during the bucket.
    delta = {q.id: {c.id: [0] * size for c in q.choices} for q in questions}
    changes = {q.id: [0] * size for q in questions}
    for question_id, bucket, choice_id, count in _arrivals(ids, published_at):
        _add(delta, question_id, choice_id, min(bucket, size - 1), count)
    for question_id, voted, changed, before, after, count in _changes(ids, published_at):
        voted, changed = min(voted, size - 1), min(changed, size - 1)
        # The vote is counted under its current choice from its creation: until the change
        # it held `before` instead.
        _add(delta, question_id, before, voted, count)
        _add(delta, question_id, after, voted, -count)
        _add(delta, question_id, before, changed, -count)
        _add(delta, question_id, after, changed, count)
        changes[question_id][changed] += count
    return PollHistory(
        tuple(buckets),
        tuple(_question_history(q, delta[q.id], changes[q.id], size) for q in questions),
    )


def _add(delta, question_id: int, choice_id: int, bucket: int, count: int) -> None:
    choices = delta.get(question_id, {})
    if choice_id in choices:
        choices[choice_id][bucket] += count


def _question_history(question, delta, changes, size) -> QuestionHistory:
    counts = {c.id: _running_totals(delta[c.id]) for c in question.choices}
    columns = [[counts[c.id][b] for c in question.choices] for b in range(size)]
    percents = [largest_remainder_percents(column) for column in columns]
    lines = tuple(
        ChoiceLine(
            c.id,
            c.label,
            c.stance,
            tuple(counts[c.id]),
            tuple(percents[b][position] for b in range(size)),
        )
        for position, c in enumerate(question.choices)
    )
    voters = tuple(sum(column) for column in columns)
    return QuestionHistory(
        question.id, question.key, question.prompt, lines, voters, tuple(changes)
    )


def _running_totals(gains: list[int]) -> list[int]:
    total, totals = 0, []
    for gain in gains:
        total += gain
        totals.append(max(total, 0))
    return totals


def _arrivals(ids: list[int], published_at: datetime):
    """Counted votes by question, bucket of creation and current choice."""
    rows = (
        select(
            Vote.question_id,
            Vote.choice_id,
            bucket_index(Vote.created_at, published_at).label("bucket"),
        )
        .where(Vote.question_id.in_(ids), Vote.status.in_(COUNTED_VOTE_STATUSES))
        .subquery()
    )
    # Grouped outside: PostgreSQL does not see that two copies of an expression with
    # parameters are the same.
    return db.session.execute(
        select(rows.c.question_id, rows.c.bucket, rows.c.choice_id, func.count()).group_by(
            rows.c.question_id, rows.c.bucket, rows.c.choice_id
        )
    ).all()


def _changes(ids: list[int], published_at: datetime):
    """Changed answers of counted votes by question, bucket of the vote's creation, bucket
    of the change, and the choices it went from and to."""
    rows = (
        select(
            VoteChange.question_id,
            bucket_index(Vote.created_at, published_at).label("voted"),
            bucket_index(VoteChange.changed_at, published_at).label("changed"),
            VoteChange.from_choice_id,
            VoteChange.to_choice_id,
        )
        .join(
            Vote,
            (Vote.question_id == VoteChange.question_id)
            & (Vote.reader_hash == VoteChange.reader_hash),
        )
        .where(VoteChange.question_id.in_(ids), Vote.status.in_(COUNTED_VOTE_STATUSES))
        .subquery()
    )
    columns = (
        rows.c.question_id,
        rows.c.voted,
        rows.c.changed,
        rows.c.from_choice_id,
        rows.c.to_choice_id,
    )
    return db.session.execute(select(*columns, func.count()).group_by(*columns)).all()


@dataclass(frozen=True)
class VoteMarks:
    """Per bucket, the readers whose votes were cast in a burst, are held, were discarded."""

    burst: tuple[int, ...]
    held: tuple[int, ...]
    discarded: tuple[int, ...]

    @property
    def any_left_out(self) -> bool:
        return any(self.held) or any(self.discarded)


def vote_marks(questions: list[PollQuestion], published_at: datetime, size: int) -> VoteMarks:
    """Burst, held and discarded votes by bucket of creation (one query)."""
    rows = (
        select(
            Vote.reader_hash,
            Vote.burst,
            Vote.status,
            bucket_index(Vote.created_at, published_at).label("bucket"),
        )
        .where(
            Vote.question_id.in_([q.id for q in questions]),
            Vote.burst | Vote.status.in_(("held", "discarded")),
        )
        .subquery()
    )
    marks = {"burst": [0] * size, "held": [0] * size, "discarded": [0] * size}
    for bucket, burst, status, readers in db.session.execute(
        select(
            rows.c.bucket, rows.c.burst, rows.c.status, func.count(rows.c.reader_hash.distinct())
        ).group_by(rows.c.bucket, rows.c.burst, rows.c.status)
    ).all():
        bucket = min(bucket, size - 1)
        if burst:
            marks["burst"][bucket] += readers
        if status in ("held", "discarded"):
            marks[status][bucket] += readers
    return VoteMarks(**{kind: tuple(counts) for kind, counts in marks.items()})
