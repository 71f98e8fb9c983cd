"""Seed a benchmark database: the article, N comments in threads, "utile" marks and votes.

Rows are built in Python with explicit ids (a reply names its parent without a round trip)
and inserted with SQLAlchemy Core executemany, in batches.
"""

from __future__ import annotations

import hashlib
import random
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.engine import make_url

from bench import texts
from bench.settings import SLUG, make_app
from forum.articles.content import read_content_dir
from forum.articles.services import load_articles
from forum.comments.pseudonyms import fold_name
from forum.extensions import db
from forum.markdown import render_comment
from forum.models import (
    Article,
    ArticleReason,
    Comment,
    CommentVote,
    PollChoice,
    PollQuestion,
    Reader,
    Vote,
    VoteChange,
    VoteReason,
)
from forum.models.articles import CREDIBILITY_QUESTION_KEY
from forum.models.time import utcnow
from forum.page_cache import changes_pages

BATCH = 5000
THREAD_EVERY = 4  # one comment in four starts a thread: 25% threads, 75% replies
MAX_DEPTH = 3  # forum's FORUM_MAX_DEPTH default
MARKED_SHARE = 0.3  # comments with at least one "utile" mark
SEEDED_TABLES = ("readers", "comments", "comment_votes", "votes", "vote_changes", "vote_reasons")
CHANGED_SHARE = 0.1  # readers who changed their credibility answer once
REASONED_SHARE = 0.5  # readers who ticked one or two reasons with it


@dataclass
class SeedSummary:
    backend: str
    size: int
    threads: int
    readers: int
    marks: int
    votes: int
    seconds: float


class Progress:
    """A plain progress bar on stderr (a line of its own when stderr is not a terminal)."""

    def __init__(self, label: str, total: int, stream=sys.stderr):
        self.label, self.total, self.done, self.stream = label, total, 0, stream

    def advance(self, count: int) -> None:
        self.done += count
        if self.stream.isatty():
            filled = int(30 * self.done / max(self.total, 1))
            self.stream.write(f"\r{self.label} [{'#' * filled:<30}] {self.done}/{self.total}")
            self.stream.flush()

    def close(self) -> None:
        end = "\n" if self.stream.isatty() else f"{self.label}: {self.done} rows\n"
        self.stream.write(end)


def seed(url: str, size: int, *, seed_value: int = 7, progress: bool = True) -> SeedSummary:
    """Recreate the database at `url` with one article holding `size` comments."""
    started = time.perf_counter()
    app = make_app(url, FORUM_MIGRATIONS=True)
    reset_database(app, url)
    with app.app_context():
        upgrade()
        article_id = load_article()
        ballot = _ballot(article_id)
        rows = build_rows(
            article_id, ballot, _credibility(article_id), size, random.Random(seed_value)
        )
        stream = sys.stderr if progress else _Silent()
        bar = Progress(
            f"seed {db.engine.dialect.name} {size:,}", sum(map(len, rows.values())), stream
        )
        with db.engine.begin() as connection:
            insert_rows(connection, rows, bar)
            finish(connection, article_id)
        refresh_statistics(db.engine)
        bar.close()
        backend = db.engine.dialect.name
        db.engine.dispose()
    return SeedSummary(
        backend,
        size,
        sum(1 for c in rows["comments"] if c["parent_id"] is None),
        len(rows["readers"]),
        len(rows["comment_votes"]),
        len(rows["votes"]),
        time.perf_counter() - started,
    )


