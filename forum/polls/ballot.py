"""Recording a reader's ballot: every vote rule in one place, on both databases.

A ballot is recorded when the article's poll is open and the form answers each of its
questions with one of that question's choices. A reader votes once per question: voting
again changes the same rows. Each address has an allowance: the first
`FORUM_VOTE_BURST_COUNT` readers who vote from it within `FORUM_VOTE_BURST_MINUTES` are
counted; the votes of further new readers from it in that window are kept but held (not
refused: an office or a mobile carrier puts many readers behind one address), left out of
the results until staff release them (forum.moderation.held_votes). All of the burst is marked too
(its first votes included) so moderators can judge it. A vote by a reader who has commented
on the article changes their stance badge and the summary per side, so it touches the
article's cache version. Reasons ticked with the answer to the credibility question
(forum.polls.reasons) must be among the article's offered ones, each once; they replace the
reader's earlier ones.

A vote is one statement, one round trip to the database: the ballot (the poll's questions
and choices, and whether it is open) is read once per article version and kept by each
worker; the rules are checked here against it; the upsert writes only while the article is
still at that version (else the ballot is read again and checked again), and returns what
the burst and the cache version need to know of the reader and the address, and the choice
each row held before. Marking a burst, touching the cache version and keeping the history
of a changed answer (vote_changes) and replacing the reader's reasons are statements of
their own, when they are needed: a vote without reasons, by a reader who had none, is the
upsert alone.
On PostgreSQL each statement commits on its own, outside the session
(forum.database.autocommit_connection): the upsert is atomic, and a burst left unmarked by a
crash right after it is marked by the address's next vote.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import (
    DateTime,
    Integer,
    String,
    bindparam,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from werkzeug.datastructures import MultiDict

from forum.database import autocommit_connection, is_deadlock
from forum.models import (
    Article,
    ArticleReason,
    Comment,
    PollChoice,
    PollQuestion,
    Vote,
    VoteChange,
    VoteReason,
    utcnow,
)
from forum.models.articles import COUNTED_VOTE_STATUSES, CREDIBILITY_QUESTION_KEY
from forum.page_cache import changed_page, changes_pages
from forum.parsing import bounded_int
from forum.polls.reasons import FIELD as REASONS_FIELD

ATTEMPTS = 3
COUNTED, HELD = "counted", "held"
BALLOTS = "forum.ballots"  # current_app.extensions: each article's ballot, by slug


class Outcome(enum.Enum):
    RECORDED = "recorded"
    UNKNOWN_ARTICLE = "unknown article"
    POLL_CLOSED = "poll closed"
    INCOMPLETE = "incomplete"  # a question unanswered, or answered with another's choice
    # A reason that is not one of the offered ones (unknown, not a number), or sent twice.
    UNKNOWN_REASON = "unknown reason"


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
    """The article's poll as a vote needs it, at one version of the article."""

    article_id: int
    version: int
    poll_open: bool
    choices: dict[int, frozenset[int]]  # each question's choice ids
    reasons_question: int | None = None  # the credibility question, which reasons explain
    reasons: frozenset[int] = frozenset()  # the ids of the reasons offered

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

    def ticked_reasons(self, form: MultiDict[str, str]) -> list[int] | None:
        """The offered reasons the form ticks, each once; None if it sends anything else."""
        raw = form.getlist(REASONS_FIELD)
        ticked = [bounded_int(value) for value in raw]
        if len(set(ticked)) != len(raw) or not self.reasons.issuperset(ticked):
            return None
        return ticked


@dataclass(frozen=True)
class Standing:
    """What the upsert returns of the reader and the address."""

    created: list[datetime]  # the creation time of each of the ballot's rows
    reader_has_commented: bool
    # Other readers of the address in the window (at most the burst size), and whether this
    # reader has another vote from it there (with `created`: whether they count in it).
    other_voters: int
    reader_in_window: bool
    # (question, from choice, to choice) of each answer this ballot changed.
    changes: list[tuple[int, int, int]]
    reader_had_reasons: bool = False


