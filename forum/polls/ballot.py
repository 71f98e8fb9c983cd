"""Recording a reader's ballot: every vote rule in one place, on both databases.

A ballot is recorded when the article's poll is open and the form answers each of its
questions with one of that question's choices. A reader votes once per question: voting
again changes the same rows. Votes from one address are a burst once that address holds
`FORUM_VOTE_BURST_COUNT` readers within `FORUM_VOTE_BURST_MINUTES`: they are kept and
counted like any other, and all of the burst is marked (its first votes included) so
moderators can judge it. A vote by a reader who has commented on the article changes
their stance badge and the summary per side, so it touches the article's cache version.

The work is one read (the ballot, and what the rules need to know of the reader and the
address), one upsert, and an update only when a burst is to be marked: few round trips,
no ORM objects. On PostgreSQL each statement commits on its own
(forum.database.autocommit_statements): the upsert is atomic, and a burst left unmarked
by a crash right after it is marked by the address's next vote.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import Integer, bindparam, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from werkzeug.datastructures import MultiDict

from forum.database import autocommit_statements, is_deadlock
from forum.extensions import db
from forum.models import Article, Comment, PollChoice, PollQuestion, Vote, utcnow
from forum.page_cache import touch_article
from forum.parsing import bounded_int

ATTEMPTS = 3


class Outcome(enum.Enum):
    RECORDED = "recorded"
    UNKNOWN_ARTICLE = "unknown article"
    POLL_CLOSED = "poll closed"
    INCOMPLETE = "incomplete"  # a question unanswered, or answered with another's choice


@dataclass(frozen=True)
class BurstRule:
    voters: int
    window: timedelta


def burst_rule() -> BurstRule:
    config = current_app.config
    return BurstRule(
        config["FORUM_VOTE_BURST_COUNT"], timedelta(minutes=config["FORUM_VOTE_BURST_MINUTES"])
    )


@dataclass(frozen=True)
class Ballot:
    """The article's poll, and what the rules need to know of this reader and address."""

    article_id: int
    poll_open: bool
    choices: dict[int, frozenset[int]]  # each question's choice ids
    reader_has_commented: bool
    # Other readers of the address in the window (at most the burst size) and whether this
    # reader already has a vote from it there: the burst is judged without counting again.
    other_voters: int
    reader_in_window: bool

    def complete_answers(self, form: MultiDict[str, str]) -> dict[int, int] | None:
        """The form's answer to each question, when it is one of that question's choices."""
        answers = {}
        for question_id, valid in self.choices.items():
            raw = form.getlist(f"q_{question_id}")
            choice = bounded_int(raw[0]) if len(raw) == 1 else None
            if choice not in valid:
                return None
            answers[question_id] = choice
        return answers or None


def record_ballot(
    slug: str, form: MultiDict[str, str], reader_hash: str, address_hash: str
) -> Outcome:
    """Record or change this reader's answers to the article's poll; say what became of
    them (nothing is written unless they are recorded). The caller commits the session."""
    rule = burst_rule()
    for attempt in range(1, ATTEMPTS + 1):
        try:
            autocommit_statements()
            return _record(slug, form, reader_hash, address_hash, rule)
        except DBAPIError as error:
            # Two voters of one address marking each other's burst (or a moderator's
            # transaction) can lock rows in a cycle: PostgreSQL cancels one, which runs again.
            if not is_deadlock(error) or attempt == ATTEMPTS:
                raise
            db.session.rollback()
            current_app.logger.warning(
                "Vote cancelled by a deadlock, attempt %d of %d", attempt, ATTEMPTS
            )
    raise AssertionError("unreachable")


def _record(
    slug: str,
    form: MultiDict[str, str],
    reader_hash: str,
    address_hash: str,
    rule: BurstRule,
) -> Outcome:
    now = utcnow()
    since = now - rule.window
    ballot = read_ballot(slug, reader_hash, address_hash, rule.voters, since)
    if ballot is None:
        return Outcome.UNKNOWN_ARTICLE
    if not ballot.poll_open:
        return Outcome.POLL_CLOSED
    answers = ballot.complete_answers(form)
    if answers is None:
        return Outcome.INCOMPLETE
    created = _upsert_votes(answers, reader_hash, address_hash, now)
    reader_in_window = ballot.reader_in_window or any(at >= since for at in created)
    if is_burst(rule, ballot.other_voters, reader_in_window):
        _mark_burst(address_hash, since)
    if ballot.reader_has_commented:
        touch_article(ballot.article_id)
    return Outcome.RECORDED


