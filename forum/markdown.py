"""Markdown to safe HTML: markdown-it-py (CommonMark, raw HTML off), then nh3 allowlist."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

COMMENT_TAGS = {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
ARTICLE_TAGS = COMMENT_TAGS | {"h2", "h3"}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def _html_as_code_parser() -> MarkdownIt:
    """A reader's typed HTML is recognised, then shown as code: as typed, never as markup,
    and looking deliberate rather than like a broken page."""
    parser = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    parser.add_render_rule("html_inline", _inline_html_as_code)
    parser.add_render_rule("html_block", _block_html_as_code)
    return parser


def _inline_html_as_code(_renderer, tokens, idx, _options, _env) -> str:
    return f"<code>{escapeHtml(tokens[idx].content)}</code>"


def _block_html_as_code(_renderer, tokens, idx, _options, _env) -> str:
    return f"<pre><code>{escapeHtml(tokens[idx].content)}</code></pre>\n"


_comment_parser = _html_as_code_parser()


def render_comment(source: str) -> str:
    """Render a reader's text; links get rel="nofollow ugc noopener", images are dropped."""
    return _clean(_comment_parser.render(source), COMMENT_TAGS, "nofollow ugc noopener")


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
