"""The poll rules: casting votes safely under concurrency, and counting the results."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import exists, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload, selectinload

from forum.extensions import db
from forum.models import Article, Comment, PollChoice, PollQuestion, Vote, utcnow
from forum.page_cache import changes_pages
from forum.parsing import bounded_int


class PollClosed(Exception):
    """The poll of this article no longer takes votes."""


class InvalidChoice(ValueError):
    """A choice that does not belong to the question it was sent for."""


@dataclass(frozen=True)
class ChoiceResult:
    id: int
    label: str
    stance: str
    count: int
    percent: int
    chosen: bool


@dataclass(frozen=True)
class QuestionResult:
    id: int
    key: str
    prompt: str
    headline: str
    voters: int
    choices: list[ChoiceResult]
    reader_choice_id: int | None
    # Share of voters whose answer leans positive ("plutôt" or "tout à fait"), in percent.
    positive_percent: int


@dataclass(frozen=True)
class PollResults:
    questions: list[QuestionResult]
    voters: int
    reader_has_voted: bool


def load_questions(article: Article) -> list[PollQuestion]:
    """The article's questions with their choices, in two queries."""
    return list(
        db.session.execute(
            select(PollQuestion)
            .where(PollQuestion.article_id == article.id)
            .options(selectinload(PollQuestion.choices))
            .order_by(PollQuestion.position)
        ).scalars()
    )


def get_article_with_poll(slug: str) -> Article | None:
    """The article with its questions and their choices, in one query (the vote path)."""
    return (
        db.session.execute(
            select(Article)
            .where(Article.slug == slug)
            .options(joinedload(Article.questions).joinedload(PollQuestion.choices))
        )
        .unique()
        .scalar_one_or_none()
    )


@dataclass(frozen=True)
class Ballot:
    """What a vote needs to know of an article: whether it is open, and each question's
    choice ids (read as plain rows: no ORM objects, no form class on the vote path)."""

    article_id: int
    poll_open: bool
    choices: dict[int, frozenset[int]]

    def complete_answers(self, form) -> dict[int, int] | None:
        """The answers of a form that answers every question with one of its choices;
        None otherwise (the view then shows the form with its messages)."""
        answers = {}
        for question_id, valid in self.choices.items():
            raw = form.getlist(f"q_{question_id}")
            choice = bounded_int(raw[0]) if len(raw) == 1 else None
            if choice not in valid:
                return None
            answers[question_id] = choice
        return answers or None


def get_ballot(slug: str) -> Ballot | None:
    """The article's poll as a ballot, in one query."""
    rows = db.session.execute(
        select(Article.id, Article.poll_open, PollQuestion.id, PollChoice.id)
        .outerjoin(PollQuestion, PollQuestion.article_id == Article.id)
        .outerjoin(PollChoice, PollChoice.question_id == PollQuestion.id)
        .where(Article.slug == slug)
    ).all()
    if not rows:
        return None
    choices: dict[int, set[int]] = {}
    for _article, _open, question_id, choice_id in rows:
        if question_id is not None and choice_id is not None:
            choices.setdefault(question_id, set()).add(choice_id)
    return Ballot(rows[0][0], rows[0][1], {q: frozenset(c) for q, c in choices.items()})


def cast_votes(
    article: Article,
    questions: list[PollQuestion],
    answers: dict[int, int],
    reader_hash: str,
    address_hash: str | None,
) -> None:
    """Record or change this reader's answers; one row per reader and question."""
    ballot = Ballot(
        article.id, article.poll_open, {q.id: frozenset(c.id for c in q.choices) for q in questions}
    )
    cast_ballot(ballot, answers, reader_hash, address_hash)


def cast_ballot(
    ballot: Ballot, answers: dict[int, int], reader_hash: str, address_hash: str | None
) -> None:
    """cast_votes for a ballot read with get_ballot."""
    if not ballot.poll_open:
        raise PollClosed
    for question_id, choice_id in answers.items():
        if choice_id not in ballot.choices.get(question_id, ()):
            raise InvalidChoice(question_id)
    if answers:
        # A commenter's vote changes their stance badge and the summary per side.
        pages = (ballot.article_id,) if _has_commented(ballot.article_id, reader_hash) else ()
        _upsert_votes(answers, reader_hash, address_hash, pages)


def _has_commented(article_id: int, reader_hash: str) -> bool:
    # Only a commenter's vote changes the discussion; other votes leave its cache alone and
    # never lock the article row, so a wave of votes does not queue behind one row.
    return db.session.execute(
        select(exists().where(Comment.reader_hash == reader_hash, Comment.article_id == article_id))
    ).scalar_one()


def _upsert_votes(
    answers: dict[int, int], reader_hash: str, address_hash: str | None, pages: tuple[int, ...]
):
    # One statement per question, sent together: the unique constraint decides between
    # insert and update, so concurrent submissions by one reader never make two rows nor fail.
    now = utcnow()
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
    db.session.execute(
        _upsert_statement(db.session.get_bind().dialect.name),
        rows,
        execution_options=changes_pages(*pages),
    )


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
    )


def poll_results(questions: list[PollQuestion], reader_hash: str | None) -> PollResults:
    """Counts, percentages and the reader's own answers for these questions (2 queries)."""
    ids = [q.id for q in questions]
    counts = dict(
        db.session.execute(
            select(Vote.choice_id, func.count())
            .where(Vote.question_id.in_(ids))
            .group_by(Vote.choice_id)
        ).all()
    )
    mine = _reader_choices(ids, reader_hash)
    results = [_question_result(q, counts, mine.get(q.id)) for q in questions]
    voters = max((r.voters for r in results), default=0)
    return PollResults(results, voters, bool(mine))


def _reader_choices(question_ids: list[int], reader_hash: str | None) -> dict[int, int]:
    if not reader_hash or not question_ids:
        return {}
    return dict(
        db.session.execute(
            select(Vote.question_id, Vote.choice_id).where(
                Vote.question_id.in_(question_ids), Vote.reader_hash == reader_hash
            )
        ).all()
    )


def _question_result(
    question: PollQuestion, counts: dict[int, int], reader_choice: int | None
) -> QuestionResult:
    choice_counts = [counts.get(c.id, 0) for c in question.choices]
    total = sum(choice_counts)
    percents = largest_remainder_percents(choice_counts)
    choices = [
        ChoiceResult(c.id, c.label, c.stance, n, p, c.id == reader_choice)
        for c, n, p in zip(question.choices, choice_counts, percents, strict=True)
    ]
    positive = sum(c.count for c in choices if c.stance == "positive")
    return QuestionResult(
        id=question.id,
        key=question.key,
        prompt=question.prompt,
        headline=question.headline,
        voters=total,
        choices=choices,
        reader_choice_id=reader_choice,
        positive_percent=round(100 * positive / total) if total else 0,
    )


def largest_remainder_percents(counts: list[int]) -> list[int]:
    """Whole percentages that add up to exactly 100 (all zero when nobody voted)."""
    total = sum(counts)
    if total == 0:
        return [0] * len(counts)
    exact = [100 * n / total for n in counts]
    floors = [int(x) for x in exact]
    missing = 100 - sum(floors)
    by_remainder = sorted(range(len(counts)), key=lambda i: exact[i] - floors[i], reverse=True)
    for index in by_remainder[:missing]:
        floors[index] += 1
    return floors
