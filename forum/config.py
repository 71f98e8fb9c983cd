"""Settings: defaults, then instance/config.py, then environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

IN_PROCESS_CACHE = "forum.memory_cache.BoundedMemoryCache"

DEFAULTS = {
    "FORUM_ENV": "development",
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    # Pooled connections are checked before use after this idle time (forum.database).
    "FORUM_DB_PING_AFTER_IDLE_SECONDS": 1.0,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "BABEL_DEFAULT_LOCALE": "fr",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
    # Interface languages offered, each with a catalog in forum/translations/ (README).
    "FORUM_LANGUAGES": ["fr", "en"],
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "FORUM_HTTPS": False,
    "FORUM_READER_COOKIE": "forum_reader",
    "FORUM_READER_COOKIE_DAYS": 400,
    # The site's public address (https://forum.example.org) for links in feeds and mails;
    # empty: the address each request came to.
    "FORUM_SITE_URL": "",
    # Reply notices by e-mail (off when empty): smtp://[user:password@]host[:port], with
    # ?starttls=1, or smtps://...; the queue: a redis:// URL or a SQLite file path (empty:
    # CACHE_REDIS_URL if set, else instance/mail-queue.sqlite3).
    "FORUM_SMTP_URL": "",
    "FORUM_MAIL_FROM": "Forum des lecteurs <forum@localhost>",
    "FORUM_QUEUE_URL": "",
    "FORUM_COMMENTS_PER_PAGE": 50,
    "FORUM_MAX_DEPTH": 3,
    "FORUM_EDIT_WINDOW_MINUTES": 15,
    "FORUM_FLAG_THRESHOLD": 3,
    "FORUM_TRUSTED_PROXIES": 0,
    # Empty: X-Forwarded-For is read (TRUSTED_PROXIES > 0) whatever the peer.
    "FORUM_PROXY_ADDRESSES": "",
    "FORUM_MIN_POST_SECONDS": 3,
    "FORUM_MAX_LINKS": 3,
    "FORUM_DUPLICATE_WINDOW_MINUTES": 10,
    "FORUM_VOTE_BURST_COUNT": 20,
    "FORUM_VOTE_BURST_MINUTES": 10,
    # Integrity of the comment-side counts (README, "Integrity").
    "FORUM_FORM_MAX_AGE_MINUTES": 120,
    "FORUM_TRUST_AFTER_HOURS": 24,
    "FORUM_FLAG_BURST_COUNT": 5,
    "FORUM_FLAG_BURST_MINUTES": 60,
    "FORUM_USEFUL_PER_ADDRESS": 3,
    "FORUM_RETENTION_DAYS": 30,
    "FORUM_LOG_FORMAT": "json",
    "FORUM_LOG_LEVEL": "INFO",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "CACHE_TYPE": IN_PROCESS_CACHE,
    "CACHE_DEFAULT_TIMEOUT": 30,
    # Bounds the in-process cache of each worker; Redis bounds itself by expiry.
    "FORUM_CACHE_MAX_MB": 4,
    "FORUM_PAGE_CACHE_SECONDS": 30,
    # How long a shared cache in front (nginx) may serve the first page of an article to
    # visitors without cookies (s-maxage; forum.article_pages.anonymous_page).
    "FORUM_SHARED_CACHE_SECONDS": 5,
    # How often an open article page asks whether anything changed (forum.article_pages.live).
    "FORUM_LIVE_POLL_SECONDS": 15,
    # `flask db` and Flask-Migrate's functions; gunicorn.conf.py turns it off in web workers.
    "FORUM_MIGRATIONS": True,
    # gunicorn's master renders the newest article once per language before forking, so
    # the workers share what the first page builds (forum.ops.warm_up).
    "FORUM_WARM_UP": True,
    # How long a SQLite write waits for another writer before the reader gets a 503.
    "FORUM_SQLITE_BUSY_TIMEOUT_MS": 15000,
}

# Environment variables read as-is (the names operators expect) besides the FORUM_* ones.
PLAIN_ENV = (
    "DATABASE_URL",
    "SECRET_KEY",
    "RATELIMIT_STORAGE_URI",
    "CACHE_REDIS_URL",
    "TRUSTED_PROXIES",
)

KNOWN_BAD_SECRETS = {"", "dev", "change-me", "changeme", "secret"}
# Production refuses these too (compared lower-cased), and any key shorter than 32 characters:
# values copied from tutorials and .env examples, the first guesses of anyone forging cookies.
WEAK_SECRETS = KNOWN_BAD_SECRETS | {
    "x",
    "test",
    "password",
    "secret_key",
    "secret-key",
    "secretkey",
    "your-secret-key",
    "your_secret_key",
    "development",
    "default",
    "changethis",
    "change-this",
    "please-change-me",
    "not-a-secret",
    "supersecret",
    "123456",
    "0" * 64,
}
MIN_SECRET_LENGTH = 32


class ConfigurationError(RuntimeError):
    """The app refuses to start with this configuration."""


def load_config(app: Flask, overrides: dict | None) -> None:
    """Fill app.config from defaults, the instance file, the environment and overrides."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(_read_environment())
    if overrides:
        app.config.update(overrides)
    _set_database_uri(app)
    _set_secret_key(app)
    _set_https(app)
    _set_cache(app)
    _set_languages(app)


