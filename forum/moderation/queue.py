"""The moderation queue: which comments each tab shows, with what a moderator needs to judge.

A page loads in a fixed number of queries whatever its length: the comments, then their
articles, parents, flags, their authors' other comments and poll answers, each in one query.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Article, Comment, Flag, PollChoice, PollQuestion, Vote

TABS = ("pending", "reported", "recent", "rejected")
PAGE_SIZE = 30
OTHER_COMMENTS = 5


@dataclass
class QueueItem:
    comment: Comment
    article: Article
    parent: Comment | None = None
    flags: list[tuple[str, int]] = field(default_factory=list)  # (reason, count)
    flag_notes: list[str] = field(default_factory=list)
    other_comments: list[Comment] = field(default_factory=list)
    stances: list[tuple[str, str, str]] = field(default_factory=list)  # (question, answer, stance)


@dataclass
class QueuePage:
    tab: str
    items: list[QueueItem]
    page: int
    has_next: bool
    counts: dict[str, int]


def _tab_filter(tab: str):
    # A comment its author deleted (or erased with their data) has no text left to judge:
    # it leaves the queues that ask for a decision and stays in the history tabs.
    if tab == "pending":
        return [
            Comment.status == "pending",
            Comment.pending_reason.is_distinct_from("flags"),
            Comment.deleted_at.is_(None),
        ]
    if tab == "reported":
        return [Comment.status != "rejected", Comment.flag_count > 0, Comment.deleted_at.is_(None)]
    if tab == "rejected":
        return [Comment.status == "rejected"]
    return []


def _tab_order(tab: str):
    if tab == "pending":
        return [Comment.created_at.asc(), Comment.id.asc()]  # oldest first: nothing starves
    if tab == "reported":
        return [Comment.flag_count.desc(), Comment.created_at.asc()]
    return [Comment.created_at.desc(), Comment.id.desc()]


def tab_counts() -> dict[str, int]:
    return {
        tab: db.session.execute(
            select(func.count()).select_from(Comment).where(*_tab_filter(tab))
        ).scalar_one()
        for tab in ("pending", "reported")
    }


def load_queue(tab: str, page: int = 1) -> QueuePage:
    comments = list(
        db.session.execute(
            select(Comment)
            .where(*_tab_filter(tab))
            .order_by(*_tab_order(tab))
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        ).scalars()
    )
    has_next = len(comments) > PAGE_SIZE
    items = build_items(comments[:PAGE_SIZE])
    return QueuePage(tab, items, page, has_next, tab_counts())


def load_comments(ids: list[int], lock: bool = False) -> list[Comment]:
    """These comments in id order, optionally locked until commit (a bulk action)."""
    if not ids:
        return []
    query = select(Comment).where(Comment.id.in_(ids)).order_by(Comment.id)
    return list(db.session.execute(query.with_for_update() if lock else query).scalars())


def build_items(comments: list[Comment]) -> list[QueueItem]:
    articles = _by_id(Article, {c.article_id for c in comments})
    parents = _by_id(Comment, {c.parent_id for c in comments if c.parent_id})
    items = [QueueItem(c, articles[c.article_id], parents.get(c.parent_id)) for c in comments]
    _attach_flags(items)
    _attach_other_comments(items)
    _attach_stances(items)
    return items


def _by_id(model, ids: set[int]) -> dict:
    if not ids:
        return {}
    rows = db.session.execute(select(model).where(model.id.in_(ids))).scalars()
    return {row.id: row for row in rows}


def _attach_flags(items: list[QueueItem]) -> None:
    ids = [item.comment.id for item in items]
    if not ids:
        return
    flags = db.session.execute(
        select(Flag)
        .where(Flag.comment_id.in_(ids), Flag.resolved_at.is_(None))
        .order_by(Flag.created_at)
    ).scalars()
    reasons: dict[int, Counter] = defaultdict(Counter)
    notes: dict[int, list[str]] = defaultdict(list)
    for flag in flags:
        reasons[flag.comment_id][flag.reason] += 1
        if flag.note:
            notes[flag.comment_id].append(flag.note)
    for item in items:
        item.flags = reasons[item.comment.id].most_common()
        item.flag_notes = notes[item.comment.id]


def _attach_other_comments(items: list[QueueItem]) -> None:
    hashes = {item.comment.reader_hash for item in items}
    if not hashes:
        return
    ranked = (
        select(
            Comment.id,
            func.row_number()
            .over(partition_by=Comment.reader_hash, order_by=Comment.created_at.desc())
            .label("rank"),
        )
        .where(Comment.reader_hash.in_(hashes))
        .subquery()
    )
    recent = db.session.execute(
        select(Comment)
        .join(ranked, ranked.c.id == Comment.id)
        .where(ranked.c.rank <= OTHER_COMMENTS + 1)
        .order_by(Comment.created_at.desc())
    ).scalars()
    by_reader: dict[str, list[Comment]] = defaultdict(list)
    for comment in recent:
        by_reader[comment.reader_hash].append(comment)
    for item in items:
        others = [c for c in by_reader[item.comment.reader_hash] if c.id != item.comment.id]
        item.other_comments = others[:OTHER_COMMENTS]


def _attach_stances(items: list[QueueItem]) -> None:
    hashes = {item.comment.reader_hash for item in items}
    article_ids = {item.comment.article_id for item in items}
    if not hashes:
        return
    rows = db.session.execute(
        select(
            Vote.reader_hash,
            PollQuestion.article_id,
            PollQuestion.prompt,
            PollChoice.label,
            PollChoice.stance,
        )
        .join(PollQuestion, PollQuestion.id == Vote.question_id)
        .join(PollChoice, PollChoice.id == Vote.choice_id)
        .where(Vote.reader_hash.in_(hashes), PollQuestion.article_id.in_(article_ids))
        .order_by(PollQuestion.position)
    ).all()
    answers: dict[tuple[str, int], list] = defaultdict(list)
    for reader_hash, article_id, prompt, label, stance in rows:
        answers[(reader_hash, article_id)].append((prompt, label, stance))
    for item in items:
        item.stances = answers[(item.comment.reader_hash, item.comment.article_id)]