def read_ballot(
    slug: str,
    reader_hash: str,
    address_hash: str,
    burst_voters: int,
    since: datetime,
) -> Ballot | None:
    """The article's ballot with the reader's and the address's standing, in one query."""
    rows = db.session.execute(
        _ballot_query(),
        {
            "slug": slug,
            "reader": reader_hash,
            "address": address_hash,
            "since": since,
            "burst_voters": max(burst_voters, 0),
        },
    ).all()
    if not rows:
        return None
    choices: dict[int, set[int]] = {}
    for *_standing, question_id, choice_id in rows:
        if question_id is not None and choice_id is not None:
            choices.setdefault(question_id, set()).add(choice_id)
    article_id, poll_open, commented, other_voters, in_window, *_ = rows[0]
    return Ballot(
        article_id,
        poll_open,
        {question: frozenset(ids) for question, ids in choices.items()},
        commented,
        other_voters,
        in_window,
    )


@cache
def _ballot_query():
    # Built once, with its values as parameters (and on the tables, not the ORM classes):
    # each vote then skips building the statement, its cache key and the ORM's layer.
    articles, questions, choices = Article.__table__, PollQuestion.__table__, PollChoice.__table__
    votes, comments = Vote.__table__, Comment.__table__
    reader = bindparam("reader", type_=votes.c.reader_hash.type)
    from_address = (votes.c.address_hash == bindparam("address")) & (
        votes.c.created_at >= bindparam("since")
    )
    other_voters = (
        select(votes.c.reader_hash)
        .where(from_address, votes.c.reader_hash != reader)
        .distinct()
        .limit(bindparam("burst_voters", type_=Integer))  # enough to tell a burst
        .subquery()
    )
    return (
        select(
            articles.c.id,
            articles.c.poll_open,
            exists().where(
                comments.c.reader_hash == reader, comments.c.article_id == articles.c.id
            ),
            select(func.count()).select_from(other_voters).scalar_subquery(),
            exists().where(from_address, votes.c.reader_hash == reader),
            questions.c.id,
            choices.c.id,
        )
        .outerjoin(questions, questions.c.article_id == articles.c.id)
        .outerjoin(choices, choices.c.question_id == questions.c.id)
        .where(articles.c.slug == bindparam("slug"))
    )


def is_burst(rule: BurstRule, other_voters: int, reader_in_window: bool) -> bool:
    """Whether the address's readers in the window, this one included once their vote is
    recorded, make a burst."""
    return rule.voters > 0 and other_voters + reader_in_window >= rule.voters


def _upsert_votes(
    answers: dict[int, int],
    reader_hash: str,
    address_hash: str,
    now: datetime,
) -> list[datetime]:
    # The unique constraint decides between insert and update, so concurrent submissions by
    # one reader never make two rows nor fail. A changed vote keeps its creation time: the
    # times returned say whether this reader's votes fall in the burst window.
    rows = [
        {
            "question_id": question_id,
            "choice_id": choice_id,
            "reader_hash": reader_hash,
            "address_hash": address_hash,
            "burst": False,
            "created_at": now,
            "updated_at": now,
        }
        for question_id, choice_id in sorted(answers.items())
    ]
    statement = _upsert_statement(db.session.get_bind().dialect.name)
    # The rows go in one statement (SQLAlchemy's "insertmanyvalues"), in a fixed order so
    # that two submissions by one reader lock their rows in the same order.
    return list(db.session.execute(statement, rows).scalars())


@cache  # two entries at most: one per dialect
def _upsert_statement(dialect: str):
    # Built once without values: SQLAlchemy compiles it once and reuses it for every vote.
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Vote.__table__)
    return statement.on_conflict_do_update(
        index_elements=["question_id", "reader_hash"],
        set_={
            name: statement.excluded[name] for name in ("choice_id", "updated_at", "address_hash")
        },
    ).returning(Vote.__table__.c.created_at)


def _mark_burst(address_hash: str, since: datetime) -> None:
    # The whole burst is marked, its first votes and this reader's included.
    votes = Vote.__table__
    db.session.execute(
        update(votes)
        .where(
            votes.c.address_hash == address_hash,
            votes.c.created_at >= since,
            votes.c.burst.is_(False),
        )
        .values(burst=True)
    )
