"""A complete ballot recorded on PostgreSQL in one statement, outside any transaction.

forum.polls.services records a vote in five statements inside a transaction: seven round
trips to the server with BEGIN and COMMIT. On PostgreSQL each round trip costs both the
worker and the server a wake-up, and votes arrive in waves, so the whole rule (the ballot
checked against the article's open poll, the upsert, the burst marking of the address,
the article's cache version for a commenter) runs here as one statement, atomic on its
own. Anything it does not accept is left to the form path, which explains what is wrong.
SQLite has no round trips and keeps the ORM path.

Two readers of one address voting at the same moment can each hold their own rows while
marking the other's burst (or a moderator's transaction holds some): PostgreSQL breaks the
lock cycle by cancelling one statement, which then runs again.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from forum.database import is_deadlock, single_statement_connection
from forum.parsing import bounded_int
from forum.polls.bursts import BurstRule

_ATTEMPTS = 3
_RECORD_BALLOT = text("""
WITH article AS (
    SELECT id FROM articles WHERE slug = :slug AND poll_open
),
ballot AS (
    SELECT s.question_id, s.choice_id
    FROM unnest(CAST(:question_ids AS integer[]), CAST(:choice_ids AS integer[]))
         AS s(question_id, choice_id)
    JOIN poll_choices c ON c.id = s.choice_id AND c.question_id = s.question_id
    JOIN poll_questions q ON q.id = s.question_id
    WHERE q.article_id = (SELECT id FROM article)
),
complete AS (
    -- Every question of the article answered, each with one of its own choices.
    SELECT id FROM article
    WHERE (SELECT count(*) FROM ballot) = cardinality(CAST(:question_ids AS integer[]))
      AND (SELECT count(*) FROM poll_questions p WHERE p.article_id = article.id)
          = cardinality(CAST(:question_ids AS integer[]))
),
readers_in_window AS (
    -- The address's voters in the window as they stand once this ballot is recorded: the
    -- reader's rows for these questions keep their creation time, new rows start now.
    SELECT v.reader_hash FROM votes v
    WHERE v.address_hash = :address AND v.created_at >= :since
      AND NOT (v.reader_hash = :reader
               AND v.question_id = ANY(CAST(:question_ids AS integer[])))
    UNION
    SELECT CAST(:reader AS varchar) FROM ballot b
    LEFT JOIN votes mine ON mine.question_id = b.question_id AND mine.reader_hash = :reader
    WHERE coalesce(mine.created_at, CAST(:now AS timestamp)) >= :since
),
verdict AS (
    SELECT CAST(:burst_voters AS integer) > 0
           AND (SELECT count(*) FROM readers_in_window) >= :burst_voters AS burst
),
-- The three changes below run to completion whether or not the final SELECT reads them.
upserted AS (
    INSERT INTO votes (question_id, choice_id, reader_hash, address_hash, burst,
                       created_at, updated_at)
    SELECT b.question_id, b.choice_id, :reader, :address, (SELECT burst FROM verdict),
           :now, :now
    FROM ballot b WHERE EXISTS (SELECT 1 FROM complete)
    ON CONFLICT (question_id, reader_hash) DO UPDATE
    SET choice_id = excluded.choice_id, updated_at = excluded.updated_at,
        address_hash = excluded.address_hash,
        burst = votes.burst OR (excluded.burst AND votes.created_at >= :since)
),
marked AS (
    -- The whole burst is marked, its first votes included; the reader's own rows are
    -- marked by the upsert (one statement may not change a row twice).
    UPDATE votes SET burst = true
    WHERE (SELECT burst FROM verdict) AND EXISTS (SELECT 1 FROM complete)
      AND address_hash = :address AND created_at >= :since AND NOT burst
      AND NOT (reader_hash = :reader AND question_id = ANY(CAST(:question_ids AS integer[])))
),
touched AS (
    -- A commenter's vote changes their stance badge and the summary per side.
    UPDATE articles SET cache_version = cache_version + 1
    WHERE id = (SELECT id FROM complete)
      AND EXISTS (SELECT 1 FROM comments
                  WHERE comments.reader_hash = :reader AND comments.article_id = articles.id)
)
SELECT (SELECT id FROM complete) AS article_id
""")


def submitted_answers(form) -> dict[int, int] | None:
    """The form's answers as {question id: choice id} when every `q_<id>` field holds one
    id (forum.parsing.bounded_int); None otherwise."""
    answers = {}
    for name in form:
        if not name.startswith("q_"):
            continue
        values = form.getlist(name)
        question = bounded_int(name[2:])
        choice = bounded_int(values[0]) if len(values) == 1 else None
        if question is None or choice is None:
            return None
        answers[question] = choice
    return answers or None


def record_ballot(
    slug: str,
    answers: dict[int, int],
    reader_hash: str,
    address_hash: str,
    rule: BurstRule,
    now: datetime,
) -> bool:
    """Record a complete ballot for the article's open poll; False, with nothing written,
    when the ballot is not one (unknown article, closed poll, a question missing or a
    choice of another question)."""
    questions = sorted(answers)
    parameters = {
        "slug": slug,
        "question_ids": questions,
        "choice_ids": [answers[q] for q in questions],
        "reader": reader_hash,
        "address": address_hash,
        "now": now,
        "since": now - rule.window,
        "burst_voters": rule.voters,
    }
    for attempt in range(1, _ATTEMPTS):
        try:
            return _recorded(parameters)
        except DBAPIError as error:
            if not is_deadlock(error):
                raise
            current_app.logger.warning(
                "Vote cancelled by a deadlock, attempt %d of %d", attempt, _ATTEMPTS
            )
    return _recorded(parameters)


def _recorded(parameters: dict) -> bool:
    with single_statement_connection() as connection:
        row = connection.execute(_RECORD_BALLOT, parameters).one()
    return row.article_id is not None
