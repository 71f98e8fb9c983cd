"""Template globals and filters shared by every page."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, url_for
from flask_babel import format_date, format_datetime, get_locale


def init_app(app: Flask) -> None:
    app.jinja_env.globals["current_locale"] = get_locale
    app.jinja_env.globals["absolute_url"] = absolute_url
    app.jinja_env.filters["datetime"] = _format_datetime
    app.jinja_env.filters["date"] = _format_date
    app.jinja_env.filters["iso_datetime"] = iso_datetime
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def _format_datetime(value, style: str = "medium") -> str:
    return format_datetime(value, style) if value else ""


def _format_date(value, style: str = "long") -> str:
    return format_date(value, style) if value else ""


def iso_datetime(value: datetime) -> str:
    """A stored (naive UTC) time for machines: `<time datetime>`, Atom and Open Graph dates.

    Whole seconds: HTML allows at most three digits of a fraction, and no reader needs one.
    """
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def absolute_url(endpoint: str, **values) -> str:
    """A link that works outside the site (feeds, mails): FORUM_SITE_URL when it is set,
    else the request's own scheme and host."""
    site = current_app.config["FORUM_SITE_URL"]
    if not site:
        return url_for(endpoint, _external=True, **values)
    return site.rstrip("/") + url_for(endpoint, **values)
