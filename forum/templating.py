"""Template globals and filters shared by every page."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, url_for
from flask_babel import (
    format_date,
    format_datetime,
    format_number,
    format_percent,
    format_time,
    get_locale,
)

from forum.languages.shown import translated


def init_app(app: Flask) -> None:
    app.jinja_env.globals["current_locale"] = get_locale
    app.jinja_env.globals["absolute_url"] = absolute_url
    app.jinja_env.filters["datetime"] = _format_datetime
    app.jinja_env.filters["date"] = _format_date
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["utc_time"] = utc_time
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["translated"] = translated
    app.jinja_env.filters["iso_datetime"] = iso_datetime
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def _format_datetime(value, style: str = "medium", rebase: bool = True) -> str:
    """rebase=False for a stored UTC time shown as UTC (the desk's vote windows)."""
    return format_datetime(value, style, rebase=rebase) if value else ""


def format_moment(value: datetime) -> str:
    """A day and minute in the interface's locale: "5 décembre 2026, 09:30",
    "December 5, 2026, 9:30 AM" (CLDR's long date, short time, joined its way)."""
    locale = get_locale()
    pattern = (
        locale.datetime_formats["long"]
        .replace("{1}", locale.date_formats["long"].pattern)
        .replace("{0}", locale.time_formats["short"].pattern)
    )
    return format_datetime(value, pattern)


def utc_time(value: datetime) -> str:
    """The time of day of a stored UTC time, shown as UTC, in the interface's locale."""
    return format_time(value, "short", rebase=False)


def percent(value: float) -> str:
    """A share given in percent (0 to 100), in the interface's locale: "42 %", "42%"."""
    return format_percent(value / 100)


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
