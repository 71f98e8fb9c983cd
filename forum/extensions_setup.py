"""Attach the extension objects of forum.extensions to an app."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, request

from forum.extensions import babel, cache, csrf, db, limiter, login_manager, migrate

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def init_app(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    csrf.init_app(app)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    cache.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)


def select_locale() -> str:
    languages = current_app.config["FORUM_LANGUAGES"]
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]