def record_ballot(
    slug: str, form: MultiDict[str, str], reader_hash: str, address_hash: str
) -> Outcome:
    """Record or change this reader's answers to the article's poll; say what became of
    them (nothing is written unless they are recorded). The caller commits the session
    (forum.database.commit_if_used)."""
    rule = burst_rule()
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with autocommit_connection() as connection:
                return _record(connection, slug, form, reader_hash, address_hash, rule)
        except DBAPIError as error:
            # Two voters of one address marking each other's burst (or a moderator's
            # transaction) can lock rows in a cycle: PostgreSQL cancels one statement (each
            # commits on its own), which runs again.
            if not is_deadlock(error) or attempt == ATTEMPTS:
                raise
            current_app.logger.warning(
                "Vote cancelled by a deadlock, attempt %d of %d", attempt, ATTEMPTS
            )
    raise AssertionError("unreachable")


def _record(
    connection: Connection,
    slug: str,
    form: MultiDict[str, str],
    reader_hash: str,
    address_hash: str,
    rule: BurstRule,
) -> Outcome:
    now = utcnow()
    since = now - rule.window
    kept = current_app.extensions.setdefault(BALLOTS, {}).get(slug)
    ballot, fresh = kept or read_ballot(connection, slug), kept is None
    while True:
        outcome, answers, reasons = judge(ballot, form)
        if answers is not None:
            standing = _upsert_votes(
                connection, ballot, answers, reader_hash, address_hash, rule, now
            )
            if standing is not None:
                break
        elif fresh:
            return outcome
        # Refused on a kept ballot, or not written because the article changed since: decided
        # again on the ballot as it stands now.
        ballot, fresh = read_ballot(connection, slug), True
    reader_in_window = standing.reader_in_window or any(at >= since for at in standing.created)
    if is_burst(rule, standing.other_voters, reader_in_window):
        _mark_burst(connection, address_hash, since)
    if standing.reader_has_commented:  # their stance badge and the summary per side change
        changed_page(ballot.article_id)
    if standing.changes:
        _keep_changes(connection, standing.changes, reader_hash, now)
    if reasons or standing.reader_had_reasons:
        _replace_reasons(
            connection,
            ballot.reasons_question,
            reader_hash,
            reasons,
            standing.reader_had_reasons,
        )
    return Outcome.RECORDED


def judge(
    ballot: Ballot | None, form: MultiDict[str, str]
) -> tuple[Outcome, dict[int, int] | None, list[int]]:
    """What the rules make of this form, with its answers and reasons when they are to be
    recorded."""
    if ballot is None:
        return Outcome.UNKNOWN_ARTICLE, None, []
    if not ballot.poll_open:
        return Outcome.POLL_CLOSED, None, []
    answers = ballot.complete_answers(form)
    if not answers:
        return Outcome.INCOMPLETE, None, []
    reasons = ballot.ticked_reasons(form)
    if reasons is None:
        return Outcome.UNKNOWN_REASON, None, []
    return Outcome.RECORDED, answers, reasons


def read_ballot(connection: Connection, slug: str) -> Ballot | None:
    """The article's ballot as it stands, in one query; kept for the next votes."""
    rows = connection.execute(_ballot_query(), {"slug": slug}).all()
    ballots = current_app.extensions.setdefault(BALLOTS, {})
    if not rows:
        ballots.pop(slug, None)
        return None
    choices: dict[int, set[int]] = {}
    reasons, reasons_question = set(), None
    for _id, _version, _open, question_id, key, choice_id, reason_id in rows:
        if question_id is not None and choice_id is not None:
            choices.setdefault(question_id, set()).add(choice_id)
        if key == CREDIBILITY_QUESTION_KEY:
            reasons_question = question_id
        if reason_id is not None:
            reasons.add(reason_id)
    article_id, version, poll_open, *_ = rows[0]
    ballot = Ballot(
        article_id,
        version,
        poll_open,
        {q: frozenset(ids) for q, ids in choices.items()},
        reasons_question,
        frozenset(reasons) if reasons_question is not None else frozenset(),
    )
    ballots[slug] = ballot
    return ballot