def _read_environment() -> dict:
    values: dict = {}
    for name, raw in os.environ.items():
        if name.startswith("FORUM_") and not name.startswith("FORUM_TEST_"):
            values[name] = _parse_value(raw)
    for name in PLAIN_ENV:
        if name in os.environ:
            values[name] = os.environ[name]
    if "TRUSTED_PROXIES" in values:
        values["FORUM_TRUSTED_PROXIES"] = _parse_value(values.pop("TRUSTED_PROXIES"))
    return values


def _parse_value(raw: str):
    lowered = raw.strip().lower()
    if lowered in {"true", "yes", "on"}:
        return True
    if lowered in {"false", "no", "off"}:
        return False
    if lowered.lstrip("-").isdigit():
        return int(lowered)
    return raw


def _set_database_uri(app: Flask) -> None:
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config.get("DATABASE_URL")
    if not url:
        url = "sqlite:///" + str(Path(app.instance_path) / "forum.sqlite3")
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("postgresql"):
        # Short OLTP queries: PostgreSQL's JIT compiles a plan whose cost it overestimates
        # (a range on a row comparison) for tens of milliseconds, to run it in under one.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "connect_args": {"options": "-c jit=off"},
        }
    elif url.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "connect_args": {"timeout": app.config["FORUM_SQLITE_BUSY_TIMEOUT_MS"] / 1000},
        }


def _set_secret_key(app: Flask) -> None:
    key = app.config.get("SECRET_KEY")
    if app.config["FORUM_ENV"] == "production" and not app.debug:
        if is_weak_secret(key):
            raise ConfigurationError(
                f"SECRET_KEY is missing, shorter than {MIN_SECRET_LENGTH} characters or a "
                "well-known value. Set the SECRET_KEY environment variable to a long random "
                "value (python -c 'import secrets; print(secrets.token_hex(32))') before "
                "starting in production."
            )
        return
    if not key or key in KNOWN_BAD_SECRETS:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))


def is_weak_secret(key) -> bool:
    """Whether a key signs nothing safely: missing, short, or a value attackers try first."""
    if not isinstance(key, str | bytes):
        return True
    text = key.decode(errors="replace") if isinstance(key, bytes) else key
    return len(text) < MIN_SECRET_LENGTH or text.strip().lower() in WEAK_SECRETS


def _instance_secret(instance: Path) -> str:
    """Return the key generated once into instance/, creating it on first start."""
    path = instance / "secret_key"
    instance.mkdir(parents=True, exist_ok=True)
    try:
        # Exclusive create: several workers starting at once agree on one key.
        with open(path, "x", opener=lambda p, f: os.open(p, f, 0o600)) as handle:
            handle.write(secrets.token_hex(32) + "\n")
    except FileExistsError:
        pass
    return path.read_text().strip()


def _set_cache(app: Flask) -> None:
    """A configured Redis becomes the shared cache of every worker."""
    if app.config.get("CACHE_REDIS_URL") and app.config["CACHE_TYPE"] == IN_PROCESS_CACHE:
        app.config["CACHE_TYPE"] = "RedisCache"


def _set_https(app: Flask) -> None:
    secure = bool(app.config["FORUM_HTTPS"])
    app.config["SESSION_COOKIE_SECURE"] = secure
    app.config["REMEMBER_COOKIE_SECURE"] = secure
    app.config["PREFERRED_URL_SCHEME"] = "https" if secure else "http"


def _set_languages(app: Flask) -> None:
    """FORUM_LANGUAGES from the environment is a comma-separated list: "fr,en"."""
    languages = app.config["FORUM_LANGUAGES"]
    if isinstance(languages, str):
        languages = [code.strip() for code in languages.split(",") if code.strip()]
    app.config["FORUM_LANGUAGES"] = list(languages)
    if app.config["BABEL_DEFAULT_LOCALE"] not in languages:
        raise ConfigurationError(
            f"BABEL_DEFAULT_LOCALE ({app.config['BABEL_DEFAULT_LOCALE']}) must be one of "
            f"FORUM_LANGUAGES ({', '.join(languages)})."
        )
