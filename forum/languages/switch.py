"""The links of the language switch that every page shows (templates/_macros/languages.html),
and the Open Graph locales of an article page."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from babel import Locale
from babel.core import get_global
from flask import Flask, current_app, request, url_for
from flask_babel import get_locale
from markupsafe import Markup

# The Open Graph locale (language_TERRITORY) of an interface language where the likeliest
# territory is not the one meant: our English is British.
OG_TERRITORIES = {"fr": "FR", "en": "GB"}


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in the language itself: a reader who cannot read ours still finds theirs
    href: str
    current: bool


def init_app(app: Flask) -> None:
    app.jinja_env.globals["language_links"] = language_links
    app.jinja_env.globals["lang_if_other"] = lang_if_other
    app.jinja_env.globals["og_locales"] = og_locales


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


def og_locales() -> tuple[str, list[str]]:
    """og:locale for the page's interface language, and og:locale:alternate for the others:
    a shared link then shows its preview in the sharer's language (fr_FR, en_GB)."""
    current = str(get_locale())
    others = [code for code in current_app.config["FORUM_LANGUAGES"] if code != current]
    return og_locale(current), [og_locale(code) for code in others]


@cache
def og_locale(code: str) -> str:
    territory = OG_TERRITORIES.get(code)
    if territory is None:  # another offered language: its likeliest territory (de -> de_DE)
        territory = Locale.parse(get_global("likely_subtags").get(code, code)).territory
    return f"{code}_{territory}" if territory else code


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
