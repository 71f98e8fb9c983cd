"""forum: a news article, its credibility poll and a moderated reader discussion."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


class Forum(Flask):
    """Flask, asking once per function whether a view or a hook is a coroutine function.

    Flask asks on every call (inspect.iscoroutinefunction): 14 times for a vote, 2% of its
    CPU. The functions are the app's own, registered at start-up: the answer never changes.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._runnable: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        runnable = self._runnable.get(func)
        if runnable is None:
            runnable = self._runnable[func] = super().ensure_sync(func)
        return runnable


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, error pages, commands."""
    app = Forum(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from forum import config as settings

    settings.load_config(app, config)

    from forum import (
        commands,
        database,
        errors,
        extensions_setup,
        input_guard,
        net,
        next_page_notice,
        observability,
        page_cache,
        readers,
        security,
        static_assets,
        templating,
    )
    from forum.auth import sessions
    from forum.languages import selection, switch
    from forum.notices import mail_queue
    from forum.parsing import BoundedIntConverter

    net.init_app(app)
    observability.init_app(app)
    input_guard.init_app(app)
    extensions_setup.init_app(app)
    security.init_app(app)
    sessions.init_app(app)
    database.init_app(app)
    page_cache.init_app(app)
    readers.init_app(app)
    next_page_notice.init_app(app)
    templating.init_app(app)
    selection.init_app(app)
    switch.init_app(app)
    static_assets.init_app(app)
    mail_queue.init_app(app)
    app.url_map.converters["int"] = BoundedIntConverter
    register_blueprints(app)
    errors.init_app(app)
    commands.init_app(app)
    return app


def register_blueprints(app: Flask) -> None:
    from forum.article_pages.live import bp as live_bp
    from forum.article_pages.views import bp as articles_bp
    from forum.auth.views import bp as auth_bp
    from forum.comments.views import bp as comments_bp
    from forum.languages.views import bp as languages_bp
    from forum.moderation.views import bp as moderation_bp
    from forum.notices.views import bp as notices_bp
    from forum.ops.views import bp as ops_bp
    from forum.privacy.views import bp as privacy_bp

    app.register_blueprint(articles_bp)
    app.register_blueprint(live_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(comments_bp)
    app.register_blueprint(ops_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(notices_bp)
    app.register_blueprint(languages_bp)
