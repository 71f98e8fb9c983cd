"""The language switch: a plain link per language, which works without JavaScript."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, request
from flask_babel import gettext as _

from forum.languages.selection import COOKIE, COOKIE_MAX_AGE, is_language

bp = Blueprint("languages", __name__)


@bp.get("/langue/<code>")
def choose(code: str):
    """Remember the reader's interface language in a cookie, then go back to their page.

    A GET that only sets a preference of this browser (nothing is stored on our side): a
    forged link can at worst switch someone's language, so it needs no CSRF token.
    """
    if not is_language(code):
        abort(404, _("Cette langue n'est pas proposée sur ce forum."))
    response = redirect(local_path(request.args.get("next")), 303)
    response.set_cookie(
        COOKIE,
        code,
        max_age=COOKIE_MAX_AGE,
        secure=current_app.config["FORUM_HTTPS"],
        httponly=True,
        samesite="Lax",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def local_path(target: str | None) -> str:
    """target when it is a path on this site, else the home page: never another host."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or any(ord(c) < 32 for c in target):
        return "/"
    return target
