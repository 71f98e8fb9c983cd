"""Named rate limits; each value is a setting (FORUM_LIMIT_<NAME>) operators can tune."""

from __future__ import annotations

from flask import current_app

from forum.extensions import limiter

DEFAULT_LIMITS = {
    # Per address: an office or a mobile carrier votes from one; beyond its allowance of
    # readers, votes are held, not refused (forum.polls.ballot).
    "FORUM_LIMIT_VOTE": "300 per minute; 3000 per hour",
    "FORUM_LIMIT_COMMENT": "6 per minute; 60 per hour",
    "FORUM_LIMIT_FLAG": "20 per hour",
    # The hourly cap keeps one client from reordering the "most useful" sort.
    "FORUM_LIMIT_USEFUL": "20 per minute; 120 per hour",
    "FORUM_LIMIT_LOGIN": "10 per minute",
    # Erasing one's data is rare; a few tries cover a reader who forgot to confirm.
    "FORUM_LIMIT_DATA_DELETION": "5 per hour",
    # A reader's notices: a new private feed address (and e-mail settings). Rare by nature.
    "FORUM_LIMIT_NOTICES": "10 per hour",
    # Wrong passwords per (staff account, client): that client, not the account, is stopped.
    "FORUM_LIMIT_LOGIN_ACCOUNT": "5 per 15 minutes",
    # Wrong passwords per staff account from all clients it has never seen, together.
    "FORUM_LIMIT_LOGIN_ACCOUNT_CEILING": "20 per hour; 100 per day",
    # Every moderation action (one comment, a selection, settings, words, bans): far above
    # what moderators sharing an address do by hand, well below a runaway script.
    "FORUM_LIMIT_MODERATION": "120 per minute; 2000 per hour",
    # "Anything new?" from open article pages (forum.article_pages.live), one every
    # FORUM_LIVE_POLL_SECONDS (15) each: 60 a minute is 15 open pages per address, tabs or
    # readers sharing it; past it a page waits longer, and a reload still shows everything.
    "FORUM_LIMIT_LIVE": "60 per minute",
}


def limit_setting(name: str) -> str:
    """The limit named FORUM_LIMIT_<NAME>, as configured or by default."""
    return current_app.config.get(_setting(name), DEFAULT_LIMITS[_setting(name)])


def rate_limit(name: str, methods: tuple[str, ...] = ("POST",)):
    """Decorate a view with the limit named FORUM_LIMIT_<NAME>, per client address hash,
    counting requests with these methods (state changes, or a read that is polled)."""
    _setting(name)  # an unknown name fails at import, not at the first request
    return _named(name, limiter.limit(lambda: limit_setting(name), methods=list(methods)))


def named_limits(view) -> tuple[str, ...]:
    """The names of the limits on a view (tests/test_named_limits.py checks every route)."""
    return getattr(view, "named_limits", ())


def _setting(name: str) -> str:
    setting = f"FORUM_LIMIT_{name.upper()}"
    if setting not in DEFAULT_LIMITS:
        raise KeyError(f"{setting} has no default in forum.limits.DEFAULT_LIMITS")
    return setting


def _named(name: str, limit):
    def decorate(view):
        limited = limit(view)
        # Kept by functools.wraps in the decorators above it (staff_required, ...).
        limited.named_limits = (*named_limits(view), name)
        return limited

    return decorate
