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
    # Failed sign-ins per staff account, whatever the client: slows password guessing.
    "FORUM_LIMIT_LOGIN_ACCOUNT": "5 per 15 minutes",
}


def rate_limit(name: str):
    """Decorate a view with the limit named FORUM_LIMIT_<NAME>, per client address hash."""
    setting = f"FORUM_LIMIT_{name.upper()}"
    return limiter.limit(
        lambda: current_app.config.get(setting, DEFAULT_LIMITS[setting]), methods=["POST"]
    )


def rate_limit_by(name: str, key_func, deduct_when=None):
    """Like rate_limit, keyed on key_func() (a keyed hash: nothing raw is stored)."""
    setting = f"FORUM_LIMIT_{name.upper()}"
    return limiter.limit(
        lambda: current_app.config.get(setting, DEFAULT_LIMITS[setting]),
        key_func=key_func,
        methods=["POST"],
        deduct_when=deduct_when,
    )
