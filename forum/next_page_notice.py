"""A notice for the reader's next page, in a cookie of its own instead of the session.

The vote, the hottest write, answers a form sent without JavaScript with a redirect and a
notice. Flashed through Flask's session, that notice cost a signed, serialised session
cookie: a tenth of the vote's instructions (callgrind, bench/vote_instructions.py). As
Django's cookie-based messages, it travels in a cookie of its own, which names one of
NOTICES and holds no text: nothing to sign, since a forged value is ignored and a valid one
only shows its sender one of our messages. The page that shows it (the redirect's
target) deletes the cookie, which is also gone when the browser closes. Other notices are
flashed as before.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request

from forum.languages.shown import N_

COOKIE = "forum_notice"
VOTE_RECORDED = "vote-recorded"
VOTE_RECORDED_TEXT = N_(
    "Votre vote est enregistré. Vous pouvez le modifier tant que le sondage est ouvert."
)
# Each notice's category (its style) and source text, translated by the page that shows it.
NOTICES = {VOTE_RECORDED: ("success", VOTE_RECORDED_TEXT)}


def init_app(app: Flask) -> None:
    app.jinja_env.globals["next_page_notices"] = pending_notices
    app.after_request(_forget_shown_notice)


def leave_notice(response: Response, name: str) -> Response:
    """Have the reader's next page show this notice (one of NOTICES)."""
    response.set_cookie(COOKIE, name, **_cookie_options())
    return response


def has_pending_notice() -> bool:
    """Whether this request carries a notice to show (the page is then the reader's own)."""
    return COOKIE in request.cookies


def pending_notices() -> list[tuple[str, str]]:
    """The notice this page shows, as (category, source text), if any: at most one."""
    name = request.cookies.get(COOKIE)
    if name is None:
        return []
    g.forum_notice_shown = True  # shown or unknown, the cookie has served
    notice = NOTICES.get(name)
    return [notice] if notice else []


def _forget_shown_notice(response: Response) -> Response:
    if g.pop("forum_notice_shown", False):
        response.delete_cookie(COOKIE, **_cookie_options())
    return response


def _cookie_options() -> dict[str, object]:
    # The same when deleting as when setting: a browser matches the cookie by them.
    return {"httponly": True, "samesite": "Lax", "secure": bool(current_app.config["FORUM_HTTPS"])}
