"""Why readers vote as they do: the reasons a reader may tick with their answer to the
credibility question, and the share of each among those who gave the same answer.

Each article offers its own short list (article_reasons), seeded from its content file
(forum.articles.content) and edited by staff in the article's settings. A reason taken off
the list is retired, not deleted: readers' ticks stay theirs (their data), out of the form
and the figures, and count again if staff put the same label back. The ticks are recorded
with the vote, by forum.polls.ballot (the one vote path); here are the list and the figures.

A choice's shares are shown only once MIN_VOTERS_SHOWN counted voters hold it: a share of
two or three readers could point at someone the others know.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select

from forum.extensions import db
from forum.lookalikes import strip_format
from forum.models import ArticleReason, PollQuestion, Vote, VoteReason
from forum.models.articles import (
    COUNTED_VOTE_STATUSES,
    CREDIBILITY_QUESTION_KEY,
    REASONS_PER_ARTICLE_MAX,
)
from forum.page_cache import Versioned, article_key, cached

MAX_REASONS = REASONS_PER_ARTICLE_MAX
LABEL_MAX = ArticleReason.__table__.c.label.type.length
MIN_VOTERS_SHOWN = 5
FIELD = "reason"  # the vote form's checkboxes: one value per ticked reason id


@dataclass(frozen=True)
class OfferedReason:
    id: int
    label: str


@dataclass(frozen=True)
class ReasonShare:
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class ChoiceReasons:
    """Among the counted voters who gave this answer, the share who ticked each reason."""

    choice: str
    voters: int
    shares: tuple[ReasonShare, ...]


def offered_reasons(article: Versioned) -> list[OfferedReason]:
    """The reasons the article's form offers, in order (cached under its version)."""
    return cached(article_key(article, "reasons"), lambda: _read_offered(article.id))


def _read_offered(article_id: int) -> list[OfferedReason]:
    rows = db.session.execute(
        select(ArticleReason.id, ArticleReason.label)
        .where(ArticleReason.article_id == article_id, ArticleReason.retired.is_(False))
        .order_by(ArticleReason.position, ArticleReason.id)
    ).all()
    return [OfferedReason(id, label) for id, label in rows]


def offered_labels() -> dict[int, list[str]]:
    """Every article's offered reasons, by article id (one query: the settings page)."""
    labels: dict[int, list[str]] = {}
    for article_id, label in db.session.execute(
        select(ArticleReason.article_id, ArticleReason.label)
        .where(ArticleReason.retired.is_(False))
        .order_by(ArticleReason.article_id, ArticleReason.position, ArticleReason.id)
    ).all():
        labels.setdefault(article_id, []).append(label)
    return labels


def reasons_question(questions: list[PollQuestion]) -> PollQuestion | None:
    return next((q for q in questions if q.key == CREDIBILITY_QUESTION_KEY), None)


def reader_reasons(question_id: int, reader_hash: str | None) -> frozenset[int]:
    """The reasons this reader ticked with their answer (one query)."""
    if not reader_hash:
        return frozenset()
    return frozenset(
        db.session.execute(
            select(VoteReason.reason_id).where(
                VoteReason.question_id == question_id, VoteReason.reader_hash == reader_hash
            )
        ).scalars()
    )


def reason_shares(
    question: PollQuestion, voters_by_choice: dict[int, int], offered: list[OfferedReason]
) -> list[ChoiceReasons]:
    """Per answer held by at least MIN_VOTERS_SHOWN counted voters, the share of them who
    ticked each offered reason, most ticked first (one query, whatever the votes)."""
    if not offered:
        return []
    ticks: dict[tuple[int, int], int] = {
        (choice_id, reason_id): count
        for choice_id, reason_id, count in db.session.execute(
            select(Vote.choice_id, VoteReason.reason_id, func.count())
            .join(
                VoteReason,
                (VoteReason.question_id == Vote.question_id)
                & (VoteReason.reader_hash == Vote.reader_hash),
            )
            .where(Vote.question_id == question.id, Vote.status.in_(COUNTED_VOTE_STATUSES))
            .group_by(Vote.choice_id, VoteReason.reason_id)
        ).all()
    }
    results = []
    for choice in question.choices:
        voters = voters_by_choice.get(choice.id, 0)
        if voters < MIN_VOTERS_SHOWN:
            continue
        shares = sorted(
            (
                ReasonShare(r.label, n, round(100 * n / voters))
                for r in offered
                if (n := ticks.get((choice.id, r.id), 0))
            ),
            key=lambda share: -share.count,
        )
        if shares:
            results.append(ChoiceReasons(choice.label, voters, tuple(shares)))
    return results


def reason_lines(text: str) -> list[str]:
    """A list as staff type it, one reason per line: spaces collapsed, control and format
    characters (bidi tricks, zero-width) dropped, blank lines and repeats left out."""
    labels: list[str] = []
    for line in text.splitlines():
        visible = "".join(ch for ch in strip_format(line) if unicodedata.category(ch) != "Cc")
        label = " ".join(visible.split())
        if label and label.casefold() not in {known.casefold() for known in labels}:
            labels.append(label)
    return labels


def set_offered_reasons(article_id: int, labels: list[str]) -> tuple[list[str], list[str]]:
    """Offer these reasons, in this order: a known label keeps its row (and its ticks), a
    new one is added, the others are retired. The list before and after."""
    rows = list(
        db.session.execute(
            select(ArticleReason).where(ArticleReason.article_id == article_id)
        ).scalars()
    )
    before = [r.label for r in sorted(rows, key=lambda r: (r.position, r.id)) if not r.retired]
    if before == labels:
        return before, labels
    by_label = {r.label: r for r in rows}
    for row in rows:
        row.retired = row.label not in labels
    for position, label in enumerate(labels):
        row = by_label.get(label)
        if row is None:
            db.session.add(ArticleReason(article_id=article_id, position=position, label=label))
        else:
            row.position = position
    return before, labels
