"""Reading articles, and loading them from content files."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, select

from forum.articles.content import ArticleContent, QuestionContent
from forum.database import single_statement_connection
from forum.extensions import db
from forum.markdown import render_article
from forum.models import Article, ArticleReason, Comment, PollChoice, PollQuestion, Vote, utcnow
from forum.models.articles import COUNTED_VOTE_STATUSES


@dataclass(frozen=True)
class ArticleSummary:
    article: Article
    voters: int
    comments: int


@dataclass(frozen=True)
class ArticleHead:
    """What a page served from the cache needs to know of its article."""

    id: int
    cache_version: int
    poll_open: bool


def get_article(slug: str) -> Article | None:
    return db.session.execute(select(Article).where(Article.slug == slug)).scalar_one_or_none()


# Built once: this runs on every page view served from the cache.
_HEAD_QUERY = select(Article.id, Article.cache_version, Article.poll_open).where(
    Article.slug == bindparam("slug")
)


def get_article_head(slug: str) -> ArticleHead | None:
    """Read the article's id, cache version and poll state in one statement, outside any
    transaction: a visitor served from the cache needs nothing else."""
    with single_statement_connection() as connection:
        row = connection.execute(_HEAD_QUERY, {"slug": slug}).first()
    return ArticleHead(*row) if row else None


def list_articles() -> list[ArticleSummary]:
    """Every published article, newest first, with its voter and comment counts (3 queries)."""
    articles = (
        db.session.execute(
            select(Article)
            .where(Article.published_at <= utcnow())
            .order_by(Article.published_at.desc())
        )
        .scalars()
        .all()
    )
    ids = [a.id for a in articles]
    voters = dict(
        db.session.execute(
            select(PollQuestion.article_id, func.count(func.distinct(Vote.reader_hash)))
            .join(Vote, Vote.question_id == PollQuestion.id)
            .where(PollQuestion.article_id.in_(ids), Vote.status.in_(COUNTED_VOTE_STATUSES))
            .group_by(PollQuestion.article_id)
        ).all()
    )
    comments = dict(
        db.session.execute(
            select(Comment.article_id, func.count())
            .where(
                Comment.article_id.in_(ids),
                Comment.status == "approved",
                Comment.deleted_at.is_(None),
            )
            .group_by(Comment.article_id)
        ).all()
    )
    return [ArticleSummary(a, voters.get(a.id, 0), comments.get(a.id, 0)) for a in articles]


def load_articles(contents: list[ArticleContent]) -> dict[str, str]:
    """Create or update these articles and commit; "created", "updated" or "unchanged" by slug."""
    outcomes = {content.slug: _load_outcome(content) for content in contents}
    db.session.commit()
    return outcomes


def _load_outcome(content: ArticleContent) -> str:
    is_new = get_article(content.slug) is None
    changed = load_article_content(content)
    return "created" if is_new else "updated" if changed else "unchanged"


def load_article_content(content: ArticleContent) -> bool:
    """Create or update one article by slug; return whether anything changed.

    Votes, comments and the moderation settings of an existing article are never touched,
    nor its list of reasons once it has one: the file's seeds a new article's, then staff
    edit it (forum.polls.reasons).
    """
    article = get_article(content.slug)
    if article is None:
        article = Article(
            slug=content.slug, body_source="", body_html="", published_at=content.published_at
        )
        db.session.add(article)
    changed = _apply_fields(article, content)
    db.session.flush()
    for position, question in enumerate(content.questions):
        changed |= _load_question(article, question, position)
    changed |= _seed_reasons(article, content.reasons)
    if changed:
        article.updated_at = utcnow()
    return changed


def _apply_fields(article: Article, content: ArticleContent) -> bool:
    wanted = {
        "title": content.title,
        "standfirst": content.standfirst,
        "editor_note": content.editor_note,
        "source": content.source,
        "published_at": content.published_at,
        "poll_prompt": content.poll_prompt,
        "discussion_prompt": content.discussion_prompt,
        "language": content.language,
        "body_source": content.body,
        "body_html": render_article(content.body),
    }
    return _assign(article, wanted)


def _load_question(article: Article, content: QuestionContent, position: int) -> bool:
    question = db.session.execute(
        select(PollQuestion).where(
            PollQuestion.article_id == article.id, PollQuestion.key == content.key
        )
    ).scalar_one_or_none()
    changed = question is None
    if question is None:
        question = PollQuestion(article_id=article.id, key=content.key, prompt=content.prompt)
        db.session.add(question)
    changed |= _assign(
        question, {"prompt": content.prompt, "headline": content.headline, "position": position}
    )
    db.session.flush()
    existing = {c.position: c for c in question.choices}
    for index, choice in enumerate(content.choices):
        current = existing.get(index)
        if current is None:
            db.session.add(
                PollChoice(
                    question_id=question.id,
                    position=index,
                    label=choice.label,
                    stance=choice.stance,
                )
            )
            changed = True
        else:
            changed |= _assign(current, {"label": choice.label, "stance": choice.stance})
    return changed


def _seed_reasons(article: Article, labels: tuple[str, ...]) -> bool:
    """Give an article that has no reasons yet (retired ones count) the file's list."""
    has_reasons = db.session.execute(
        select(ArticleReason.id).where(ArticleReason.article_id == article.id).limit(1)
    ).first()
    if has_reasons or not labels:
        return False
    db.session.add_all(
        ArticleReason(article_id=article.id, position=position, label=label)
        for position, label in enumerate(labels)
    )
    return True


def _assign(obj, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed
