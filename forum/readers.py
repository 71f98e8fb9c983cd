"""Anonymous reader identity: a random id in a signed cookie, stored only as a keyed hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Flask, Response, current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer

from forum.net import client_address_key
from forum.security import signed_serializer, vary_on_cookie

COOKIE_SALT = "forum.reader"


def init_app(app: Flask) -> None:
    app.after_request(_store_new_reader_cookie)


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 of value under the app secret; the raw value is never stored."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def current_reader_hash() -> str | None:
    """Return the hash of this request's reader, or None for a first-time visitor."""
    if "reader_id" not in g:
        g.reader_id = _reader_id_from_cookie()
    return keyed_hash("reader", g.reader_id) if g.reader_id else None


def ensure_reader_hash(reader_id: str | None = None) -> str:
    """Return this reader's hash, giving a first-time visitor an id (cookie set on response):
    reader_id when given (see forum.article_pages.first_vote), else a random one."""
    existing = current_reader_hash()
    if existing:
        return existing
    g.reader_id = reader_id or secrets.token_urlsafe(24)
    g.new_reader_cookie = True
    return keyed_hash("reader", g.reader_id)


def forget_new_reader() -> None:
    """Take back an id that ensure_reader_hash gave this request: nothing was recorded
    under it, so the visitor gets no cookie (a later ensure_reader_hash gives a fresh one)."""
    if g.pop("new_reader_cookie", False):
        g.pop("reader_id", None)


def current_address_hash() -> str:
    """The keyed hash of the client's address (of its /64 for IPv6): bans, bursts, limits."""
    return keyed_hash("address", client_address_key())


def _serializer() -> URLSafeSerializer:
    return signed_serializer(COOKIE_SALT)


def _reader_id_from_cookie() -> str | None:
    raw = request.cookies.get(current_app.config["FORUM_READER_COOKIE"])
    if not raw:
        return None
    g.reader_cookie_read = True
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) and 16 <= len(value) <= 64 else None


def _store_new_reader_cookie(response: Response) -> Response:
    if g.get("reader_cookie_read") or g.get("new_reader_cookie"):
        vary_on_cookie(response)
    if g.get("new_reader_cookie"):
        config = current_app.config
        response.set_cookie(
            config["FORUM_READER_COOKIE"],
            _serializer().dumps(g.reader_id),
            max_age=config["FORUM_READER_COOKIE_DAYS"] * 86400,
            httponly=True,
            samesite="Lax",
            secure=bool(config["FORUM_HTTPS"]),
        )
    return response
