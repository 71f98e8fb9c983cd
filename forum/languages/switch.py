"""The links of the language switch that every page shows (templates/_macros/languages.html)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from babel import Locale
from flask import Flask, current_app, request, url_for
from flask_babel import get_locale
from markupsafe import Markup


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in the language itself: a reader who cannot read ours still finds theirs
    href: str
    current: bool


def init_app(app: Flask) -> None:
    app.jinja_env.globals["language_links"] = language_links
    app.jinja_env.globals["lang_if_other"] = lang_if_other


def language_links() -> list[LanguageLink]:
    current, back = str(get_locale()), page_to_return_to()
    return [
        LanguageLink(
            code, autonym(code), url_for("languages.choose", code=code, next=back), code == current
        )
        for code in current_app.config["FORUM_LANGUAGES"]
    ]


@cache
def autonym(code: str) -> str:
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def page_to_return_to() -> str:
    """The page to show again in the chosen language: this one, or for a page answering a
    form (a POST), the page that form was on. Only the path: the anonymous article page is
    cached for every visitor and must not carry one visitor's query string."""
    if request.method == "GET":
        return request.path
    referrer = urlsplit(request.referrer or "")
    same_site = referrer.netloc == request.host
    return referrer.path if same_site and referrer.path.startswith("/") else "/"


def lang_if_other(language: str | None) -> Markup:
    """` lang="…"` for content written in another language than the page's, else nothing:
    screen readers then read an English comment on a French page with English rules."""
    if not language or language == str(get_locale()):
        return Markup("")
    return Markup(' lang="{}"').format(language)
