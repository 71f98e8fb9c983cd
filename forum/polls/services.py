"""The poll's questions and its results (a ballot is recorded by forum.polls.ballot)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from forum.extensions import db
from forum.models import Article, PollQuestion, Vote


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