@cache
def _ballot_query():
    # Built once, with its values as parameters (and on the tables, not the ORM classes):
    # a vote then skips building the statement, its cache key and the ORM's layer. The
    # offered reasons come in rows of their own (joined, they would multiply the choices).
    articles, questions, choices = Article.__table__, PollQuestion.__table__, PollChoice.__table__
    reasons = ArticleReason.__table__
    article = (articles.c.id, articles.c.cache_version, articles.c.poll_open)
    poll = (
        select(*article, questions.c.id, questions.c.key, choices.c.id, cast(null(), Integer))
        .outerjoin(questions, questions.c.article_id == articles.c.id)
        .outerjoin(choices, choices.c.question_id == questions.c.id)
        .where(articles.c.slug == bindparam("slug"))
    )
    offered = (
        select(
            *article,
            cast(null(), Integer),
            cast(null(), String),
            cast(null(), Integer),
            reasons.c.id,
        )
        .join(reasons, reasons.c.article_id == articles.c.id)
        .where(articles.c.slug == bindparam("slug"), reasons.c.retired.is_(False))
    )
    return union_all(poll, offered)


def is_burst(rule: BurstRule, other_voters: int, reader_in_window: bool) -> bool:
    """Whether the address's readers in the window, this one included once their vote is
    recorded, make a burst."""
    return rule.voters > 0 and other_voters + reader_in_window >= rule.voters


def _upsert_votes(
    connection: Connection,
    ballot: Ballot,
    answers: dict[int, int],
    reader_hash: str,
    address_hash: str,
    rule: BurstRule,
    now: datetime,
) -> Standing | None:
    """Record one row per reader and question; None, with nothing written, when the article
    is no longer at the ballot's version."""
    values = {
        "article": ballot.article_id,
        "version": ballot.version,
        "reader": reader_hash,
        "address": address_hash,
        "now": now,
        "since": now - rule.window,
        "burst_voters": max(rule.voters, 0),
        "reasons_question": ballot.reasons_question,
    }
    for row, (question_id, choice_id) in enumerate(sorted(answers.items())):
        values[f"question_{row}"], values[f"choice_{row}"] = question_id, choice_id
    statement = _upsert_statement(connection.dialect.name, len(answers))
    # Only a commenter's vote changes the page: named once the statement has said so.
    rows = connection.execute(statement, values, execution_options=changes_pages()).all()
    if not rows:
        return None
    return Standing(
        [row.created_at for row in rows],
        rows[0].commented,
        max(row.other_voters for row in rows),
        any(row.in_window for row in rows),
        [
            (row.question_id, row.previous_choice_id, row.choice_id)
            for row in rows
            if row.previous_choice_id is not None and row.previous_choice_id != row.choice_id
        ],
        rows[0].had_reasons,
    )


