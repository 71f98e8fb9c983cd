"""Shared fixtures: one app per test on a real database (SQLite, and PostgreSQL when
FORUM_TEST_DATABASE_URL is set), real forms with CSRF tokens, and reader personas."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from itsdangerous import URLSafeSerializer
from sqlalchemy import create_engine, make_url, select, text, update
from sqlalchemy.pool import NullPool
from werkzeug.serving import make_server

from bench.serve import gunicorn
from forum import create_app
from forum.articles.content import read_content_dir
from forum.articles.services import load_articles
from forum.extensions import db
from forum.extensions_setup import TRANSLATIONS
from forum.models import Article, Ban, User, WordRule
from forum.page_cache import changes_pages
from forum.readers import COOKIE_SALT

ARTICLE_SLUG = "anthropic-coupe-acces-openai-api-claude"
TEST_SECRET = "test-secret-key-0123456789abcdef0123456789abcdef"
# Under pytest-xdist, "gw0", "gw1", ...: each worker has a database and a Redis db of its own.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def _worker_database_url(url: str | None) -> str | None:
    if not url or not WORKER:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{WORKER}").render_as_string(hide_password=False)


def _worker_redis_url(url: str | None) -> str | None:
    if not url or not WORKER:
        return url
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) + int(WORKER.removeprefix("gw"))
    if number > 15:
        raise pytest.UsageError(f"{url}: no Redis db {number} for worker {WORKER}")
    return urlunsplit(parts._replace(path=f"/{number}"))


PG_URL = _worker_database_url(os.environ.get("FORUM_TEST_DATABASE_URL"))
REDIS_URL = _worker_redis_url(os.environ.get("FORUM_TEST_REDIS_URL"))
# CI sets this: a missing service or browser is then a failure, never a skip.
REQUIRE_ALL = os.environ.get("FORUM_TEST_REQUIRE_ALL") == "1"
OUTPUT_DIR = Path(__file__).resolve().parent.parent / "test-output"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def pytest_sessionstart(session) -> None:
    """Compile the catalogs as `make compile-translations` does, so plain `pytest` works."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        compile_catalog(po_path)


def compile_catalog(po_path: Path) -> None:
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    # Written aside then renamed: parallel test workers never read half a file.
    partial = mo_path.with_suffix(f".mo.{os.getpid()}")
    with partial.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=True)
    partial.replace(mo_path)


def skip_or_fail(reason: str) -> None:
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (FORUM_TEST_REQUIRE_ALL=1: required in CI)")
    pytest.skip(reason)


def _backend_params() -> list:
    return ["sqlite", "postgresql"]


@pytest.fixture(scope="session", params=_backend_params())
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """A migrated, empty database for the whole session, one per backend."""
    if request.param == "postgresql":
        if not PG_URL:
            skip_or_fail("FORUM_TEST_DATABASE_URL is not set: PostgreSQL run skipped")
        url = PG_URL
        _reset_postgresql(url)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "forum.sqlite3")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": TEST_SECRET})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url


