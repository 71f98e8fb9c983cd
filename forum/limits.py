"""Named rate limits; each value is a setting (FORUM_LIMIT_<NAME>) operators can tune."""

from __future__ import annotations

from flask import current_app

from forum.extensions import limiter

DEFAULT_LIMITS = {
    "FORUM_LIMIT_VOTE": "30 per minute; 300 per hour",
    "FORUM_LIMIT_COMMENT": "6 per minute; 60 per hour",
    "FORUM_LIMIT_FLAG": "20 per hour",
    # The hourly cap keeps one client from reordering the "most useful" sort.
    "FORUM_LIMIT_USEFUL": "20 per minute; 120 per hour",
    "FORUM_LIMIT_LOGIN": "10 per minute",
    # Erasing one's data is rare; a few tries cover a reader who forgot to confirm.
    "FORUM_LIMIT_DATA_DELETION": "5 per hour",
    # Wrong passwords per (staff account, client): that client, not the account, is stopped.
    "FORUM_LIMIT_LOGIN_ACCOUNT": "5 per 15 minutes",
    # Wrong passwords per staff account from all clients it has never seen, together.
    "FORUM_LIMIT_LOGIN_ACCOUNT_CEILING": "20 per hour; 100 per day",
}


def limit_setting(name: str) -> str:
    """The limit named FORUM_LIMIT_<NAME>, as configured or by default."""
    setting = f"FORUM_LIMIT_{name.upper()}"
    return current_app.config.get(setting, DEFAULT_LIMITS[setting])


def rate_limit(name: str):
    """Decorate a view with the limit named FORUM_LIMIT_<NAME>, per client address hash."""
    return limiter.limit(lambda: limit_setting(name), methods=["POST"])
