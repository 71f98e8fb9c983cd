"""HTTP security headers on every response."""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import Serializer, URLSafeSerializer, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode

# Scripts and styles come only from our own files: no inline code, so no 'unsafe-inline'.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
)

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)

HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.session_interface = KeptSerializerSessions()


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", PERMISSIONS_POLICY),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    # One pass over the response's headers instead of a case-insensitive search per name:
    # this runs on every response.
    present = {name.lower() for name, _value in headers}
    headers.extend(
        [(name, value) for name, value in SECURITY_HEADERS if name.lower() not in present]
    )
    if current_app.config["FORUM_HTTPS"] and "strict-transport-security" not in present:
        headers["Strict-Transport-Security"] = HSTS
    if _depends_on_cookies(response):
        # Pages differ per reader (their vote, their comments) and per staff session: a
        # shared cache must not serve one visitor's page to another; every page also carries
        # the session's own CSRF token, so only the browser may keep it, and re-asks.
        vary_on_cookie(response)
        if "cache-control" not in present:
            headers["Cache-Control"] = "private, no-cache"
    return response


def vary_on_cookie(response: Response) -> None:
    """Add Cookie to the response's Vary header."""
    if "Vary" in response.headers:
        response.vary.add("Cookie")  # parsed, so that Cookie is named once
    else:
        # Most responses have none: set directly, without parsing and writing back a set.
        response.headers["Vary"] = "Cookie"


def _depends_on_cookies(response: Response) -> bool:
    if request.endpoint in {"static", "ops.healthz"}:
        return False
    return response.mimetype in {"text/html", "application/json", "application/atom+xml"}


def signed_serializer(salt: str) -> URLSafeSerializer:
    """Signs and checks values under the app's secret key, for one purpose (salt)."""
    return _serializer_for(current_app.config["SECRET_KEY"], salt)


@lru_cache(maxsize=8)
def _serializer_for(secret_key: str, salt: str) -> URLSafeSerializer:
    # Building one derives its signer's setup; the reader cookie and the form stamp are
    # signed on every page, so each (key, purpose) gets one.
    return ShortValueSerializer(secret_key, salt=salt)


class ShortValueSerializer(URLSafeSerializer):
    """URLSafeSerializer without its attempt to compress: what we sign (a reader's id, a
    form's stamp, a sign-in device) is a few dozen bytes, which zlib never shortens, and
    trying cost a vote about 150 K instructions (zlib sets up and clears its tables on
    every call). It writes what URLSafeSerializer writes for such a value, and reads both.
    """

    def dump_payload(self, obj: object) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


class KeptSerializerSessions(SecureCookieSessionInterface):
    """Flask's signed cookie session, its serializer built once per secret key.

    Flask builds a new one to read the session and again to write it, on every request;
    the cookie is signed and checked exactly as Flask's. Keyed by the secret key and its
    fallbacks: a rotated key takes effect on the next request.
    """

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = getattr(self, "_kept", None)
        if kept is None or kept[0] != keys:
            kept = self._kept = (keys, super().get_signing_serializer(app))
        return kept[1]