class _Silent:
    def write(self, _text: str) -> None:
        pass

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def reset_database(app: Flask, url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(make_url(url).database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        db.engine.dispose()


def load_article() -> int:
    """Load the shipped article as `flask content load` does; return its id."""
    load_articles(read_content_dir())
    return db.session.execute(select(Article.id).where(Article.slug == SLUG)).scalar_one()


def _ballot(article_id: int) -> dict[int, list[int]]:
    """Each question's id with its choice ids."""
    rows = db.session.execute(
        select(PollQuestion.id, PollChoice.id)
        .join(PollChoice, PollChoice.question_id == PollQuestion.id)
        .where(PollQuestion.article_id == article_id)
        .order_by(PollQuestion.position, PollChoice.position)
    )
    ballot: dict[int, list[int]] = {}
    for question_id, choice_id in rows:
        ballot.setdefault(question_id, []).append(choice_id)
    return ballot


def _credibility(article_id: int) -> tuple[int, list[int]]:
    """The credibility question's id and the article's reason ids."""
    question = db.session.execute(
        select(PollQuestion.id).where(
            PollQuestion.article_id == article_id, PollQuestion.key == CREDIBILITY_QUESTION_KEY
        )
    ).scalar_one()
    reasons = db.session.execute(
        select(ArticleReason.id).where(ArticleReason.article_id == article_id)
    ).scalars()
    return question, list(reasons)


def reader_hash(number: int) -> str:
    return hashlib.sha256(f"bench-reader-{number}".encode()).hexdigest()


def build_rows(
    article_id: int,
    ballot: dict[int, list[int]],
    credibility: tuple[int, list[int]],
    size: int,
    rng: random.Random,
) -> dict[str, list[dict]]:
    readers = max(10, size // 5)
    hashes = [reader_hash(n) for n in range(readers)]
    comments = build_comments(article_id, size, hashes, rng)
    votes = build_votes(ballot, hashes, comments[0]["created_at"], rng)
    question_id, reasons = credibility
    return {
        "readers": [_reader_row(n, hashes[n]) for n in range(readers)],
        "comments": comments,
        "comment_votes": build_marks(comments, hashes, rng),
        "votes": votes,
        "vote_changes": build_changes(votes, ballot[question_id], question_id, rng),
        "vote_reasons": build_reasons(hashes, question_id, reasons, rng),
    }


def _reader_row(number: int, hashed: str) -> dict:
    name = texts.pseudonym(number)
    return {
        "id": number + 1,
        "reader_hash": hashed,
        "pseudonym": name,
        "pseudonym_key": fold_name(name),
        "created_at": utcnow(),
    }


def build_comments(article_id: int, size: int, hashes: list[str], rng: random.Random) -> list[dict]:
    start = utcnow() - timedelta(seconds=20 * size)
    threads: list[list[tuple[int, int]]] = []  # per thread: (comment id, depth)
    rows = []
    for index in range(size):
        comment_id = index + 1
        if index % THREAD_EVERY == 0:
            threads.append([(comment_id, 0)])
            parent_id = thread_id = None
            depth = 0
        else:
            thread = rng.choice(threads[-50:]) if rng.random() < 0.8 else rng.choice(threads)
            parent_id, parent_depth = rng.choice([c for c in thread if c[1] < MAX_DEPTH])
            thread_id, depth = thread[0][0], parent_depth + 1
            thread.append((comment_id, depth))
        author = rng.randrange(len(hashes))
        rows.append(
            _comment_row(
                comment_id,
                article_id,
                parent_id,
                thread_id,
                depth,
                author,
                hashes[author],
                start + timedelta(seconds=20 * index),
                rng,
            )
        )
    return rows


def _comment_row(
    comment_id, article_id, parent_id, thread_id, depth, author, hashed, created_at, rng
) -> dict:
    body = texts.comment_body(rng)
    return {
        "id": comment_id,
        "article_id": article_id,
        "parent_id": parent_id,
        "thread_id": thread_id,
        "reply_to_id": None,
        "depth": depth,
        "reader_hash": hashed,
        "author_name": texts.pseudonym(author),
        "body_source": body,
        "body_html": render_comment(body),
        "status": "approved",
        "created_at": created_at,
        "useful_count": 0,
        "flag_count": 0,
        "address_hash": None,
        "submission_token": None,
    }


def build_marks(comments: list[dict], hashes: list[str], rng: random.Random) -> list[dict]:
    """Give some comments 1 to 5 "utile" marks and set their useful_count to match."""
    marks = []
    for comment in comments:
        if rng.random() >= MARKED_SHARE:
            continue
        markers = rng.sample(range(len(hashes)), rng.randint(1, 5))
        comment["useful_count"] = len(markers)
        created = comment["created_at"] + timedelta(minutes=1)
        marks.extend(
            {
                "id": len(marks) + 1,
                "comment_id": comment["id"],
                "reader_hash": hashes[m],
                "created_at": created,
            }
            for m in markers
        )
    return marks


def build_votes(
    ballot: dict[int, list[int]], hashes: list[str], since: datetime, rng: random.Random
) -> list[dict]:
    """Every seeded reader answers every question (so commenters carry a stance), at a time
    spread over the discussion's span (the results over time have hours and days to show)."""
    now = utcnow()
    span = max((now - since).total_seconds(), 1.0)
    votes = []
    for hashed in hashes:
        address = hashlib.sha256(f"address-{hashed}".encode()).hexdigest()
        cast = since + timedelta(seconds=rng.uniform(0, span))
        for question_id, choices in ballot.items():
            votes.append(
                {
                    "id": len(votes) + 1,
                    "question_id": question_id,
                    "choice_id": rng.choice(choices),
                    "reader_hash": hashed,
                    "address_hash": address,
                    "burst": False,
                    "previous_choice_id": None,
                    "created_at": cast,
                    "updated_at": cast,
                }
            )
    return votes


def build_changes(
    votes: list[dict], choices: list[int], question_id: int, rng: random.Random
) -> list[dict]:
    """Some readers changed their credibility answer once, after casting it: the vote holds
    the new answer and its previous one, the history the change."""
    now = utcnow()
    changes = []
    for vote in votes:
        if vote["question_id"] != question_id or rng.random() >= CHANGED_SHARE:
            continue
        earlier = rng.choice([c for c in choices if c != vote["choice_id"]])
        changed_at = vote["created_at"] + (now - vote["created_at"]) * rng.random()
        vote.update(previous_choice_id=earlier, updated_at=changed_at)
        changes.append(
            {
                "id": len(changes) + 1,
                "question_id": question_id,
                "reader_hash": vote["reader_hash"],
                "from_choice_id": earlier,
                "to_choice_id": vote["choice_id"],
                "changed_at": changed_at,
            }
        )
    return changes


def build_reasons(
    hashes: list[str], question_id: int, reasons: list[int], rng: random.Random
) -> list[dict]:
    """Half the readers ticked one or two of the article's reasons with their answer."""
    ticks = []
    for hashed in hashes:
        if not reasons or rng.random() >= REASONED_SHARE:
            continue
        for reason_id in rng.sample(reasons, min(len(reasons), rng.randint(1, 2))):
            ticks.append(
                {
                    "id": len(ticks) + 1,
                    "question_id": question_id,
                    "reader_hash": hashed,
                    "reason_id": reason_id,
                }
            )
    return ticks


TABLES = {
    "readers": Reader,
    "comments": Comment,
    "comment_votes": CommentVote,
    "votes": Vote,
    "vote_changes": VoteChange,
    "vote_reasons": VoteReason,
}


def insert_rows(connection: Connection, rows: dict[str, list[dict]], bar: Progress) -> None:
    for name in SEEDED_TABLES:
        table = TABLES[name].__table__
        batch_rows = rows[name]
        for offset in range(0, len(batch_rows), BATCH):
            chunk = batch_rows[offset : offset + BATCH]
            # No page to mark changed: finish() gives the article a version of its own.
            connection.execute(insert(table).execution_options(**changes_pages()), chunk)
            bar.advance(len(chunk))


def finish(connection: Connection, article_id: int) -> None:
    """Move id sequences past the explicit ids, start a cache version."""
    if connection.dialect.name == "postgresql":
        for name in SEEDED_TABLES:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
                )
            )
    # A version no earlier run used: a shared Redis cache cannot serve an older seed's page.
    connection.execute(
        update(Article)
        .where(Article.id == article_id)
        .values(cache_version=int(time.time()))
        .execution_options(**changes_pages())
    )


def refresh_statistics(engine) -> None:
    """What an operator's database has in steady state: statistics, and on PostgreSQL the
    freshly inserted tables vacuumed, so that autovacuum does not do it during the loads."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
