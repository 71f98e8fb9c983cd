"""`flask retention run`: address hashes older than the retention period are cleared."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import (
    Ban,
    ChangedMindMark,
    Comment,
    CommentVote,
    Flag,
    PollQuestion,
    SpentStamp,
    Vote,
    utcnow,
)
from forum.page_cache import changes_pages
from tests.conftest import REDIS_URL, add_comment, skip_or_fail

OLD, RECENT = "0" * 64, "1" * 64


def seed(app) -> None:
    """Old and recent rows of each kind, every one with an address hash."""
    now = utcnow()
    long_ago, lately = now - timedelta(days=31), now - timedelta(days=29)
    old_comment = add_comment(app, address_hash=OLD, created_at=long_ago, reader_hash="o" * 64)
    recent_comment = add_comment(app, address_hash=RECENT, created_at=lately)
    with app.app_context():
        question = db.session.execute(select(PollQuestion)).scalars().first()
        choice = question.choices[0].id
        db.session.add_all(
            [
                # Cast long ago but changed lately: the change stored the address again.
                Vote(
                    question_id=question.id,
                    choice_id=choice,
                    reader_hash="v1".ljust(64, "0"),
                    address_hash=RECENT,
                    created_at=long_ago,
                    updated_at=lately,
                ),
                Vote(
                    question_id=question.id,
                    choice_id=choice,
                    reader_hash="v2".ljust(64, "0"),
                    address_hash=OLD,
                    created_at=long_ago,
                    updated_at=long_ago,
                    burst=True,
                ),
                Flag(
                    comment_id=recent_comment,
                    reader_hash="f1".ljust(64, "0"),
                    reason="spam",
                    address_hash=OLD,
                    created_at=long_ago,
                ),
                Flag(
                    comment_id=old_comment,
                    reader_hash="f2".ljust(64, "0"),
                    reason="spam",
                    address_hash=RECENT,
                    created_at=lately,
                ),
                ChangedMindMark(
                    comment_id=recent_comment,
                    reader_hash="m1".ljust(64, "0"),
                    address_hash=OLD,
                    created_at=long_ago,
                ),
                ChangedMindMark(
                    comment_id=old_comment,
                    reader_hash="m2".ljust(64, "0"),
                    address_hash=RECENT,
                    created_at=lately,
                ),
                Ban(address_hash=OLD, created_at=long_ago, expires_at=now - timedelta(hours=1)),
                Ban(address_hash=RECENT, created_at=lately, lifted_at=now - timedelta(hours=1)),
                Ban(address_hash=RECENT, created_at=long_ago, expires_at=None),  # in force
                Ban(address_hash=RECENT, created_at=lately, expires_at=now + timedelta(days=1)),
            ]
        )
        db.session.commit()


def hashes(app) -> dict[str, list]:
    with app.app_context():
        return {
            model.__tablename__: sorted(
                db.session.execute(select(model.address_hash).order_by(model.id)).scalars(),
                key=lambda v: v or "",
            )
            for model in (Vote, Comment, Flag, ChangedMindMark, Ban)
        }


def test_retention_clears_only_old_address_hashes(app, runner):
    seed(app)
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "retention: 30 days" in result.output
    assert "votes: 1 address hashes cleared" in result.output
    assert "comments: 1 address hashes cleared" in result.output
    assert "flags: 1 address hashes cleared" in result.output
    assert "bans: 2 address hashes cleared (ended bans)" in result.output
    assert "changed-mind marks: 1 address hashes cleared" in result.output
    assert "rate limits (MemoryStorage): in each server process's memory" in result.output
    left = hashes(app)
    assert left == {
        "votes": [None, RECENT],
        "comments": [None, RECENT],
        "flags": [None, RECENT],
        "changed_mind_marks": [None, RECENT],
        "bans": [None, None, RECENT, RECENT],
    }
    with app.app_context():
        # The rows themselves stay, burst mark included.
        assert (
            db.session.execute(select(Vote.burst).where(Vote.address_hash.is_(None))).scalar_one()
            is True
        )


def test_running_twice_clears_nothing_more(app, runner):
    seed(app)
    runner.invoke(args=["retention", "run"])
    again = runner.invoke(args=["retention", "run"]).output
    assert "votes: 0 address" in again and "bans: 0 address" in again


def test_days_option_overrides_the_setting(app, runner):
    seed(app)
    result = runner.invoke(args=["retention", "run", "--days", "28"])
    assert "retention: 28 days" in result.output
    assert "votes: 2 address hashes cleared" in result.output
    assert hashes(app)["comments"] == [None, None]
    assert runner.invoke(args=["retention", "run", "--days", "-1"]).exit_code == 2


@pytest.mark.parametrize("app_config", [{"FORUM_RETENTION_DAYS": 400}])
def test_setting_gives_the_period(app, runner):
    seed(app)
    result = runner.invoke(args=["retention", "run"])
    assert "retention: 400 days" in result.output
    assert "comments: 0 address" in result.output


def test_moderation_dashboard_copes_with_cleared_burst_addresses(app, runner, moderator):
    seed(app)
    with app.app_context():
        db.session.execute(
            db.update(Vote).values(created_at=utcnow(), burst=True),
            execution_options=changes_pages(),
        )
        db.session.commit()
    runner.invoke(args=["retention", "run", "--days", "0"])
    assert moderator.client.get("/moderation/dashboard").status_code == 200


def test_retention_clears_utile_addresses_held_ban_addresses_and_spent_stamps(app, runner):
    now = utcnow()
    comment_id = add_comment(app)
    with app.app_context():
        db.session.add_all(
            [
                CommentVote(
                    comment_id=comment_id,
                    reader_hash="u1".ljust(64, "0"),
                    address_hash=OLD,
                    created_at=now - timedelta(days=31),
                ),
                CommentVote(
                    comment_id=comment_id,
                    reader_hash="u2".ljust(64, "0"),
                    address_hash=RECENT,
                    created_at=now - timedelta(days=29),
                ),
                Ban(
                    reader_hash="b" * 64, held_address_hash=OLD, expires_at=now - timedelta(hours=1)
                ),
                Ban(
                    reader_hash="c" * 64,
                    held_address_hash=RECENT,
                    expires_at=now + timedelta(days=1),
                ),
                SpentStamp(stamp_id="spent-long-ago", expires_at=now - timedelta(minutes=1)),
                SpentStamp(stamp_id="spent-lately", expires_at=now + timedelta(minutes=90)),
            ]
        )
        db.session.commit()
    result = runner.invoke(args=["retention", "run"])
    assert "utile marks: 1 address hashes cleared" in result.output
    assert "bans: 1 address hashes cleared (ended bans)" in result.output
    assert "spent form stamps: 1 expired rows deleted" in result.output
    with app.app_context():
        marks = db.session.execute(select(CommentVote.address_hash).order_by(CommentVote.id))
        assert marks.scalars().all() == [None, RECENT]
        held = db.session.execute(select(Ban.held_address_hash).order_by(Ban.id))
        assert held.scalars().all() == [None, RECENT]  # a ban in force keeps its address
        stamps = db.session.execute(select(SpentStamp.stamp_id)).scalars().all()
        assert stamps == ["spent-lately"]


@pytest.fixture
def redis_limits(app_config):
    if not REDIS_URL:
        skip_or_fail("FORUM_TEST_REDIS_URL is not set: Redis rate-limit storage not tested")
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_STORAGE_URI": REDIS_URL or "memory://", "RATELIMIT_ENABLED": True}]
)
def test_rate_limit_counters_in_redis_expire_by_themselves(redis_limits, app, reader, runner):
    reader.vote({"credibility": 1, "relevance": 1})
    keys = [key.decode() for key in redis_limits.keys("LIMITS:*")]
    assert keys and all(0 < redis_limits.ttl(key) <= 3600 for key in keys)
    redis_limits.set("LIMITS:LIMITER/stray/key", 1)  # a counter that lost its expiry
    result = runner.invoke(args=["retention", "run"])
    assert (
        f"rate limits (RedisStorage): {len(keys) + 1} counters, each expires with its window"
    ) in result.output
    assert "1 without expiry removed" in result.output
    assert redis_limits.exists("LIMITS:LIMITER/stray/key") == 0
    assert len(redis_limits.keys("LIMITS:*")) == len(keys)