@cache  # one entry per dialect and number of questions
def _upsert_statement(dialect: str, questions: int):
    # Built once with its values as parameters: SQLAlchemy compiles it once and reuses it.
    # The unique constraint decides between insert and update, so concurrent submissions by
    # one reader never make two rows nor fail; a changed vote keeps its creation time, and
    # the choice it held (in SET, votes.choice_id is the existing row's), which it returns.
    votes, articles = Vote.__table__, Article.__table__
    answers = union_all(
        *(
            select(
                bindparam(f"question_{row}", type_=Integer).label("question_id"),
                bindparam(f"choice_{row}", type_=Integer).label("choice_id"),
            )
            for row in range(questions)
        )
    ).subquery("answers")
    unchanged = exists().where(
        articles.c.id == bindparam("article"), articles.c.cache_version == bindparam("version")
    )
    rows = select(
        answers.c.question_id,
        answers.c.choice_id,
        bindparam("reader", type_=String),
        bindparam("address", type_=String),
        false(),
        _new_vote_status(),
        bindparam("now", type_=DateTime),
        bindparam("now", type_=DateTime),
    ).where(unchanged)
    insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(votes).from_select(
        [
            "question_id",
            "choice_id",
            "reader_hash",
            "address_hash",
            "burst",
            "status",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    upsert = insert.on_conflict_do_update(
        index_elements=["question_id", "reader_hash"],
        set_={
            "previous_choice_id": votes.c.choice_id,
            **{name: insert.excluded[name] for name in ("choice_id", "updated_at", "address_hash")},
        },
    )
    return upsert.returning(
        votes.c.created_at,
        votes.c.question_id,
        votes.c.choice_id,
        votes.c.previous_choice_id,
        *_standing_of_reader_and_address(),
    )


def _address_window(alias: str):
    """The votes of the address in the window, on an alias of its own (so that a read in
    the upsert's statement reads the table, not the row), and the distinct other readers
    among them, up to the allowance: what both the hold and the burst count."""
    votes = Vote.__table__.alias(alias)
    from_address = (votes.c.address_hash == bindparam("address", type_=String)) & (
        votes.c.created_at >= bindparam("since")
    )
    other_voters = (
        select(votes.c.reader_hash)
        .where(from_address, votes.c.reader_hash != bindparam("reader", type_=String))
        .distinct()
        .limit(bindparam("burst_voters", type_=Integer))  # enough to tell
        .subquery()
    )
    return votes, from_address, select(func.count()).select_from(other_voters).scalar_subquery()


def _new_vote_status():
    # Read before the insert, in its own statement: a new row is held when the address has
    # had its allowance of other readers in the window and this reader is not one of the
    # counted ones (a changed vote keeps its row's status: the upsert does not set it).
    # Two new readers of one address at the same instant may both take the last place.
    votes, from_address, other_voters = _address_window("allowance_votes")
    counted_here = exists().where(
        from_address,
        votes.c.reader_hash == bindparam("reader", type_=String),
        # Literal values, not an expanding parameter: nothing to expand at each execution.
        votes.c.status.in_([literal(status, String) for status in COUNTED_VOTE_STATUSES]),
    )
    allowance = bindparam("burst_voters", type_=Integer)
    held = (allowance > 0) & (other_voters >= allowance) & ~counted_here
    return case((held, literal(HELD, String)), else_=literal(COUNTED, String))


def _standing_of_reader_and_address():
    votes, from_address, other_voters = _address_window("address_votes")
    reader = bindparam("reader", type_=String)
    vote_reasons = VoteReason.__table__
    return (
        exists()
        .where(
            vote_reasons.c.question_id == bindparam("reasons_question", type_=Integer),
            vote_reasons.c.reader_hash == reader,
        )
        .label("had_reasons"),
        exists()
        .where(
            Comment.__table__.c.reader_hash == reader,
            Comment.__table__.c.article_id == bindparam("article"),
        )
        .label("commented"),
        other_voters.label("other_voters"),
        exists().where(from_address, votes.c.reader_hash == reader).label("in_window"),
    )


def _keep_changes(
    connection: Connection, changes: list[tuple[int, int, int]], reader_hash: str, now: datetime
) -> None:
    """Keep the history of changed answers (one statement, only when an answer changed):
    the results count the readers who changed their mind (forum.polls.services)."""
    connection.execute(
        VoteChange.__table__.insert(),
        [
            {
                "question_id": question_id,
                "reader_hash": reader_hash,
                "from_choice_id": from_choice,
                "to_choice_id": to_choice,
                "changed_at": now,
            }
            for question_id, from_choice, to_choice in changes
        ],
    )


def _replace_reasons(
    connection: Connection,
    question_id: int,
    reader_hash: str,
    reasons: list[int],
    had_reasons: bool,
) -> None:
    """The reader's reasons become these: the new ones added (those already there kept),
    then the others deleted; a statement each, only when there is something to add or to
    delete. In that order, each statement is whole on its own (PostgreSQL commits each as it
    runs): a page read between them sees the old reasons with the new, never none. They are
    not in the page's cached parts: the shares are read with the results, as counts are."""
    vote_reasons = VoteReason.__table__
    if reasons:
        dialect = connection.dialect.name
        insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(vote_reasons)
        connection.execute(
            insert.on_conflict_do_nothing(
                index_elements=["question_id", "reader_hash", "reason_id"]
            ),
            [
                {"question_id": question_id, "reader_hash": reader_hash, "reason_id": reason}
                for reason in reasons
            ],
        )
    if had_reasons:
        connection.execute(
            vote_reasons.delete().where(
                vote_reasons.c.question_id == question_id,
                vote_reasons.c.reader_hash == reader_hash,
                vote_reasons.c.reason_id.not_in(reasons),
            )
        )


def _mark_burst(connection: Connection, address_hash: str, since: datetime) -> None:
    # The whole burst is marked, its first votes and this reader's included.
    votes = Vote.__table__
    connection.execute(
        update(votes)
        .where(
            votes.c.address_hash == address_hash,
            votes.c.created_at >= since,
            votes.c.burst.is_(False),
        )
        .values(burst=True)
        .execution_options(**changes_pages())  # readers never see the mark
    )
