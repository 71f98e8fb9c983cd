"""Which interface language a request gets, and the headers that say so."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request
from flask_babel import get_locale

COOKIE = "forum_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
# Where the locale of this request came from: "cookie", "header" or "default".
SOURCE = "language_source"


def init_app(app: Flask) -> None:
    app.after_request(add_language_headers)


def select_locale() -> str:
    """Flask-Babel's locale selector: the reader's choice, else their browser's, else ours."""
    languages = current_app.config["FORUM_LANGUAGES"]
    chosen = request.cookies.get(COOKIE)
    if chosen in languages:
        setattr(g, SOURCE, "cookie")
        return chosen
    matched = request.accept_languages.best_match(languages)
    setattr(g, SOURCE, "header" if matched else "default")
    return matched or current_app.config["BABEL_DEFAULT_LOCALE"]


def add_language_headers(response: Response) -> Response:
    """Name the language of a response that was rendered in one, and what chose it.

    Even a page in the default language varies: another Accept-Language header or cookie
    would have given another page, so a shared cache must key on both.
    """
    if not hasattr(g, SOURCE):  # nothing was translated: a file, a redirect, JSON
        return response
    response.headers["Content-Language"] = str(get_locale())
    response.vary.update(("Accept-Language", "Cookie"))
    return response


def is_language(code: str) -> bool:
    return code in current_app.config["FORUM_LANGUAGES"]
