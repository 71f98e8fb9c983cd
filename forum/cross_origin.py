"""Cross-site requests refused by what the browser says of them, and CSRF tokens where a
session needs them.

Every state-changing request passes the browser's Fetch Metadata first, as Go's
http.CrossOriginProtection does: `Sec-Fetch-Site` must be `same-origin` or `none` (typed,
bookmarked); without it (an older browser), an `Origin` header must name this host; with
neither, the request is not a browser's and nothing could forge it in a visitor's name.

Readers' forms (vote, comment, reply, flag, "utile", their data, their notices) carry no
per-visitor token then: the page a first-time visitor gets is the same for everyone and a
shared cache may serve it. A signed-in session still needs Flask-WTF's token on every form,
and the staff areas (sign-in, desk) on theirs whoever sends them.
"""

from __future__ import annotations

from functools import cached_property
from urllib.parse import urlsplit

from flask import Flask, current_app, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.exceptions import Forbidden

from forum.extensions import csrf

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TRUSTED_FETCH_SITES = frozenset({"same-origin", "none"})
# Blueprints whose forms readers send without a token (unless their session is signed in).
READER_AREAS = frozenset({"articles", "live", "comments", "privacy", "notices", "languages"})


CROSS_ORIGIN_MESSAGE = _l(
    "Ce formulaire a été envoyé depuis un autre site : il n'a pas été pris en compte. "
    "Ouvrez la page sur ce site et envoyez-le de là."
)


def init_app(app: Flask) -> None:
    """Check every state-changing request; registered after CSRFProtect and before the rate
    limiter, so a refused request is not counted."""
    # CSRFProtect's own check of every POST is replaced by protect_request's.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.before_request(protect_request)


def protect_request() -> None:
    if request.method in SAFE_METHODS:
        return
    if not is_same_origin():
        # The styled 403 page, in the reader's language (forum.errors).
        raise Forbidden(description=CROSS_ORIGIN_MESSAGE)
    # No route (404, 405): the error page answers, as with CSRFProtect's own check.
    if request.endpoint and current_app.config["WTF_CSRF_ENABLED"] and _needs_token():
        csrf.protect()


def is_same_origin() -> bool:
    """Whether the browser sent this request from a page of this site (or it is not a
    browser's request at all)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site:
        return site in TRUSTED_FETCH_SITES
    origin = request.headers.get("Origin")
    if not origin:
        return True
    return urlsplit(origin).netloc == request.host


def _needs_token() -> bool:
    return request.blueprint not in READER_AREAS or signed_in()


def signed_in() -> bool:
    # Flask-Login finds a user only in the session or in a remember cookie (no request
    # loader here): without either, loading the anonymous user is skipped.
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE)
    if "_user_id" not in session and remember_cookie not in request.cookies:
        return False
    return bool(current_user and current_user.is_authenticated)


def token_field() -> Markup:
    """The hidden CSRF field a reader's form carries: only for a signed-in session."""
    if not (current_app.config["WTF_CSRF_ENABLED"] and signed_in()):
        return Markup("")
    return Markup('<input name="csrf_token" type="hidden" value="{}">').format(generate_csrf())


class ReaderForm(FlaskForm):
    """A form readers send: protected by is_same_origin, with a CSRF token only when the
    session is signed in (staff commenting as « Rédaction »)."""

    class Meta:
        @cached_property
        def csrf(self) -> bool:
            return bool(current_app.config.get("WTF_CSRF_ENABLED", True)) and signed_in()
