"""« Les deux camps »: the most useful comments of each side of the credibility question."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, case, func, literal, select

from forum.comments.thread import STANCE_OF_CHOICE
from forum.extensions import db
from forum.models import Article, Comment, PollChoice, PollQuestion, Vote
from forum.models.articles import CREDIBILITY_QUESTION_KEY
from forum.page_cache import article_key, cached

# Comments shown per side: enough to read both cases, short enough to read side by side.
PER_SIDE = 5
# The columns of the page; "others" holds the readers without an opinion and non-voters.
SIDES = ("credible", "not_credible", "others")


@dataclass(frozen=True)
class SideComment:
    id: int
    author_name: str
    body_html: str
    created_at: datetime
    useful_count: int
    # The author's answer as a badge key (forum.comments.thread.STANCES).
    stance: str
    language: str  # the author's interface language when they wrote it


@dataclass
class BothSides:
    credible: list[SideComment] = field(default_factory=list)
    not_credible: list[SideComment] = field(default_factory=list)
    others: list[SideComment] = field(default_factory=list)


def both_sides(article: Article, per_side: int = PER_SIDE) -> BothSides:
    """The top comments of each side, cached under the article's version."""
    return cached(
        article_key(article, "both-sides", per_side), lambda: _load_both_sides(article, per_side)
    )


def author_side():
    """Which side a comment's author is on: their current answer to the credibility
    question (selected with public_readers_comments)."""
    return case(
        (PollChoice.stance == "positive", literal("credible")),
        (PollChoice.stance == "negative", literal("not_credible")),
        else_=literal("others"),
    )


def public_readers_comments(statement: Select, article: Article, question_id) -> Select:
    """The statement over the article's public readers' comments, each with its author's
    answer to the question (PollChoice, outer-joined: none for a non-voter)."""
    return (
        statement.select_from(Comment)
        .outerjoin(
            Vote, (Vote.reader_hash == Comment.reader_hash) & (Vote.question_id == question_id)
        )
        .outerjoin(PollChoice, PollChoice.id == Vote.choice_id)
        .where(
            Comment.article_id == article.id,
            Comment.status == "approved",
            Comment.deleted_at.is_(None),
            Comment.user_id.is_(None),  # the newsroom speaks for neither side
        )
    )


def _load_both_sides(article: Article, per_side: int) -> BothSides:
    """One query: public readers' comments ranked within their side ("utile" marks, then
    newest), the first `per_side` of each side kept."""
    question_id = (
        select(PollQuestion.id)
        .where(PollQuestion.article_id == article.id, PollQuestion.key == CREDIBILITY_QUESTION_KEY)
        .scalar_subquery()
    )
    side = author_side()
    ranked = public_readers_comments(
        select(
            Comment.id,
            Comment.author_name,
            Comment.body_html,
            Comment.created_at,
            Comment.useful_count,
            Comment.language,
            PollChoice.stance.label("choice_stance"),
            side.label("side"),
            func.row_number()
            .over(
                partition_by=side,
                order_by=(
                    Comment.useful_count.desc(),
                    Comment.created_at.desc(),
                    Comment.id.desc(),
                ),
            )
            .label("rank"),
        ),
        article,
        question_id,
    ).subquery()
    rows = db.session.execute(
        select(ranked).where(ranked.c.rank <= per_side).order_by(ranked.c.side, ranked.c.rank)
    ).all()
    sides = BothSides()
    for row in rows:
        stance = STANCE_OF_CHOICE.get(row.choice_stance, "none") if row.choice_stance else "none"
        getattr(sides, row.side).append(
            SideComment(
                row.id,
                row.author_name,
                row.body_html,
                row.created_at,
                row.useful_count,
                stance,
                row.language,
            )
        )
    return sides
