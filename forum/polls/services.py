"""The poll's questions and its results (a ballot is recorded by forum.polls.ballot)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from forum.extensions import db
from forum.models import Article, PollQuestion, Vote, VoteChange
from forum.models.articles import COUNTED_VOTE_STATUSES


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
    # Voters who changed their answer, and where they stand now: (choice label, readers),
    # most readers first.
    changed_minds: int = 0
    changed_to: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class PollResults:
    questions: list[QuestionResult]
    voters: int
    reader_has_voted: bool
    # Readers whose votes are held for review (forum.polls.ballot): not in the figures.
    held_voters: int = 0
    reader_vote_held: bool = False


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
    """Counts, percentages, changed minds and the reader's own answers for these questions
    (3 queries); held and discarded votes are left out of the counts, and the held ones are
    counted apart."""
    ids = [q.id for q in questions]
    counts: dict[int, int] = {}
    held: dict[int, int] = {}
    for choice_id, status, count in db.session.execute(
        select(Vote.choice_id, Vote.status, func.count())
        .where(Vote.question_id.in_(ids))
        .group_by(Vote.choice_id, Vote.status)
    ).all():
        if status in COUNTED_VOTE_STATUSES:
            counts[choice_id] = counts.get(choice_id, 0) + count
        elif status == "held":
            held[choice_id] = held.get(choice_id, 0) + count
    mine = _reader_choices(ids, reader_hash)
    choices = {question: choice for question, (choice, _status) in mine.items()}
    moved = changed_minds(ids)
    results = [
        _question_result(q, counts, choices.get(q.id), moved.get(q.id, {})) for q in questions
    ]
    voters = max((r.voters for r in results), default=0)
    held_voters = max((sum(held.get(c.id, 0) for c in q.choices) for q in questions), default=0)
    reader_held = any(status == "held" for _choice, status in mine.values())
    return PollResults(results, voters, bool(mine), held_voters, reader_held)


def changed_minds(question_ids: list[int]) -> dict[int, dict[int, int]]:
    """Per question, the counted voters who changed their answer, by the choice they hold
    now (one query, read from the history of changes: fewer rows than the votes)."""
    if not question_ids:
        return {}
    changed = (
        select(VoteChange.question_id, VoteChange.reader_hash)
        .where(VoteChange.question_id.in_(question_ids))
        .distinct()
        .subquery()
    )
    rows = db.session.execute(
        select(Vote.question_id, Vote.choice_id, func.count())
        .join(
            changed,
            (changed.c.question_id == Vote.question_id)
            & (changed.c.reader_hash == Vote.reader_hash),
        )
        .where(Vote.status.in_(COUNTED_VOTE_STATUSES))
        .group_by(Vote.question_id, Vote.choice_id)
    ).all()
    moved: dict[int, dict[int, int]] = {}
    for question_id, choice_id, count in rows:
        moved.setdefault(question_id, {})[choice_id] = count
    return moved


def _reader_choices(question_ids: list[int], reader_hash: str | None) -> dict[int, tuple[int, str]]:
    """The reader's choice and its vote's status, per question."""
    if not reader_hash or not question_ids:
        return {}
    rows = db.session.execute(
        select(Vote.question_id, Vote.choice_id, Vote.status).where(
            Vote.question_id.in_(question_ids), Vote.reader_hash == reader_hash
        )
    ).all()
    return {question: (choice, status) for question, choice, status in rows}


def _question_result(
    question: PollQuestion,
    counts: dict[int, int],
    reader_choice: int | None,
    moved: dict[int, int],
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
        changed_minds=sum(moved.values()),
        changed_to=tuple(
            sorted(
                ((c.label, moved[c.id]) for c in question.choices if moved.get(c.id)),
                key=lambda pair: -pair[1],
            )
        ),
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
