"""No raw client address anywhere: not in a table, not in the logs, not in the limiter."""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator

import pytest
from sqlalchemy import String, Text, select

from forum.extensions import db, limiter
from forum.models import Comment
from forum.observability import JsonFormatter
from tests.comment_helpers import post_comment
from tests.conftest import REDIS_URL, LiveServer, skip_or_fail

CLIENT = "203.0.113.77"
PROXY = "192.0.2.15"
LOGGERS = ("", "werkzeug", "flask_limiter", "sqlalchemy")

DIRECT = {"FORUM_TRUSTED_PROXIES": 0}
BEHIND_PROXY = {"FORUM_TRUSTED_PROXIES": 1}
LIMITED = {"RATELIMIT_ENABLED": True, "FORUM_LIMIT_FLAG": "1 per hour", "FORUM_LOG_LEVEL": "DEBUG"}


class Capture(logging.Handler):
    """Every record, formatted as the app's JSON lines and with its arguments."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{self.format(record)} {record.args!r}")


@pytest.fixture
def logs(app) -> Iterator[Capture]:
    capture = Capture()
    loggers = [app.logger, *(logging.getLogger(name) for name in LOGGERS)]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(capture)
        logger.setLevel(logging.DEBUG)
    yield capture
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(capture)
        logger.setLevel(level)


def from_the_client(client, behind_proxy: bool) -> None:
    if behind_proxy:
        client.environ_base["REMOTE_ADDR"] = PROXY
        client.environ_base["HTTP_X_FORWARDED_FOR"] = CLIENT
    else:
        client.environ_base["REMOTE_ADDR"] = CLIENT


def drive_every_action(app, make_reader, staff, behind_proxy: bool) -> None:
    """Vote, comment, reply, "utile", flag (up to the limit), sign in, ban, erase."""
    alice, bob = make_reader(), make_reader()
    moderator = staff("moderator", login=False)
    for client in (alice.client, bob.client, moderator.client):
        from_the_client(client, behind_proxy)
    assert alice.vote({"credibility": 1, "relevance": 2}).status_code == 302
    assert post_comment(alice, "Avis depuis une adresse.", pseudonym="Alice").status_code == 302
    with app.app_context():
        first = db.session.execute(select(Comment.id)).scalar_one()
    assert post_comment(bob, "Réponse.", pseudonym="Bob", parent_id=first).status_code == 302
    assert bob.post_form(f"/comments/{first}/useful", {}).status_code == 302
    assert bob.post_form(f"/comments/{first}/flag", {"reason": "spam"}).status_code == 302
    assert bob.post_form(f"/comments/{first}/flag", {"reason": "hate"}).status_code == 429
    assert moderator.login(password="pas le bon mot de passe").status_code == 400
    assert moderator.login().status_code == 302
    ban = moderator.post_form(
        f"/moderation/comments/{first}/ban",
        {"duration": "24h", "reason": "essai", "include_address": "y"},
    )
    assert ban.status_code == 303
    assert (
        bob.post_form("/mes-donnees/supprimer", {"confirm": "y"}, page="/mes-donnees").status_code
        == 303
    )


def stored_text(app) -> Iterator[tuple[str, str]]:
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            for row in db.session.execute(select(*columns)) if columns else []:
                for column, value in zip(columns, row, strict=True):
                    if value:
                        yield f"{table.name}.{column.name}", value


def limiter_keys(app) -> str:
    """Every key of the rate-limit storage (in-process memory or Redis), as text."""
    with app.app_context():
        storage = limiter.storage
        if hasattr(storage, "get_connection"):
            return " ".join(key.decode() for key in storage.get_connection().scan_iter())
        return " ".join(map(str, storage.storage))


@pytest.fixture
def behind_proxy() -> bool:
    return False


@pytest.fixture
def storage(request) -> str:
    if getattr(request, "param", "memory") == "memory":
        return "memory://"
    if not REDIS_URL:
        skip_or_fail("FORUM_TEST_REDIS_URL is not set: Redis limiter keys not checked")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    return REDIS_URL


@pytest.fixture
def app_config(storage, behind_proxy) -> dict:
    return {
        **LIMITED,
        **(BEHIND_PROXY if behind_proxy else DIRECT),
        "RATELIMIT_STORAGE_URI": storage,
    }


@pytest.mark.parametrize(
    "storage, behind_proxy",
    [("memory", False), ("memory", True), ("redis", True)],
    indirect=["storage"],
    ids=["direct", "behind-proxy", "behind-proxy-redis"],
)
def test_no_address_in_the_database_logs_or_limiter(app, make_reader, staff, logs, behind_proxy):
    drive_every_action(app, make_reader, staff, behind_proxy)
    stored = list(stored_text(app))
    assert any(name == "bans.address_hash" for name, _ in stored), "the ban kept its hash"
    for name, value in stored:
        assert CLIENT not in value and PROXY not in value, f"{name} holds an address"
    assert logs.lines, "the actions were logged"
    assert any("ratelimit" in line.lower() for line in logs.lines)
    for line in logs.lines:
        assert CLIENT not in line and PROXY not in line, line
    counters = limiter_keys(app)
    assert counters, "the limiter counted"
    assert CLIENT not in counters and PROXY not in counters


def test_the_development_server_logs_no_client_address(app, logs):
    with (
        LiveServer(app) as server,
        urllib.request.urlopen(server.url + "/confidentialite") as response,
    ):
        assert response.status == 200
    requests = [line for line in logs.lines if "GET /confidentialite" in line]
    assert requests, "werkzeug logged the request"
    assert all("127.0.0.1" not in line for line in requests), requests
