"""Articles are content files: TOML front matter between +++ lines, then a Markdown body."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from forum.models.articles import REASONS_PER_ARTICLE_MAX, ArticleReason

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content" / "articles"
# The reasons a reader may tick with their answer to the credibility question, when the
# file gives none (`reasons = [...]`), by the article's language (forum.polls.reasons).
DEFAULT_REASONS = {
    "fr": (
        "source floue",
        "titre trompeur",
        "faits vérifiables",
        "source officielle",
        "contexte manquant",
    ),
    "en": (
        "vague source",
        "misleading headline",
        "verifiable facts",
        "official source",
        "missing context",
    ),
}


class ContentError(ValueError):
    """A content file that cannot be loaded, with the reason."""


@dataclass(frozen=True)
class ChoiceContent:
    label: str
    stance: str


@dataclass(frozen=True)
class QuestionContent:
    key: str
    prompt: str
    headline: str
    choices: tuple[ChoiceContent, ...]


@dataclass(frozen=True)
class ArticleContent:
    slug: str
    title: str
    standfirst: str
    editor_note: str
    source: str
    published_at: datetime
    poll_prompt: str
    discussion_prompt: str
    body: str
    language: str = "fr"
    questions: tuple[QuestionContent, ...] = field(default_factory=tuple)
    reasons: tuple[str, ...] = ()


def read_content_dir(directory: Path = CONTENT_DIR) -> list[ArticleContent]:
    return [read_content_file(path) for path in sorted(directory.glob("*.md"))]


def read_content_file(path: Path) -> ArticleContent:
    text = path.read_text(encoding="utf-8")
    head, body = _split_front_matter(text, path)
    try:
        meta = tomllib.loads(head)
        return _article_from(meta, body.strip())
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise ContentError(f"{path.name}: {error}") from error


def _split_front_matter(text: str, path: Path) -> tuple[str, str]:
    parts = text.split("+++\n", 2)
    if len(parts) != 3 or parts[0].strip():
        raise ContentError(f"{path.name}: expected front matter between +++ lines")
    return parts[1], parts[2]


def _article_from(meta: dict, body: str) -> ArticleContent:
    published = meta["published_at"]
    if published.tzinfo is not None:
        published = published.replace(tzinfo=None) - published.utcoffset()
    language = meta.get("language", "fr")
    reasons = meta.get("reasons", DEFAULT_REASONS.get(language, DEFAULT_REASONS["fr"]))
    if not isinstance(reasons, list | tuple) or not all(isinstance(r, str) for r in reasons):
        raise TypeError("reasons: expected a list of strings")
    _check_reasons(reasons)
    return ArticleContent(
        slug=meta["slug"],
        title=meta["title"],
        standfirst=meta.get("standfirst", ""),
        editor_note=meta.get("editor_note", ""),
        source=meta.get("source", ""),
        published_at=published,
        poll_prompt=meta.get("poll_prompt", ""),
        discussion_prompt=meta.get("discussion_prompt", ""),
        body=body,
        language=language,
        questions=tuple(_question_from(q) for q in meta.get("questions", [])),
        reasons=tuple(reasons),
    )


def _check_reasons(reasons: list[str] | tuple[str, ...]) -> None:
    """What the article settings accept of staff, said to the operator before loading."""
    longest = ArticleReason.__table__.c.label.type.length
    if len(reasons) > REASONS_PER_ARTICLE_MAX:
        raise TypeError(f"reasons: at most {REASONS_PER_ARTICLE_MAX}, not {len(reasons)}")
    for label in reasons:
        if not label.strip() or len(label) > longest:
            raise TypeError(f"reasons: {label!r} must have 1 to {longest} characters")
    if len({label.strip().casefold() for label in reasons}) != len(reasons):
        raise TypeError("reasons: each reason once")


def _question_from(meta: dict) -> QuestionContent:
    return QuestionContent(
        key=meta["key"],
        prompt=meta["prompt"],
        headline=meta.get("headline", ""),
        choices=tuple(
            ChoiceContent(c["label"], c.get("stance", "neutral")) for c in meta["choices"]
        ),
    )
