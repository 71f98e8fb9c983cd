"""Attach the extension objects of forum.extensions to an app."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from forum import cross_origin
from forum.extensions import babel, cache, csrf, db, limiter, login_manager
from forum.languages.selection import select_locale

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def init_app(app: Flask) -> None:
    db.init_app(app)
    if app.config["FORUM_MIGRATIONS"]:
        init_migrations(app)
    csrf.init_app(app)
    cross_origin.init_app(app)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    cache.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)


def init_migrations(app: Flask) -> None:
    """Give the app `flask db` and Flask-Migrate's functions (upgrade, ...).

    Imported only here: Flask-Migrate and Alembic weigh 11 MB in each process, and a web
    worker never migrates (gunicorn.conf.py turns FORUM_MIGRATIONS off).
    """
    from flask_migrate import Migrate

    Migrate(app, db, directory=str(MIGRATIONS), render_as_batch=True)