def _reset_postgresql(url: str) -> None:
    _create_database_if_missing(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": TEST_SECRET})
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    with app.app_context():
        db.engine.dispose()


def _create_database_if_missing(url: str) -> None:
    """A worker's database, made beside the one FORUM_TEST_DATABASE_URL names."""
    name = make_url(url).database
    base = make_url(os.environ["FORUM_TEST_DATABASE_URL"])
    engine = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with engine.connect() as connection:
        known = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not known:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def make_app(database_url: str, **overrides) -> Flask:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": TEST_SECRET,
        "RATELIMIT_ENABLED": False,
        "FORUM_MIN_POST_SECONDS": 0,  # personas post at once; tests of the rule turn it on
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return create_app(config)


def load_content() -> None:
    """Load the shipped articles, as `flask content load` does (inside an app context)."""
    load_articles(read_content_dir())


def make_migrated_sqlite_app(path: Path, **overrides) -> Flask:
    """An app on a SQLite file of its own, built by the migrations, with the article."""
    app = make_app(f"sqlite:///{path}", **overrides)
    with app.app_context():
        upgrade()
        load_content()
    return app


@pytest.fixture
def app_config() -> dict:
    """Override in a test module (or parametrize) to change the app's settings."""
    return {}


@pytest.fixture
def app(database_url: str, app_config: dict) -> Iterator[Flask]:
    app = make_app(database_url, **app_config)
    with app.app_context():
        load_content()
    yield app
    with app.app_context():
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                # A cleared table is no page change (forum.page_cache): nothing is cached.
                connection.execute(table.delete().execution_options(**changes_pages()))


@pytest.fixture(params=["simple", "redis"])
def cache_config(request) -> dict:
    """The page cache settings: in-process (per worker), then Redis (shared by all)."""
    if request.param == "simple":
        return {}
    if not REDIS_URL:
        skip_or_fail("FORUM_TEST_REDIS_URL is not set: Redis cache run skipped")
    # A fresh key prefix: article ids and versions restart with every test's tables.
    return {"CACHE_REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}:"}


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


def csrf_token(html: str) -> str:
    """The page's CSRF token; empty when it has none: readers' forms carry one only for a
    signed-in session (forum.cross_origin), and a form sent without one by a staff member
    is refused all the same."""
    match = CSRF_RE.search(html)
    return match.group(1) if match else ""


# What a browser says of a form sent from a page of another site (forum.cross_origin):
# Fetch Metadata, or for an older browser only the Origin.
CROSS_SITE_HEADERS = [
    {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "same-site", "Origin": "http://sub.localhost"},
    {"Origin": "https://evil.example"},
]
CROSS_SITE_MESSAGE = "Ce formulaire a été envoyé depuis un autre site"


class Reader:
    """An anonymous reader with their own cookies, who fills in real forms.

    Requests must not run inside an app context held by the test: Flask would reuse it, and
    `g` (CSRF token, reader id) would leak from one request to the next. Read the database
    with `with app.app_context():` between requests instead.
    """

    def __init__(self, app: Flask, slug: str = ARTICLE_SLUG):
        self.app = app
        self.client = app.test_client()
        self.slug = slug

    @property
    def article_url(self) -> str:
        return f"/articles/{self.slug}"

    def open_article(self, **params):
        return self.client.get(self.article_url, query_string=params)

    def token(self, url: str | None = None) -> str:
        return csrf_token(self.client.get(url or self.article_url).get_data(as_text=True))

    def post_form(self, url: str, data: dict, page: str | None = None, **kwargs):
        payload = {"csrf_token": self.token(page), **data}
        return self.client.post(url, data=payload, **kwargs)

    def vote(self, answers: dict[str, int | str], **kwargs):
        """answers maps a question key to a choice position (or a raw value to send)."""
        data = {}
        for key, value in answers.items():
            field, choice = self.poll_field(key, value)
            data[field] = choice
        return self.post_form(f"{self.article_url}/vote", data, **kwargs)

    def poll_field(self, key: str, position):
        """The form field of a question and the id of its choice at `position`."""
        return poll_field(self.app, key, position, self.slug)


def poll_field(app: Flask, key: str, position, slug: str = ARTICLE_SLUG):
    from forum.models import Article, PollQuestion

    with app.app_context():
        question = db.session.execute(
            db.select(PollQuestion)
            .join(Article)
            .where(PollQuestion.key == key, Article.slug == slug)
        ).scalar_one()
        if isinstance(position, int) and 0 <= position < len(question.choices):
            return f"q_{question.id}", question.choices[position].id
        return f"q_{question.id}", position


@pytest.fixture
def reader(app: Flask) -> Reader:
    return Reader(app)


@pytest.fixture
def make_reader(app: Flask):
    """Build as many distinct readers as a test needs."""
    return lambda: Reader(app)


@pytest.fixture
def count_rows(app: Flask):
    """count_rows(Model) -> number of rows, read in a fresh app context."""

    def count(model) -> int:
        with app.app_context():
            return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()

    return count


class LiveServer:
    def __init__(self, app: Flask):
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The app behind a real threaded HTTP server on a free loopback port."""
    with LiveServer(app) as server:
        yield server


class Inbox:
    """An aiosmtpd handler keeping every message it receives (its SMTP server runs in a
    thread of its own: read the messages through wait_for when something else sends them)."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.port = 0
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self._arrived:
            self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
            self._arrived.notify_all()
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        with self._arrived:
            return [message for message in self.messages if message["To"] == address]

    def wait_for(
        self, address: str, count: int, timeout: float = 30, check=lambda: None
    ) -> list[EmailMessage]:
        """The messages to this address once there are `count` of them; fails after
        `timeout` seconds, or as soon as check() raises (a sender that died)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(received := self.to(address)) < count:
                check()
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{len(received)} of {count} e-mails to {address} in {timeout} s"
                    )
                self._arrived.wait(min(left, 0.5))
        return received


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """A real SMTP server on a free loopback port (FORUM_SMTP_URL: smtp://127.0.0.1:port)."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        skip_or_fail("aiosmtpd is not installed (make test installs it)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    yield handler
    controller.stop()


@contextmanager
def gunicorn_site(
    database_url: str,
    log: Path,
    workers: int = 2,
    health_path: str = "/healthz",
    **settings: str,
):
    """The site (wsgi:app) under gunicorn with the shipped gunicorn.conf.py, started as the
    benchmark starts it: yields its base URL and the master process once it answers."""
    env = {"DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET, **settings}
    with gunicorn("wsgi:app", env, log=log, workers=workers, health_path=health_path) as served:
        yield served


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR


# --- Staff personas (moderation area) ---------------------------------------------------

# Cheap argon2id parameters for the suite (read by create_app from the environment like
# any FORUM_* setting); production keeps argon2-cffi's defaults.
os.environ.setdefault("FORUM_ARGON2_TIME_COST", "1")
os.environ.setdefault("FORUM_ARGON2_MEMORY_KIB", "1024")

STAFF_PASSWORD = "correct horse battery staple"


class StaffMember:
    """A moderator or admin with their own browser cookies, who signs in with the real form.

    Like Reader: never send requests while the test holds an app context.
    """

    def __init__(self, app: Flask, email: str, password: str = STAFF_PASSWORD):
        self.app = app
        self.email = email
        self.password = password
        self.client = app.test_client()

    @property
    def user_id(self) -> int:
        from forum.auth.services import get_staff

        with self.app.app_context():
            return get_staff(self.email).id

    def login(self, password: str | None = None, next: str | None = None, **kwargs):
        page = "/staff/login" + (f"?next={next}" if next else "")
        data = {"email": self.email, "password": password or self.password, "next": next or ""}
        return self.post_form("/staff/login", data, page=page, **kwargs)

    def logout(self):
        return self.post_form("/staff/logout", {}, page="/moderation/dashboard")

    def token(self, page: str = "/moderation") -> str:
        if not self.app.config.get("WTF_CSRF_ENABLED", True):
            return ""
        return csrf_token(self.client.get(page).get_data(as_text=True))

    def post_form(self, url: str, data: dict, page: str = "/moderation", **kwargs):
        return self.client.post(url, data={"csrf_token": self.token(page), **data}, **kwargs)


def create_staff_account(
    app: Flask,
    email: str,
    role: str = "moderator",
    password: str = STAFF_PASSWORD,
    active: bool = True,
) -> None:
    from forum.auth.services import create_staff

    with app.app_context():
        user = create_staff(email, password, role, display_name=email.split("@")[0].title())
        user.active = active
        db.session.commit()


@pytest.fixture
def staff(app: Flask):
    """staff(role="moderator", email=None, login=True) -> a new StaffMember, signed in."""
    created = []

    def make(role: str = "moderator", email: str | None = None, login: bool = True):
        email = email or f"{role}{len(created) + 1}@redaction.example"
        create_staff_account(app, email, role)
        member = StaffMember(app, email)
        if login:
            assert member.login().status_code == 302, "staff login failed"
        created.append(member)
        return member

    return make


@pytest.fixture
def moderator(staff) -> StaffMember:
    return staff("moderator", "moderatrice@redaction.example")


@pytest.fixture
def admin(staff) -> StaffMember:
    return staff("admin", "admin@redaction.example")


def add_comment(app: Flask, slug: str = ARTICLE_SLUG, **fields) -> int:
    """Store a comment directly (the reader-side discussion is another area); return its id."""
    from forum.models import Article, Comment

    body = fields.pop("body", "Un commentaire de lecteur.")
    values = {
        "reader_hash": "r" * 64,
        "author_name": "Lectrice",
        "body_source": body,
        "body_html": f"<p>{body}</p>",
        "address_hash": "a" * 64,
        **fields,
    }
    with app.app_context():
        article = db.session.execute(db.select(Article).where(Article.slug == slug)).scalar_one()
        if values.get("parent_id"):
            parent = db.session.get(Comment, values["parent_id"])
            values.setdefault("thread_id", parent.thread_id or parent.id)
            values.setdefault("depth", parent.depth + 1)
        comment = Comment(article_id=article.id, **values)
        db.session.add(comment)
        db.session.commit()
        return comment.id


def act(member: StaffMember, comment_id: int, action: str, **data):
    return member.post_form(f"/moderation/comments/{comment_id}/{action}", data)


# --- The rows every route acts on (tests/access_table.py) -------------------------------


@pytest.fixture
def world(app) -> dict:
    """One row of each kind the routes act on; their ids fill the URLs and form data."""
    comment = add_comment(app, status="pending", pending_reason="premoderation")
    public = add_comment(app, body="Un avis publié.")
    with app.app_context():
        article = db.session.execute(
            select(Article).where(Article.slug == ARTICLE_SLUG)
        ).scalar_one()
        ban = Ban(reader_hash="b" * 64, reason="test")
        word = WordRule(word="vieux", normalized="vieux", kind="suspect")
        db.session.add_all([ban, word])
        db.session.commit()
        return {
            "article_slug": article.slug,
            "article": article.id,
            "comment": comment,
            "ban": ban.id,
            "word": word.id,
            "public": public,
        }


@pytest.fixture
def persona_client(app, staff):
    def make(persona: str):
        if persona == "anonymous":
            return app.test_client()
        if persona == "reader":
            # The cookie a first vote or comment would give (CSRF is off: no form to post).
            client = app.test_client()
            with app.test_request_context():
                cookie = URLSafeSerializer(TEST_SECRET, salt=COOKIE_SALT).dumps("x" * 32)
            client.set_cookie(app.config["FORUM_READER_COOKIE"], cookie)
            return client
        if persona == "disabled":
            member = staff("moderator", "desactive@redaction.example")
            with app.app_context():
                # Only the flag, not the session version: the loader itself must refuse.
                db.session.execute(
                    update(User).where(User.id == member.user_id).values(active=False)
                )
                db.session.commit()
            return member.client
        return staff(persona).client

    return make
