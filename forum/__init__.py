"""forum: a news article, its credibility poll and a moderated reader discussion."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, error pages, commands."""
    app = Flask(
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
        observability,
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
    readers.init_app(app)
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
