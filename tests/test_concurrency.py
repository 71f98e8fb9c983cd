"""Votes through a real HTTP server, many at once: the database keeps exactly one row per
reader and question."""

from __future__ import annotations

import secrets

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Vote
from forum.readers import COOKIE_SALT
from tests.conftest import ARTICLE_SLUG
from tests.http_client import HttpReader
from tests.vote_helpers import fire_at_once, vote_form

pytestmark = pytest.mark.live
ARTICLE = f"/articles/{ARTICLE_SLUG}"


def votes_by_reader(app) -> list[int]:
    with app.app_context():
        return list(
            db.session.execute(
                select(func.count()).select_from(Vote).group_by(Vote.reader_hash, Vote.question_id)
            ).scalars()
        )


def signed_reader_id(app) -> str:
    serializer = URLSafeSerializer(app.config["SECRET_KEY"], salt=COOKIE_SALT)
    return serializer.dumps(secrets.token_urlsafe(24))


def test_fifty_distinct_readers_voting_at_once_make_fifty_votes(app, live_server):
    readers = [HttpReader(live_server.url) for _ in range(50)]
    forms = [vote_form(app, reader.csrf_token(ARTICLE)) for reader in readers]
    statuses = fire_at_once(50, lambda i: readers[i].post(f"{ARTICLE}/vote", forms[i]).status)
    assert statuses == [302] * 50
    per_reader = votes_by_reader(app)
    assert len(per_reader) == 100, "50 readers x 2 questions"
    assert set(per_reader) == {1}


def test_one_reader_firing_twenty_votes_at_once_keeps_one_row_per_question(app, live_server):
    reader = HttpReader(live_server.url)
    # A returning reader who has an id cookie but has never voted: all 20 requests race to
    # insert the first row.
    reader.set_cookie(app.config["FORUM_READER_COOKIE"], signed_reader_id(app))
    form = vote_form(app, reader.csrf_token(ARTICLE))
    statuses = fire_at_once(20, lambda i: reader.post(f"{ARTICLE}/vote", form).status)
    assert statuses == [302] * 20
    assert votes_by_reader(app) == [1, 1]
    assert "1 votant" in reader.get(ARTICLE).body
