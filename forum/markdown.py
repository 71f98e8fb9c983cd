"""Markdown to safe HTML: markdown-it-py (CommonMark, raw HTML off), then nh3 allowlist."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

COMMENT_TAGS = {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
ARTICLE_TAGS = COMMENT_TAGS | {"h2", "h3"}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_comment(source: str) -> str:
    """Render a reader's text; links get rel="nofollow ugc noopener", images are dropped."""
    return _clean(_parser.render(source), COMMENT_TAGS, "nofollow ugc noopener")


def render_article(source: str) -> str:
    return _clean(_parser.render(source), ARTICLE_TAGS, "noopener")


def _clean(html: str, tags: set[str], link_rel: str) -> str:
    return nh3.clean(
        html,
        tags=tags,
        attributes={"a": {"href"}},
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=link_rel,
        strip_comments=True,
    ).strip()
